/**
 * @module gitops/evidence — the evidence file of a folder (PRODUCT.md §5): the observed window, and per rule id
 * the peers, ports, edge and flow counts, first and last seen; what was already allowed, what will not be
 * allowed, what was dropped, and the workloads that got no policy. Never referenced by a kustomization, so
 * that a policy file changes only when its rules do. Pure.
 */
import type { Peer } from '../inventory/index.js';
import type { EdgeNote, GenerateResult, RuleEvidence, SkippedWorkload } from '../policy/generate/index.js';
import type { Unexpressed } from '../policy/generate/index.js';
import type { RuleRef } from '../policy/evaluate/index.js';
import type { Stage } from './state.js';
import { renderYaml } from './yaml.js';

const formatPeer = (p: Peer): string =>
  'namespace' in p ? `${p.namespace}/${p.kind}/${p.name}` : 'entity' in p ? `entity:${p.entity}` : 'ip' in p ? (p.names.length > 0 ? `${p.ip} (${p.names.join(', ')})` : p.ip) : p.cidr;
const formatRef = (r: RuleRef): string => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}${r.spec > 0 ? ` specs[${r.spec}]` : ''} ${r.section}[${r.index}]`;

function noteDoc(n: EdgeNote): Record<string, unknown> {
  const e = n.edge;
  const port = e.protocol === 'ICMPv4' || e.protocol === 'ICMPv6' ? `${e.protocol} type ${e.port}` : `${e.port}/${e.protocol}`;
  return {
    edge: `${formatPeer(e.source)} → ${formatPeer(e.destination)} ${port}`,
    ...(n.direction !== undefined ? { direction: n.direction } : {}),
    verdict: e.verdict,
    flows: e.flows,
    lastSeen: e.lastSeen,
    reason: n.reason,
    ...(n.by !== undefined && n.by.length > 0 ? { by: n.by.map(formatRef) } : {}),
  };
}

function ruleDoc(r: RuleEvidence): Record<string, unknown> {
  return {
    policy: `${r.policy.kind} ${r.policy.namespace ? `${r.policy.namespace}/` : ''}${r.policy.name}`,
    ...(r.spec > 0 ? { spec: r.spec } : {}),
    section: r.section,
    index: r.index,
    ...(r.namespaces !== undefined ? { namespaces: r.namespaces } : {}),
    peers: r.peers,
    ports: r.ports,
    edges: r.edges,
    flows: r.flows,
    ...(r.firstSeen !== undefined ? { firstSeen: r.firstSeen } : {}),
    ...(r.lastSeen !== undefined ? { lastSeen: r.lastSeen } : {}),
    ...(r.notes !== undefined ? { notes: r.notes } : {}),
  };
}

/** Which namespace folder an edge note belongs to: the end whose policy it is about (both ends for a drop). */
export function noteNamespaces(n: EdgeNote, rollout: ReadonlySet<string>): string[] {
  const ns = (p: Peer) => ('namespace' in p && rollout.has(p.namespace) ? [p.namespace] : []);
  if (n.direction === 'egress') return ns(n.edge.source);
  if (n.direction === 'ingress') return ns(n.edge.destination);
  return [...new Set([...ns(n.edge.source), ...ns(n.edge.destination)])];
}

export interface EvidenceInput {
  /** Omitted for the platform folder. */
  readonly namespace?: string;
  readonly stage?: Stage;
  readonly window: GenerateResult['evidence']['window'];
  readonly rules: readonly RuleEvidence[];
  readonly covered?: readonly EdgeNote[];
  readonly notAllowed?: readonly EdgeNote[];
  readonly dropped?: readonly EdgeNote[];
  readonly skipped?: readonly SkippedWorkload[];
  readonly unexpressed?: readonly Unexpressed[];
}

/** The evidence file's YAML. */
export function renderEvidence(input: EvidenceInput): string {
  const rules: Record<string, unknown> = {};
  for (const r of input.rules) rules[r.id] = ruleDoc(r);
  const list = <T>(key: string, xs: readonly T[] | undefined, f: (x: T) => unknown) => (xs !== undefined && xs.length > 0 ? { [key]: xs.map(f) } : {});
  const doc = {
    apiVersion: 'tighten/v1alpha1',
    kind: 'Evidence',
    ...(input.namespace !== undefined ? { namespace: input.namespace } : { scope: 'platform baseline' }),
    ...(input.stage !== undefined ? { stage: input.stage } : {}),
    window: { ...(input.window.since ? { since: input.window.since } : {}), ...(input.window.until ? { until: input.window.until } : {}) },
    rules,
    ...list('covered', input.covered, noteDoc),
    ...list('notAllowed', input.notAllowed, noteDoc),
    ...list('dropped', input.dropped, noteDoc),
    ...list('skipped', input.skipped, (s) => ({ workload: `${s.workload.namespace}/${s.workload.kind}/${s.workload.name}`, code: s.code, reason: s.reason })),
    ...list('notExpressed', input.unexpressed, (u) => ({ policy: u.policy, from: u.from, what: u.what })),
  };
  return `# Evidence written by tighten (not applied: no kustomization references it). Rule ids are hashes of the rules' content.\n${renderYaml(doc)}`;
}
