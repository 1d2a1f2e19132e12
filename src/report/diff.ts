/**
 * @module report/diff — renders a PolicyDiff: what becomes allowed and what becomes denied between two
 * policy sets, per endpoint pair with port ranges and the rules responsible, and the observed traffic
 * affected. Text, JSON (`schema/diff.json`) and markdown for a pull-request comment. Pure. Exit 1 when
 * the diff is not empty (the command applies it only with `--exit-code`).
 *
 * A diff can list a million pairs (a first deny-all over a large cluster), more than one JavaScript
 * string holds: {@link renderDiffChunks} yields the output piece by piece, and the JSON puts one change
 * per line.
 */
import { CONNECTION_PROTOCOLS } from '../policy/evaluate/index.js';
import { isEmptyDiff, type DiffDirectionVerdict, type DiffPeer, type DirectionChange, type ObservedChange, type PairChange, type PolicyChange, type PolicyDiff, type PortRange } from '../policy/diff.js';
import { EXIT } from '../shared/errors.js';
import { API_VERSION, formatPeer, type Rendered } from './inventory.js';
import { formatRule } from './trace.js';

export const DIFF_FORMATS = ['text', 'json', 'markdown'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

/** Rows per markdown table; the rest is counted (a pull-request comment has a size limit). */
export const MARKDOWN_ROWS = 100;

/** The whole output as one string (fine for all but the largest diffs: see {@link renderDiffChunks}). */
export function renderDiff(diff: PolicyDiff, format: DiffFormat): Rendered {
  return { output: [...renderDiffChunks(diff, format)].join(''), exitCode: diffExitCode(diff) };
}

/** 1 when the diff is not empty, else 0. */
export const diffExitCode = (diff: PolicyDiff) => (isEmptyDiff(diff) ? EXIT.ok : EXIT.findings);

/** The output in pieces of about a line each, in order; their concatenation is {@link renderDiff}'s output. */
export function renderDiffChunks(diff: PolicyDiff, format: DiffFormat): Iterable<string> {
  switch (format) {
    case 'json':
      return renderJson(diff);
    case 'markdown':
      return [renderMarkdown(diff)];
    case 'text':
      return renderText(diff);
  }
}

/** The JSON document: the envelope indented, each change and each observed edge on one line. */
function* renderJson(d: PolicyDiff): Iterable<string> {
  const head = {
    apiVersion: API_VERSION,
    kind: 'PolicyDiff',
    old: d.old,
    new: d.new,
    existing: d.existing,
    namespaces: d.namespaces,
    policies: d.policies,
    universe: d.universe,
    totals: d.totals,
  };
  const text = JSON.stringify(head, null, 2);
  yield `${text.slice(0, -2)},\n  "changes": [`;
  yield* jsonLines(d.changes, (c) => c);
  if (d.observed !== undefined) {
    yield ',\n  "observed": [';
    yield* jsonLines(d.observed, (o) => ({ ...o.edge, becomes: o.becomes, directions: o.directions }));
  }
  yield '\n}\n';
}

function* jsonLines<T>(items: readonly T[], shape: (item: T) => unknown): Iterable<string> {
  for (let i = 0; i < items.length; i++) yield `${i === 0 ? '' : ','}\n    ${JSON.stringify(shape(items[i]!))}`;
  yield items.length === 0 ? ']' : '\n  ]';
}

const num = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`) => `${num(n)} ${n === 1 ? one : many}`;

export function formatDiffPeer(p: DiffPeer): string {
  return 'fqdn' in p ? `fqdn:${p.fqdn}` : formatPeer(p);
}

const isIcmp = (p: string) => p === 'ICMPv4' || p === 'ICMPv6';
const fullRange = (r: PortRange) => (isIcmp(r.protocol) ? r.from === 0 && r.to === 255 : r.from === 1 && r.to === 65535);

/** `9000/TCP, 8000-8100/TCP, all UDP, ICMPv4 type 8`; `all ports and protocols` when every protocol is whole. */
export function formatPorts(ranges: readonly PortRange[]): string {
  if (CONNECTION_PROTOCOLS.every((p) => ranges.some((r) => r.protocol === p && fullRange(r)))) return 'all ports and protocols';
  return ranges
    .map((r) => {
      if (fullRange(r)) return `all ${r.protocol}`;
      const span = r.from === r.to ? String(r.from) : `${r.from}-${r.to}`;
      return isIcmp(r.protocol) ? `${r.protocol} type ${span}` : `${span}/${r.protocol}`;
    })
    .join(', ');
}

function verdictText(v: DiffDirectionVerdict): string {
  switch (v.decision) {
    case 'allowed':
      return v.by.length > 0 ? `allowed by ${v.by.map(formatRule).join('; ')}` : 'allowed (host to its own pods)';
    case 'denied-rule':
      return `denied by ${v.by.map(formatRule).join('; ')}`;
    case 'denied-default':
      return 'default deny';
    case 'not-isolated':
      return 'not isolated';
  }
}

/** `ingress: default deny → allowed by CiliumNetworkPolicy shop/api ingress[1]` */
export function formatDirectionChange(c: DirectionChange): string {
  return `${c.direction}: ${verdictText(c.old)} → ${verdictText(c.new)}`;
}

const CHANGE_MARK: Record<PolicyChange['change'], string> = { added: '+', removed: '-', modified: '~' };
const policyName = (p: PolicyChange) => `${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}`;

function headline(d: PolicyDiff): string {
  const existing = d.existing.kept + d.existing.replaced > 0 ? `; ${plural(d.existing.kept, 'cluster policy', 'cluster policies')} on both sides${d.existing.replaced > 0 ? ` (${num(d.existing.replaced)} more replaced by the sets)` : ''}` : '';
  const scope = d.namespaces.length > 0 ? `; namespaces ${d.namespaces.join(', ')}` : '';
  return `diff: ${d.old.source} (${plural(d.old.policies, 'policy', 'policies')}) → ${d.new.source} (${plural(d.new.policies, 'policy', 'policies')})${existing}${scope}`;
}

function summaryLine(d: PolicyDiff): string {
  if (isEmptyDiff(d)) return 'no connectivity change';
  const verb = (n: number, one: string, many: string) => `${num(n)} ${n === 1 ? one : many}`;
  const parts = [verb(d.totals.becomesAllowed, 'pair gains access', 'pairs gain access'), verb(d.totals.becomesDenied, 'pair loses access', 'pairs lose access')];
  if (d.observed !== undefined) parts.push(`observed traffic affected: ${plural(d.totals.observedEdges, 'edge')}, ${plural(d.totals.observedFlows, 'flow')}`);
  return parts.join('; ');
}

function workText(d: PolicyDiff): string {
  const u = d.universe;
  return `evaluated ${num(u.pairsEvaluated)} of ${num(u.pairs)} endpoint pairs (${num(u.touched)} of ${num(u.endpoints)} endpoints selected by a changed policy), ${num(u.evaluations)} verdicts`;
}

function observedPort(o: ObservedChange): string {
  return isIcmp(o.edge.protocol) ? `${o.edge.protocol} type ${o.edge.port}` : `${o.edge.port}/${o.edge.protocol}`;
}

function* renderText(d: PolicyDiff): Iterable<string> {
  const out: string[] = [headline(d)];
  if (d.policies.length > 0) {
    out.push(`policies changed: ${d.policies.length}`);
    for (const p of d.policies) out.push(`  ${CHANGE_MARK[p.change]} ${policyName(p)}`);
  } else out.push('policies changed: none');
  out.push('');
  for (const becomes of ['allowed', 'denied'] as const) {
    const list = d.changes.filter((c) => c.becomes === becomes);
    if (list.length === 0) continue;
    out.push(`becomes ${becomes} (${plural(becomes === 'allowed' ? d.totals.becomesAllowed : d.totals.becomesDenied, 'pair')}):`);
    for (const c of list) {
      out.push(`  ${formatDiffPeer(c.source)} → ${formatDiffPeer(c.destination)}  ${formatPorts(c.ports)}`);
      for (const x of c.directions) out.push(`    ${formatDirectionChange(x)}`);
      if (out.length >= 1000) yield `${out.splice(0).join('\n')}\n`;
    }
    out.push('');
  }
  if (d.observed !== undefined && d.observed.length > 0) {
    out.push(`observed traffic affected (${plural(d.totals.observedEdges, 'edge')}, ${plural(d.totals.observedFlows, 'flow')}):`);
    for (const o of d.observed) {
      out.push(`  ${formatPeer(o.edge.source)} → ${formatPeer(o.edge.destination)}  ${observedPort(o)}  ${o.edge.verdict}  ${plural(o.edge.flows, 'flow')}, last seen ${o.edge.lastSeen}: becomes ${o.becomes}`);
      for (const x of o.directions) out.push(`    ${formatDirectionChange(x)}`);
      if (out.length >= 1000) yield `${out.splice(0).join('\n')}\n`;
    }
    out.push('');
  }
  out.push(summaryLine(d), workText(d));
  yield `${out.join('\n')}\n`;
}

/** A table cell: pipes escaped, newlines flattened. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

function pairTable(list: readonly PairChange[]): string[] {
  const rows = list.slice(0, MARKDOWN_ROWS).map(
    (c) => `| ${cell(code(formatDiffPeer(c.source)))} | ${cell(code(formatDiffPeer(c.destination)))} | ${cell(formatPorts(c.ports))} | ${cell(c.directions.map(formatDirectionChange).join('; '))} |`,
  );
  const more = list.length > MARKDOWN_ROWS ? [``, `… and ${num(list.length - MARKDOWN_ROWS)} more rows (see \`tighten diff -o text\`).`] : [];
  return ['| source | destination | ports | why |', '|---|---|---|---|', ...rows, ...more, ''];
}

