/**
 * @module store/clickhouse/store — the {@link FlowStore} on ClickHouse (PRODUCT.md §4, at scale): many
 * collectors commit batches of fold state into one database; any command reads the inventory back.
 *
 * Idempotency. ClickHouse has no transactions, and its own insert deduplication (replicated tables
 * only, by block hash, within a window) cannot be relied on, so tighten keeps a batch ledger:
 * a batch is keyed by (collector id, batch id), the batch id being the SHA-256 of the batch's content,
 * so a batch retried after any failure has the same key. A commit (1) returns at once when the ledger
 * has the key; (2) inserts each table's rows for the batch unless that table already holds rows with
 * the key (each insert is one block, stored whole or not at all, so a retry after a failure half-way
 * completes the batch instead of doubling it); (3) writes the ledger row last. Readers take the
 * non-edge state of ledgered batches only; merged edge counters include a batch from the moment its
 * rows are inserted, a moment before its ledger row.
 *
 * Collectors that lose the server. A commit first writes the batch to a spool file (under the OS
 * temp dir, or `spoolDir`) and removes it once the ledger has the batch. While the server cannot be
 * reached, spooled batches are committed in the background, in order, with backoff, read back from
 * their files (so a collector's memory holds only the batch it folds); `flush` and `status` wait for
 * them. A collector that dies meanwhile commits its spooled batches when it starts again
 * ({@link ClickHouseStore.drainSpool}).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterSnapshot } from '../../cluster/index.js';
import { InventoryBuilder, type BucketState, type EdgeProtocol, type EdgeState, type EdgeVerdict, type InventoryState } from '../../inventory/index.js';
import { StoreError } from '../errors.js';
import { writeFileAtomic } from '../files.js';
import {
  DEFAULT_STORE_SETTINGS,
  type CommitResult,
  type FlowStore,
  type FollowPosition,
  type IngestBatch,
  type StoreReadOptions,
  type StoreSettings,
  type StoreStatus,
  type StoredDecodeSummary,
  type StoredInventory,
} from '../flow-store.js';
import { ClickHouseError, ClickHouseHttp, type ClickHouseTls } from './http.js';
import { parseClickHouseLocation, type ClickHouseLocation } from './location.js';
import { SCHEMA_VERSION, migrate, readSchemaVersion } from './schema.js';
import { edgeBucketsSql, readEdgeView, type EdgeWindow } from './edge-query.js';
import { compactClickHouse } from './rollup.js';
import { sqlInt, sqlString, sqlStringList } from './sql.js';
import { EMPTY_STATE, addDecode, emptyDecode, metaState } from '../batch-state.js';

const COUNTERS = 9;
/** How long a commit (or a collector's start) keeps retrying an unreachable server. */
const DEFAULT_RETRY_MS = 3_600_000;
const HOUR_MS = 3_600_000;

/** Options of opening a ClickHouse store. */
export interface ClickHouseStoreOptions {
  /** Create the database and tables when missing (writers); readers want an existing store. @default false */
  readonly create?: boolean;
  /** This collector's id in the batch ledger. @default the host name */
  readonly collectorId?: string;
  /** Where batches wait while the server cannot be reached. @default `tighten-spool` under the OS temp dir */
  readonly spoolDir?: string;
  /** How long a commit keeps retrying an unreachable server, ms. @default 3600000 (one hour) */
  readonly retryForMs?: number;
  /** Server-side limit of each query, seconds. @default the URL's `max_execution_time`, else 60 */
  readonly maxExecutionSeconds?: number;
  /** The environment, for `TIGHTEN_CLICKHOUSE_PASSWORD`. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Wait (retrying with backoff, for up to `retryForMs`) while the server cannot be reached when
   * opening, rather than fail at once: for collectors, which may start before their server. Told
   * to `onRetry` before each wait. @default false
   */
  readonly waitForServer?: boolean;
  readonly onRetry?: (retry: { readonly reason: string; readonly delayMs: number }) => void;
}

/**
 * Opens the ClickHouse store at `clickhouse://…`: checks the server answers, creates the database and
 * tables when `create` (or migrates an older schema), and refuses a schema from a newer tighten.
 * @throws StoreError naming the location (never the password) when it is malformed, unreachable, refused, or not a store
 */
