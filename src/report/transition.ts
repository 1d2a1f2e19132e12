/**
 * @module report/transition — what `promote` and `rollback` print: the pull-request summary in markdown (the stage
 * changes, the gates, the policy diff, the connectivity delta, the would-be drops left, and the command that undoes
 * the change), or the refusal with each gate's reasons and what unblocks it; JSON for tools. Pure.
 */
import type { FileAction } from '../gitops/index.js';
import type { PolicyDiff } from '../policy/diff.js';
import type { GateResult, Position, PromotionDecision, WouldDrop } from '../rollout/index.js';
import { describePosition } from '../rollout/index.js';
import { EXIT } from '../shared/errors.js';
import { renderDiff } from './diff.js';
import { API_VERSION, type Rendered } from './inventory.js';
import { unifiedDiff } from './text-diff.js';

export const TRANSITION_FORMATS = ['markdown', 'json'] as const;
export type TransitionFormat = (typeof TRANSITION_FORMATS)[number];

/** One namespace's stage change. */
export interface TransitionStep {
  readonly namespace: string;
  readonly from: Position;
  readonly to: Position;
  /** The gate (promote only). */
  readonly gate?: GateResult;
  readonly decision?: PromotionDecision;
  /** Would-be drops of the namespace left after the change, in the directions still to enforce or just enforced. */
  readonly wouldDrops?: readonly WouldDrop[];
}

export interface TransitionView {
  readonly kind: 'promote' | 'rollback';
  /** The repository as shown to the user. */
  readonly repo: string;
  readonly steps: readonly TransitionStep[];
  /** Refused: nothing was written. */
  readonly refused: boolean;
  /** The files changed, with their text before (undefined when created). */
  readonly files?: readonly { readonly action: FileAction; readonly before?: string }[];
  /** The connectivity change of the applied policies; undefined when it was not computed (see `connectivityNote`). */
  readonly connectivity?: PolicyDiff;
  readonly connectivityNote?: string;
  /** Hand-written policy files in the folders changed: applied as written. */
  readonly handWritten?: readonly string[];
  /** The commands that undo the change. */
  readonly undo?: readonly string[];
  /** The commit made with `--commit`. */
  readonly commit?: string;
}

/** The title of the change: the commit subject and the summary's heading. */
export function transitionTitle(v: Pick<TransitionView, 'kind' | 'steps'>): string {
  const byTarget = new Map<string, string[]>();
  for (const s of v.steps) {
    const key = describePosition(s.to);
    byTarget.set(key, [...(byTarget.get(key) ?? []), s.namespace]);
  }
  return `tighten: ${v.kind} ${[...byTarget].map(([to, ns]) => `${ns.join(', ')} to ${to}`).join('; ')}`;
}

export function renderTransition(view: TransitionView, format: TransitionFormat): Rendered {
  const exitCode = view.refused ? EXIT.findings : EXIT.ok;
  if (format === 'json') return { output: `${JSON.stringify(transitionDocument(view), null, 2)}\n`, exitCode };
  return { output: view.refused ? renderRefusal(view) : renderSummary(view), exitCode };
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
const code = (s: string): string => `\`${s.replace(/`/g, "'")}\``;
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const WOULD_DROP_ROWS = 20;

function gateLines(g: GateResult): string[] {
  return g.checks.map((c) => `- ${c.pass ? '✅' : '❌'} **${c.name}**: ${c.detail}${!c.pass && c.unblock !== undefined ? ` — ${c.unblock}` : ''}`);
}

function renderRefusal(v: TransitionView): string {
  const out = [`# ${transitionTitle(v)}: refused`, '', 'Nothing was written. The gates that do not pass:', ''];
  for (const s of v.steps) {
    const pass = s.gate?.pass !== false;
    out.push(`## ${s.namespace}: ${describePosition(s.from)} → ${describePosition(s.to)}: ${pass ? 'gate passes' : 'blocked'}`, '');
    if (s.gate !== undefined) out.push(...gateLines(s.gate), '');
  }
  out.push('Fix what blocks each step and run the command again, or override with `--force --reason "…"` (recorded in the state file\'s history).', '');
  return out.join('\n');
}

