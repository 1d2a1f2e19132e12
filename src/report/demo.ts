/**
 * @module report/demo — the summary `tighten demo` prints: what the sample cluster is, what the
 * inventory found in it, and what to run next. Pure: results in, text out.
 */
import type { Edge, Inventory, Peer } from '../inventory/index.js';
import type { Understanding } from '../understand/index.js';
import type { SimulationReport } from '../policy/simulate.js';
import { allFindings, formatPeer, formatSubject } from './inventory.js';
import { renderSimulation } from './simulation.js';
import { renderRecommend, type RecommendReport } from './recommend.js';
import { renderTrace, type TraceReport } from './trace.js';

export interface DemoFiles {
  readonly dir: string;
  readonly clusterFile: string;
  readonly flowsFile: string;
  readonly inventoryFile: string;
  readonly candidateDir: string;
  readonly repo: string;
  readonly flowLines: number;
}

/** The proof step: simulate on a deliberately incomplete set, and the trace of one of its drops. */
export interface DemoProof {
  readonly simulation: SimulationReport;
  readonly trace?: TraceReport;
  /** What `recommend` wrote into the demo's GitOps repository. */
  readonly recommendation?: RecommendReport;
}

const num = (n: number) => n.toLocaleString('en-US');
const isWorkload = (p: Peer): p is Extract<Peer, { namespace: string }> => 'namespace' in p;
const shortTime = (t: string | undefined) => (t === undefined ? '?' : `${t.slice(0, 16).replace('T', ' ')} UTC`);

