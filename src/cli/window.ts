/**
 * @module cli/window — `--now`, `--since`, `--until`: RFC 3339 instants, or for `--since` a duration
 * back from now (`90m`, `24h`, `7d`, `2w`).
 */
import { parseTimestamp } from '../flows/index.js';
import { UsageError } from '../shared/errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export interface WindowOptions {
  readonly now?: string;
  readonly since?: string;
  readonly sinceMs?: number;
  readonly until?: string;
}

/** Parses a duration such as `7d` or `36h` into milliseconds, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

function instant(option: string, text: string): string {
  const t = parseTimestamp(text.trim());
  if (t === undefined) throw new UsageError(`--${option} ${JSON.stringify(text)} is not an RFC 3339 time (e.g. 2026-11-02T00:00:00Z)${option === 'since' ? ' or a duration (e.g. 7d, 24h)' : ''}`);
  return t.iso;
}

/**
 * Resolves the window options. A relative `--since` is anchored at `--now` when given; otherwise it
 * stays relative (`sinceMs`) and is applied to the last flow's time once all flows are read.
 */
export function parseWindow(opts: { now?: string | undefined; since?: string | undefined; until?: string | undefined }): WindowOptions {
  const now = opts.now !== undefined ? instant('now', opts.now) : undefined;
  const until = opts.until !== undefined ? instant('until', opts.until) : undefined;
  if (opts.since === undefined) return { ...(now ? { now } : {}), ...(until ? { until } : {}) };
  const ms = parseDuration(opts.since);
  if (ms === undefined) {
    const since = instant('since', opts.since);
    if (until !== undefined && since > until) throw new UsageError(`--since ${opts.since} is after --until ${opts.until}`);
    return { ...(now ? { now } : {}), since, ...(until ? { until } : {}) };
  }
  if (now !== undefined) {
    const t = parseTimestamp(now)!;
    const sinceIso = new Date(t.ms - ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
    return { now, since: sinceIso, ...(until ? { until } : {}) };
  }
  return { sinceMs: ms, ...(until ? { until } : {}) };
}
