/**
 * @module report/plan — renders `tighten plan`: the waves, by owning team, each step with its gate status
 * (pass/blocked), the evidence (each gate check), what unblocks it and the `tighten promote` command. Pure.
 * Exit 1 when a step asked for (`--for NS`) is blocked or cannot be judged; else 0.
 */
import type { GateEvidence, Plan, PlanStep, PreflightResult } from '../rollout/index.js';
import { describePosition, explainRisk } from '../rollout/index.js';
import { EXIT } from '../shared/errors.js';
import { API_VERSION, type Rendered } from './inventory.js';

export const PLAN_FORMATS = ['text', 'json', 'markdown'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

export interface PlanView {
  /** The repository as shown to the user. */
  readonly repo: string;
  readonly plan: Plan;
  readonly evidence: Readonly<Record<string, GateEvidence>>;
  readonly preflight: PreflightResult;
  /** Namespaces asked for with `--for`. */
  readonly for: readonly string[];
}

/** The namespaces asked for whose step is blocked, or that cannot be judged. */
export function blockedRequested(v: PlanView): string[] {
  return [...new Set(v.for)].filter((ns) => v.plan.unknown.includes(ns) || v.plan.steps.some((s) => s.namespace === ns && !s.gate.pass)).sort();
}

export function renderPlan(view: PlanView, format: PlanFormat): Rendered {
  const exitCode = blockedRequested(view).length > 0 ? EXIT.findings : EXIT.ok;
  switch (format) {
    case 'json':
      return { output: `${JSON.stringify(planDocument(view), null, 2)}\n`, exitCode };
    case 'markdown':
      return { output: renderMarkdown(view), exitCode };
    case 'text':
      return { output: renderText(view), exitCode };
  }
}

const fromStage = (s: PlanStep): string => s.transition.moves[0]!.from;
const stepTitle = (s: PlanStep): string => `${s.namespace}: ${describePosition(s.from)} → ${s.to}${s.direction === 'both' ? '' : ` (${s.direction})`}`;
const days = (hours: number): number => Math.round((hours / 24) * 10) / 10;

function stepDocument(s: PlanStep, e: GateEvidence | undefined) {
  return {
    namespace: s.namespace,
    ...(s.team !== undefined ? { team: s.team } : {}),
    from: { ingress: s.from.ingress, egress: s.from.egress },
    fromStage: fromStage(s),
    to: s.to,
    direction: s.direction,
    status: s.gate.pass ? 'pass' : 'blocked',
    reasons: [...s.gate.reasons],
    checks: s.gate.checks.map((c) => ({ name: c.name, pass: c.pass, detail: c.detail, ...(c.unblock !== undefined ? { unblock: c.unblock } : {}) })),
    unblock: [...s.unblock],
    command: s.command,
    risk: {
      rank: s.risk.rank,
      score: s.risk.score,
      factors: s.risk.factors.map((f) => ({ factor: f.factor, value: f.value, contribution: f.contribution, why: f.why })),
    },
    ...(e !== undefined
      ? {
          evidence: {
            criticality: e.criticality,
            criticalitySource: e.criticalitySource,
            observedDays: days(e.observedHours),
            workloadsWithoutPolicy: [...e.workloadsWithoutPolicy],
            hygieneErrors: e.hygiene.filter((h) => h.severity === 'error').length,
            hygieneWarnings: e.hygiene.filter((h) => h.severity === 'warning').length,
            cronJobsNotSeen: [...e.cronJobsNotSeen],
            wouldDrops: e.wouldDrops?.length ?? 0,
            dependents: [...e.dependents],
            flows: e.flows,
          },
        }
      : {}),
  };
}

/** The JSON document: `{apiVersion, kind: RolloutPlan, at, repo, for, preflight, summary, waves, done, unknown}`. */
export function planDocument(v: PlanView) {
  const { plan } = v;
  const ready = plan.steps.filter((s) => s.gate.pass).length;
  return {
    apiVersion: API_VERSION,
    kind: 'RolloutPlan',
    at: plan.at,
    repo: v.repo,
    for: [...v.for],
    blocked: blockedRequested(v),
    preflight: { ok: v.preflight.ok, failures: v.preflight.checks.filter((c) => c.status === 'fail').map((c) => `${c.title}: ${c.detail}`) },
    summary: { steps: plan.steps.length, ready, blocked: plan.steps.length - ready, done: plan.done.length, unknown: plan.unknown.length },
    waves: plan.waves.map((w) => ({
      number: w.number,
      ready: w.ready,
      blocked: w.blocked,
      teams: w.teams.map((t) => ({ ...(t.team !== undefined ? { team: t.team } : {}), steps: t.steps.map((s) => stepDocument(s, v.evidence[s.namespace])) })),
    })),
    done: [...plan.done],
    unknown: [...plan.unknown],
  };
}

function header(v: PlanView): string[] {
  const { plan } = v;
  const ready = plan.steps.filter((s) => s.gate.pass).length;
  const lines = [
    `${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'} in ${plan.waves.length} wave${plan.waves.length === 1 ? '' : 's'}: ${ready} ready, ${plan.steps.length - ready} blocked; ${plan.done.length} namespace${plan.done.length === 1 ? '' : 's'} enforcing both ways`,
  ];
  if (!v.preflight.ok) lines.push(`preflight fails: promote to audit or enforce is blocked until it passes (run tighten preflight)`);
  if (plan.unknown.length > 0) lines.push(`not in the repository (run tighten recommend first): ${plan.unknown.join(', ')}`);
  const blocked = blockedRequested(v);
  if (v.for.length > 0) lines.push(blocked.length > 0 ? `blocked, asked for with --for: ${blocked.join(', ')}` : `ready, asked for with --for: ${[...new Set(v.for)].sort().join(', ')}`);
  return lines;
}

function renderText(v: PlanView): string {
  const lines = [`tighten plan — ${v.repo} at ${v.plan.at}`, ...header(v), ''];
  for (const w of v.plan.waves) {
    lines.push(`Wave ${w.number} — ${w.ready} ready, ${w.blocked} blocked`);
    for (const t of w.teams) {
      lines.push(`  team ${t.team ?? '(none)'}`);
      for (const s of t.steps) {
        lines.push(`    ${s.gate.pass ? 'PASS   ' : 'BLOCKED'} ${stepTitle(s)}`);
        lines.push(`            risk: ${explainRisk(s.risk)}`);
        for (const c of s.gate.checks) lines.push(`            ${c.pass ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
        for (const u of s.unblock) lines.push(`            to unblock: ${u}`);
        lines.push(`            $ ${s.command}`);
      }
    }
    lines.push('');
  }
  if (v.plan.done.length > 0) lines.push(`Enforcing both ways: ${v.plan.done.join(', ')}`, '');
  return lines.join('\n');
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function renderMarkdown(v: PlanView): string {
  const lines = [`## tighten plan — ${v.repo}`, '', ...header(v).map((l) => `- ${l}`), ''];
  for (const w of v.plan.waves) {
    lines.push(`### Wave ${w.number} (${w.ready} ready, ${w.blocked} blocked)`, '');
    for (const t of w.teams) {
      lines.push(`#### Team ${t.team ?? '(none)'}`, '', '| step | gate | evidence | to unblock | command |', '|---|---|---|---|---|');
      for (const s of t.steps) {
        const evidence = s.gate.checks.map((c) => `${c.pass ? '✓' : '✗'} ${c.name}: ${c.detail}`).join('<br>');
        lines.push(`| ${cell(stepTitle(s))} | ${s.gate.pass ? 'pass' : '**blocked**'} | ${cell(evidence)} | ${cell(s.unblock.join('<br>'))} | \`${s.command}\` |`);
      }
      lines.push('');
    }
  }
  if (v.plan.done.length > 0) lines.push(`Enforcing both ways: ${v.plan.done.join(', ')}`, '');
  return lines.join('\n');
}
