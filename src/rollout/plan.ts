/**
 * @module rollout/plan — the ordered next steps of the rollout (`tighten plan`): one step per namespace not yet
 * enforcing both ways, lowest risk first, grouped into waves of at most `gates.waveSize` steps and, inside a
 * wave, by owning team, each with its gate, its risk and what unblocks it. Pure: `now` is a value.
 */
import type { RolloutConfig } from './config.js';
import type { GateEvidence, RolloutState } from './evidence.js';
import { checkGate, type GateResult } from './gates.js';
import { explainRisk, rankNamespaces, type RankedNamespace } from './risk.js';
import { positionAt, positionOf, promotion, type DirectionChoice, type Position, type Stage, type Transition } from './stages.js';

export interface PlanStep {
  readonly namespace: string;
  /** Undefined when no team is known. */
  readonly team?: string;
  readonly from: Position;
  readonly to: Stage;
  /** `both` for observe → audit; the plan enforces ingress first, then egress. */
  readonly direction: DirectionChoice;
  readonly transition: Transition;
  readonly gate: GateResult;
  readonly risk: RankedNamespace;
  /** What to do, in check order, for the gate to pass; empty when it passes. */
  readonly unblock: readonly string[];
  /** The command that takes the step (`--approve` included for a critical namespace). */
  readonly command: string;
}

export interface TeamSteps {
  /** Undefined for the namespaces without a known team, listed last. */
  readonly team?: string;
  readonly steps: readonly PlanStep[];
}

export interface Wave {
  /** 1-based. */
  readonly number: number;
  /** Teams by name, then the namespaces without one; steps in risk order. */
  readonly teams: readonly TeamSteps[];
  /** Steps whose gate passes / does not. */
  readonly ready: number;
  readonly blocked: number;
}

export interface Plan {
  /** RFC 3339 of `now`. */
  readonly at: string;
  readonly waves: readonly Wave[];
  /** Every step, in risk order (the waves' steps, flattened). */
  readonly steps: readonly PlanStep[];
  /** Namespaces enforcing both ways: nothing left to do. Sorted. */
  readonly done: readonly string[];
  /** Namespaces asked for without evidence: no step can be judged. Sorted. */
  readonly unknown: readonly string[];
}

/** The next step from `p`: audit for both directions, then enforce ingress, then egress; undefined when done. */
export function nextStep(p: Position): { to: Stage; direction: DirectionChoice } | undefined {
  if (p.ingress === 'observe') return { to: 'audit', direction: 'both' };
  if (p.ingress === 'audit') return { to: 'enforce', direction: 'ingress' };
  if (p.egress === 'audit') return { to: 'enforce', direction: 'egress' };
  return undefined;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The plan for `namespaces`.
 * @param evidence by namespace; a namespace without an entry is listed in `unknown`
 * @param state stages come from here (the evidence's `position` is not used, so one state is the truth)
 */
export function planRollout(namespaces: readonly string[], evidence: Readonly<Record<string, GateEvidence>>, state: RolloutState, config: RolloutConfig, now: Date): Plan {
  const names = [...new Set(namespaces)].sort(cmp);
  const unknown = names.filter((n) => evidence[n] === undefined);
  const known = names.filter((n) => evidence[n] !== undefined).map((n) => evidence[n]!);
  const done: string[] = [];
  const todo: { e: GateEvidence; from: Position; next: { to: Stage; direction: DirectionChoice } }[] = [];
  for (const e of known) {
    const entry = state.namespaces[e.namespace];
    const from = entry === undefined ? positionAt('observe') : positionOf(entry.stage, entry.enforced);
    const next = nextStep(from);
    if (next === undefined) done.push(e.namespace);
    else todo.push({ e, from, next });
  }
  // Ranks count only the namespaces with something left to do.
  const ranked = new Map(rankNamespaces(todo.map((t) => t.e), config, now).map((r) => [r.namespace, r]));
  const steps: PlanStep[] = [];
  for (const { e, from, next } of todo) {
    const transition = promotion(from, next.to, next.direction);
    const fromStage = transition.moves[0]!.from;
    const gate = checkGate(e.namespace, fromStage, next.to, next.direction, { ...e, position: from }, config, now);
    const risk = ranked.get(e.namespace)!;
    const critical = gate.checks.some((c) => c.name === 'approval');
    steps.push({
      namespace: e.namespace,
      ...(e.team !== undefined ? { team: e.team } : {}),
      from,
      to: next.to,
      direction: next.direction,
      transition,
      gate,
      risk,
      unblock: gate.checks.flatMap((c) => (!c.pass && c.unblock !== undefined ? [c.unblock] : [])),
      command: `tighten promote ${e.namespace} --to ${next.to}${next.direction !== 'both' ? ` --direction ${next.direction}` : ''}${critical ? ' --approve' : ''}`,
    });
  }
  steps.sort((a, b) => a.risk.rank - b.risk.rank);
  const size = Math.max(1, Math.floor(config.gates.waveSize));
  const waves: Wave[] = [];
  for (let i = 0; i < steps.length; i += size) {
    const chunk = steps.slice(i, i + size);
    const byTeam = new Map<string | undefined, PlanStep[]>();
    for (const s of chunk) {
      const list = byTeam.get(s.team) ?? [];
      list.push(s);
      byTeam.set(s.team, list);
    }
    const teams = [...byTeam.keys()]
      .sort((a, b) => (a === undefined ? 1 : b === undefined ? -1 : cmp(a, b)))
      .map((team): TeamSteps => ({ ...(team !== undefined ? { team } : {}), steps: byTeam.get(team)! }));
    const ready = chunk.filter((s) => s.gate.pass).length;
    waves.push({ number: waves.length + 1, teams, ready, blocked: chunk.length - ready });
  }
  return { at: now.toISOString(), waves, steps: waves.flatMap((w) => w.teams.flatMap((t) => t.steps)), done: done.sort(cmp), unknown };
}

/** A step in one line: `payments audit → enforce (ingress): blocked — observed 3 days < 14`. */
export function describeStep(s: PlanStep): string {
  const status = s.gate.pass ? 'ready' : `blocked — ${s.gate.reasons.join('; ')}`;
  const dir = s.direction === 'both' ? '' : ` (${s.direction})`;
  return `${s.namespace} ${s.transition.moves[0]!.from} → ${s.to}${dir}: ${status} [${explainRisk(s.risk)}]`;
}
