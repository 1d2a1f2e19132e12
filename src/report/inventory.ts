/**
 * @module report/inventory — renders an Inventory as text, JSON (the versioned envelope of
 * `schema/inventory.json`) or markdown. Pure: (inventory) → { output, exitCode }.
 */
import { EXIT, type ExitCode } from '../shared/errors.js';
import type { Edge, Finding, Inventory, InventoryWorkload, Peer } from '../inventory/model.js';

export const API_VERSION = 'tighten/v1alpha1';

export const INVENTORY_FORMATS = ['text', 'json', 'markdown'] as const;
export type InventoryFormat = (typeof INVENTORY_FORMATS)[number];

export interface Rendered {
  readonly output: string;
  readonly exitCode: ExitCode;
}

export function renderInventory(inventory: Inventory, format: InventoryFormat): Rendered {
  switch (format) {
    case 'json':
      return { output: `${JSON.stringify(toInventoryDocument(inventory), null, 2)}\n`, exitCode: EXIT.ok };
    case 'markdown':
      return { output: renderInventoryMarkdown(inventory), exitCode: EXIT.ok };
    case 'text':
      return { output: renderInventoryText(inventory), exitCode: EXIT.ok };
  }
}

/** The JSON document: a versioned envelope; hourly buckets are left out (the store keeps them). */
export function toInventoryDocument(inv: Inventory): Record<string, unknown> {
  return {
    apiVersion: API_VERSION,
    kind: 'Inventory',
    window: inv.window,
    workloads: inv.workloads,
    edges: inv.edges.map(({ buckets: _buckets, ...edge }) => edge),
    findings: inv.findings,
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
const workloadKey = (w: { namespace: string; name: string }) => `${w.namespace}/${w.name}`;

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

export function renderInventoryText(inv: Inventory): string {
  const lines: string[] = [headline(inv), ''];
  for (const [ns, views] of byNamespace(inv)) {
    lines.push(`namespace ${ns}`);
    for (const v of views) {
      const w = v.workload;
      const seen = w.firstSeen ? `seen ${w.firstSeen} … ${w.lastSeen}` : 'never seen in flows';
      lines.push(`  ${w.kind} ${w.name}  (${seen})`);
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
  lines.push(...findingLines(inv.findings), ...decodeLines(inv));
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

export function renderInventoryMarkdown(inv: Inventory): string {
  const out: string[] = [`# Flow inventory`, '', headline(inv), ''];
  for (const [ns, views] of byNamespace(inv)) {
    out.push(`## Namespace \`${ns}\``, '');
    for (const v of views) {
      const w = v.workload;
      out.push(`### ${w.kind} \`${w.name}\``, '');
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
  if (inv.findings.length > 0) {
    out.push('## Findings', '', '| severity | code | subject | message |', '|---|---|---|---|');
    for (const f of inv.findings) out.push(`| ${f.severity} | ${f.code} | ${mdEscape(formatSubject(f))} | ${mdEscape(f.message)} |`);
    out.push('');
  }
  out.push(...decodeLines(inv).map((l) => `_${l}_`), '');
  return `${out.join('\n')}`;
}