export async function openClickHouseStore(location: string, options: ClickHouseStoreOptions = {}): Promise<ClickHouseStore> {
  const parsed = parseClickHouseLocation(location, options.env ?? process.env);
  const maxExecutionSeconds = options.maxExecutionSeconds ?? parsed.maxExecutionSeconds;
  const tls = parsed.tlsFiles !== undefined ? await readTls(parsed.display, parsed.tlsFiles) : undefined;
  const http = new ClickHouseHttp(parsed, { ...(maxExecutionSeconds !== undefined ? { maxExecutionSeconds } : {}), ...(tls !== undefined ? { tls } : {}) });
  const probe = () => http.rows(`SELECT count() FROM system.databases WHERE name = ${sqlString(parsed.database)}`, { database: false }).then((r) => r[0]?.[0] === '1');
  const exists = options.waitForServer ? await retrying(probe, options.retryForMs ?? DEFAULT_RETRY_MS, options.onRetry) : await probe();
  if (!exists) {
    if (!options.create) throw new StoreError(`${parsed.display}: no flow store here (no database ${parsed.database}); fill one first with \`tighten observe --store ${parsed.display} FILES…\``);
    await http.query(`CREATE DATABASE IF NOT EXISTS ${parsed.database}`, { database: false });
  }
  const version = await readSchemaVersion(http);
  if (version > SCHEMA_VERSION) {
    throw new StoreError(`${parsed.display}: the store's schema is version ${version}, newer than this tighten's (${SCHEMA_VERSION}); upgrade tighten`);
  }
  if (version === 0 && !options.create) {
    throw new StoreError(`${parsed.display}: no flow store here (no tighten tables in ${parsed.database}); fill one first with \`tighten observe --store ${parsed.display} FILES…\``);
  }
  if (version < SCHEMA_VERSION) await migrate(http, version);
  return new ClickHouseStore(http, options);
}

