/**
 * @module sample/cron — the five-field cron schedules of CronJobs (minute hour day-of-month month
 * day-of-week), evaluated in UTC, to know when a CronJob fires inside the sample's window.
 *
 * Supports `*`, steps (`*` or a range followed by `/n`), `a`, `a-b` and comma lists, and the usual rule that when both
 * day-of-month and day-of-week are restricted a day matching either fires
 * (https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax).
 * Macros (`@daily` …) and time zones are not needed by the sample and are rejected.
 */

interface CronField {
  readonly values: ReadonlySet<number>;
  readonly star: boolean;
}

export interface CronSchedule {
  readonly minute: CronField;
  readonly hour: CronField;
  readonly dayOfMonth: CronField;
  readonly month: CronField;
  readonly dayOfWeek: CronField;
}

const RANGES: readonly [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
];

function parseField(text: string, lo: number, hi: number, expr: string): CronField {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let from: number;
    let to: number;
    if (range === '*') {
      from = lo;
      to = hi;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      from = Number(a);
      to = Number(b);
    } else {
      from = Number(range);
      to = stepText === undefined ? from : hi;
    }
    if (![from, to, step].every(Number.isInteger) || from < lo || to > hi || from > to || step < 1) {
      throw new RangeError(`invalid cron field '${text}' in '${expr}'`);
    }
    for (let v = from; v <= to; v += step) values.add(hi === 6 && v === 7 ? 0 : v);
  }
  return { values, star: text === '*' || text.startsWith('*/') };
}

/** Parses a five-field cron expression. Throws a RangeError naming the expression when invalid. */
export function parseCron(expr: string): CronSchedule {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) throw new RangeError(`cron schedule '${expr}' must have five fields`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields.map((f, i) => {
    const [lo, hi] = RANGES[i] as [number, number];
    return parseField(f, lo, hi, expr);
  }) as [CronField, CronField, CronField, CronField, CronField];
  return { minute, hour, dayOfMonth, month, dayOfWeek };
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Every instant in [sinceMs, untilMs) at which the schedule fires, ascending (epoch ms, UTC). */
export function cronFireTimes(expr: string, sinceMs: number, untilMs: number): number[] {
  const s = parseCron(expr);
  const out: number[] = [];
  const minutes = [...s.minute.values].sort((a, b) => a - b);
  const hours = [...s.hour.values].sort((a, b) => a - b);
  for (let day = Math.floor(sinceMs / DAY_MS) * DAY_MS; day < untilMs; day += DAY_MS) {
    const d = new Date(day);
    if (!s.month.values.has(d.getUTCMonth() + 1)) continue;
    const domOk = s.dayOfMonth.values.has(d.getUTCDate());
    const dowOk = s.dayOfWeek.values.has(d.getUTCDay());
    const dayOk = s.dayOfMonth.star || s.dayOfWeek.star ? domOk && dowOk : domOk || dowOk;
    if (!dayOk) continue;
    for (const h of hours) {
      for (const m of minutes) {
        const t = day + h * 3_600_000 + m * MINUTE_MS;
        if (t >= sinceMs && t < untilMs) out.push(t);
      }
    }
  }
  return out;
}