function renderSummary(v: TransitionView): string {
  const out = [`# ${transitionTitle(v)}`, ''];
  out.push('| namespace | from | to | gate |', '|---|---|---|---|');
  for (const s of v.steps) {
    const gate = v.kind === 'rollback' ? 'rollback: always allowed' : s.decision?.allowed === true && s.decision.forced ? `**forced**: ${cell(s.decision.reason)}` : 'passes';
    out.push(`| ${s.namespace} | ${describePosition(s.from)} | ${describePosition(s.to)} | ${gate} |`);
  }
  out.push('');
  if (v.handWritten !== undefined && v.handWritten.length > 0) {
    out.push(`> **Hand-written policies** in these folders are applied as written, whatever the stage: ${v.handWritten.map(code).join(', ')}.`, '');
  }

  if (v.kind === 'promote') {
    out.push('## Gates', '');
    for (const s of v.steps) {
      if (s.gate === undefined) continue;
      out.push(`### ${s.namespace}`, '', ...gateLines(s.gate), '');
      if (s.decision?.allowed === true && s.decision.forced) out.push(`Forced past ${plural(s.decision.overridden.length, 'failing check')}: ${s.decision.reason}`, '');
    }
  }

  const drops = v.steps.flatMap((s) => (s.wouldDrops ?? []).map((d) => ({ ns: s.namespace, d })));
  if (v.kind === 'promote') out.push('## Would-be drops', '');
  if (v.kind === 'rollback') {
    // Nothing to add: a rollback drops less, never more.
  } else if (drops.length === 0) out.push('None: the observed traffic of these namespaces is allowed by their policies as if enforced.', '');
  else {
    out.push(`Observed traffic these namespaces' policies would drop if enforced (\`tighten simulate --as-enforced\`): ${plural(drops.length, 'edge')}.`, '');
    out.push('| namespace | would-be drop | flows | last seen |', '|---|---|---:|---|');
    for (const { ns, d } of drops.slice(0, WOULD_DROP_ROWS)) out.push(`| ${ns} | ${cell(code(d.key))} | ${d.flows.toLocaleString('en-US')} | ${d.lastSeen} |`);
    if (drops.length > WOULD_DROP_ROWS) out.push('', `… and ${drops.length - WOULD_DROP_ROWS} more (see \`tighten simulate --as-enforced\`).`);
    out.push('');
  }

  out.push('## Connectivity delta', '');
  if (v.connectivity !== undefined) {
    const md = renderDiff(v.connectivity, 'markdown').output.replace(/^## tighten diff\n\n/, '').replace(/^### /gm, '#### ');
    out.push(md.trimEnd(), '');
  } else out.push(v.connectivityNote ?? 'Not computed.', '');

  out.push('## Policy diff', '');
  const changed = (v.files ?? []).filter((f) => f.action.action !== 'unchanged' && f.action.action !== 'skip');
  if (changed.length === 0) out.push('No file changes.', '');
  else {
    out.push(`${plural(changed.length, 'file')} changed.`, '', '```diff');
    for (const f of changed) out.push(unifiedDiff(f.action.path, f.before, f.action.action === 'delete' ? undefined : f.action.content).trimEnd());
    out.push('```', '');
  }

  if (v.undo !== undefined && v.undo.length > 0) {
    if (v.kind === 'rollback') out.push('## Promote again', '', 'When the cause is fixed, take the step again (the gates are checked again):', '');
    else out.push('## Rollback', '', 'To undo this change (always allowed, no traffic needed; restores these files byte for byte):', '');
    out.push('```sh', ...v.undo, '```', '');
  }
  if (v.commit !== undefined) out.push(`Committed as ${v.commit}.`, '');
  return out.join('\n');
}

function transitionDocument(v: TransitionView): Record<string, unknown> {
  const pos = (p: Position) => ({ ingress: p.ingress, egress: p.egress });
  return {
    apiVersion: API_VERSION,
    kind: 'StageChange',
    change: v.kind,
    title: transitionTitle(v),
    repo: v.repo,
    refused: v.refused,
    steps: v.steps.map((s) => ({
      namespace: s.namespace,
      from: pos(s.from),
      to: pos(s.to),
      ...(s.gate !== undefined ? { gate: { pass: s.gate.pass, reasons: [...s.gate.reasons], checks: s.gate.checks.map((c) => ({ ...c })) } } : {}),
      ...(s.decision?.allowed === true && s.decision.forced ? { forced: { reason: s.decision.reason, overridden: [...s.decision.overridden] } } : {}),
      ...(s.wouldDrops !== undefined ? { wouldDrops: s.wouldDrops.map((d) => ({ ...d })) } : {}),
    })),
    files: (v.files ?? []).filter((f) => f.action.action !== 'unchanged').map((f) => ({ path: f.action.path, action: f.action.action })),
    ...(v.connectivity !== undefined ? { connectivity: { totals: v.connectivity.totals, changes: v.connectivity.changes.length, observed: v.connectivity.observed?.length ?? 0 } } : {}),
    ...(v.handWritten !== undefined && v.handWritten.length > 0 ? { handWritten: [...v.handWritten] } : {}),
    undo: [...(v.undo ?? [])],
    ...(v.commit !== undefined ? { commit: v.commit } : {}),
  };
}