function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => `${indent}${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}

/** `shell` quotes a path for the "next steps" commands when it needs it. */
const shell = (s: string) => (/^[\w./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function renderDemoSummary(inv: Inventory, u: Understanding, files: DemoFiles, proof?: DemoProof): string {
  const out: string[] = [];
  const namespaces = [...new Set(inv.workloads.map((w) => w.namespace))].sort();
  out.push(`tighten demo — a sample cluster with ${namespaces.length} namespaces and ${num(inv.workloads.length)} workloads`);
  out.push('');
  out.push(`Wrote ${files.clusterFile} (the kubectl dump), ${files.flowsFile} (${num(files.flowLines)} Hubble flows), ${files.inventoryFile}.`);
  out.push(`Window ${shortTime(inv.window.since)} … ${shortTime(inv.window.until)}: ${num(inv.decode.flows)} flows folded into ${num(inv.edges.length)} edges`);
  const notEdges = Object.entries(inv.decode.notEdges).map(([k, v]) => `${num(v)} ${k}`).join(', ');
  if (notEdges) out.push(`(not edges: ${notEdges}).`);
  out.push('');

  const classOf = new Map(u.classifications.map((c) => [`${c.workload.namespace}/${c.workload.name}`, c]));
  out.push('Namespaces');
  const rows: string[][] = [['namespace', 'team', 'workloads', 'application', 'platform', 'batch', 'debug', 'edges out', 'cross-namespace']];
  for (const ns of namespaces) {
    const ws = inv.workloads.filter((w) => w.namespace === ns);
    const count = (cls: string) => String(ws.filter((w) => classOf.get(`${w.namespace}/${w.name}`)?.class === cls).length);
    const out_ = inv.edges.filter((e) => isWorkload(e.source) && e.source.namespace === ns);
    const cross = out_.filter((e) => isWorkload(e.destination) && e.destination.namespace !== ns);
    rows.push([ns, u.teams[ns] ?? '—', String(ws.length), count('application'), count('platform'), count('batch'), count('debug'), String(out_.length), String(cross.length)]);
  }
  out.push(...table(rows), '');

  const platform = u.classifications.filter((c) => c.class === 'platform');
  if (platform.length > 0) {
    out.push('Platform services (the cluster-wide baseline will allow these)');
    out.push(...table(platform.map((c) => [`${c.workload.namespace}/${c.workload.name}`, c.role ?? '', c.evidence[0] ?? ''])), '');
  }
  const special = u.classifications.filter((c) => c.class === 'batch' || c.class === 'debug');
  if (special.length > 0) {
    out.push('Batch jobs and debug pods (own policies for jobs; none for debug pods)');
    out.push(...table(special.map((c) => [`${c.workload.namespace}/${c.workload.name}`, `${c.workload.kind}, ${c.class}`, c.evidence[0] ?? ''])), '');
  }

  const top = [...inv.edges].filter((e) => e.verdict === 'FORWARDED').sort((a, b) => b.flows - a.flows).slice(0, 8);
  out.push('Busiest edges');
  out.push(...table(top.map((e) => [formatPeer(e.source), '→', formatPeer(e.destination), portText(e), `${num(e.flows)} flows`])), '');

  const external = inv.edges.filter((e) => 'ip' in e.destination);
  if (external.length > 0) {
    out.push('External destinations (will become toFQDNs rules where a name was seen)');
    out.push(...table(external.slice(0, 10).map((e) => [formatPeer(e.source), '→', formatPeer(e.destination), portText(e)])));
    if (external.length > 10) out.push(`  … and ${external.length - 10} more`);
    out.push('');
  }

  const findings = allFindings({ inventory: inv, understanding: u });
  const bySeverity = (s: string) => findings.filter((f) => f.severity === s).length;
  out.push(`Findings: ${bySeverity('error')} errors, ${bySeverity('warning')} warnings, ${bySeverity('info')} notes`);
  const shown = findings.filter((f) => f.severity !== 'info');
  for (const f of shown.slice(0, 15)) out.push(`  ${f.severity.padEnd(7)} ${f.code}  ${formatSubject(f)}`, `          ${f.message}`);
  if (shown.length > 15) out.push(`  … and ${shown.length - 15} more`);
  out.push('');

  const flows = shell(files.flowsFile);
  const cluster = shell(files.clusterFile);
  const candidate = shell(files.candidateDir);
  if (proof?.recommendation) {
    out.push(`Recommend: the least-privilege policy set, written into a GitOps repository at ${files.repo}/ (platform baseline in platform/,`);
    out.push('one policy per workload in namespaces/<ns>/, evidence beside them; every namespace starts in the observe stage):');
    out.push('');
    const text = renderRecommend(proof.recommendation, 'text').output;
    out.push(...indent(text.slice(0, text.indexOf('\nFiles:') >= 0 ? text.indexOf('\nFiles:') : text.length)));
  }
  if (proof) {
    out.push(`Prove: ${files.candidateDir}/ holds a deliberately incomplete policy for boutique/cartservice (audit stage: enableDefaultDeny false),`);
    out.push('allowing only the frontend. Simulated as if enforced, over the cluster\'s own policies and the observed traffic:');
    out.push('');
    out.push(...indent(renderSimulation(proof.simulation, 'text').output));
    if (proof.trace) {
      out.push('And one of those drops, traced:', '');
      out.push(...indent(renderTrace(proof.trace, 'text').output));
    }
  }
  out.push('Next (in the project folder, `npx tighten`; or `npm link` once to put tighten on your PATH)');
  out.push(`  tighten inventory --flows ${flows} --cluster ${cluster} --namespace boutique`);
  out.push(`      one namespace's ingress and egress, workload by workload`);
  out.push(`  tighten inventory --flows ${flows} --cluster ${cluster} -o json | jq '.findings[] | select(.severity != "info")'`);
  out.push(`      the findings as JSON (schema/inventory.json)`);
  out.push(`  tighten inventory --flows ${flows} --cluster ${cluster} -o markdown > inventory.md`);
  out.push(`      a report to share with the application teams`);
  out.push(`  tighten recommend --flows ${flows} --cluster ${cluster} --repo ${shell(files.repo)}`);
  out.push(`      re-run on new traffic: only files whose rules change are rewritten; edits a person made are kept`);
  out.push(`  tighten simulate --repo ${shell(files.repo)} --flows ${flows} --cluster ${cluster} --as-enforced`);
  out.push(`      what the recommended set would drop if enforced (the workloads it could not select)`);
  out.push(`  tighten simulate --policies ${candidate} --flows ${flows} --cluster ${cluster} --as-enforced`);
  out.push(`      what the candidate policies would drop if enforced, why, and the rule that fixes each drop`);
  out.push(`  tighten trace --from boutique/checkoutservice --to boutique/cartservice --port 7070/TCP --policies ${candidate} --cluster ${cluster}`);
  out.push(`      one connection through the policies: each direction's verdict, the deciding rules, the near misses`);
  return `${out.join('\n')}\n`;
}

function portText(e: Edge): string {
  return e.protocol === 'ICMPv4' || e.protocol === 'ICMPv6' ? `${e.protocol} type ${e.port}` : `${e.port}/${e.protocol}`;
}

function indent(text: string): string[] {
  return text.trimEnd().split('\n').map((l) => (l ? `  ${l}` : l)).concat('');
}