function renderMarkdown(d: PolicyDiff): string {
  const out: string[] = ['## tighten diff', '', `${code(d.old.source)} → ${code(d.new.source)}: **${summaryLine(d)}**.`, ''];
  if (d.policies.length > 0) {
    out.push(`<details><summary>${plural(d.policies.length, 'policy', 'policies')} changed</summary>`, '');
    for (const p of d.policies) out.push(`- ${p.change} ${code(policyName(p))}`);
    out.push('', '</details>', '');
  }
  for (const becomes of ['allowed', 'denied'] as const) {
    const list = d.changes.filter((c) => c.becomes === becomes);
    if (list.length === 0) continue;
    out.push(`### Becomes ${becomes} (${plural(becomes === 'allowed' ? d.totals.becomesAllowed : d.totals.becomesDenied, 'pair')})`, '', ...pairTable(list));
  }
  if (d.observed !== undefined) {
    out.push('### Observed traffic affected', '');
    if (d.observed.length === 0) out.push('None of the observed traffic changes verdict.', '');
    else {
      out.push('| source | destination | port | observed | flows | becomes | why |', '|---|---|---|---|---:|---|---|');
      for (const o of d.observed.slice(0, MARKDOWN_ROWS)) {
        out.push(
          `| ${cell(code(formatPeer(o.edge.source)))} | ${cell(code(formatPeer(o.edge.destination)))} | ${observedPort(o)} | ${o.edge.verdict} | ${num(o.edge.flows)} | ${o.becomes} | ${cell(o.directions.map(formatDirectionChange).join('; '))} |`,
        );
      }
      if (d.observed.length > MARKDOWN_ROWS) out.push('', `… and ${num(d.observed.length - MARKDOWN_ROWS)} more edges (see \`tighten diff -o text\`).`);
      out.push('');
    }
  }
  out.push(`<sub>${headline(d).replace(/^diff: /, '')}. ${workText(d)}.</sub>`, '');
  return out.join('\n');
}
