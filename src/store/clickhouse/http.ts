/**
 * @module store/clickhouse/http — ClickHouse's HTTP interface through `@clickhouse/client`: one request per
 * statement, TabSeparated answers read as a stream (so no answer has to fit in one string) and parsed
 * here, JSONEachRow inserts, a per-query `max_execution_time`, TLS with a private CA or a client
 * certificate. Statements are sent as text with literals escaped by tighten (`sql.ts`), so this works
 * with ClickHouse 18.16 (Debian's), which has no query parameters, as with current releases.
 */
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { StoreError } from '../errors.js';
import type { ClickHouseLocation } from './location.js';
import { TsvSplitter, parseTsvLine } from './sql.js';

/** TLS material for `https` (`?secure=1`): a CA to trust instead of the system's, and a client certificate. */
export interface ClickHouseTls {
  readonly ca: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

/** Options of the HTTP client. */
export interface ClickHouseHttpOptions {
  /** Server-side limit of each query, seconds. @default 60 */
  readonly maxExecutionSeconds?: number;
  /** Client-side limit of each request, ms. @default maxExecutionSeconds + 10 s */
  readonly timeoutMs?: number;
  readonly tls?: ClickHouseTls;
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

/**
 * The line ClickHouse appends to an answer whose query failed after the first blocks were sent (the status,
 * 200, is gone by then): `Code: 395, e.displayText() = DB::Exception: …` (18.16), `Code: 395. DB::Exception: …` (later).
 */
const APPENDED_EXCEPTION = /^Code: \d+[.,] (?:e\.displayText\(\) = )?DB::Exception/;

/** A client of one ClickHouse server's HTTP interface, statements run in the location's database. */
export class ClickHouseHttp {
  readonly location: ClickHouseLocation;
  /** The server-side limit of each query, seconds. */
  readonly maxExecutionSeconds: number;
  private readonly timeoutMs: number;
  private readonly options: ClickHouseHttpOptions;
  /** Clients in the store's database and in `default` (for statements before the database exists), made on first use. */
  private readonly clients = new Map<boolean, Promise<ClickHouseClient>>();

  constructor(location: ClickHouseLocation, options: ClickHouseHttpOptions = {}) {
    this.location = location;
    this.options = options;
    this.maxExecutionSeconds = options.maxExecutionSeconds ?? 60;
    this.timeoutMs = options.timeoutMs ?? this.maxExecutionSeconds * 1000 + 10_000;
  }

  /** Runs a statement (in the store's database unless `database` is false); returns the answer's text. */
  async query(sql: string, options: { readonly database?: boolean } = {}): Promise<string> {
    return this.request(sql, undefined, options.database ?? true);
  }

  /** Runs a query and splits its TabSeparated answer (the query must not name a format); see {@link stream}. */
  async rows(sql: string, options: { readonly database?: boolean } = {}): Promise<string[][]> {
    const rows: string[][] = [];
    for await (const batch of this.stream(sql, options)) for (const r of batch) rows.push(r);
    return rows;
  }

  /**
   * Runs a query (which must not name a format) and yields its TabSeparated answer's rows of unescaped
   * fields as they arrive, a batch per chunk received: an answer larger than a string can hold (or than
   * memory) is read in pieces. Stopping early cancels the answer.
   * @throws ClickHouseError when the query is refused, the answer is cut off, or the server appends an
   *   error to an answer it started to send (a query that fails after its first blocks went out)
   */
  async *stream(sql: string, options: { readonly database?: boolean } = {}): AsyncGenerator<string[][], void, undefined> {
    const body = await this.send(`${sql} FORMAT TabSeparated`, undefined, options.database ?? true);
    const splitter = new TsvSplitter();
    // Leaving the loop early (a caller that stops reading) destroys the answer's stream.
    for await (const chunk of body) {
      const rows = splitter.push(chunk as Uint8Array);
      if (rows.length > 0) yield rows;
    }
    const rows = this.tailRows(splitter.end());
    if (rows.length > 0) yield rows;
  }

  /** `SELECT count() FROM <from>` (a table, with its WHERE clause). */
  async count(from: string): Promise<number> {
    return Number((await this.rows(`SELECT count() FROM ${from}`))[0]?.[0] ?? 0);
  }

  /** Inserts rows into a table (JSONEachRow); nothing is sent when there are none. */
  async insert(table: string, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    let body = '';
    for (const r of rows) body += `${JSON.stringify(r)}\n`;
    await this.request(`INSERT INTO ${table} FORMAT JSONEachRow`, body, true);
  }

