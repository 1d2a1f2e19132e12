/**
 * @module flows/timestamp — a hand-written RFC 3339 parser for Hubble's timestamps.
 *
 * Hubble prints `google.protobuf.Timestamp` as RFC 3339 with up to nine fractional digits
 * (`2021-06-16T16:52:13.136834446Z`; trailing zeros of the fraction may be dropped, and other
 * writers use offsets such as `+02:00`). tighten normalises every time to UTC with exactly nine
 * fractional digits so that timestamps compare correctly as plain strings. This runs once per flow,
 * so it avoids `Date` parsing and regular expressions.
 */

/** A parsed instant: the normalised RFC 3339 text and the same instant in epoch milliseconds. */
export interface Timestamp {
  /** UTC, `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` (always nine fractional digits). */
  readonly iso: string;
  /** Milliseconds since the Unix epoch, rounded down (sub-millisecond digits are kept in `iso` only). */
  readonly ms: number;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function d2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  // charCodeAt past the end is NaN, and NaN fails both comparisons.
  if (!(a >= 0 && a <= 9 && b >= 0 && b <= 9)) return -1;
  return a * 10 + b;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '000000000'.slice(0, width - s.length) + s;
}

/**
 * Formats epoch seconds plus nanoseconds as normalised UTC RFC 3339 (`…T…​.nnnnnnnnnZ`).
 * Returns undefined outside the proto Timestamp range (years 0001–9999).
 */
export function formatTimestamp(epochSeconds: number, nanos: number): string | undefined {
  const days = Math.floor(epochSeconds / 86400);
  const secOfDay = epochSeconds - days * 86400;
  // civil_from_days (H. Hinnant)
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (y < 1 || y > 9999) return undefined;
  const h = Math.floor(secOfDay / 3600);
  const mi = Math.floor((secOfDay % 3600) / 60);
  const s = secOfDay % 60;
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(nanos, 9)}Z`;
}

/**
 * Parses an RFC 3339 timestamp: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 or more digits
 * (digits beyond nanoseconds are truncated), then `Z` or an offset `±HH:MM` (`±HHMM` is tolerated).
 * `t`, `z` and a space separator are accepted, as RFC 3339 allows. Returns undefined for anything
 * else, including out-of-range fields (month 13, 31 April, hour 24, second 60).
 */
export function parseTimestamp(s: string): Timestamp | undefined {
  const n = s.length;
  if (n < 20) return undefined;
  const y1 = d2(s, 0);
  const y2 = d2(s, 2);
  const mo = d2(s, 5);
  const d = d2(s, 8);
  const h = d2(s, 11);
  const mi = d2(s, 14);
  const se = d2(s, 17);
  if ((y1 | y2 | mo | d | h | mi | se) < 0) return undefined;
  const sep = s.charCodeAt(10);
  if (
    s.charCodeAt(4) !== 45 /* - */ ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(13) !== 58 /* : */ ||
    s.charCodeAt(16) !== 58 ||
    (sep !== 84 /* T */ && sep !== 116 /* t */ && sep !== 32)
  ) {
    return undefined;
  }
  const y = y1 * 100 + y2;
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return undefined;
  const dim = mo === 2 && isLeap(y) ? 29 : (DAYS_IN_MONTH[mo - 1] as number);
  if (d > dim) return undefined;

  let i = 19;
  let nanos = 0;
  let fracDigits = 0;
  if (s.charCodeAt(i) === 46 /* . */) {
    i++;
    for (;;) {
      const c = s.charCodeAt(i) - 48;
      if (!(c >= 0 && c <= 9)) break;
      if (fracDigits < 9) nanos = nanos * 10 + c;
      fracDigits++;
      i++;
    }
    if (fracDigits === 0) return undefined;
    for (let k = fracDigits; k < 9; k++) nanos *= 10;
  }

  let offsetMinutes = 0;
  let zulu = false;
  const z = s.charCodeAt(i);
  if (z === 90 /* Z */ || z === 122 /* z */) {
    zulu = z === 90;
    i++;
  } else if (z === 43 /* + */ || z === 45 /* - */) {
    const oh = d2(s, i + 1);
    let om: number;
    if (s.charCodeAt(i + 3) === 58) {
      om = d2(s, i + 4);
      i += 6;
    } else {
      om = d2(s, i + 3);
      i += 5;
    }
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return undefined;
    offsetMinutes = (z === 43 ? 1 : -1) * (oh * 60 + om);
  } else {
    return undefined;
  }
  if (i !== n) return undefined;

  const epochSeconds = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offsetMinutes * 60;
  const ms = epochSeconds * 1000 + Math.floor(nanos / 1e6);
  // Hubble's own form is already normal: keep the string instead of building a new one.
  if (zulu && fracDigits === 9 && n === 30 && sep === 84) return { iso: s, ms };
  const iso = formatTimestamp(epochSeconds, nanos);
  return iso === undefined ? undefined : { iso, ms };
}

/**
 * Decodes the JSON forms of a `google.protobuf.Timestamp`: the RFC 3339 string protojson prints, or
 * the `{seconds, nanos}` object (seconds possibly a string) that Go's `encoding/json` prints.
 */
export function decodeTimestampValue(v: unknown): Timestamp | undefined {
  if (typeof v === 'string') return parseTimestamp(v);
  if (typeof v === 'object' && v !== null) {
    const o = v as { seconds?: unknown; nanos?: unknown };
    // Go's encoding/json leaves out a zero `seconds`; require it anyway so that `{}` is not read as 1970.
    const seconds = typeof o.seconds === 'string' && o.seconds !== '' ? Number(o.seconds) : o.seconds;
    const nanos = o.nanos === undefined ? 0 : o.nanos;
    if (typeof seconds !== 'number' || !Number.isInteger(seconds)) return undefined;
    if (typeof nanos !== 'number' || !Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) return undefined;
    const iso = formatTimestamp(seconds, nanos);
    return iso === undefined ? undefined : { iso, ms: seconds * 1000 + Math.floor(nanos / 1e6) };
  }
  return undefined;
}
