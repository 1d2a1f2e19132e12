/**
 * @module store/clickhouse/edge-query — the one query that reads the ClickHouse store's edge buckets,
 * across what compaction leaves (hourly buckets of days not rolled up, rolled-up days, late hours of
 * rolled-up days) and, when the read has a time window, with the window applied by the server.
 *
 * A window is applied exactly as the inventory builder applies it to the buckets it is given, so the
 * inventory is the same as when every bucket is read: per edge, the buckets outside `since`/`until`
 * come as two summed buckets (before, after) that the builder counts as outside the window, and
 * the buckets before a relative `--since` as one summed bucket it leaves out when it finishes — so
 * the counts of flows out of scope or out of the window stay whole while the rows read shrink.
 *
 * Read in days, the buckets in the window are rolled up per edge and day on the server as compaction
 * rolls them up (an hour's flows counted from its merged counters), with the flow records they stand
 * for, so only the bucket lists differ from a read in hours: a store of 100,000 edges × 168 hours
 * comes back as 700,000 rows instead of 16.8 million.
 */
import type { ClickHouseHttp } from './http.js';
import { COUNTERS, EDGE_KEY } from './schema.js';
import { sqlInt, sqlString } from './sql.js';

const KEY = EDGE_KEY.join(', ');
const ORDER = 'ORDER BY src, dst, proto, port, verdict, src_w, hour, daily';

/** The (day, collector, batch) triples whose raw rows a ledgered rollup covers. */
export const COVERED = 'SELECT day, collector, batch FROM rolled_batches WHERE rollup IN (SELECT rollup FROM rollups)';

/** What readers need to know of past compactions. */
export interface EdgeView {
  /** Days (since the epoch) with a ledgered rollup, ascending. */
  readonly rolledDays: readonly number[];
  /** Buckets starting before this hour are past retention (0 before the first compaction). */
  readonly dropBeforeHour: number;
}

/** The rollups and retention bound readers must apply. */
export async function readEdgeView(http: ClickHouseHttp): Promise<EdgeView> {
  const days = await http.rows('SELECT DISTINCT day FROM rollups ORDER BY day');
  const [drop] = await http.rows('SELECT max(drop_before_hour) FROM compactions');
  return { rolledDays: days.map((r) => Number(r[0])), dropBeforeHour: Number(drop?.[0] ?? 0) };
}

/** A read's time window, as the inventory builder takes it, and the granularity wanted. */
export interface EdgeWindow {
  /** Buckets whose last flow is before this (RFC 3339) are outside the window. */
  readonly since?: string;
  /** Buckets whose first flow is after this (RFC 3339) are outside the window. */
  readonly until?: string;
  /** Buckets starting before this hour are left out of the inventory (a relative `--since`). */
  readonly minHour?: number;
  /**
   * Roll the buckets in the window up into one per edge and day, as compaction would (the day of
   * `minHour` stays hourly, so that it is cut where the builder cuts it). @default false
   */
  readonly days?: boolean;
}

/**
 * A bucket's flows as the inventory counts them (its `bucketCount`): for an hour, the source's side
 * if it saw any, else the other side, else the unknown one, each side the largest of its event
 * classes; for a day, the sum of its counters. `counters` name the nine counters, `daily` the flag.
 */
export function bucketFlowsSql(counters: readonly string[], daily: string): string {
  const side = (k: number): string => `greatest(greatest(${counters[k * 3]}, ${counters[k * 3 + 1]}), ${counters[k * 3 + 2]})`;
  const preferred = `if(src_w = 1, ${side(0)}, ${side(1)})`;
  const other = `if(src_w = 1, ${side(1)}, ${side(0)})`;
  return `if(${daily} = 1, ${counters.join(' + ')}, if(${preferred} > 0, ${preferred}, if(${other} > 0, ${other}, ${side(2)})))`;
}

const merged = `groupBitOrMerge(hours) AS hours, ${COUNTERS.map((c) => `sumMerge(${c}) AS ${c}`).join(', ')}, minMerge(first) AS first, maxMerge(last) AS last`;
const summed = `groupBitOr(hours) AS hours, ${COUNTERS.map((c) => `sum(${c}) AS ${c}`).join(', ')}, min(first) AS first, max(last) AS last`;

