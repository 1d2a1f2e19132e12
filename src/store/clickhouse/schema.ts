/**
 * @module store/clickhouse/schema — the tables tighten keeps in its ClickHouse database, created and
 * migrated by tighten itself. `schema_version` records each migration applied; a store from an older
 * tighten is brought up to {@link SCHEMA_VERSION} when opened, one from a newer tighten is refused.
 *
 * ```
 * schema_version   one row per migration applied
 * batches          the batch ledger: one row per committed (collector, batch), written last
 * edge_rows        raw bucket rows of each batch, as inserted (MergeTree, by collector and batch)
 * edge_buckets     the same rows merged per edge and bucket (AggregatingMergeTree, fed by edge_buckets_mv):
 *                  counters are sums, first/last seen min/max of RFC 3339 strings, a day's hours a bit OR
 * batch_states     the rest of each batch's fold state (workloads, names by IP, identities, not-edges,
 *                  unresolved peers, lost events, edges' L7 and drop summaries) as JSON
 * files            content hashes of the files ingested
 * uuids            recent Hubble flow uuids, for deduplication (partitioned by day of flow time)
 * clusters         cluster snapshots (JSON) by SHA-256; the ledger names the one each batch used
 * settings         store settings, newest row wins (since version 2)
 * edge_days        rolled-up days: one row per edge, day and rollup, written by `compact` (since version 3)
 * rollups          the rollup ledger: one row per committed rollup of a day, written last
 * rolled_batches   the batches each rollup covered, by day: their raw rows of that day are in the rollup
 * compactions      one row per compaction, with the hour before which buckets are dropped
 * leases           who compacts: the earliest live, unreleased lease holds it
 * ```
 *
 * Rollups. A day's buckets merge many batches, and a rolled-up day counts each hour's flows from the
 * hour's merged counters, so a day cannot be rolled up by a materialized view nor rewritten in place
 * (ClickHouse has no transactions). Instead a rollup covers a set of ledgered batches: it writes their
 * day, computed from their raw rows, to `edge_days`, records the batches, and is ledgered last. From
 * then on readers take that day from `edge_days`, plus the raw rows of batches no rollup covers (late
 * ones), and never from `edge_buckets`, whose partition of the day is dropped. Nothing a collector
 * writes meanwhile is lost or counted twice, whatever the order.
 *
 * Only SQL that ClickHouse 18.16 accepts: no DateTime64 (times are RFC 3339 strings with nanoseconds,
 * or milliseconds as UInt64/Int64), no JSON functions (JSON is parsed by tighten), no
 * SimpleAggregateFunction, no TTL clauses (retention is applied by `compact`, dropping partitions).
 */
import type { ClickHouseHttp } from './http.js';

/** The schema version this tighten writes. */
export const SCHEMA_VERSION = 3;

/** The nine counter columns of an edge bucket (`counts[side * 3 + eventClass]`). */
export const COUNTERS = Array.from({ length: 9 }, (_, i) => `c${i}`);

/** The columns that name an edge and its bucket, in sort order. */
export const EDGE_KEY = ['src', 'dst', 'src_w', 'proto', 'port', 'verdict', 'hour', 'daily'] as const;

