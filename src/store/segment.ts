/**
 * @module store/segment — one immutable segment of a store: the fold state of one ingest (or of a
 * compaction), written once and never changed.
 *
 * - `segments/<id>.parquet`: one row per edge and time bucket — the edge's key (peer keys, protocol,
 *   port, verdict), the bucket's hour (and whether it is a day, with its hours), its nine raw counters and first/last
 *   seen — written by DuckDB (`COPY … TO … (FORMAT parquet)`), so any process can read it, and many
 *   segments are merged by one `GROUP BY` (counters add up; first/last take min/max; a day's hours
 *   with traffic, a bit mask, are OR-ed).
 * - `segments/<id>.json`: the rest of the state (workloads, names, identities, edges' L7 and drop
 *   summaries, not-edge counts), the batch's decode summary and the flow uuids kept for deduplication.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BucketState, EdgeProtocol, EdgeState, EdgeVerdict, InventoryState } from '../inventory/index.js';
import { StoreError } from './errors.js';
import { fsyncPath, writeFileAtomic } from './files.js';
import type { StoredDecodeSummary } from './flow-store.js';

export const SEGMENT_DIR = 'segments';
export const SEGMENT_FORMAT = 'tighten-segment';

/** The JSON half of a segment. */
export interface SegmentMeta {
  readonly format: typeof SEGMENT_FORMAT;
  readonly version: 1;
  readonly id: string;
  /** The state without bucket rows; only edges with an L7 or drop summary are listed, with no buckets. */
  readonly state: InventoryState;
  readonly decode: StoredDecodeSummary;
  /** `[uuid, flow time in ms]` of the batch's flows within the deduplication horizon. */
  readonly uuids: readonly (readonly [string, number])[];
  /** SHA-256 of the cluster snapshot the flows were resolved with, when one was given. */
  readonly cluster?: string;
}

const COUNTERS = 9;
const COUNTER_COLUMNS = Array.from({ length: COUNTERS }, (_, i) => `c${i}`);
const TABLE_SQL = `CREATE TABLE buckets (src VARCHAR, dst VARCHAR, src_w BOOLEAN, proto VARCHAR, port INTEGER, verdict VARCHAR, hour INTEGER, daily BOOLEAN, hours INTEGER, ${COUNTER_COLUMNS.map((c) => `${c} BIGINT`).join(', ')}, first VARCHAR, last VARCHAR)`;

/** Opens an in-memory DuckDB, runs `fn`, and closes it. */
export async function withDuckDb<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  // Loaded on first use: every command would otherwise pay for DuckDB's native module at start-up.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  try {
    return await fn(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Where a segment's files are. */
export const segmentPaths = (dir: string, id: string) => ({
  parquet: join(dir, SEGMENT_DIR, `${id}.parquet`),
  meta: join(dir, SEGMENT_DIR, `${id}.json`),
});

/**
 * Writes a segment's two files durably (fsynced), and returns their size and bucket-row count.
 * Nothing names them until the manifest does, so a crash here leaves only unreferenced files.
 */
export async function writeSegment(dir: string, meta: SegmentMeta, edges: readonly EdgeState[]): Promise<{ bytes: number; bucketRows: number }> {
  const paths = segmentPaths(dir, meta.id);
  let bucketRows = 0;
  for (const e of edges) bucketRows += e.buckets.length;
  let bytes = 0;
  if (bucketRows > 0) {
    await withDuckDb(async (c) => {
      await c.run(TABLE_SQL);
      const appender = await c.createAppender('buckets');
      for (const e of edges) {
        for (const b of e.buckets) {
          appender.appendVarchar(e.sourceKey);
          appender.appendVarchar(e.destinationKey);
          appender.appendBoolean(e.sourceIsWorkload);
          appender.appendVarchar(e.protocol);
          appender.appendInteger(e.port);
          appender.appendVarchar(e.verdict);
          appender.appendInteger(b.hour);
          appender.appendBoolean(b.daily === true);
          appender.appendInteger(b.hours ?? 0);
          for (let i = 0; i < COUNTERS; i++) appender.appendBigInt(BigInt(b.counts[i] ?? 0));
          appender.appendVarchar(b.first);
          appender.appendVarchar(b.last);
          appender.endRow();
        }
      }
      appender.closeSync();
      await c.run(`COPY (SELECT * FROM buckets ORDER BY src, dst, proto, port, verdict, hour, daily) TO ${sqlString(paths.parquet)} (FORMAT parquet, COMPRESSION zstd)`);
    });
    await fsyncPath(paths.parquet);
    bytes += (await stat(paths.parquet)).size;
  }
  const text = `${JSON.stringify(meta)}\n`;
  await writeFileAtomic(paths.meta, text);
  bytes += Buffer.byteLength(text);
  return { bytes, bucketRows };
}

/** Reads a segment's JSON half. @throws StoreError naming the file when it is missing or corrupt */
export async function readSegmentMeta(dir: string, id: string): Promise<SegmentMeta> {
  const path = segmentPaths(dir, id).meta;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new StoreError(`${path}: segment named by the manifest cannot be read (${(e as Error).message})`, path, { cause: e });
  }
  let meta: SegmentMeta;
  try {
    meta = JSON.parse(text) as SegmentMeta;
  } catch (cause) {
    throw new StoreError(`${path}: corrupt store segment, not JSON (${(cause as Error).message}); restore the store from a backup`, path, { cause });
  }
  if (meta?.format !== SEGMENT_FORMAT || meta.id !== id || typeof meta.state !== 'object' || !Array.isArray(meta.state?.edges)) {
    throw new StoreError(`${path}: not a tighten store segment (format or id does not match); restore the store from a backup`, path);
  }
  return meta;
}