/** Reads the PEM files a location names for TLS. @throws StoreError naming the file that cannot be read */
async function readTls(display: string, files: NonNullable<ClickHouseLocation['tlsFiles']>): Promise<ClickHouseTls> {
  const read = (path: string) =>
    readFile(path).catch((cause: unknown) => {
      throw new StoreError(`${path}: cannot read the TLS file of ${display} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, path, { cause });
    });
  return { ca: await read(files.ca), ...(files.cert !== undefined && files.key !== undefined ? { cert: await read(files.cert), key: await read(files.key) } : {}) };
}

export class ClickHouseStore implements FlowStore {
  readonly location: string;
  readonly collectorId: string;
  private readonly http: ClickHouseHttp;
  private readonly spoolDir: string;
  private readonly retryForMs: number;
  /** Batches committed in the background, in order, while the server was away. */
  private backlog: Promise<void> = Promise.resolve();
  private waiting = 0;
  private spooledCount = 0;
  private backlogError: Error | undefined;

  constructor(http: ClickHouseHttp, options: ClickHouseStoreOptions = {}) {
    this.http = http;
    this.location = http.location.display;
    this.collectorId = options.collectorId ?? hostname();
    this.spoolDir = options.spoolDir ?? join(tmpdir(), 'tighten-spool');
    this.retryForMs = options.retryForMs ?? DEFAULT_RETRY_MS;
  }

  /** Batches waiting in the spool for the server (it could not be reached, or turned them away for now). */
  get spooled(): number {
    return this.waiting;
  }

  async knownFiles(sha256s: readonly string[]): Promise<ReadonlySet<string>> {
    if (sha256s.length === 0) return new Set();
    const rows = await this.http.rows(`SELECT DISTINCT sha256 FROM files WHERE sha256 IN ${sqlStringList(sha256s)} AND (collector, batch) IN (SELECT collector, batch FROM batches)`);
    return new Set(rows.map((r) => r[0]!));
  }

  async recentUuids(): Promise<ReadonlyMap<string, number>> {
    const settings = await this.settings();
    // This collector's: another collector sees other flows (its node's), and a store fed by thousands of
    // collectors holds far more recent uuids than one collector could load.
    const mine = `collector = ${sqlString(this.collectorId)}`;
    const rows = await this.http.rows(
      `SELECT uuid, time_ms FROM uuids WHERE ${mine} AND time_ms >= (SELECT max(time_ms) FROM uuids WHERE ${mine}) - ${sqlInt(settings.uuidHorizonSeconds * 1000)}
         AND (collector, batch) IN (SELECT collector, batch FROM batches WHERE ${mine})`,
    );
    return new Map(rows.map((r) => [r[0]!, Number(r[1])]));
  }

  async followPosition(path: string): Promise<FollowPosition | undefined> {
    const rows = await this.http.rows(
      `SELECT follow_inode, follow_offset FROM batches WHERE collector = ${sqlString(this.collectorId)} AND follow_path = ${sqlString(path)} ORDER BY committed_ms DESC, follow_offset DESC LIMIT 1`,
    );
    const r = rows[0];
    return r === undefined ? undefined : { path, inode: r[0]!, offset: Number(r[1]) };
  }

  async latestCluster(): Promise<ClusterSnapshot | undefined> {
    const rows = await this.http.rows(
      `SELECT snapshot FROM clusters WHERE sha = (SELECT cluster_sha FROM batches WHERE cluster_sha != '' ORDER BY committed_ms DESC, collector, batch LIMIT 1) LIMIT 1`,
    );
    const text = rows[0]?.[0];
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as ClusterSnapshot;
    } catch (cause) {
      throw new StoreError(`${this.location}: the store's cluster snapshot is not JSON (${(cause as Error).message}); pass --cluster, or observe again with --cluster`, undefined, { cause });
    }
  }

  /**
   * Commits a batch under (this collector, the batch's content hash), spooling it to disk first. When
   * the server cannot be reached (or earlier batches still wait for it), the batch is left in the spool
   * and committed in the background, in order, retrying with backoff; this returns at once, so a
   * collector keeps reading with its memory bounded by the batch it folds. {@link flush} (and
   * `status`) wait for the spool to be committed. A batch already in the ledger is not inserted again.
   * @throws StoreError when one of its files was stored by another batch (nothing of it is stored), the
   *   server refuses the batch, or an earlier background commit gave up
   */
  async commit(batch: IngestBatch): Promise<CommitResult> {
    this.throwBacklogError();
    const text = JSON.stringify(batch);
    const id = idOf(text);
    await mkdir(this.spoolDir, { recursive: true });
    const spooled = join(this.spoolDir, `${this.spoolPrefix()}${Date.now().toString().padStart(15, '0')}-${String(++this.spooledCount).padStart(6, '0')}-${id}.json`);
    await writeFileAtomic(spooled, text);
    if (this.waiting === 0) {
      try {
        await this.insertBatch(id, batch);
        await rm(spooled, { force: true });
        return { segment: id, compacted: false };
      } catch (e) {
        if (!(e instanceof ClickHouseError && e.retryable)) {
          await this.discardUnlessServerFault(spooled, e);
          throw e;
        }
      }
    }
    // The batch is read back from its spool file when its turn comes, so waiting batches take no memory.
    this.waiting++;
    this.backlog = this.backlog
      .then(async () => {
        await this.commitSpooled(spooled);
      })
      .catch((e: unknown) => {
        this.backlogError ??= e as Error;
      })
      .finally(() => {
        this.waiting--;
      });
    return { segment: id, compacted: false };
  }

  /** Waits until the batches committed in the background are in the store. @throws the error that made one of them give up */
  async flush(): Promise<void> {
    await this.backlog;
    this.throwBacklogError();
  }

  /** Commits the batches this collector spooled and did not commit (it died, or gave up retrying); returns how many. */
  async drainSpool(): Promise<number> {
    const prefix = this.spoolPrefix();
    const names = (await readdir(this.spoolDir).catch(() => [] as string[])).filter((n) => n.startsWith(prefix) && n.endsWith('.json')).sort();
    let n = 0;
    for (const name of names) {
      if (await this.commitSpooled(join(this.spoolDir, name))) n++;
    }
    return n;
  }

  /** Commits one spooled batch (retrying while the server is away) and removes its file; false when there was nothing to commit. */
  private async commitSpooled(path: string): Promise<boolean> {
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) return false;
    let batch: IngestBatch;
    try {
      batch = JSON.parse(text) as IngestBatch;
    } catch {
      // Spool files are written atomically: one that is not JSON was not written by tighten.
      await rm(path, { force: true });
      return false;
    }
    try {
      await retrying(() => this.insertBatch(idOf(text), batch), this.retryForMs);
    } catch (e) {
      await this.discardUnlessServerFault(path, e);
      throw e;
    }
    await rm(path, { force: true });
    return true;
  }

  /**
   * Removes a spooled batch the store refused for what it is (a file already stored by another batch):
   * retrying would fail again. One the server could not take (unreachable, a wrong password) stays for the next start.
   */
  private async discardUnlessServerFault(path: string, e: unknown): Promise<void> {
    if (!(e instanceof ClickHouseError)) await rm(path, { force: true });
  }

  private throwBacklogError(): void {
    const e = this.backlogError;
    if (e === undefined) return;
    this.backlogError = undefined;
    throw e;
  }

  async readInventory(options: StoreReadOptions = {}): Promise<StoredInventory> {
    const cluster = options.cluster ?? (await this.latestCluster());
    const builder = new InventoryBuilder({ ...options, ...(cluster ? { cluster } : {}) });
    const decode = emptyDecode();
    // Batches in flow-time order, whatever order concurrent collectors committed them in: merging is
    // then the same as folding their flows in time order, as one embedded store fed everything does.
    const ledger = await this.http.rows('SELECT collector, batch, decode, last_time FROM batches ORDER BY first_time, last_time, committed_ms, collector, batch');
    const states = new Map<string, string>();
    for (const [collector, batch, state] of await this.http.rows('SELECT collector, batch, state FROM batch_states WHERE (collector, batch) IN (SELECT collector, batch FROM batches)')) {
      states.set(`${collector}\t${batch}`, state!);
    }
    for (const [collector, batch, d] of ledger) {
      const state = states.get(`${collector}\t${batch}`);
      if (state !== undefined) builder.mergeState(this.parse<InventoryState>(state, 'batch state'));
      addDecode(decode, this.parse<StoredDecodeSummary>(d!, 'decode summary'));
    }
    builder.mergeState({ ...EMPTY_STATE, edges: await this.readEdges(readWindow(options, ledger.map((r) => r[3]!))) });
    return { inventory: builder.finish(decode), cluster };
  }

  /**
   * Rolls up the days past the rollup age and drops what is past retention (see `rollup.ts`); one
   * compaction runs at a time, whichever collector or command starts it.
   * @throws StoreError when another compaction runs
   */
  async compact(): Promise<void> {
    await this.flush();
    const last = (await this.http.rows(`SELECT max(last_time) FROM batches`))[0]?.[0];
    if (last === undefined || last === '') return;
    await compactClickHouse(this.http, this.collectorId, await this.settings(), last);
  }

  /** The store's figures, once the batches waiting in the spool are committed. */
  async status(): Promise<StoreStatus> {
    await this.flush();
    const [ledger] = await this.http.rows(`SELECT count(), sum(flows), min(first_time), max(last_time) FROM batches`);
    const [files] = await this.http.rows(`SELECT count() FROM files WHERE (collector, batch) IN (SELECT collector, batch FROM batches)`);
    // Rows as stored (merged by ClickHouse in the background), from the parts' figures: counting merged buckets
    // would cost as much as reading them.
    const [buckets] = await this.http.rows(`SELECT sum(rows) FROM system.parts WHERE database = currentDatabase() AND active AND table IN ('edge_buckets', 'edge_days')`);
    const [bytes] = await this.http.rows(`SELECT sum(bytes_on_disk) FROM system.parts WHERE database = currentDatabase() AND active`);
    const first = await this.http.rows(`SELECT min(first_time) FROM batches WHERE first_time != ''`);
    const firstTime = first[0]?.[0];
    const lastTime = ledger?.[3];
    return {
      location: this.location,
      segments: Number(ledger?.[0] ?? 0),
      files: Number(files?.[0] ?? 0),
      flows: Number(ledger?.[1] ?? 0),
      bucketRows: Number(buckets?.[0] ?? 0),
      bytes: Number(bytes?.[0] ?? 0),
      ...(firstTime !== undefined && firstTime !== '' ? { firstTime } : {}),
      ...(lastTime !== undefined && lastTime !== '' ? { lastTime } : {}),
      settings: await this.settings(),
    };
  }

  async configure(settings: Partial<StoreSettings>): Promise<StoreSettings> {
    const next = { ...(await this.settings()), ...settings };
    await this.http.insert('settings', [{ at_ms: Date.now(), settings: JSON.stringify(next) }]);
    return next;
  }

  async settings(): Promise<StoreSettings> {
    const rows = await this.http.rows('SELECT settings FROM settings ORDER BY at_ms DESC LIMIT 1');
    const text = rows[0]?.[0];
    return text === undefined ? DEFAULT_STORE_SETTINGS : { ...DEFAULT_STORE_SETTINGS, ...this.parse<Partial<StoreSettings>>(text, 'settings') };
  }

  /** The merged bucket rows, sorted by edge and bucket as the embedded store reads them. */
  private async readEdges(window: EdgeWindow): Promise<EdgeState[]> {
    const rows = this.http.stream(edgeBucketsSql(await readEdgeView(this.http), window));
    const edges: EdgeState[] = [];
    let current: { key: string; edge: EdgeState; buckets: BucketState[] } | undefined;
    for await (const batch of rows) for (const r of batch) {
      const key = r.slice(0, 6).join('\t');
      if (current === undefined || current.key !== key) {
        const buckets: BucketState[] = [];
        const edge: EdgeState = {
          sourceKey: r[0]!,
          destinationKey: r[1]!,
          sourceIsWorkload: r[2] === '1',
          protocol: r[3] as EdgeProtocol,
          port: Number(r[4]),
          verdict: r[5] as EdgeVerdict,
          buckets,
        };
        edges.push(edge);
        current = { key, edge, buckets };
      }
      const daily = r[7] === '1';
      current.buckets.push({
        hour: Number(r[6]),
        ...(daily ? { daily: true as const, hours: Number(r[8]) } : {}),
        counts: r.slice(9, 9 + COUNTERS).map(Number),
        first: r[9 + COUNTERS]!,
        last: r[10 + COUNTERS]!,
        ...(r.length > 11 + COUNTERS ? { events: Number(r[11 + COUNTERS]) } : {}),
      });
    }
    return edges;
  }

  /** Inserts what of the batch is not in yet, then its ledger row (see the module comment). */
  private async insertBatch(id: string, batch: IngestBatch): Promise<void> {
    const key = `collector = ${sqlString(this.collectorId)} AND batch = ${sqlString(id)}`;
    const { parts, bucketRows, firstTime } = batchRows(this.collectorId, id, batch);
    const clusterText = batch.cluster !== undefined ? JSON.stringify(batch.cluster) : undefined;
    const clusterSha = clusterText !== undefined ? createHash('sha256').update(clusterText).digest('hex') : '';
    // What of the batch is in already, in one round trip: a commit is a few small queries, and a server
    // takes a limited number of them per second from all its collectors.
    const present = (await this.http.rows(
      `SELECT ${[`batches WHERE ${key}`, ...parts.map(([table]) => `${table} WHERE ${key}`), `clusters WHERE sha = ${sqlString(clusterSha)}`].map((from) => `(SELECT count() FROM ${from})`).join(', ')}`,
    ))[0]!.map(Number);
    if (present[0]! > 0) return;
    if (batch.files.length > 0) {
      const known = await this.http.rows(`SELECT name FROM files WHERE sha256 IN ${sqlStringList(batch.files.map((f) => f.sha256))} AND NOT (${key}) AND (collector, batch) IN (SELECT collector, batch FROM batches) LIMIT 1`);
      if (known.length > 0) {
        const again = batch.files.find((f) => f.name === known[0]![0]) ?? batch.files[0]!;
        throw new StoreError(`${again.name}: was stored by another run while this one read it; nothing of this run was stored (run it again to ingest the other inputs)`, again.name);
      }
    }
    for (const [i, [table, list]] of parts.entries()) {
      if (list.length > 0 && present[i + 1] === 0) await this.http.insert(table, list);
    }
    if (clusterText !== undefined && present[parts.length + 1] === 0) await this.http.insert('clusters', [{ sha: clusterSha, snapshot: clusterText }]);
    await this.http.insert('batches', [{
      collector: this.collectorId,
      batch: id,
      committed_ms: Date.now(),
      flows: batch.decode.flows,
      bucket_rows: bucketRows,
      first_time: firstTime ?? '',
      last_time: batch.state.lastTime ?? '',
      decode: JSON.stringify(batch.decode),
      cluster_sha: clusterSha,
      follow_path: batch.follow?.path ?? '',
      follow_inode: batch.follow?.inode ?? '',
      follow_offset: batch.follow?.offset ?? 0,
    }]);
  }

  private spoolPrefix(): string {
    const l: ClickHouseLocation = this.http.location;
    const where = createHash('sha256').update(`${l.endpoint}/${l.database}\t${this.collectorId}`).digest('hex').slice(0, 16);
    return `${where}-`;
  }

  private parse<T>(text: string, what: string): T {
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new StoreError(`${this.location}: a stored ${what} is not JSON (${(cause as Error).message}); the database was changed outside tighten`, undefined, { cause });
    }
  }
}

