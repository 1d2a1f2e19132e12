/**
 * @module watch/tracker — one noisy edge is one line, not a flood: events are de-duplicated by key (counts, first
 * and last seen kept), reported when first seen and then at most once per `repeatAfterMs` with what accumulated;
 * and a namespace that reaches `threshold.distinct` distinct drops or would-be drops within `threshold.windowMs`
 * raises one alert, with the command that rolls it back, until its window has passed. Pure: times are values.
 */
import { describePosition, type Position } from '../rollout/index.js';
import type { RawEvent } from './attribute.js';

export interface TrackerConfig {
  /** Report an event again (with its new counts) at most this often. @default 60 000 */
  readonly repeatAfterMs: number;
  /** Distinct drops or would-be drops of one namespace, within `windowMs`, that raise an alert. */
  readonly threshold: { readonly distinct: number; readonly windowMs: number };
  /** `--repo DIR` as the rollback command should say it ('' for the current directory). */
  readonly repoFlag: string;
}

export const DEFAULT_TRACKER_CONFIG: TrackerConfig = { repeatAfterMs: 60_000, threshold: { distinct: 5, windowMs: 10 * 60_000 }, repoFlag: '' };

/** An event as reported: the raw event with its totals so far. */
export interface WatchEvent extends RawEvent {
  /** `first` when first seen; `repeat` for a later report of the same key. */
  readonly report: 'first' | 'repeat';
  /** Flows seen for this key since the watch began. */
  readonly total: number;
  /** Slices in which it was seen. */
  readonly seen: number;
  readonly firstSeen: string;
}

export interface WatchAlert {
  readonly namespace: string;
  readonly position?: Position;
  /** Distinct drops and would-be drops in the window. */
  readonly distinct: number;
  readonly windowMs: number;
  readonly keys: readonly string[];
  /** The command that takes the namespace back a stage (undefined when it is not in the rollout, or observes). */
  readonly rollback?: string;
  /** What to do, in words. */
  readonly advice: string;
}

interface KeyState {
  total: number;
  seen: number;
  firstSeen: string;
  lastReported: number;
  pending: number;
}

/** The rollback command for a namespace at `p`: enforced directions back to audit; audit back to observe. */
export function rollbackCommand(namespace: string, p: Position | undefined, repoFlag: string): string | undefined {
  if (p === undefined || (p.ingress === 'observe' && p.egress === 'observe')) return undefined;
  const enforced = (['ingress', 'egress'] as const).filter((d) => p[d] === 'enforce');
  if (enforced.length === 0) return `tighten rollback ${namespace} --to observe${repoFlag}`;
  return `tighten rollback ${namespace} --to audit${enforced.length === 1 ? ` --direction ${enforced[0]}` : ''}${repoFlag}`;
}

export class EventTracker {
  private readonly keys = new Map<string, KeyState>();
  /** Per namespace: when each drop key was last seen (ms), for the threshold window. */
  private readonly recent = new Map<string, Map<string, number>>();
  /** Per namespace: when the last alert was raised. */
  private readonly alerted = new Map<string, number>();
  private readonly config: TrackerConfig;
  constructor(config: TrackerConfig = DEFAULT_TRACKER_CONFIG) {
    this.config = config;
  }

  /** Takes a slice's events at `now` (ms); returns what to report and the alerts raised. */
  observe(events: readonly RawEvent[], now: number): { events: WatchEvent[]; alerts: WatchAlert[] } {
    const out: WatchEvent[] = [];
    const touched = new Map<string, RawEvent>();
    for (const e of events) {
      let k = this.keys.get(e.key);
      const first = k === undefined;
      if (k === undefined) {
        k = { total: 0, seen: 0, firstSeen: e.firstSeen, lastReported: now, pending: 0 };
        this.keys.set(e.key, k);
      }
      k.total += e.flows;
      k.seen++;
      if (e.firstSeen < k.firstSeen) k.firstSeen = e.firstSeen;
      if (first) out.push({ ...e, report: 'first', total: k.total, seen: k.seen, firstSeen: k.firstSeen });
      else if (now - k.lastReported >= this.config.repeatAfterMs) {
        k.lastReported = now;
        out.push({ ...e, report: 'repeat', total: k.total, seen: k.seen, firstSeen: k.firstSeen });
      }
      if (e.kind !== 'new-dependency') {
        let r = this.recent.get(e.namespace);
        if (r === undefined) this.recent.set(e.namespace, (r = new Map()));
        r.set(e.key, now);
        touched.set(e.namespace, e);
      }
    }
    const alerts: WatchAlert[] = [];
    const { distinct, windowMs } = this.config.threshold;
    for (const [ns, sample] of [...touched].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const r = this.recent.get(ns)!;
      for (const [key, at] of r) if (now - at > windowMs) r.delete(key);
      const last = this.alerted.get(ns);
      if (r.size < distinct || (last !== undefined && now - last < windowMs)) continue;
      this.alerted.set(ns, now);
      const rollback = rollbackCommand(ns, sample.position, this.config.repoFlag);
      const stage = sample.position !== undefined ? describePosition(sample.position) : 'not in the rollout';
      alerts.push({
        namespace: ns,
        ...(sample.position !== undefined ? { position: sample.position } : {}),
        distinct: r.size,
        windowMs,
        keys: [...r.keys()].sort(),
        ...(rollback !== undefined ? { rollback } : {}),
        advice:
          rollback === undefined
            ? `${ns} (${stage}): drops by policies tighten does not manage; look at the cluster's own policies (tighten drift)`
            : sample.position?.ingress === 'enforce' || sample.position?.egress === 'enforce'
              ? `${ns} (${stage}) is dropping real traffic: roll back now, then allow the traffic (tighten recommend) before enforcing again`
              : `${ns} (${stage}) would drop this traffic once enforced: nothing is dropped yet; allow it (tighten recommend) or accept it before enforcing`,
      });
    }
    return { events: out, alerts };
  }
}
