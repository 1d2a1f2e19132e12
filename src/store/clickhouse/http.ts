/**
 * @module store/clickhouse/http — ClickHouse's HTTP interface with plain `fetch`: one POST per
 * statement, TabSeparated answers, JSONEachRow inserts, a per-query `max_execution_time`. This works
 * with ClickHouse 18.16 (Debian's) as with current releases; no client library's handshake is involved.
 */
import { StoreError } from '../errors.js';
import type { ClickHouseLocation } from './location.js';
import { parseTsv } from './sql.js';

/** Options of the HTTP client. */
export interface ClickHouseHttpOptions {
  /** Server-side limit of each query, seconds. @default 60 */
  readonly maxExecutionSeconds?: number;
  /** Client-side limit of each request, ms. @default maxExecutionSeconds + 10 s */
  readonly timeoutMs?: number;
}

/** A failed request: `retryable` when the server could not be reached (or was overloaded), so the same request may succeed later. */
export class ClickHouseError extends StoreError {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, options?: ErrorOptions) {
    super(message, undefined, options);
    this.name = 'ClickHouseError';
    this.retryable = retryable;
  }
}

/** Exception codes worth retrying: timeouts, too many parts or queries, network errors between servers. */
const RETRYABLE_CODES = new Set([159, 160, 202, 203, 209, 210, 252, 425]);

export class ClickHouseHttp {
  readonly location: ClickHouseLocation;
  /** The server-side limit of each query, seconds. */
  readonly maxExecutionSeconds: number;
  private readonly timeoutMs: number;
  private readonly authorization: string;

  constructor(location: ClickHouseLocation, options: ClickHouseHttpOptions = {}) {
    this.location = location;
    this.maxExecutionSeconds = options.maxExecutionSeconds ?? 60;
    this.timeoutMs = options.timeoutMs ?? this.maxExecutionSeconds * 1000 + 10_000;
    this.authorization = `Basic ${Buffer.from(`${location.user}:${location.password}`).toString('base64')}`;
  }

  /** Runs a statement (in the store's database unless `database` is false); returns the answer's text. */
  async query(sql: string, options: { readonly database?: boolean } = {}): Promise<string> {
    return this.request(sql, undefined, options.database ?? true);
  }

  /** Runs a query and splits its TabSeparated answer (the query must not name a format). */
  async rows(sql: string, options: { readonly database?: boolean } = {}): Promise<string[][]> {
    return parseTsv(await this.query(`${sql} FORMAT TabSeparated`, options));
  }

  /** Inserts rows into a table (JSONEachRow); nothing is sent when there are none. */
  async insert(table: string, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    let body = '';
    for (const r of rows) body += `${JSON.stringify(r)}\n`;
    await this.request(`INSERT INTO ${table} FORMAT JSONEachRow`, body, true);
  }

  private async request(sql: string, body: string | undefined, inDatabase: boolean): Promise<string> {
    const params = new URLSearchParams({ max_execution_time: String(this.maxExecutionSeconds) });
    if (inDatabase) params.set('database', this.location.database);
    if (body !== undefined) params.set('query', sql);
    let response: Response;
    try {
      response = await fetch(`${this.location.endpoint}/?${params.toString()}`, {
        method: 'POST',
        headers: { authorization: this.authorization, 'content-type': 'text/plain; charset=utf-8' },
        body: body ?? sql,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      const reason = (cause as Error & { cause?: { code?: string } }).cause?.code ?? (cause as Error).message;
      throw new ClickHouseError(`${this.location.display}: ClickHouse cannot be reached (${reason}); check the host and port, and that the server runs`, true, { cause });
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return text;
    const code = Number(/Code: (\d+)/.exec(text)?.[1] ?? 0);
    const message = text.replace(/\s+/g, ' ').trim().slice(0, 400);
    const hint = response.status === 401 || response.status === 403 || code === 192 || code === 193 || code === 516
      ? '; check the user and password (in the URL or TIGHTEN_CLICKHOUSE_PASSWORD)'
      : '';
    throw new ClickHouseError(`${this.location.display}: ClickHouse refused a query (HTTP ${response.status}): ${message}${hint}`, response.status >= 500 && RETRYABLE_CODES.has(code) || response.status === 503);
  }
}