/**
 * The store's edge buckets, one row per edge and bucket (and window class), sorted by edge and
 * bucket: the columns of {@link EDGE_KEY}, then hours, the nine counters, first and last seen, and —
 * with a window or in days — the flow records each row stands for.
 */
export function edgeBucketsSql(view: EdgeView, window: EdgeWindow = {}): string {
  const live = `hour >= ${sqlInt(view.dropBeforeHour)}`;
  const minHour = window.minHour !== undefined && Number.isFinite(window.minHour) ? window.minHour : undefined;
  let rows: string;
  if (view.rolledDays.length === 0) rows = `SELECT ${KEY}, ${merged} FROM edge_buckets WHERE ${live} GROUP BY ${KEY}`;
  else {
    const days = `(${view.rolledDays.map(sqlInt).join(', ')})`;
    rows = [
      `SELECT ${KEY}, ${merged} FROM edge_buckets WHERE ${live} AND intDiv(hour, 24) NOT IN ${days} GROUP BY ${KEY}`,
      `SELECT ${KEY}, ${summed} FROM edge_days WHERE ${live} AND rollup IN (SELECT rollup FROM rollups) GROUP BY ${KEY}`,
      `SELECT ${KEY}, ${summed} FROM edge_rows WHERE ${live} AND intDiv(hour, 24) IN ${days} AND (collector, batch) IN (SELECT collector, batch FROM batches)
         AND (intDiv(hour, 24), collector, batch) NOT IN (${COVERED}) GROUP BY ${KEY}`,
    ].join(' UNION ALL ');
  }
  const classes = [
    ...(window.since !== undefined ? [`last < ${sqlString(window.since)}, 1`] : []),
    ...(window.until !== undefined ? [`first > ${sqlString(window.until)}, 2`] : []),
    ...(minHour !== undefined ? [`hour < ${sqlInt(minHour)}, 3`] : []),
  ];
  if (classes.length === 0 && !window.days) return view.rolledDays.length === 0 ? `${rows} ${ORDER}` : `SELECT * FROM (${rows}) ${ORDER}`;
  const inner = `SELECT src, dst, src_w, proto, port, verdict, hour AS x_hour, daily AS x_daily, hours AS x_hours, ${COUNTERS.map((c) => `${c} AS x_${c}`).join(', ')},
    first AS x_first, last AS x_last, ${classes.length > 0 ? `multiIf(${classes.join(', ')}, 0)` : '0'} AS cls FROM (${rows})`;
  // Class 0 rows (in the window) are read as they are, or rolled up into their day; each other class is
  // summed per edge into one hourly bucket at hour -class (never a real hour, and before any relative --since).
  const day = 'intDiv(x_hour, 24) * 24';
  const roll = window.days ? `cls = 0${minHour !== undefined ? ` AND ${day} >= ${sqlInt(minHour)}` : ''}` : '0';
  // A rolled-up day keeps only the sum of its hours' flows, on the source's side.
  const flows = bucketFlowsSql(COUNTERS.map((c) => `x_${c}`), 'x_daily');
  const counter = (i: number): string => (i === 0 ? `if(src_w = 1, ${flows}, toUInt64(0))` : i === 3 ? `if(src_w = 1, toUInt64(0), ${flows})` : 'toUInt64(0)');
  return `SELECT src, dst, src_w, proto, port, verdict, multiIf(${roll}, ${day}, cls = 0, x_hour, -cls) AS hour, multiIf(${roll}, 1, cls = 0, x_daily, 0) AS daily,
    groupBitOr(if(${roll}, if(x_daily = 1, x_hours, bitShiftLeft(toUInt32(1), toUInt8(x_hour - ${day}))), x_hours)) AS hours,
    ${COUNTERS.map((c, i) => `sum(if(${roll}, ${counter(i)}, x_${c})) AS ${c}`).join(', ')}, min(x_first) AS first, max(x_last) AS last, sum(${COUNTERS.map((c) => `x_${c}`).join(' + ')}) AS events
    FROM (${inner}) GROUP BY src, dst, src_w, proto, port, verdict, cls, hour, daily ${ORDER}`;
}
