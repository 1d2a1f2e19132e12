/**
 * @module store/clickhouse/location — the `clickhouse://USER:PASSWORD@HOST:PORT/DB?secure=1&ca=…&max_execution_time=S`
 * form of `--store`, parsed into what the HTTP interface needs. The password is never part of what is shown.
 */
import { StoreError } from '../errors.js';
import { isPlainName } from './sql.js';

/** The options a location's query string may carry. */
const OPTIONS = ['secure', 'ca', 'cert', 'key', 'max_execution_time'];

/** The scheme that selects the ClickHouse store. */
export const CLICKHOUSE_SCHEME = 'clickhouse:';

/** A parsed ClickHouse store location. */
export interface ClickHouseLocation {
  /** `http://HOST:PORT` or `https://…` (with `?secure=1`). */
  readonly endpoint: string;
  readonly database: string;
  /** @default `default` */
  readonly user: string;
  /** From the URL, else `TIGHTEN_CLICKHOUSE_PASSWORD`; @default empty */
  readonly password: string;
  /** The location without the password, for messages. */
  readonly display: string;
  /** `?max_execution_time=SECONDS`: the server-side limit of each query, when given. */
  readonly maxExecutionSeconds?: number;
  /** `?ca=FILE[&cert=FILE&key=FILE]` (with `secure=1`): a CA to trust instead of the system's, a client certificate and its key (PEM). */
  readonly tlsFiles?: { readonly ca: string; readonly cert?: string; readonly key?: string };
}

/** Whether a `--store` value names a ClickHouse store rather than a directory. */
export function isClickHouseLocation(location: string): boolean {
  return location.toLowerCase().startsWith('clickhouse://');
}

/**
 * Parses `clickhouse://[USER[:PASSWORD]@]HOST[:PORT]/DB[?secure=1[&ca=FILE[&cert=FILE&key=FILE]]][&max_execution_time=SECONDS]`. The port defaults to 8123 (8443
 * with `secure=1`); the password comes from the URL or from `env.TIGHTEN_CLICKHOUSE_PASSWORD`.
 * @throws StoreError naming the location (without its password) when it is malformed
 */
export function parseClickHouseLocation(location: string, env: Readonly<Record<string, string | undefined>> = {}): ClickHouseLocation {
  let url: URL;
  try {
    url = new URL(location);
  } catch (cause) {
    throw new StoreError(`${redact(location)}: not a URL; write the ClickHouse store as clickhouse://USER@HOST:8123/DATABASE`, undefined, { cause });
  }
  const user = decodeURIComponent(url.username) || 'default';
  const password = url.password !== '' ? decodeURIComponent(url.password) : (env.TIGHTEN_CLICKHOUSE_PASSWORD ?? '');
  url.password = '';
  const display = url.toString();
  if (url.protocol !== CLICKHOUSE_SCHEME) throw new StoreError(`${display}: not a clickhouse:// URL`);
  if (url.hostname === '') throw new StoreError(`${display}: no host; write clickhouse://HOST:8123/DATABASE`);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database === '') throw new StoreError(`${display}: no database; write clickhouse://HOST:8123/DATABASE (tighten creates the database and its tables)`);
  if (!isPlainName(database)) throw new StoreError(`${display}: database name ${JSON.stringify(database)} must be letters, digits and underscores`);
  for (const key of url.searchParams.keys()) {
    if (!OPTIONS.includes(key)) throw new StoreError(`${display}: unknown option ${key}; the options are ${OPTIONS.join(', ')} (?secure=1&ca=FILE&cert=FILE&key=FILE&max_execution_time=SECONDS)`);
  }
  const [ca, cert, key] = (['ca', 'cert', 'key'] as const).map((k) => url.searchParams.get(k) ?? undefined);
  if ((cert === undefined) !== (key === undefined)) throw new StoreError(`${display}: a client certificate needs both cert=FILE and key=FILE`);
  if ((cert !== undefined || ca !== undefined) && url.searchParams.get('secure') === null) throw new StoreError(`${display}: ca, cert and key are for HTTPS: add secure=1`);
  if (cert !== undefined && ca === undefined) throw new StoreError(`${display}: a client certificate needs the server's CA too (ca=FILE)`);
  const secureValue = url.searchParams.get('secure');
  const secure = secureValue === '1' || secureValue === 'true';
  const port = url.port !== '' ? url.port : secure ? '8443' : '8123';
  const limit = url.searchParams.get('max_execution_time');
  if (limit !== null && !/^[1-9]\d{0,5}$/.test(limit)) throw new StoreError(`${display}: max_execution_time must be a whole number of seconds (got ${JSON.stringify(limit)})`);
  return {
    endpoint: `${secure ? 'https' : 'http'}://${url.hostname}:${port}`,
    database,
    user,
    password,
    display,
    ...(limit !== null ? { maxExecutionSeconds: Number(limit) } : {}),
    ...(ca !== undefined ? { tlsFiles: { ca, ...(cert !== undefined && key !== undefined ? { cert, key } : {}) } } : {}),
  };
}

/** A location string with any password replaced, for messages about an unparseable one. */
function redact(location: string): string {
  return location.replace(/^(\w+:\/\/[^:@/]*):[^@/]*@/, '$1:***@');
}
