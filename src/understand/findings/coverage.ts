/**
 * @module understand/findings/coverage — has enough been observed? CronJobs that should have run in the
 * window but were never seen, and workloads of the dump never seen in any flow (pure; `now` is a value).
 *
 * A CronJob's schedule runs in its `spec.timeZone`, else in a `CRON_TZ=` prefix, else in the controller
 * manager's zone, taken to be UTC. UTC schedules are checked exactly. For another zone tighten does not
 * convert (no time-zone database in the core): it narrows the window by the largest possible UTC offsets
 * (14 hours at the start, 12 at the end) and reports a missed run only when it must have fallen inside.
 */
import type { ClusterSnapshot } from '../../cluster/index.js';
import type { Finding, Inventory, Severity } from '../../inventory/index.js';
import type { WorkloadClassification } from '../classify.js';
import { cronTimesBetween, nextCronTime, parseCronSchedule } from '../cron.js';
import { formatWorkload, indexWorkloadFacts, plural, workloadKeyOf, type WorkloadFacts } from '../facts.js';

const HOUR_MS = 3_600_000;
/** A run this close to `now` may not have made a connection yet: it is not counted as missed. */
export const CRON_GRACE_MS = 5 * 60_000;
/** Earliest and latest UTC offsets of any time zone, for the narrowed window. */
const MAX_AHEAD_MS = 14 * HOUR_MS;
const MAX_BEHIND_MS = 12 * HOUR_MS;
const UTC_ZONES = new Set(['UTC', 'Etc/UTC', 'UCT', 'Etc/UCT', 'GMT', 'Etc/GMT', 'GMT0', 'Etc/GMT0', 'Etc/GMT+0', 'Etc/GMT-0', 'Universal', 'Etc/Universal', 'Zulu', 'Etc/Zulu', 'Z']);

/** `2026-11-02T03:00Z`, or for a wall-clock time in another zone `2026-11-02T03:00 Europe/Berlin`. */
function formatMinute(ms: number, zone?: string): string {
  const minute = new Date(ms).toISOString().slice(0, 16);
  return zone === undefined ? `${minute}Z` : `${minute} ${zone}`;
}

/** Coverage findings: `coverage-cronjob-not-seen`, `coverage-workload-not-seen`. */
export function findCoverageIssues(
  inventory: Inventory,
  cluster: ClusterSnapshot | undefined,
  classifications: readonly WorkloadClassification[],
  now: string | undefined,
): Finding[] {
  const classOf = new Map(classifications.map((c) => [workloadKeyOf(c.workload), c.class]));
  const facts = indexWorkloadFacts(inventory, cluster);
  const since = inventory.window.since;
  const window = since !== undefined && now !== undefined ? `between ${since} and ${now}` : 'in the inventory (it holds no flows)';
  const dumpHasPods = (cluster?.pods.length ?? 0) > 0;
  const out: Finding[] = [];
  for (const f of facts.values()) {
    const w = f.workload;
    if (!w.seenIn.cluster || w.seenIn.flows) continue;
    if (w.kind === 'CronJob') {
      out.push(cronFinding(f, since, now));
      continue;
    }
    const cls = classOf.get(f.key);
    // Debug pods never get policy; host-network pods show up in flows as their node, never as themselves.
    if (cls === 'debug' || f.object?.hostNetwork === true || f.pods.some((p) => p.hostNetwork)) continue;
    const idle = dumpHasPods && f.pods.length === 0;
    const severity: Severity = idle || cls === 'batch' ? 'info' : 'warning';
    const why = idle
      ? ' It has no pods in the dump (scaled to zero, or finished), which would explain it.'
      : cls === 'batch'
        ? ' A Job that has finished makes no more connections; if it will run again, observe it then.'
        : '';
    out.push({
      code: 'coverage-workload-not-seen',
      severity,
      subject: { namespace: w.namespace, kind: w.kind, name: w.name },
      message: `${formatWorkload(w)} is in the cluster dump but was never seen in flows ${window}: its policy would have no observed traffic to allow.${why} Observe longer, check that Hubble sees the nodes it runs on, or confirm it makes no connections.`,
    });
  }
  return out;
}

function cronFinding(f: WorkloadFacts, since: string | undefined, now: string | undefined): Finding {
  const w = f.workload;
  const subject = { namespace: w.namespace, kind: w.kind, name: w.name };
  const name = formatWorkload(w);
  const finding = (severity: Severity, message: string): Finding => ({ code: 'coverage-cronjob-not-seen', severity, subject, message });
  const gate = 'The audit → enforce gate needs every CronJob seen at least once.';
  if (f.object?.suspend === true) {
    return finding('info', `${name} is suspended (spec.suspend: true) and was never seen in flows: it will not run until resumed, so its policy rests on its template alone. Resume it (or run a Job from it) while observing, or accept an unobserved policy for it.`);
  }
  const text = f.object?.schedule;
  if (text === undefined) return finding('warning', `${name} was never seen in flows, and the dump gives no schedule to tell when it should have run. ${gate}`);
  const parsed = parseCronSchedule(text);
  if ('error' in parsed) return finding('warning', `${name} was never seen in flows, and its schedule cannot be read: ${parsed.error}. Check when it runs by hand. ${gate}`);
  const schedule = parsed.schedule;
  const sinceMs = since === undefined ? Number.NaN : Date.parse(since);
  const nowMs = now === undefined ? Number.NaN : Date.parse(now);
  if (Number.isNaN(sinceMs) || Number.isNaN(nowMs)) {
    return finding('warning', `${name} (schedule "${text}") was never seen: the inventory holds no flows, so no run could have been observed. ${gate}`);
  }
  const zone = f.object?.timeZone ?? schedule.timeZone;
  const exact = zone === undefined || UTC_ZONES.has(zone);
  const zoneNote = zone === undefined ? ' (UTC assumed: no spec.timeZone)' : exact ? '' : ' (tighten does not convert time zones: it checked a window narrowed by the largest UTC offsets)';
  const wallZone = exact ? undefined : zone;
  const created = f.object?.creationTimestamp !== undefined ? Date.parse(f.object.creationTimestamp) : Number.NaN;
  const start = Math.max(sinceMs, Number.isNaN(created) ? sinceMs : created);
  const end = nowMs - CRON_GRACE_MS;
  const times = exact ? cronTimesBetween(schedule, start, end, 10_000) : cronTimesBetween(schedule, start + MAX_AHEAD_MS, end - MAX_BEHIND_MS, 10_000);
  if (times.length > 0) {
    const count = times.length >= 10_000 ? 'at least 10000 times' : plural(times.length, 'time');
    return finding(
      'warning',
      `${name} (schedule "${text}") should have run ${count} between ${since} and ${now}, first at ${formatMinute(times[0]!, wallZone)}${zoneNote}, but was never seen in flows. Check that its Jobs ran (kubectl get jobs -n ${w.namespace}) and that Hubble saw their nodes; a Job that makes no connection at all cannot be seen. ${gate}`,
    );
  }
  const next = nextCronTime(schedule, nowMs);
  if (next === undefined) return finding('warning', `${name} (schedule "${text}") never fires within five years, so it will never be seen. Check its schedule.`);
  return finding(
    'info',
    `${name} (schedule "${text}") was not ${exact ? '' : 'certainly '}due to run between ${since} and ${now}${zoneNote}; its next run is ${exact ? 'at' : 'around'} ${formatMinute(next, wallZone)}. Keep observing past that time. ${gate}`,
  );
}
