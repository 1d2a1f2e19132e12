/**
 * @module store/clickhouse/rollup — days rolled up and retention applied in the ClickHouse store (see the
 * schema's notes on rollups; `edge-query.ts` reads what compaction leaves).
 *
 * A rollup of day D covers a set of ledgered batches: their raw rows of D are merged per hour, each
 * hour's flows counted from its merged counters (as the embedded store's rollup counts them), and the
 * day written to `edge_days` under the rollup's id (a hash of the day and its batches, so a rollup
 * retried after a crash has the same id), with its batches in `rolled_batches`; the ledger row in
 * `rollups` is written last, and readers take neither until then. Batches that reach D later are read
 * from their raw rows until a later rollup of D covers them, adding to the day as later hours add to
 * a rolled-up day in the embedded store. One compaction runs at a time, under a lease.
 */
import { createHash, randomUUID } from 'node:crypto';
import { StoreError } from '../errors.js';
import { compactionCutoffs } from '../batch-state.js';
import type { StoreSettings } from '../flow-store.js';
import type { ClickHouseHttp } from './http.js';
import { COVERED, bucketFlowsSql } from './edge-query.js';
import { COUNTERS, EDGE_KEY } from './schema.js';
import { sqlInt, sqlString } from './sql.js';

const KEY = EDGE_KEY.join(', ');
const EDGE = 'src, dst, src_w, proto, port, verdict';

/** How long a compaction's lease holds against others when its holder never releases it (it died). */
export const LEASE_MS = 2 * 3_600_000;

/**
 * Rolls up the days before the rollup age and drops what is past retention, under the store's
 * compaction lease. `lastTime` is the store's newest flow.
 * @throws StoreError when another compaction holds the lease
 */
export async function compactClickHouse(http: ClickHouseHttp, holder: string, settings: StoreSettings, lastTime: string, now = Date.now): Promise<void> {
  const lease = await acquireLease(http, 'compact', holder, now());
  try {
    const { rollBeforeHour, dropBeforeHour } = compactionCutoffs(lastTime, settings);
    // The bound first: readers stop counting what is past retention before any of it is deleted.
    await http.insert('compactions', [{ at_ms: now(), drop_before_hour: dropBeforeHour, holder: lease }]);
    const pending = await http.rows(
      `SELECT DISTINCT intDiv(hour, 24) AS day, collector, batch FROM edge_rows
       WHERE hour < ${sqlInt(rollBeforeHour)} AND hour >= ${sqlInt(dropBeforeHour)} AND (collector, batch) IN (SELECT collector, batch FROM batches)
         AND (intDiv(hour, 24), collector, batch) NOT IN (${COVERED})
       ORDER BY day, collector, batch`,
    );
    const byDay = new Map<number, { collector: string; batch: string }[]>();
    for (const [day, collector, batch] of pending) {
      const list = byDay.get(Number(day)) ?? [];
      list.push({ collector: collector!, batch: batch! });
      byDay.set(Number(day), list);
    }
    for (const [day, batches] of byDay) await rollUpDay(http, day, batches, now);
    await dropUnread(http, dropBeforeHour, settings, lastTime);
  } finally {
    await http.insert('leases', [{ name: 'compact', holder: lease, at_ms: now(), released: 1 }]);
  }
}

/** Rolls up day `day` of `batches` (ledgered, covered by no rollup yet): see the module comment. */
async function rollUpDay(http: ClickHouseHttp, day: number, batches: readonly { collector: string; batch: string }[], now: () => number): Promise<void> {
  const rollup = createHash('sha256').update(`${day}\n${batches.map((b) => `${b.collector}\t${b.batch}`).join('\n')}`).digest('hex').slice(0, 32);
  if ((await http.count(`rollups WHERE rollup = ${sqlString(rollup)}`)) > 0) return;
  // Rows of an attempt that died before its ledger row (an insert of many rows may be split into blocks).
  if ((await http.count(`edge_days WHERE rollup = ${sqlString(rollup)}`)) > 0) {
    await http.query(`ALTER TABLE edge_days DELETE WHERE rollup = ${sqlString(rollup)}`);
    await waitForMutations(http);
  }
  if ((await http.count(`rolled_batches WHERE rollup = ${sqlString(rollup)}`)) === 0) {
    await http.insert('rolled_batches', batches.map((b) => ({ rollup, day, collector: b.collector, batch: b.batch })));
  }
  const start = day * 24;
  const hourFlows = bucketFlowsSql(COUNTERS.map((_, i) => `s${i}`), 'daily');
  const zero = 'toUInt64(0)';
  await http.query(
    `INSERT INTO edge_days (rollup, ${KEY}, hours, ${COUNTERS.join(', ')}, first, last)
     SELECT ${sqlString(rollup)}, ${EDGE}, ${sqlInt(start)}, 1,
       groupBitOr(if(daily = 1, h, bitShiftLeft(toUInt32(1), toUInt8(hour - ${sqlInt(start)})))),
       if(src_w = 1, sum(${hourFlows}), ${zero}), ${zero}, ${zero}, if(src_w = 1, ${zero}, sum(${hourFlows})), ${zero}, ${zero}, ${zero}, ${zero}, ${zero},
       min(f), max(l)
     FROM (
       SELECT ${EDGE}, hour, daily, groupBitOr(hours) AS h, ${COUNTERS.map((c, i) => `sum(${c}) AS s${i}`).join(', ')}, min(first) AS f, max(last) AS l
       FROM edge_rows
       WHERE intDiv(hour, 24) = ${sqlInt(day)} AND (collector, batch) IN (SELECT collector, batch FROM rolled_batches WHERE rollup = ${sqlString(rollup)})
       GROUP BY ${EDGE}, hour, daily
     ) GROUP BY ${EDGE}`,
  );
  await http.insert('rollups', [{ rollup, day, committed_ms: now(), batches: batches.length }]);
}

