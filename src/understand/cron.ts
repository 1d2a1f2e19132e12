/**
 * @module understand/cron — Kubernetes CronJob schedules: parse, and list the times a schedule fires (pure).
 *
 * The syntax is what the CronJob controller accepts (robfig/cron's standard parser): five fields —
 * minute (0-59), hour (0-23), day of month (1-31), month (1-12 or JAN-DEC), day of week (0-6 or SUN-SAT;
 * 7 is also read as Sunday) — each a list of `*`, `?`, `n`, `a-b`, with an optional `/step` (`n/step`
 * means `n-max/step`); or a descriptor `@yearly` (`@annually`), `@monthly`, `@weekly`, `@daily`
 * (`@midnight`), `@hourly`. A `CRON_TZ=zone ` or `TZ=zone ` prefix names a time zone. When both day fields
 * are restricted a day matches either (cron's OR rule); when either is `*` or `?` both must match.
 *
 * Times are computed on the UTC wall clock; callers deal with other time zones (see coverage findings).
 */

/** A parsed schedule: which minutes, hours, days, months and weekdays fire. */
export interface CronSchedule {
  /** The five fields (or descriptor) as written, without the time-zone prefix. */
  readonly expression: string;
  /** The zone of a `CRON_TZ=`/`TZ=` prefix, when there is one. */
  readonly timeZone?: string;
  readonly minutes: readonly boolean[];
  readonly hours: readonly boolean[];
  /** Indexed 1-31. */
  readonly daysOfMonth: readonly boolean[];
  /** Indexed 1-12. */
  readonly months: readonly boolean[];
  /** Indexed 0-6, Sunday 0. */
  readonly daysOfWeek: readonly boolean[];
  /** Day of month written as `*` or `?` (then both day fields must match). */
  readonly domStar: boolean;
  /** Day of week written as `*` or `?`. */
  readonly dowStar: boolean;
}

/** A parsed schedule, or why the text is not one. */
export type CronParseResult = { readonly schedule: CronSchedule } | { readonly error: string };

const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** The first name's number (JAN = 1, SUN = 0). */
  readonly nameBase?: number;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 },
  // 7 is accepted as Sunday (as Vixie cron does); it is folded into 0 below.
  { name: 'day of week', min: 0, max: 7, names: DAY_NAMES, nameBase: 0 },
];

/** Parses a CronJob `schedule`. Never throws: a bad schedule gives `{ error }` naming the field. */
export function parseCronSchedule(text: string): CronParseResult {
  let rest = text.trim();
  let timeZone: string | undefined;
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s+/.exec(rest);
  if (tz !== null) {
    timeZone = tz[1];
    rest = rest.slice(tz[0].length).trim();
  }
  const expression = rest;
  if (rest.startsWith('@')) {
    if (rest.startsWith('@every')) return { error: `"${text}": @every schedules are not supported; tighten cannot tell when they fire` };
    const fields = DESCRIPTORS[rest.toLowerCase()];
    if (fields === undefined) return { error: `"${text}": unknown descriptor ${rest}; expected one of ${Object.keys(DESCRIPTORS).join(', ')}` };
    rest = fields;
  }
  const parts = rest.split(/\s+/).filter((p) => p !== '');
  if (parts.length !== 5) return { error: `"${text}": expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}` };
  const sets: boolean[][] = [];
  const stars: boolean[] = [];
  for (let i = 0; i < 5; i++) {
    const r = parseField(parts[i]!, FIELDS[i]!);
    if (typeof r === 'string') return { error: `"${text}": ${r}` };
    sets.push(r.set);
    stars.push(r.star);
  }
  const dow = sets[4]!;
  if (dow[7]) dow[0] = true;
  return {
    schedule: {
      expression,
      ...(timeZone !== undefined ? { timeZone } : {}),
      minutes: sets[0]!,
      hours: sets[1]!,
      daysOfMonth: sets[2]!,
      months: sets[3]!,
      daysOfWeek: dow.slice(0, 7),
      domStar: stars[2]!,
      dowStar: stars[4]!,
    },
  };
}

function parseField(text: string, spec: FieldSpec): { set: boolean[]; star: boolean } | string {
  const set = new Array<boolean>(spec.max + 1).fill(false);
  let star = false;
  for (const part of text.split(',')) {
    const [range = '', stepText, extra] = part.split('/');
    if (extra !== undefined || range === '') return `${spec.name} field "${text}": cannot read "${part}"`;
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) return `${spec.name} field "${text}": the step in "${part}" must be a positive number`;
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (range === '*' || range === '?') {
      from = spec.min;
      to = spec.name === 'day of week' ? 6 : spec.max;
      if (step === 1) star = true;
    } else {
      const bounds = range.split('-');
      if (bounds.length > 2) return `${spec.name} field "${text}": cannot read "${part}"`;
      const a = value(bounds[0]!, spec);
      if (typeof a === 'string') return a;
      from = a;
      if (bounds.length === 2) {
        const b = value(bounds[1]!, spec);
        if (typeof b === 'string') return b;
        to = b;
      } else to = stepText !== undefined ? (spec.name === 'day of week' ? 6 : spec.max) : a;
      if (from > to) return `${spec.name} field "${text}": range "${range}" runs backwards`;
    }
    for (let v = from; v <= to; v += step) set[v] = true;
  }
  return { set, star };
}

function value(text: string, spec: FieldSpec): number | string {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < spec.min || n > spec.max) return `${spec.name} ${n} is outside ${spec.min}-${spec.name === 'day of week' ? 6 : spec.max}`;
    return n;
  }
  const i = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (i >= 0) return i + (spec.nameBase ?? 0);
  return `${spec.name} "${text}" is not a number${spec.names ? ` or a name (${spec.names.map((n) => n.toUpperCase()).join(', ')})` : ''}`;
}

const MINUTE_MS = 60_000;
/** How far ahead to look for the next run before giving up (a schedule such as 30 February never fires). */
const HORIZON_MS = 5 * 366 * 24 * 3_600_000;

function dayMatches(s: CronSchedule, d: Date): boolean {
  const dom = s.daysOfMonth[d.getUTCDate()] === true;
  const dow = s.daysOfWeek[d.getUTCDay()] === true;
  return s.domStar || s.dowStar ? dom && dow : dom || dow;
}

/** The first time (epoch ms, on a whole minute) strictly after `afterMs` that the schedule fires; undefined when none within five years. */
export function nextCronTime(s: CronSchedule, afterMs: number): number | undefined {
  let t = Math.floor(afterMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const limit = afterMs + HORIZON_MS;
  while (t <= limit) {
    const d = new Date(t);
    const y = d.getUTCFullYear();
    const mo = d.getUTCMonth();
    const day = d.getUTCDate();
    const h = d.getUTCHours();
    if (s.months[mo + 1] !== true) t = Date.UTC(y, mo + 1, 1);
    else if (!dayMatches(s, d)) t = Date.UTC(y, mo, day + 1);
    else if (s.hours[h] !== true) t = Date.UTC(y, mo, day, h + 1);
    else if (s.minutes[d.getUTCMinutes()] !== true) t += MINUTE_MS;
    else return t;
  }
  return undefined;
}

/** The times in `[fromMs, toMs]` the schedule fires, in order, at most `limit` of them. */
export function cronTimesBetween(s: CronSchedule, fromMs: number, toMs: number, limit = 1000): number[] {
  const out: number[] = [];
  let t = nextCronTime(s, fromMs - 1);
  while (t !== undefined && t <= toMs && out.length < limit) {
    out.push(t);
    t = nextCronTime(s, t);
  }
  return out;
}
