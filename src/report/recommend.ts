/**
 * @module report/recommend — renders what `tighten recommend` did: the summary (policies, rules, peers, FQDNs,
 * CIDR fallbacks, findings), each namespace's stage, the files written and skipped, what NetworkPolicy could not
 * say, and the findings. Pure. Exit 0 — a recommendation is not a failure — unless a file a person edited was
 * skipped (exit 1: the repository is not what the data says).
 */
import type { RepoPlan } from '../gitops/index.js';
import type { GenerateResult } from '../policy/generate/index.js';
import { EXIT } from '../shared/errors.js';
import { API_VERSION, type Rendered } from './inventory.js';

export const RECOMMEND_FORMATS = ['text', 'json'] as const;
export type RecommendFormat = (typeof RECOMMEND_FORMATS)[number];

export interface RecommendReport {
  readonly repo: string;
  readonly format: 'cilium' | 'networkpolicy';
  readonly result: GenerateResult;
  readonly plan: RepoPlan;
  /** Warnings about the cluster's settings (an audit stage that would enforce …). */
  readonly warnings: readonly string[];
}

export function renderRecommend(report: RecommendReport, format: RecommendFormat): Rendered {
  const exitCode = report.plan.actions.some((a) => a.action === 'skip') ? EXIT.findings : EXIT.ok;
  return { output: format === 'json' ? `${JSON.stringify(toRecommendDocument(report), null, 2)}\n` : renderText(report), exitCode };
}

export function toRecommendDocument(r: RecommendReport): Record<string, unknown> {
  const count = (k: string) => r.plan.actions.filter((a) => a.action === k).length;
  return {
    apiVersion: API_VERSION,
    kind: 'Recommendation',
    repo: r.repo,
    format: r.format,
    window: r.result.evidence.window,
    summary: r.result.summary,
    namespaces: r.result.namespaces.map((ns) => ({ name: ns, stage: r.plan.stages[ns], applied: r.plan.applied.includes(ns), new: r.plan.added.includes(ns) })),
    files: {
      created: count('create'),
      updated: count('update'),
      deleted: count('delete'),
      unchanged: count('unchanged'),
      skipped: r.plan.actions.filter((a) => a.action === 'skip').map((a) => ({ path: a.path, reason: a.reason })),
      changed: r.plan.actions.filter((a) => a.action === 'create' || a.action === 'update' || a.action === 'delete').map((a) => ({ path: a.path, action: a.action })),
    },
    skippedWorkloads: r.result.skipped,
    ...(r.plan.unexpressed.length > 0 ? { notExpressed: r.plan.unexpressed } : {}),
    findings: r.result.findings,
    warnings: r.warnings,
  };
}

const num = (n: number) => n.toLocaleString('en-US');
const count = (n: number, word: string) => `${num(n)} ${word}${n === 1 ? '' : 's'}`;

function renderText(r: RecommendReport): string {
  const s = r.result.summary;
  const out: string[] = [];
  out.push(
    `recommend: ${num(s.baselinePolicies)} baseline + ${num(s.workloadPolicies)} workload ${r.format === 'cilium' ? 'policies' : 'policies (as NetworkPolicy)'} for ${num(s.namespaces)} namespace${s.namespaces === 1 ? '' : 's'} in ${r.repo}`,
    `  ${count(s.rules, 'rule')}, ${count(s.peers, 'peer')}, ${count(s.fqdns, 'FQDN')}, ${count(s.cidrFallbacks, 'CIDR fallback')} (waiting for DNS visibility), ${count(s.findings, 'finding')}`,
    `  observed edges: ${num(s.covered)} already allowed (baseline, existing policies, allow-localhost), ${num(s.notAllowed)} not allowed once enforced, ${num(s.dropped)} dropped (no rule)`,
    '',
    'Namespaces',
  );
  const width = Math.max(9, ...r.result.namespaces.map((n) => n.length));
  for (const ns of r.result.namespaces) {
    const stage = r.plan.stages[ns] ?? 'observe';
    const policies = r.result.perWorkload.filter((p) => p.workload.namespace === ns).length;
    const skipped = r.result.skipped.filter((x) => x.workload.namespace === ns).length;
    const where = r.plan.applied.includes(ns) ? 'applied' : 'written, not applied';
    const counts = `${String(policies).padStart(3)} ${policies === 1 ? 'policy  ' : 'policies'}`;
    out.push(`  ${ns.padEnd(width)}  ${stage.padEnd(7)}  ${counts}  ${skipped > 0 ? `${skipped} without  ` : '           '}${where}${r.plan.added.includes(ns) ? ' (new)' : ''}`);
  }
  const changed = r.plan.actions.filter((a) => a.action === 'create' || a.action === 'update' || a.action === 'delete');
  const unchanged = r.plan.actions.filter((a) => a.action === 'unchanged').length;
  out.push('', `Files: ${changed.length} changed, ${unchanged} unchanged`);
  for (const a of changed.slice(0, 40)) out.push(`  ${a.action.padEnd(6)}  ${a.path}`);
  if (changed.length > 40) out.push(`  … and ${changed.length - 40} more`);
  const skipped = r.plan.actions.filter((a) => a.action === 'skip');
  if (skipped.length > 0) {
    out.push('', `Skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'} a person edited or wrote:`);
    for (const a of skipped) out.push(`  ${a.path}: ${a.reason}`);
  }
  if (r.result.skipped.length > 0) {
    out.push('', 'Workloads without a policy');
    for (const x of r.result.skipped) out.push(`  ${x.workload.namespace}/${x.workload.kind}/${x.workload.name}  ${x.code}: ${firstSentence(x.reason)}`);
  }
  if (r.plan.unexpressed.length > 0) {
    out.push('', `NetworkPolicy cannot express ${r.plan.unexpressed.length} thing${r.plan.unexpressed.length === 1 ? '' : 's'} (left out; see evidence.yaml):`);
    const kinds = new Map<string, number>();
    for (const u of r.plan.unexpressed) {
      const k = u.what.replace(/^toFQDNs .*?\(/, 'toFQDNs (').replace(/on [^(]*\(/, '(');
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    for (const [k, n] of [...kinds].sort()) out.push(`  ${n} × ${k}`);
  }
  const important = r.result.findings.filter((f) => f.severity !== 'info');
  if (important.length > 0) {
    out.push('', 'Findings');
    for (const f of important) out.push(`  ${f.severity.padEnd(7)} ${f.code}  ${f.message}`);
  }
  for (const w of r.warnings) out.push('', `warning: ${w}`);
  out.push(
    '',
    'Next',
    `  review the files (git diff), then: tighten simulate --repo ${r.repo} --flows … --as-enforced`,
    '  namespaces start in observe: their policies are written but not applied; the platform baseline is applied (it isolates nothing and gives DNS visibility)',
  );
  return `${out.join('\n')}\n`;
}

/** At most 160 characters of a reason. */
function firstSentence(s: string): string {
  return s.length > 160 ? `${s.slice(0, 157)}…` : s;
}
