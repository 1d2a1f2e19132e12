/**
 * @module report/inventory — renders an Inventory as text, JSON (the versioned envelope of
 * `schema/inventory.json`) or markdown. Pure: (inventory) → { output, exitCode }.
 */
import { EXIT, type ExitCode } from '../shared/errors.js';
import type { Edge, Finding, Inventory, InventoryWorkload, Peer } from '../inventory/index.js';
import type { Understanding, WorkloadClassification } from '../understand/index.js';

export const API_VERSION = 'tighten/v1alpha1';

export const INVENTORY_FORMATS = ['text', 'json', 'markdown'] as const;
export type InventoryFormat = (typeof INVENTORY_FORMATS)[number];

export interface Rendered {
  readonly output: string;
  readonly exitCode: ExitCode;
}

/** What `tighten inventory` shows: the inventory and, when computed, what the understand step made of it. */
export interface InventoryReport {
  readonly inventory: Inventory;
  readonly understanding?: Understanding;
}

export function renderInventory(report: InventoryReport, format: InventoryFormat): Rendered {
  switch (format) {
    case 'json':
      return { output: `${JSON.stringify(toInventoryDocument(report), null, 2)}\n`, exitCode: EXIT.ok };
    case 'markdown':
      return { output: renderInventoryMarkdown(report), exitCode: EXIT.ok };
    case 'text':
      return { output: renderInventoryText(report), exitCode: EXIT.ok };
  }
}

const SEVERITY_RANK = { error: 0, warning: 1, info: 2 } as const;

/** The inventory's own findings (input problems) and the understand step's, most severe first. */
export function allFindings(report: InventoryReport): Finding[] {
  const u = report.understanding?.findings ?? [];
  return [...report.inventory.findings, ...u].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
}

function classificationIndex(report: InventoryReport): Map<string, WorkloadClassification> {
  return new Map((report.understanding?.classifications ?? []).map((c) => [workloadKey(c.workload), c]));
}

/** The JSON document: a versioned envelope; hourly buckets are left out (the store keeps them). */
export function toInventoryDocument(report: InventoryReport): Record<string, unknown> {
  const inv = report.inventory;
  const classes = classificationIndex(report);
  const teams = report.understanding?.teams ?? {};
  const namespaces = [...new Set([...Object.keys(teams), ...inv.workloads.map((w) => w.namespace)])].sort();
  return {
    apiVersion: API_VERSION,
    kind: 'Inventory',
    window: inv.window,
    namespaces: namespaces.map((name) => ({ name, ...(teams[name] !== undefined ? { team: teams[name] } : {}) })),
    workloads: inv.workloads.map((w) => {
      const c = classes.get(workloadKey(w));
      return c ? { ...w, class: c.class, ...(c.role ? { role: c.role } : {}), evidence: c.evidence } : w;
    }),
    edges: inv.edges.map(({ buckets: _buckets, ...edge }) => edge),
    findings: allFindings(report),
    decode: inv.decode,
  };
}

/** `ns/name (Kind)`, `entity:host`, `203.0.113.7 (api.example.com)`, `cidr:10.0.0.0/8`. */
export function formatPeer(p: Peer): string {
  if ('namespace' in p) return `${p.namespace}/${p.name} (${p.kind})`;
  if ('entity' in p) return `entity:${p.entity}`;
  if ('ip' in p) return p.names.length > 0 ? `${p.ip} (${p.names.join(', ')})` : p.ip;
  return `cidr:${p.cidr}`;
}

function formatPort(e: Edge): string {
  if (e.protocol === 'ICMPv4' || e.protocol === 'ICMPv6') return `${e.protocol} type ${e.port}`;
  return `${e.port}/${e.protocol}`;
}

function formatL7(e: Edge): string {
  const parts: string[] = [];
  if (e.l7?.dns) parts.push(`dns: ${e.l7.dns.join(', ')}`);
  if (e.l7?.http) parts.push(`http: ${e.l7.http.join(', ')}`);
  if (e.l7?.truncated) parts.push('…');
  return parts.join('; ');
}

const isWorkload = (p: Peer): p is Extract<Peer, { namespace: string }> => 'namespace' in p;
const workloadKey = (w: { namespace: string; name: string }): string => `${w.namespace}/${w.name}`;

interface WorkloadView {
  readonly workload: InventoryWorkload;
  readonly egress: Edge[];
  readonly ingress: Edge[];
}

/** Groups edges by workload (egress from it, ingress to it), namespaces in order. */
function byNamespace(inv: Inventory): Map<string, WorkloadView[]> {
  const views = new Map<string, WorkloadView>();
  for (const w of inv.workloads) views.set(workloadKey(w), { workload: w, egress: [], ingress: [] });
  for (const e of inv.edges) {
    if (isWorkload(e.source)) views.get(workloadKey(e.source))?.egress.push(e);
    if (isWorkload(e.destination)) views.get(workloadKey(e.destination))?.ingress.push(e);
  }
  const out = new Map<string, WorkloadView[]>();
  for (const v of views.values()) {
    const list = out.get(v.workload.namespace) ?? [];
    list.push(v);
    out.set(v.workload.namespace, list);
  }
  return out;
}

const num = (n: number) => n.toLocaleString('en-US');

function headline(inv: Inventory): string {
  const flows = inv.edges.reduce((s, e) => s + e.flows, 0);
  const w = inv.window;
  const window = w.since && w.until ? `${w.since} … ${w.until}` : 'no flows in the window';
  return `Inventory ${window}: ${num(inv.workloads.length)} workloads, ${num(inv.edges.length)} edges, ${num(flows)} flows (from ${num(inv.decode.flows)} decoded)`;
}