/** Statements of each migration, by the version it brings the schema to. Each is idempotent (IF NOT EXISTS). */
export const MIGRATIONS: readonly (readonly string[])[] = [
  [],
  [
    `CREATE TABLE IF NOT EXISTS schema_version (version UInt32, applied_ms UInt64) ENGINE = MergeTree ORDER BY version`,
    `CREATE TABLE IF NOT EXISTS batches (collector String, batch String, committed_ms UInt64, flows UInt64, bucket_rows UInt64,
      first_time String, last_time String, decode String, cluster_sha String, follow_path String, follow_inode String, follow_offset UInt64)
      ENGINE = MergeTree ORDER BY (collector, batch)`,
    `CREATE TABLE IF NOT EXISTS edge_rows (collector String, batch String, src String, dst String, src_w UInt8, proto String, port UInt32,
      verdict String, hour Int64, daily UInt8, hours UInt32, ${COUNTERS.map((c) => `${c} UInt64`).join(', ')}, first String, last String)
      ENGINE = MergeTree PARTITION BY intDiv(hour, 720) ORDER BY (collector, batch)`,
    `CREATE TABLE IF NOT EXISTS edge_buckets (src String, dst String, src_w UInt8, proto String, port UInt32, verdict String, hour Int64, daily UInt8,
      hours AggregateFunction(groupBitOr, UInt32), ${COUNTERS.map((c) => `${c} AggregateFunction(sum, UInt64)`).join(', ')},
      first AggregateFunction(min, String), last AggregateFunction(max, String))
      ENGINE = AggregatingMergeTree PARTITION BY intDiv(hour, 24) ORDER BY (${EDGE_KEY.join(', ')})`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS edge_buckets_mv TO edge_buckets AS
      SELECT ${EDGE_KEY.join(', ')}, groupBitOrState(hours) AS hours, ${COUNTERS.map((c) => `sumState(${c}) AS ${c}`).join(', ')},
        minState(first) AS first, maxState(last) AS last
      FROM edge_rows GROUP BY ${EDGE_KEY.join(', ')}`,
    `CREATE TABLE IF NOT EXISTS batch_states (collector String, batch String, state String) ENGINE = MergeTree ORDER BY (collector, batch)`,
    `CREATE TABLE IF NOT EXISTS files (collector String, batch String, sha256 String, name String, bytes UInt64) ENGINE = MergeTree ORDER BY sha256`,
    `CREATE TABLE IF NOT EXISTS uuids (collector String, batch String, uuid String, time_ms Int64)
      ENGINE = MergeTree PARTITION BY intDiv(time_ms, 86400000) ORDER BY (collector, batch, uuid)`,
    `CREATE TABLE IF NOT EXISTS clusters (sha String, snapshot String) ENGINE = MergeTree ORDER BY sha`,
  ],
  [`CREATE TABLE IF NOT EXISTS settings (at_ms UInt64, settings String) ENGINE = MergeTree ORDER BY at_ms`],
  [
    `CREATE TABLE IF NOT EXISTS edge_days (rollup String, src String, dst String, src_w UInt8, proto String, port UInt32, verdict String, hour Int64, daily UInt8,
      hours UInt32, ${COUNTERS.map((c) => `${c} UInt64`).join(', ')}, first String, last String)
      ENGINE = MergeTree PARTITION BY intDiv(hour, 720) ORDER BY (${EDGE_KEY.join(', ')}, rollup)`,
    `CREATE TABLE IF NOT EXISTS rollups (rollup String, day Int64, committed_ms UInt64, batches UInt64) ENGINE = MergeTree ORDER BY (day, rollup)`,
    `CREATE TABLE IF NOT EXISTS rolled_batches (rollup String, day Int64, collector String, batch String) ENGINE = MergeTree ORDER BY (day, collector, batch)`,
    `CREATE TABLE IF NOT EXISTS compactions (at_ms UInt64, drop_before_hour Int64, holder String) ENGINE = MergeTree ORDER BY at_ms`,
    `CREATE TABLE IF NOT EXISTS leases (name String, holder String, at_ms UInt64, released UInt8) ENGINE = MergeTree ORDER BY (name, at_ms)`,
  ],
];

/** The schema version of the database (0 when tighten has created nothing there yet). */
export async function readSchemaVersion(http: ClickHouseHttp): Promise<number> {
  const exists = await http.rows(`SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'schema_version'`);
  if (exists[0]?.[0] !== '1') return 0;
  const rows = await http.rows('SELECT max(version) FROM schema_version');
  return Number(rows[0]?.[0] ?? 0);
}

/**
 * Applies the migrations after `from` up to `to`, recording each. Concurrent openers may both apply
 * one: every statement is idempotent, and a version recorded twice is harmless.
 */
export async function migrate(http: ClickHouseHttp, from: number, to = SCHEMA_VERSION, now = Date.now()): Promise<void> {
  for (let v = from + 1; v <= to; v++) {
    for (const statement of MIGRATIONS[v] ?? []) await http.query(statement);
    await http.insert('schema_version', [{ version: v, applied_ms: now }]);
  }
}