/**
 * The bucket rows of the given segments, merged by edge and bucket (counters summed, first/last seen
 * widened), as edges. Edge and bucket order is sorted, not the fold's: merging is order-free for them.
 * @throws StoreError naming the file when a segment is missing or not Parquet
 */
/**
 * Merged bucket rows rolled up per edge and day as compaction rolls them (`rollUpState`): a day's flows
 * are the sum of its hours' flows (each counted from the hour's merged counters, as `bucketCount` does),
 * kept on the source's side, with the flow records they stand for as `events`.
 */
function inDays(merged: string): string {
  const side = (k: number): string => `greatest(c${k * 3}, c${k * 3 + 1}, c${k * 3 + 2})`;
  const preferred = `CASE WHEN src_w THEN ${side(0)} ELSE ${side(1)} END`;
  const other = `CASE WHEN src_w THEN ${side(1)} ELSE ${side(0)} END`;
  const all = COUNTER_COLUMNS.join(' + ');
  const flows = `CASE WHEN daily THEN ${all} WHEN ${preferred} > 0 THEN ${preferred} WHEN ${other} > 0 THEN ${other} ELSE ${side(2)} END`;
  const day = '(hour // 24) * 24';
  const counters = COUNTER_COLUMNS.map((c, i) => (i === 0 ? `CASE WHEN src_w THEN sum(flows) ELSE 0 END::BIGINT AS c0` : i === 3 ? `CASE WHEN src_w THEN 0 ELSE sum(flows) END::BIGINT AS c3` : `0::BIGINT AS ${c}`));
  return `SELECT src, dst, src_w, proto, port, verdict, ${day} AS hour, true AS daily,
      bit_or(CASE WHEN daily THEN hours ELSE (1 << (hour - ${day}))::INTEGER END) AS hours, ${counters.join(', ')},
      min(first) AS first, max(last) AS last, sum(${all})::BIGINT AS events
    FROM (SELECT *, ${flows} AS flows FROM (${merged}))
    GROUP BY src, dst, src_w, proto, port, verdict, ${day}`;
}

export async function readBuckets(dir: string, ids: readonly string[], options: { readonly days?: boolean } = {}): Promise<EdgeState[]> {
  if (ids.length === 0) return [];
  const files = ids.map((id) => segmentPaths(dir, id).parquet);
  const sums = COUNTER_COLUMNS.map((c) => `sum(${c})::BIGINT AS ${c}`).join(', ');
  const merged = `SELECT src, dst, src_w, proto, port, verdict, hour, daily, bit_or(hours) AS hours, ${sums}, min(first) AS first, max(last) AS last, NULL::BIGINT AS events
      FROM read_parquet([${files.map(sqlString).join(', ')}])
      GROUP BY src, dst, src_w, proto, port, verdict, hour, daily`;
  // One row per edge with its buckets as one string: handing DuckDB values to JavaScript one by one
  // costs more than the query, and an edge has many buckets.
  const sql = `WITH b AS (${options.days ? inDays(merged) : merged})
    SELECT src, dst, src_w, proto, port, verdict,
      string_agg(concat_ws(' ', hour, daily::INTEGER, hours, ${COUNTER_COLUMNS.join(', ')}, first, last, events), '|' ORDER BY hour, daily) AS buckets
    FROM b GROUP BY src, dst, src_w, proto, port, verdict
    ORDER BY src, dst, proto, port, verdict`;
  const columns = await withDuckDb(async (c) => {
    try {
      const reader = await c.runAndReadAll(sql);
      return reader.getColumnsJS();
    } catch (cause) {
      const message = (cause as Error).message;
      const named = files.find((f) => message.includes(f));
      throw new StoreError(`${named ?? dir}: cannot read store segment (${message.split('\n')[0]})`, named, { cause });
    }
  });
  const [src, dst, srcW, proto, port, verdict, buckets] = columns as unknown[][];
  const edges: EdgeState[] = [];
  const n = src?.length ?? 0;
  for (let i = 0; i < n; i++) {
    const list: BucketState[] = [];
    for (const text of (buckets![i] as string).split('|')) {
      const f = text.split(' ');
      const daily = f[1] === '1';
      list.push({
        hour: Number(f[0]),
        ...(daily ? { daily: true as const, hours: Number(f[2]) } : {}),
        counts: f.slice(3, 3 + COUNTERS).map(Number),
        first: f[3 + COUNTERS]!,
        last: f[4 + COUNTERS]!,
        ...(f[5 + COUNTERS] !== undefined ? { events: Number(f[5 + COUNTERS]) } : {}),
      });
    }
    edges.push({
      sourceKey: src![i] as string,
      destinationKey: dst![i] as string,
      sourceIsWorkload: srcW![i] as boolean,
      protocol: proto![i] as EdgeProtocol,
      port: port![i] as number,
      verdict: verdict![i] as EdgeVerdict,
      buckets: list,
    });
  }
  return edges;
}