function edgeLine(arrow: string, peer: Peer, e: Edge): string {
  const l7 = formatL7(e);
  const drops = e.dropReasons ? ` [${e.dropReasons.join(', ')}]` : '';
  return `      ${arrow} ${formatPeer(peer)}  ${formatPort(e)}  ${e.verdict}${drops}  ${num(e.flows)} flows  ${e.firstSeen} … ${e.lastSeen}${l7 ? `  (${l7})` : ''}`;
}

function classText(c: WorkloadClassification | undefined): string {
  if (c === undefined) return '';
  return c.role ? `${c.class}: ${c.role}` : c.class;
}

export function renderInventoryText(report: InventoryReport): string {
  const inv = report.inventory;
  const classes = classificationIndex(report);
  const teams = report.understanding?.teams ?? {};
  const lines: string[] = [headline(inv), ''];
  for (const [ns, views] of byNamespace(inv)) {
    lines.push(`namespace ${ns}${teams[ns] ? `  (team ${teams[ns]})` : ''}`);
    for (const v of views) {
      const w = v.workload;
      const seen = w.firstSeen ? `seen ${w.firstSeen} … ${w.lastSeen}` : 'never seen in flows';
      const cls = classText(classes.get(workloadKey(w)));
      lines.push(`  ${w.kind} ${w.name}  [${cls ? `${cls}; ` : ''}${seen}]`);
      lines.push(`    egress:${v.egress.length === 0 ? ' none' : ''}`);
      for (const e of v.egress) lines.push(edgeLine('→', e.destination, e));
      lines.push(`    ingress:${v.ingress.length === 0 ? ' none' : ''}`);
      for (const e of v.ingress) lines.push(edgeLine('←', e.source, e));
    }
    lines.push('');
  }
  const other = inv.edges.filter((e) => !isWorkload(e.source) && !isWorkload(e.destination));
  if (other.length > 0) {
    lines.push('between entities and external addresses');
    for (const e of other) lines.push(`  ${formatPeer(e.source)} → ${formatPeer(e.destination)}  ${formatPort(e)}  ${e.verdict}  ${num(e.flows)} flows`);
    lines.push('');
  }
  lines.push(...findingLines(allFindings(report)), ...decodeLines(inv));
  return `${lines.join('\n')}\n`;
}

function findingLines(findings: readonly Finding[]): string[] {
  if (findings.length === 0) return [];
  return ['findings', ...findings.map((f) => `  ${f.severity.padEnd(7)} ${f.code}  ${formatSubject(f)}: ${f.message}`), ''];
}

export function formatSubject(f: Finding): string {
  const s = f.subject;
  if ('kind' in s) return `${s.namespace}/${s.name} (${s.kind})`;
  if ('namespace' in s) return `namespace ${s.namespace}`;
  return s.other;
}

function decodeLines(inv: Inventory): string[] {
  const d = inv.decode;
  const notEdges = Object.entries(d.notEdges).map(([k, v]) => `${k} ${num(v)}`).join(', ');
  return [
    `decoded ${num(d.linesRead)} lines: ${num(d.flows)} flows, ${num(d.skipped)} skipped, ${num(d.ignored)} other events, ${num(d.lostEvents)} lost events`,
    ...(notEdges ? [`not edges: ${notEdges}`] : []),
  ];
}

const mdEscape = (s: string) => s.replace(/\|/g, '\\|');

export function renderInventoryMarkdown(report: InventoryReport): string {
  const inv = report.inventory;
  const classes = classificationIndex(report);
  const teams = report.understanding?.teams ?? {};
  const findings = allFindings(report);
  const out: string[] = [`# Flow inventory`, '', headline(inv), ''];
  for (const [ns, views] of byNamespace(inv)) {
    out.push(`## Namespace \`${ns}\``, '');
    if (teams[ns]) out.push(`Team: ${teams[ns]}.`, '');
    for (const v of views) {
      const w = v.workload;
      const cls = classText(classes.get(workloadKey(w)));
      out.push(`### ${w.kind} \`${w.name}\`${cls ? ` — ${cls}` : ''}`, '');
      out.push(w.firstSeen ? `Seen ${w.firstSeen} … ${w.lastSeen}.` : 'Never seen in flows.', '');
      for (const [title, edges, peerOf] of [
        ['Egress', v.egress, (e: Edge) => e.destination],
        ['Ingress', v.ingress, (e: Edge) => e.source],
      ] as const) {
        if (edges.length === 0) continue;
        out.push(`${title}:`, '', '| peer | port | verdict | flows | first seen | last seen | L7 |', '|---|---|---|---|---|---|---|');
        for (const e of edges) {
          out.push(`| ${mdEscape(formatPeer(peerOf(e)))} | ${formatPort(e)} | ${e.verdict} | ${num(e.flows)} | ${e.firstSeen} | ${e.lastSeen} | ${mdEscape(formatL7(e))} |`);
        }
        out.push('');
      }
    }
  }
  if (findings.length > 0) {
    out.push('## Findings', '', '| severity | code | subject | message |', '|---|---|---|---|');
    for (const f of findings) out.push(`| ${f.severity} | ${f.code} | ${mdEscape(formatSubject(f))} | ${mdEscape(f.message)} |`);
    out.push('');
  }
  out.push(...decodeLines(inv).map((l) => `_${l}_`), '');
  return `${out.join('\n')}`;
}
