/**
 * @module rollout/gates — whether a namespace may move from one stage to the next (PRODUCT.md §6): pure
 * functions of the evidence, the configuration and `now`. A gate not met is a result with reasons and what
 * unblocks it; only an illegal transition throws.
 */
import { TransitionError } from '../shared/errors.js';
import { isCritical, type RolloutConfig } from './config.js';
import type { Acceptance, GateEvidence } from './evidence.js';
import { DIRECTIONS, isRollback, type Direction, type DirectionChoice, type Stage } from './stages.js';

/** Names of the checks, in the order they are reported. */
export const GATE_CHECKS = ['preflight', 'policy-coverage', 'hygiene', 'observed', 'cronjobs', 'would-drops', 'validation', 'policy-map', 'approval', 'rollback'] as const;
export type GateCheckName = (typeof GATE_CHECKS)[number];

export interface GateCheck {
  readonly name: GateCheckName;
  readonly pass: boolean;
  /** What was found, in words. */
  readonly detail: string;
  /** What to do when it fails; omitted when it passes. */
  readonly unblock?: string;
}

export interface GateResult {
  readonly pass: boolean;
  /** The failed checks' details, in check order; empty when it passes. */
  readonly reasons: readonly string[];
  /** Every check made, passed or not. */
  readonly checks: readonly GateCheck[];
}