  private async request(sql: string, body: string | undefined, inDatabase: boolean): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.send(sql, body, inDatabase)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  /**
   * Sends a statement; returns the answer's body, as it arrives, once its status is a success.
   * @throws ClickHouseError when unreachable or refused; the body throws one when the answer is cut off or late
   */
  private async send(sql: string, body: string | undefined, inDatabase: boolean): Promise<AsyncIterable<unknown>> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    let result: Awaited<ReturnType<ClickHouseClient['exec']>>;
    try {
      result = await (await this.client(inDatabase)).exec({
        query: sql,
        ...(body !== undefined ? { values: Readable.from([body]) } : {}),
        clickhouse_settings: { max_execution_time: this.maxExecutionSeconds },
        abort_signal: signal,
        // Refusals are read here (status and text), as are errors appended to an answer already under way.
        ignore_error_response: true,
      });
    } catch (cause) {
      throw this.unreachable('ClickHouse cannot be reached', cause, signal);
    }
    const status = result.http_status_code ?? 200;
    if (status === 200) return this.guarded(result.stream, signal);
    const text: string[] = [];
    try {
      for await (const chunk of result.stream) text.push(String(chunk));
    } catch {
      // The refusal's text is what could be read of it.
    }
    throw this.refused(status, text.join(''));
  }

  /** An answer's body whose failures (a cut connection, the time limit) are ClickHouseErrors. */
  private async *guarded(stream: AsyncIterable<unknown>, signal: AbortSignal): AsyncGenerator<unknown> {
    try {
      for await (const chunk of stream) yield chunk;
    } catch (cause) {
      throw this.unreachable('the answer was cut off', cause, signal);
    }
  }

  private client(inDatabase: boolean): Promise<ClickHouseClient> {
    let c = this.clients.get(inDatabase);
    if (c === undefined) {
      c = this.newClient(inDatabase);
      this.clients.set(inDatabase, c);
    }
    return c;
  }

  private async newClient(inDatabase: boolean): Promise<ClickHouseClient> {
    // Loaded on first use: commands that never open a ClickHouse store do not pay for it at start-up.
    const { ClickHouseLogLevel, createClient } = await import('@clickhouse/client');
    const tls = this.options.tls;
    return createClient({
      url: this.location.endpoint,
      username: this.location.user,
      password: this.location.password,
      database: inDatabase ? this.location.database : 'default',
      request_timeout: this.timeoutMs,
      compression: { request: false, response: false },
      ...(tls !== undefined ? { tls: tls.cert !== undefined && tls.key !== undefined ? { ca_cert: tls.ca, cert: tls.cert, key: tls.key } : { ca_cert: tls.ca } } : {}),
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  /**
   * The rows of an answer's unparsed end ({@link TsvSplitter.end}).
   * @throws ClickHouseError when its last line is an error the server appended, or it ends mid-row
   */
  private tailRows(tail: string): string[][] {
    if (tail === '') return [];
    const lines = tail.split('\n');
    const partial = lines.pop()!;
    const cut = partial !== '';
    const last = cut ? partial : lines.at(-1)!;
    if (APPENDED_EXCEPTION.test(last) || (cut && /Code: \d+.*DB::Exception/.test(last))) throw this.refused(200, last, 'failed a query after it started to answer');
    if (cut) throw new ClickHouseError(`${this.location.display}: ClickHouse's answer ended mid-row`, true);
    return lines.map(parseTsvLine);
  }

  /** The error of a server that could not be reached, stopped answering, or took too long: worth retrying. */
  private unreachable(what: string, cause: unknown, signal: AbortSignal): ClickHouseError {
    if (signal.aborted || /timeout/i.test((cause as Error).message)) {
      return new ClickHouseError(`${this.location.display}: no complete answer within ${this.timeoutMs / 1000} s (the client's limit of a request: the query's max_execution_time of ${this.maxExecutionSeconds} s, plus 10 s)`, true, { cause });
    }
    const reason = (cause as Error & { code?: string }).code ?? (cause as Error & { cause?: { code?: string } }).cause?.code ?? (cause as Error).message;
    return new ClickHouseError(`${this.location.display}: ${what} (${reason}); check the host and port, and that the server runs`, true, { cause });
  }

  /** The error of a query the server refused (or failed while answering, with status 200). */
  private refused(status: number, text: string, what = 'refused a query'): ClickHouseError {
    const code = Number(/Code: (\d+)/.exec(text)?.[1] ?? 0);
    const message = text.replace(/\s+/g, ' ').trim().slice(0, 400);
    const hint = status === 401 || status === 403 || code === 192 || code === 193 || code === 516
      ? '; check the user and password (in the URL or TIGHTEN_CLICKHOUSE_PASSWORD)'
      : '';
    const retryable = (status >= 500 || status === 200) && RETRYABLE_CODES.has(code) || status === 503;
    return new ClickHouseError(`${this.location.display}: ClickHouse ${what} (HTTP ${status}): ${message}${hint}`, retryable);
  }
}
