/**
 * @module report/trace — renders one traced connection: each direction's verdict, the rules that
 * decided it, and the near misses. Pure. Exit 1 when the connection would be dropped.
 */
import type { ConnectionProtocol, DirectionVerdict, Endpoint, RuleRef, Verdict } from '../policy/evaluate/index.js';
import type { NearMiss } from '../policy/explain.js';
import { EXIT } from '../shared/errors.js';
import { API_VERSION, type Rendered } from './inventory.js';

export const TRACE_FORMATS = ['text', 'json'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export interface TraceEndpoint {
  /** What the user wrote. */
  readonly spec: string;
  readonly description: string;
  readonly endpoint: Endpoint;
  /** The pod labels before Cilium's identity label filter, when known. */
  readonly rawLabels?: Readonly<Record<string, string>>;
}

export interface TraceReport {
  readonly from: TraceEndpoint;
  readonly to: TraceEndpoint;
  readonly port: number;
  readonly protocol: ConnectionProtocol;
  readonly verdict: Verdict;
  readonly nearMisses: { readonly egress: readonly NearMiss[]; readonly ingress: readonly NearMiss[] };
  readonly policies: number;
}

export function renderTrace(report: TraceReport, format: TraceFormat): Rendered {
  const exitCode = report.verdict.allowed ? EXIT.ok : EXIT.findings;
  if (format === 'json') {
    const doc = {
      apiVersion: API_VERSION,
      kind: 'Trace',
      from: { spec: report.from.spec, description: report.from.description, ...report.from.endpoint },
      to: { spec: report.to.spec, description: report.to.description, ...report.to.endpoint },
      port: report.port,
      protocol: report.protocol,
      allowed: report.verdict.allowed,
      egress: { ...report.verdict.egress, nearMisses: report.nearMisses.egress },
      ingress: { ...report.verdict.ingress, nearMisses: report.nearMisses.ingress },
    };
    return { output: `${JSON.stringify(doc, null, 2)}\n`, exitCode };
  }
  return { output: renderTraceText(report), exitCode };
}

export function formatRule(r: RuleRef): string {
  const name = r.namespace ? `${r.namespace}/${r.name}` : r.name;
  const spec = r.kind === 'NetworkPolicy' ? '' : r.spec > 0 ? ` specs[${r.spec}]` : '';
  return `${r.kind} ${name}${spec} ${r.section}[${r.index}]`;
}

const portText = (r: TraceReport) => (r.protocol === 'ICMPv4' || r.protocol === 'ICMPv6' ? `${r.protocol} type ${r.port}` : `${r.port}/${r.protocol}`);

function decisionText(v: DirectionVerdict, side: string): string {
  switch (v.decision) {
    case 'allowed':
      return v.by.length > 0
        ? `ALLOWED by ${v.by.map(formatRule).join('; ')}${v.needsL7Check ? ' — at L4; its L7 rules then decide each request' : ''}`
        : 'ALLOWED (always: traffic from the local host to its own pods)';
    case 'denied-rule':
      return `DENIED by ${v.by.map(formatRule).join('; ')} (a deny rule: deny beats every allow)`;
    case 'denied-default':
      return `DENIED by default deny: policies select the ${side} in this direction and none of their rules allows this connection`;
    case 'not-isolated':
      return `not isolated: no policy enforces this direction for the ${side}, so it passes`;
  }
}

function identityText(e: TraceEndpoint): string[] {
  const lines = [`${e.description}`];
  const own = e.endpoint.labels.filter((l) => !l.startsWith('k8s:io.cilium.k8s.namespace.labels.'));
  lines.push(`identity: ${own.join(', ')}`);
  if (e.endpoint.ip) lines.push(`address: ${e.endpoint.ip}${e.endpoint.names && e.endpoint.names.length > 0 ? ` (${e.endpoint.names.join(', ')})` : ''}`);
  const kept = new Set(e.endpoint.labels.filter((l) => l.startsWith('k8s:')).map((l) => l.slice(4, l.indexOf('='))));
  const dropped = Object.keys(e.rawLabels ?? {}).filter((k) => !kept.has(k));
  if (dropped.length > 0) lines.push(`not in the identity (Cilium's label filter): ${dropped.join(', ')} — selectors on these keys match nothing`);
  return lines;
}

function renderTraceText(r: TraceReport): string {
  const out: string[] = [`trace ${r.from.spec} → ${r.to.spec} ${portText(r)} (${r.policies} policies)`, ''];
  const [fromFirst, ...fromRest] = identityText(r.from);
  const [toFirst, ...toRest] = identityText(r.to);
  out.push(`  from  ${fromFirst}`, ...fromRest.map((l) => `        ${l}`));
  out.push(`  to    ${toFirst}`, ...toRest.map((l) => `        ${l}`), '');
  const directions = [
    ['egress', `egress of the source`, r.verdict.egress, r.nearMisses.egress, 'source'],
    ['ingress', `ingress of the destination`, r.verdict.ingress, r.nearMisses.ingress, 'destination'],
  ] as const;
  for (const [, title, v, misses, side] of directions) {
    out.push(`  ${title}: ${decisionText(v, side)}`);
    for (const m of misses) out.push(`      near miss: ${formatRule(m.rule)} — ${m.reason}`);
  }
  out.push('');
  if (r.verdict.allowed) {
    out.push(`  verdict: ALLOWED${r.verdict.egress.needsL7Check || r.verdict.ingress.needsL7Check ? ' at L4 (L7 rules then decide each request)' : ''}`);
  } else {
    const where = r.verdict.egress.decision.startsWith('denied') ? "at the source's egress" : "at the destination's ingress";
    out.push(`  verdict: DROPPED ${where}`);
  }
  return `${out.join('\n')}\n`;
}
