/**
 * @module report/simulation — renders a SimulationReport: what would be dropped per namespace and
 * workload, with the deciding rule and the rule that would allow it; coverage; totals. Pure. Exit 1
 * when anything would be dropped, whatever the format.
 */
import type { DirectionVerdict } from '../policy/evaluate/index.js';
import type { EdgeEvaluation, SimulationReport } from '../policy/simulate.js';
import { EXIT } from '../shared/errors.js';
import { API_VERSION, formatPeer, type Rendered } from './inventory.js';
import { formatRule } from './trace.js';

export const SIMULATION_FORMATS = ['text', 'json', 'markdown'] as const;
export type SimulationFormat = (typeof SIMULATION_FORMATS)[number];

export function renderSimulation(report: SimulationReport, format: SimulationFormat): Rendered {
  const exitCode = report.totals.wouldDropEdges > 0 ? EXIT.findings : EXIT.ok;
  switch (format) {
    case 'json':
      return { output: `${JSON.stringify(toSimulationDocument(report), null, 2)}\n`, exitCode };
    case 'markdown':
      return { output: renderMarkdown(report), exitCode };
    case 'text':
      return { output: renderText(report), exitCode };
  }
}

export function toSimulationDocument(r: SimulationReport): Record<string, unknown> {
  return {
    apiVersion: API_VERSION,
    kind: 'SimulationReport',
    window: r.window,
    asEnforced: r.asEnforced,
    policies: r.policies,
    totals: r.totals,
    edges: r.evaluations.map((e) => ({
      ...e.edge,
      ...(e.verdict ? { egress: e.verdict.egress, ingress: e.verdict.ingress, allowed: e.verdict.allowed } : { evaluated: false }),
      wouldDrop: e.wouldDrop,
      ...(e.suggestions.length > 0 ? { suggestions: e.suggestions } : {}),
    })),
  };
}

const num = (n: number) => n.toLocaleString('en-US');
const pct = (part: number, whole: number) => (whole === 0 ? '0%' : `${Math.round((100 * part) / whole)}%`);

/** Why a direction drops, in words: the deny rules, or default deny. */
export function dropWhy(v: DirectionVerdict): string {
  if (v.decision === 'denied-rule') return `denied by ${v.by.map(formatRule).join('; ')}`;
  return 'default deny (no rule allows it)';
}

interface Drop {
  readonly e: EdgeEvaluation;
  readonly direction: 'egress' | 'ingress';
}

/** Would-drops grouped by the workload whose policy drops them: namespace → workload → drops. */
function grouped(r: SimulationReport): Map<string, Map<string, Drop[]>> {
  const out = new Map<string, Map<string, Drop[]>>();
  for (const e of r.evaluations) {
    if (!e.wouldDrop || !e.verdict) continue;
    for (const direction of ['egress', 'ingress'] as const) {
      const v = e.verdict[direction];
      if (v.decision !== 'denied-default' && v.decision !== 'denied-rule') continue;
      const subject = direction === 'egress' ? e.edge.source : e.edge.destination;
      const ns = 'namespace' in subject ? subject.namespace : '(cluster-wide)';
      const w = 'namespace' in subject ? `${subject.kind} ${subject.name}` : formatPeer(subject);
      const byNs = out.get(ns) ?? new Map<string, Drop[]>();
      out.set(ns, byNs);
      byNs.set(w, [...(byNs.get(w) ?? []), { e, direction }]);
    }
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)).map(([ns, byWorkload]) => [ns, new Map([...byWorkload].sort(([a], [b]) => a.localeCompare(b)))]));
}

function portOf(e: EdgeEvaluation): string {
  const p = e.edge.protocol;
  return p === 'ICMPv4' || p === 'ICMPv6' ? `${p} type ${e.edge.port}` : `${e.edge.port}/${p}`;
}

function headline(r: SimulationReport): string {
  const t = r.totals;
  return `simulate: ${r.policies.candidate} candidate + ${r.policies.existing} existing policies${r.asEnforced ? ', as enforced' : ''}, over ${num(t.edges)} edges and ${num(t.flows)} flows`;
}

function coverage(r: SimulationReport): string {
  const t = r.totals;
  return `coverage: ${pct(t.allowedFlows, t.flows)} of flows explicitly allowed by a policy, ${pct(t.notIsolatedFlows, t.flows)} not isolated, ${pct(t.wouldDropFlows, t.flows)} would be dropped, ${pct(t.observedDroppedFlows, t.flows)} observed dropped`;
}

function renderText(r: SimulationReport): string {
  const out: string[] = [headline(r), ''];
  const t = r.totals;
  if (t.wouldDropEdges === 0) out.push('nothing observed would be dropped', '');
  else out.push(`would drop ${num(t.wouldDropEdges)} edges (${num(t.wouldDropFlows)} flows):`, '');
  for (const [ns, byWorkload] of grouped(r)) {
    out.push(`namespace ${ns}`);
    for (const [w, drops] of byWorkload) {
      out.push(`  ${w}`);
      for (const { e, direction } of drops) {
        const peer = direction === 'egress' ? `→ ${formatPeer(e.edge.destination)}` : `← ${formatPeer(e.edge.source)}`;
        out.push(`    ${direction} ${peer}  ${portOf(e)}  ${num(e.edge.flows)} flows, last seen ${e.edge.lastSeen}: ${dropWhy(e.verdict![direction])}`);
        const s = e.suggestions.find((x) => x.direction === direction);
        if (s?.yaml) {
          out.push(`      fix: ${s.where}:`);
          out.push(...s.yaml.trimEnd().split('\n').map((l) => `        ${l}`));
        } else if (s?.blocked) out.push(`      fix: none yet — ${s.blocked}`);
      }
    }
    out.push('');
  }
  out.push(coverage(r));
  return `${out.join('\n')}\n`;
}

function renderMarkdown(r: SimulationReport): string {
  const out: string[] = ['# Simulation', '', headline(r), ''];
  const drops = grouped(r);
  if (drops.size === 0) out.push('Nothing observed would be dropped.', '');
  for (const [ns, byWorkload] of drops) {
    out.push(`## Namespace \`${ns}\``, '');
    for (const [w, list] of byWorkload) {
      out.push(`### ${w}`, '');
      for (const { e, direction } of list) {
        const peer = direction === 'egress' ? `→ ${formatPeer(e.edge.destination)}` : `← ${formatPeer(e.edge.source)}`;
        out.push(`- **${direction}** ${peer} \`${portOf(e)}\` — ${num(e.edge.flows)} flows, last seen ${e.edge.lastSeen}; ${dropWhy(e.verdict![direction])}`);
        const s = e.suggestions.find((x) => x.direction === direction);
        if (s?.yaml) out.push('', `  Fix (${s.where}):`, '', '  ```yaml', ...s.yaml.trimEnd().split('\n').map((l) => `  ${l}`), '  ```', '');
        else if (s?.blocked) out.push('', `  No fix yet: ${s.blocked}.`, '');
      }
      out.push('');
    }
  }
  out.push(`_${coverage(r)}_`, '');
  return out.join('\n');
}
