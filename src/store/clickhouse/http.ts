/**
 * @module store/clickhouse/http — ClickHouse's HTTP interface with plain `fetch`: one POST per
 * statement, TabSeparated answers read as a stream (so no answer has to fit in one string), JSONEachRow
 * inserts, a per-query `max_execution_time`. This works
 * with ClickHouse 18.16 (Debian's) as with current releases; no client library's handshake is involved.
 */
import { StoreError } from '../errors.js';
import type { ClickHouseLocation } from './location.js';
import { TsvSplitter, parseTsvLine } from './sql.js';

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
    const response = await this.send(`${sql} FORMAT TabSeparated`, undefined, options.database ?? true);
    const body = response.body;
    if (body === null) return;
    const reader = body.getReader();
    const splitter = new TsvSplitter();
    let done = false;
    try {
      for (;;) {
        const chunk = await reader.read().catch((cause: unknown) => {
          throw this.unreachable('the answer was cut off', cause);
        });
        if (chunk.done) break;
        const rows = splitter.push(chunk.value);
        if (rows.length > 0) yield rows;
      }
      done = true;
    } finally {
      if (!done) await reader.cancel().catch(() => undefined);
    }
    const rows = this.tailRows(splitter.end());
    if (rows.length > 0) yield rows;
  }

  /** Inserts rows into a table (JSONEachRow); nothing is sent when there are none. */
  async insert(table: string, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    let body = '';
    for (const r of rows) body += `${JSON.stringify(r)}\n`;
    await this.request(`INSERT INTO ${table} FORMAT JSONEachRow`, body, true);
  }

  private async request(sql: string, body: string | undefined, inDatabase: boolean): Promise<string> {
    const response = await this.send(sql, body, inDatabase);
    return response.text().catch((cause: unknown) => {
      throw this.unreachable('the answer was cut off', cause);
    });
  }

  /** POSTs a statement; returns the response once its status is a success. @throws ClickHouseError when unreachable or refused */
  private async send(sql: string, body: string | undefined, inDatabase: boolean): Promise<Response> {
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
      throw this.unreachable('ClickHouse cannot be reached', cause);
    }
    if (response.ok) return response;
    throw this.refused(response.status, await response.text().catch(() => ''));
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
  private unreachable(what: string, cause: unknown): ClickHouseError {
    if ((cause as Error).name === 'TimeoutError') {
      return new ClickHouseError(`${this.location.display}: no complete answer within ${this.timeoutMs / 1000} s (the client's limit of a request: the query's max_execution_time of ${this.maxExecutionSeconds} s, plus 10 s)`, true, { cause });
    }
    const reason = (cause as Error & { cause?: { code?: string } }).cause?.code ?? (cause as Error).message;
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