const HOURS_PER_DAY = 24;
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const list = (xs: readonly string[], max = 5): string => (xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')} and ${xs.length - max} more`);

/** The acceptance of `key` in force at `now`, if any; else the latest expired one (for the explanation). */
export function findAcceptance(key: string, acceptances: readonly Acceptance[], now: Date): { live?: Acceptance; expired?: Acceptance } {
  const matching = acceptances.filter((a) => a.key === key);
  const expiry = (a: Acceptance): number => {
    const t = Date.parse(a.expires);
    return Number.isNaN(t) ? -Infinity : t;
  };
  const live = matching.find((a) => expiry(a) > now.getTime());
  if (live !== undefined) return { live };
  const expired = [...matching].sort((a, b) => expiry(b) - expiry(a))[0];
  return expired === undefined ? {} : { expired };
}

function preflightCheck(e: GateEvidence): GateCheck {
  if (e.preflight === undefined) return { name: 'preflight', pass: false, detail: 'preflight was not run', unblock: 'run tighten preflight against the cluster' };
  if (e.preflight.pass) return { name: 'preflight', pass: true, detail: 'preflight passes' };
  return { name: 'preflight', pass: false, detail: `preflight fails: ${list(e.preflight.failures)}`, unblock: 'fix the Cilium configuration tighten preflight names, then run it again' };
}

function hygieneCheck(e: GateEvidence): GateCheck {
  const errors = e.hygiene.filter((h) => h.severity === 'error');
  if (errors.length === 0) return { name: 'hygiene', pass: true, detail: `no hygiene errors (${plural(e.hygiene.length, 'warning')})` };
  return { name: 'hygiene', pass: false, detail: `${plural(errors.length, 'hygiene error')}: ${list(errors.map((h) => h.code))}`, unblock: 'fix the errors tighten understand reports for this namespace' };
}

function observeToAudit(e: GateEvidence): GateCheck[] {
  const missing = e.workloadsWithoutPolicy;
  return [
    preflightCheck(e),
    missing.length === 0
      ? { name: 'policy-coverage', pass: true, detail: 'every application workload has a policy' }
      : { name: 'policy-coverage', pass: false, detail: `${plural(missing.length, 'application workload')} without a policy: ${list(missing)}`, unblock: 'run tighten recommend so that every application workload gets a policy' },
    hygieneCheck(e),
  ];
}

function auditToEnforce(e: GateEvidence, direction: Direction, config: RolloutConfig, now: Date): GateCheck[] {
  const critical = isCritical(e.criticality);
  const days = critical ? config.gates.minObservedDaysCritical : config.gates.minObservedDays;
  const observedDays = plural(Math.floor((e.observedHours / HOURS_PER_DAY) * 10) / 10, 'day');
  const checks: GateCheck[] = [preflightCheck(e), hygieneCheck(e)];
  checks.push(
    e.observedHours >= days * HOURS_PER_DAY
      ? { name: 'observed', pass: true, detail: `observed ${observedDays} ≥ ${days}` }
      : { name: 'observed', pass: false, detail: `observed ${observedDays} < ${days}${critical ? ` (${e.criticality} namespace)` : ''}`, unblock: `keep collecting flows for ${plural(Math.ceil(days - e.observedHours / HOURS_PER_DAY), 'more day', 'more days')}` },
  );
  checks.push(
    e.cronJobsNotSeen.length === 0
      ? { name: 'cronjobs', pass: true, detail: 'every CronJob seen at least once' }
      : { name: 'cronjobs', pass: false, detail: `CronJobs never seen: ${list(e.cronJobsNotSeen)}`, unblock: 'observe until each CronJob has run (or trigger it: kubectl create job --from=cronjob/NAME)' },
  );
  if (e.wouldDrops === undefined) {
    checks.push({ name: 'would-drops', pass: false, detail: 'no as-enforced simulation', unblock: 'run tighten simulate --as-enforced on the last window' });
  } else {
    const drops = e.wouldDrops.filter((d) => d.direction === direction);
    const open: string[] = [];
    const expired: string[] = [];
    let accepted = 0;
    for (const d of drops) {
      const a = findAcceptance(d.key, e.acceptances, e.acceptancesAt ?? now);
      if (a.live !== undefined) accepted++;
      else if (a.expired !== undefined) expired.push(`${d.key} (acceptance expired ${a.expired.expires})`);
      else open.push(d.key);
    }
    const blocking = [...expired, ...open];
    checks.push(
      blocking.length === 0
        ? { name: 'would-drops', pass: true, detail: drops.length === 0 ? `no ${direction} would-be drops in the last ${config.gates.dropWindowDays} days` : `${plural(accepted, `${direction} would-be drop`)}, each accepted and unexpired` }
        : {
            name: 'would-drops',
            pass: false,
            detail: `${plural(blocking.length, `${direction} would-be drop`)} not accepted${expired.length > 0 ? ` (${expired.length} expired)` : ''}: ${list(blocking, 3)}`,
            unblock: 'allow them (tighten recommend with the new traffic) or accept each with a reason and an expiry',
          },
    );
  }
  if (e.validation === undefined) checks.push({ name: 'validation', pass: false, detail: 'policies not validated', unblock: 'validate the generated policies (tighten recommend)' });
  else if (e.validation.valid) checks.push({ name: 'validation', pass: true, detail: 'policies pass validation' });
  else checks.push({ name: 'validation', pass: false, detail: `policies fail validation: ${list(e.validation.problems)}`, unblock: 'fix the problems and run tighten recommend again' });

  const limit = config.gates.policyMapMaxEntries;
  const entries = Object.entries(e.policyMapEntries);
  const over = entries.filter(([, n]) => n > limit).map(([w, n]) => `${w} (${n})`);
  const most = entries.reduce((m, [, n]) => Math.max(m, n), 0);
  checks.push(
    over.length === 0
      ? { name: 'policy-map', pass: true, detail: `at most ${most} estimated policy-map entries per endpoint ≤ ${limit}` }
      : { name: 'policy-map', pass: false, detail: `estimated policy-map entries over ${limit}: ${list(over)}`, unblock: 'widen peers (a namespace or entity instead of many workloads or addresses) or raise bpf-policy-map-max and gates.policyMapMaxEntries' },
  );
  if (critical)
    checks.push(
      e.approved === true
        ? { name: 'approval', pass: true, detail: `${e.criticality} namespace approved` }
        : { name: 'approval', pass: false, detail: `${e.criticality} namespace (${e.criticalitySource}) needs an explicit approval`, unblock: 'promote with --approve' },
    );
  return checks;
}

/**
 * Whether `ns` may go from `from` to `to` (for `direction`, which matters for audit → enforce: would-be drops are
 * counted in that direction only; `both` must pass for each direction). Rollbacks always pass.
 * @throws TransitionError for a promotion that skips a stage (observe → enforce) or goes nowhere
 */
export function checkGate(ns: string, from: Stage, to: Stage, direction: DirectionChoice, evidence: GateEvidence, config: RolloutConfig, now: Date): GateResult {
  if (evidence.namespace !== ns) throw new TransitionError(`evidence is for ${evidence.namespace}, not ${ns}`);
  let checks: GateCheck[];
  if (isRollback(from, to)) checks = [{ name: 'rollback', pass: true, detail: `rollback ${from} → ${to} is always allowed` }];
  else if (from === 'observe' && to === 'audit') checks = observeToAudit(evidence);
  else if (from === 'audit' && to === 'enforce') {
    const dirs = direction === 'both' ? DIRECTIONS : [direction];
    const per = dirs.map((d) => auditToEnforce(evidence, d, config, now));
    // Both directions: every check but would-drops is the same; would-drops is reported once per direction.
    checks = per[0]!.flatMap((c) => (c.name === 'would-drops' ? per.map((p) => p.find((x) => x.name === 'would-drops')!) : [c]));
  } else throw new TransitionError(`${ns}: no gate from '${from}' to '${to}'; stages go observe → audit → enforce one at a time`);
  const reasons = checks.filter((c) => !c.pass).map((c) => c.detail);
  return { pass: reasons.length === 0, reasons, checks };
}

/** What `promote` does with a gate result. */
export type PromotionDecision =
  | { readonly allowed: true; readonly forced: false }
  | { readonly allowed: true; readonly forced: true; readonly reason: string; readonly overridden: readonly string[] }
  | { readonly allowed: false; readonly reasons: readonly string[] };

/**
 * Allowed when the gate passes; forced (recorded in history, with the reasons overridden) when it does not and
 * `--force --reason` was given; refused otherwise.
 * @throws TransitionError when forcing without a reason
 */
export function decidePromotion(gate: GateResult, force?: { readonly reason: string }): PromotionDecision {
  if (gate.pass) return { allowed: true, forced: false };
  if (force === undefined) return { allowed: false, reasons: gate.reasons };
  if (force.reason.trim() === '') throw new TransitionError('--force needs --reason "…": forced promotions are recorded with why');
  return { allowed: true, forced: true, reason: force.reason.trim(), overridden: gate.reasons };
}