/**
 * The window the server applies to a read (see `edge-query.ts`): the builder's own, with a relative
 * `--since` taken back from the time the builder will finish at (`now`, else the newest flow stored),
 * and days when they suffice.
 */
function readWindow(options: StoreReadOptions, lastTimes: readonly string[]): EdgeWindow {
  let now = options.now;
  if (now === undefined) for (const t of lastTimes) if (t !== '' && (now === undefined || t > now)) now = t;
  return {
    ...(options.since !== undefined ? { since: options.since } : {}),
    ...(options.until !== undefined ? { until: options.until } : {}),
    ...(options.sinceMs !== undefined && now !== undefined ? { minHour: Math.floor((Date.parse(now) - options.sinceMs) / HOUR_MS) } : {}),
    ...(options.daysSuffice ? { days: true } : {}),
  };
}

/** Runs `fn` until it succeeds, retrying (with backoff up to 5 s) while the error is a retryable one, for at most `forMs`. */
async function retrying<T>(fn: () => Promise<T>, forMs: number, onRetry?: ClickHouseStoreOptions['onRetry']): Promise<T> {
  const until = Date.now() + forMs;
  for (let delay = 200; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof ClickHouseError) || !e.retryable || Date.now() + delay > until) throw e;
      onRetry?.({ reason: e.message, delayMs: delay });
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** The content hash a batch is keyed by in the ledger: the same batch retried has the same id. */
export function batchId(batch: IngestBatch): string {
  return idOf(JSON.stringify(batch));
}