/**
 * Removes what readers no longer read: hourly partitions of rolled-up days, raw rows that rollups
 * cover, rows of rollups that died before their ledger row (only one compaction runs), and everything
 * past retention. Deletions are ClickHouse mutations, run only where there are rows to delete.
 */
async function dropUnread(http: ClickHouseHttp, dropBeforeHour: number, settings: StoreSettings, lastTime: string): Promise<void> {
  const rolled = new Set((await http.rows('SELECT DISTINCT day FROM rollups')).map((r) => Number(r[0])));
  const partitions = await http.rows(`SELECT DISTINCT partition FROM system.parts WHERE database = currentDatabase() AND table = 'edge_buckets' AND active`);
  for (const [p] of partitions) {
    const day = Number(p);
    if (rolled.has(day) || (day + 1) * 24 <= dropBeforeHour) await http.query(`ALTER TABLE edge_buckets DROP PARTITION ${sqlInt(day)}`);
  }
  const drop = sqlInt(dropBeforeHour);
  const deletions: [string, string][] = [
    ['edge_rows', `hour < ${drop} OR (intDiv(hour, 24), collector, batch) IN (${COVERED})`],
    ['edge_days', `hour < ${drop} OR rollup NOT IN (SELECT rollup FROM rollups)`],
    ['rolled_batches', `day * 24 < ${drop}`],
    ['rollups', `day * 24 < ${drop}`],
    ['uuids', `time_ms < ${sqlInt(Date.parse(lastTime) - settings.uuidHorizonSeconds * 1000)}`],
  ];
  for (const [table, where] of deletions) {
    if ((await http.count(`${table} WHERE ${where}`)) > 0) await http.query(`ALTER TABLE ${table} DELETE WHERE ${where}`);
  }
  await waitForMutations(http);
}

/**
 * Takes the named lease: writes a claim, then reads back the earliest live, unreleased claim; when it
 * is not this one, releases it and refuses. Returns the claim's token.
 * @throws StoreError naming the holder when another claim came first
 */
async function acquireLease(http: ClickHouseHttp, name: string, holder: string, at: number): Promise<string> {
  const token = `${holder} ${randomUUID()}`;
  await http.insert('leases', [{ name, holder: token, at_ms: at, released: 0 }]);
  const [first] = await http.rows(
    `SELECT holder, at_ms FROM leases WHERE name = ${sqlString(name)} AND released = 0 AND at_ms > ${sqlInt(at - LEASE_MS)}
       AND holder NOT IN (SELECT holder FROM leases WHERE name = ${sqlString(name)} AND released = 1)
     ORDER BY at_ms, holder LIMIT 1`,
  );
  if (first?.[0] === token) return token;
  await http.insert('leases', [{ name, holder: token, at_ms: at, released: 1 }]);
  const other = first?.[0]?.split(' ')[0] ?? 'another process';
  throw new StoreError(`${http.location.display}: a compaction by ${other} runs since ${new Date(Number(first?.[1] ?? at)).toISOString()}; run it again when it is done (a lease left by a compaction that died expires after ${LEASE_MS / 3_600_000} hours)`);
}

/** Waits until the database's mutations (ALTER … DELETE, asynchronous in ClickHouse) are done, for at most the query limit. */
export async function waitForMutations(http: ClickHouseHttp): Promise<void> {
  const until = Date.now() + http.maxExecutionSeconds * 1000;
  while ((await http.count('system.mutations WHERE database = currentDatabase() AND is_done = 0')) > 0) {
    if (Date.now() > until) throw new StoreError(`${http.location.display}: compaction's deletions are still running on the server after ${http.maxExecutionSeconds} s; they finish on their own`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