/** {@link batchId} of a batch's JSON text (a spool file holds exactly that text). */
function idOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** A batch's rows per table (all but the ledger and cluster), each tagged with (collector, batch). */
export function batchRows(collector: string, id: string, batch: IngestBatch): { parts: [string, object[]][]; bucketRows: number; firstTime: string | undefined } {
  const tag = { collector, batch: id };
  let bucketRows = 0;
  const rows: object[] = [];
  let firstTime: string | undefined;
  for (const e of batch.state.edges) {
    for (const b of e.buckets) {
      bucketRows++;
      if (firstTime === undefined || b.first < firstTime) firstTime = b.first;
      const row: Record<string, unknown> = {
        ...tag,
        src: e.sourceKey,
        dst: e.destinationKey,
        src_w: e.sourceIsWorkload ? 1 : 0,
        proto: e.protocol,
        port: e.port,
        verdict: e.verdict,
        hour: b.hour,
        daily: b.daily ? 1 : 0,
        hours: b.hours ?? 0,
      };
      for (let i = 0; i < COUNTERS; i++) row[`c${i}`] = b.counts[i] ?? 0;
      row.first = b.first;
      row.last = b.last;
      rows.push(row);
    }
  }
  const parts: [string, object[]][] = [
    ['edge_rows', rows],
    ['batch_states', [{ ...tag, state: JSON.stringify(metaState(batch.state)) }]],
    ['files', batch.files.map((f) => ({ ...tag, sha256: f.sha256, name: f.name, bytes: f.bytes }))],
    ['uuids', batch.uuids.map((u) => ({ ...tag, uuid: u.uuid, time_ms: u.timeMs }))],
  ];
  return { parts, bucketRows, firstTime };
}





