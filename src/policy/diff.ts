/**
 * @module policy/diff — the semantic connectivity change between two policy sets: over a universe of
 * endpoints (the cluster's workloads, entities, and the addresses flows and policies name), every
 * (source, destination, protocol, port) is decided by both sets with the same evaluator, and the
 * connections whose `allowed` changes are reported — what becomes allowed, what becomes denied —
 * grouped by endpoint pair with ports merged into ranges, with the direction and the rules responsible
 * on each side. Pure.
 *
 * Exact over ports, not sampled: the port axis of each pair is cut into the intervals on which both
 * sets' verdicts are constant (`Evaluator.portSegments`; without it, at every port either set or the
 * cluster's policies name, and the destination's named ports), and each interval is decided once.
 *
 * The cluster's own policies (`existing`) are on both sides, except those that either set names
 * (same kind, namespace and name): the sets say what those are, so a policy the new set deletes is
 * gone from the new side even when the cluster still has it.
 */
import type { Edge, Peer } from '../inventory/index.js';
import {
  CONNECTION_PROTOCOLS,
  type CompileEvaluator,
  type Connection,
  type ConnectionProtocol,
  type Decision,
  type Endpoint,
  type EvaluateOptions,
  type Evaluator,
  type PortSegments,
  type RuleRef,
  type Verdict,
} from './evaluate/index.js';
import type { LoadedPolicy, NetworkPolicyPort, Policy, PortProtocol, Rule } from './model/index.js';

/** An endpoint of the universe: an inventory peer, or a DNS name a `toFQDNs` rule names (an address outside the cluster). */
export type DiffPeer = Peer | { readonly fqdn: string };

export interface DiffEndpoint {
  readonly peer: DiffPeer;
  readonly endpoint: Endpoint;
}

/** An observed edge with its peers as endpoints (re-evaluated against both sets with `--flows`). */
export interface ObservedEdge {
  readonly edge: Omit<Edge, 'buckets'>;
  readonly source: Endpoint;
  readonly destination: Endpoint;
}

/** What the two sets are compared over. */
export interface DiffUniverse {
  /** Each is taken as source and as destination. */
  readonly endpoints: readonly DiffEndpoint[];
  /** Observed edges to re-evaluate; undefined when no flows were given. */
  readonly observed?: readonly ObservedEdge[];
  /** The cluster's policies, on both sides (minus those either set names). @default none */
  readonly existing?: readonly LoadedPolicy[];
  /** @default the evaluator's defaults */
  readonly options?: EvaluateOptions;
  /** Only pairs (and observed edges) with a workload of these namespaces at either end; empty: all. @default [] */
  readonly namespaces?: readonly string[];
}

/** One side of the diff: where the policies came from (for the report) and the policies. */
export interface PolicySet {
  /** E.g. `policies/`, `git:HEAD~1:policies`. */
  readonly source: string;
  readonly policies: readonly LoadedPolicy[];
}

export interface DiffOptions {
  /**
   * Evaluate only pairs a changed policy can affect (see {@link diffPolicySets}). Turning it off
   * evaluates every pair; tests use that to show pruning loses nothing. @default true
   */
  readonly prune?: boolean;
}

/** A direction's verdict, without the L7 detail (the diff is about `allowed`). */
export interface DiffDirectionVerdict {
  readonly decision: Decision;
  readonly by: readonly RuleRef[];
}

/** A direction whose verdict flipped between passing (allowed, not isolated) and denied. */
export interface DirectionChange {
  readonly direction: 'egress' | 'ingress';
  readonly old: DiffDirectionVerdict;
  readonly new: DiffDirectionVerdict;
}

/** A closed range of destination ports (TCP/UDP/SCTP, 1–65535) or ICMP types (ICMPv4/ICMPv6, 0–255). */
export interface PortRange {
  readonly protocol: ConnectionProtocol;
  readonly from: number;
  readonly to: number;
}

export type Becomes = 'allowed' | 'denied';

/** The connections of one endpoint pair that change the same way for the same reasons. */
export interface PairChange {
  readonly source: DiffPeer;
  readonly destination: DiffPeer;
  readonly becomes: Becomes;
  /** Sorted by protocol (TCP, UDP, SCTP, ICMPv4, ICMPv6) and port; adjacent ports merged. */
  readonly ports: readonly PortRange[];
  readonly directions: readonly DirectionChange[];
}

/** An observed edge whose verdict changes. */
export interface ObservedChange {
  readonly edge: Omit<Edge, 'buckets'>;
  readonly becomes: Becomes;
  readonly directions: readonly DirectionChange[];
}

export interface PolicyChange {
  readonly kind: Policy['kind'];
  readonly namespace?: string;
  readonly name: string;
  readonly change: 'added' | 'removed' | 'modified';
}

export interface PolicyDiff {
  readonly old: { readonly source: string; readonly policies: number };
  readonly new: { readonly source: string; readonly policies: number };
  /** Cluster policies on both sides, and those left out because a set names them. */
  readonly existing: { readonly kept: number; readonly replaced: number };
  /** Policies that differ between the sets, sorted by kind, namespace, name. */
  readonly policies: readonly PolicyChange[];
  /** `namespaces` of the universe; empty: all. */
  readonly namespaces: readonly string[];
  readonly universe: {
    readonly endpoints: number;
    /** Endpoints a changed policy selects (in either version): only pairs with one at an end can change. */
    readonly touched: number;
    readonly pairs: number;
    readonly pairsEvaluated: number;
    /** Verdicts computed, both sets together. */
    readonly evaluations: number;
  };
  /** Sorted by source, destination, becomes (allowed first), first port. */
  readonly changes: readonly PairChange[];
  /** Sorted by flows (most first); undefined when no flows were given. */
  readonly observed: readonly ObservedChange[] | undefined;
  readonly totals: {
    /** Endpoint pairs with something that becomes allowed / denied. */
    readonly becomesAllowed: number;
    readonly becomesDenied: number;
    readonly observedEdges: number;
    readonly observedFlows: number;
  };
}

/** Whether a diff has any change (what `--exit-code` tests). */
export const isEmptyDiff = (d: PolicyDiff): boolean => d.changes.length === 0 && (d.observed?.length ?? 0) === 0;

const L4: ReadonlySet<ConnectionProtocol> = new Set(['TCP', 'UDP', 'SCTP']);
const domainOf = (p: ConnectionProtocol): readonly [number, number] => (L4.has(p) ? [1, 65535] : [0, 255]);
const FULL_RANGES: readonly PortRange[] = CONNECTION_PROTOCOLS.map((protocol) => {
  const [from, to] = domainOf(protocol);
  return { protocol, from, to };
});

const policyKey = (p: Policy): string => `${p.kind}\u0000${p.metadata.namespace ?? ''}\u0000${p.metadata.name}`;

/** JSON with object keys sorted: two policies are the same when their canonical texts are. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Compares two policy sets over a universe of endpoints.
 *
 * **Pruning.** A pair's verdict is its source's egress verdict and its destination's ingress verdict;
 * each depends only on the rules that *select* that endpoint (their peers, ports, denies, default deny,
 * `fromRequires`) and on evaluator options both sides share. A policy present in both sets unchanged
 * is in both repositories. So when no changed policy — added, removed or modified, in its old or its
 * new version — selects the source or the destination, both sides select the same rules for both
 * ends and the pair's verdicts are equal for every port: the pair is skipped. Which endpoints a
 * changed policy selects is asked of the evaluator itself: the policy's subject selectors (with its
 * kind and namespace) compiled alone with an egress deny-all (a NetworkPolicy: an egress allow-all),
 * so selection follows the evaluator's own semantics (namespace pinning, host policies, enforcement
 * mode). The work is thus (touched endpoints × all endpoints), not all pairs, and a test compares it
 * with the unpruned diff.
 *
 * @param compile the evaluator (the fast one in production; its `portSegments` keeps the port axis short)
 */
export function diffPolicySets(oldSet: PolicySet, newSet: PolicySet, universe: DiffUniverse, compile: CompileEvaluator, options: DiffOptions = {}): PolicyDiff {
  const evaluateOptions = universe.options ?? {};
  const named = new Set([...oldSet.policies, ...newSet.policies].map((p) => policyKey(p.policy)));
  const existing = universe.existing ?? [];
  const kept = existing.filter((p) => !named.has(policyKey(p.policy)));
  const oldEval = compile([...kept, ...oldSet.policies], evaluateOptions);
  const newEval = compile([...kept, ...newSet.policies], evaluateOptions);

  const { changes: policyChanges, versions } = changedPolicies(oldSet.policies, newSet.policies);
  const endpoints = universe.endpoints;
  const touched = options.prune === false ? endpoints.map(() => true) : touchedEndpoints(versions, endpoints, compile, evaluateOptions);

  const scope = new Set(universe.namespaces ?? []);
  const inScope = (p: DiffPeer | Peer): boolean => scope.size === 0 || ('namespace' in p && scope.has(p.namespace));
  const fallback = fallbackSegments([...kept, ...oldSet.policies, ...newSet.policies]);
  const segmentsOf = (e: Evaluator, s: Endpoint, d: Endpoint): PortSegments => e.portSegments?.(s, d) ?? fallback(d);

  const changes: PairChange[] = [];
  let pairsEvaluated = 0;
  let evaluations = 0;
  for (let i = 0; i < endpoints.length; i++) {
    const src = endpoints[i]!;
    const srcInScope = inScope(src.peer);
    for (let j = 0; j < endpoints.length; j++) {
      if (!touched[i] && !touched[j]) continue;
      const dst = endpoints[j]!;
      if (!srcInScope && !inScope(dst.peer)) continue;
      // Two pods of one workload talk to each other; an entity or an address does not talk to itself.
      if (i === j && !('namespace' in src.peer)) continue;
      pairsEvaluated++;
      const segOld = segmentsOf(oldEval, src.endpoint, dst.endpoint);
      const segNew = segmentsOf(newEval, src.endpoint, dst.endpoint);
      if (segOld.constant && segNew.constant) {
        const c: Connection = { source: src.endpoint, destination: dst.endpoint, protocol: 'TCP', port: 1 };
        const vo = oldEval.evaluate(c);
        const vn = newEval.evaluate(c);
        evaluations += 2;
        if (vo.allowed !== vn.allowed) changes.push({ source: src.peer, destination: dst.peer, becomes: vn.allowed ? 'allowed' : 'denied', ports: FULL_RANGES, directions: directionChanges(vo, vn) });
        continue;
      }
      const found: { range: PortRange; becomes: Becomes; directions: DirectionChange[]; key: string }[] = [];
      for (const protocol of CONNECTION_PROTOCOLS) {
        const [lo, hi] = domainOf(protocol);
        const starts = mergeStarts(segOld.starts[protocol], segNew.starts[protocol], lo, hi);
        for (let k = 0; k < starts.length; k++) {
          const from = starts[k]!;
          const to = k + 1 < starts.length ? starts[k + 1]! - 1 : hi;
          const c: Connection = { source: src.endpoint, destination: dst.endpoint, protocol, port: from };
          const vo = oldEval.evaluate(c);
          const vn = newEval.evaluate(c);
          evaluations += 2;
          if (vo.allowed === vn.allowed) continue;
          const directions = directionChanges(vo, vn);
          const becomes: Becomes = vn.allowed ? 'allowed' : 'denied';
          const key = `${becomes}${JSON.stringify(directions)}`;
          const last = found[found.length - 1];
          if (last !== undefined && last.key === key && last.range.protocol === protocol && last.range.to + 1 === from) last.range = { protocol, from: last.range.from, to };
          else found.push({ range: { protocol, from, to }, becomes, directions, key });
        }
      }
      const groups = new Map<string, PairChange & { ports: PortRange[] }>();
      for (const f of found) {
        const g = groups.get(f.key);
        if (g === undefined) groups.set(f.key, { source: src.peer, destination: dst.peer, becomes: f.becomes, ports: [f.range], directions: f.directions });
        else g.ports.push(f.range);
      }
      changes.push(...groups.values());
    }
  }
  changes.sort(comparePairChanges);

  let observed: ObservedChange[] | undefined;
  if (universe.observed !== undefined) {
    observed = [];
    for (const o of universe.observed) {
      if (!EVALUABLE.has(o.edge.protocol) || (!inScope(o.edge.source) && !inScope(o.edge.destination))) continue;
      const c: Connection = { source: o.source, destination: o.destination, protocol: o.edge.protocol as ConnectionProtocol, port: o.edge.port };
      const vo = oldEval.evaluate(c);
      const vn = newEval.evaluate(c);
      evaluations += 2;
      if (vo.allowed !== vn.allowed) observed.push({ edge: o.edge, becomes: vn.allowed ? 'allowed' : 'denied', directions: directionChanges(vo, vn) });
    }
    observed.sort((a, b) => b.edge.flows - a.edge.flows || cmp(peerKey(a.edge.source), peerKey(b.edge.source)) || cmp(peerKey(a.edge.destination), peerKey(b.edge.destination)) || cmp(a.edge.protocol, b.edge.protocol) || a.edge.port - b.edge.port || cmp(a.edge.verdict, b.edge.verdict));
  }

  const pairsWith = (b: Becomes) => new Set(changes.filter((c) => c.becomes === b).map((c) => `${peerKey(c.source)}\u0000${peerKey(c.destination)}`)).size;
  return {
    old: { source: oldSet.source, policies: oldSet.policies.length },
    new: { source: newSet.source, policies: newSet.policies.length },
    existing: { kept: kept.length, replaced: existing.length - kept.length },
    policies: policyChanges,
    namespaces: [...scope].sort(),
    universe: { endpoints: endpoints.length, touched: touched.filter(Boolean).length, pairs: endpoints.length * endpoints.length, pairsEvaluated, evaluations },
    changes,
    observed,
    totals: {
      becomesAllowed: pairsWith('allowed'),
      becomesDenied: pairsWith('denied'),
      observedEdges: observed?.length ?? 0,
      observedFlows: (observed ?? []).reduce((n, o) => n + o.edge.flows, 0),
    },
  };
}

const EVALUABLE: ReadonlySet<string> = new Set(CONNECTION_PROTOCOLS);

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Workloads (by namespace, name), entities, addresses, CIDRs, DNS names. */
export function peerKey(p: DiffPeer): string {
  if ('namespace' in p) return `0 ${p.namespace} ${p.name}`;
  if ('entity' in p) return `1 ${p.entity}`;
  if ('ip' in p) return `2 ${p.ip}`;
  if ('cidr' in p) return `3 ${p.cidr}`;
  return `4 ${p.fqdn}`;
}

function comparePairChanges(a: PairChange, b: PairChange): number {
  const pa = a.ports[0]!;
  const pb = b.ports[0]!;
  return (
    cmp(peerKey(a.source), peerKey(b.source)) ||
    cmp(peerKey(a.destination), peerKey(b.destination)) ||
    cmp(a.becomes, b.becomes) ||
    CONNECTION_PROTOCOLS.indexOf(pa.protocol) - CONNECTION_PROTOCOLS.indexOf(pb.protocol) ||
    pa.from - pb.from
  );
}

const passes = (d: Decision): boolean => d === 'allowed' || d === 'not-isolated';

function directionChanges(vo: Verdict, vn: Verdict): DirectionChange[] {
  const out: DirectionChange[] = [];
  for (const direction of ['egress', 'ingress'] as const) {
    const o = vo[direction];
    const n = vn[direction];
    if (passes(o.decision) !== passes(n.decision)) out.push({ direction, old: { decision: o.decision, by: o.by }, new: { decision: n.decision, by: n.by } });
  }
  return out;
}

/** Interval starts within [lo, hi]: both lists' starts, clipped, with `lo` first. */
function mergeStarts(a: readonly number[], b: readonly number[], lo: number, hi: number): number[] {
  const set = new Set<number>([lo]);
  for (const x of a) if (x > lo && x <= hi) set.add(x);
  for (const x of b) if (x > lo && x <= hi) set.add(x);
  return [...set].sort((x, y) => x - y);
}

/** Policies that differ (by kind/namespace/name and canonical content), and their versions on both sides. */
function changedPolicies(oldPolicies: readonly LoadedPolicy[], newPolicies: readonly LoadedPolicy[]): { changes: PolicyChange[]; versions: LoadedPolicy[] } {
  const before = new Map(oldPolicies.map((p) => [policyKey(p.policy), p]));
  const after = new Map(newPolicies.map((p) => [policyKey(p.policy), p]));
  const changes: PolicyChange[] = [];
  const versions: LoadedPolicy[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const o = before.get(key);
    const n = after.get(key);
    const change = o === undefined ? 'added' : n === undefined ? 'removed' : canonical(o.policy) === canonical(n.policy) ? undefined : 'modified';
    if (change === undefined) continue;
    const p = (n ?? o)!.policy;
    changes.push({ kind: p.kind, ...(p.metadata.namespace !== undefined ? { namespace: p.metadata.namespace } : {}), name: p.metadata.name, change });
    if (o !== undefined) versions.push(o);
    if (n !== undefined) versions.push(n);
  }
  changes.sort((a, b) => cmp(a.kind, b.kind) || cmp(a.namespace ?? '', b.namespace ?? '') || cmp(a.name, b.name));
  return { changes, versions };
}

/** A peer no policy subject is: the target of the selection probes. */
const PROBE_PEER: Endpoint = { labels: ['reserved:world'], ip: '192.0.2.1' };

/**
 * Which endpoints some policy of `versions` selects, by the evaluator: each policy's subjects with an
 * egress deny-all (a NetworkPolicy: an egress allow-all, it has no deny) compiled alone.
 */
function touchedEndpoints(versions: readonly LoadedPolicy[], endpoints: readonly DiffEndpoint[], compile: CompileEvaluator, options: EvaluateOptions): boolean[] {
  const touched = endpoints.map(() => false);
  for (const version of versions) {
    const probe = selectionProbe(version.policy);
    const evaluator = compile([{ policy: probe }], options);
    for (let i = 0; i < endpoints.length; i++) {
      if (touched[i]) continue;
      const v = evaluator.evaluate({ source: endpoints[i]!.endpoint, destination: PROBE_PEER, protocol: 'TCP', port: 1 }).egress;
      touched[i] = probe.kind === 'NetworkPolicy' ? v.decision === 'allowed' && v.by.length > 0 : v.decision === 'denied-rule';
    }
  }
  return touched;
}

function selectionProbe(p: Policy): Policy {
  if (p.kind === 'NetworkPolicy') return { ...p, spec: { podSelector: p.spec.podSelector, policyTypes: ['Egress'], egress: [{}] } };
  const probe = (r: Rule): Rule => ({
    ...(r.endpointSelector !== undefined ? { endpointSelector: r.endpointSelector } : {}),
    ...(r.nodeSelector !== undefined ? { nodeSelector: r.nodeSelector } : {}),
    egressDeny: [{ toEntities: ['all'] }],
  });
  const { spec, specs, ...rest } = p;
  return { ...rest, ...(spec !== undefined ? { spec: probe(spec) } : {}), ...(specs !== undefined ? { specs: specs.map(probe) } : {}) } as Policy;
}

/** The rules of a CNP/CCNP (`spec` and `specs`); none for a NetworkPolicy. */
export function ciliumRules(p: Policy): readonly Rule[] {
  if (p.kind === 'NetworkPolicy') return [];
  return [...(p.spec ? [p.spec] : []), ...(p.specs ?? [])];
}

/**
 * Segments for an evaluator without `portSegments`: every port any of the policies names (both ends of
 * ranges), the destination's named ports, and — when any policy names an ICMP type — every ICMP type.
 */
function fallbackSegments(policies: readonly LoadedPolicy[]): (destination: Endpoint) => PortSegments {
  const l4 = new Set<number>([0]);
  let icmp = false;
  const addRange = (lo: number, hi: number) => {
    l4.add(lo);
    l4.add(hi + 1);
  };
  const addCilium = (pp: PortProtocol) => {
    const text = (pp.port ?? '').trim() || '0';
    if (!/^\d+$/.test(text)) return; // named: resolved per destination
    const n = Number(text);
    if (n === 0) return;
    addRange(n, pp.endPort !== undefined && pp.endPort > n ? pp.endPort : n);
  };
  const addNetworkPolicy = (pp: NetworkPolicyPort) => {
    if (typeof pp.port !== 'number' && !/^\d+$/.test(pp.port ?? '')) return;
    const n = Number(pp.port);
    addRange(n, pp.endPort !== undefined && pp.endPort > n ? pp.endPort : n);
  };
  for (const { policy } of policies) {
    if (policy.kind === 'NetworkPolicy') {
      for (const r of [...(policy.spec.ingress ?? []), ...(policy.spec.egress ?? [])]) for (const pp of r.ports ?? []) addNetworkPolicy(pp);
      continue;
    }
    for (const rule of ciliumRules(policy)) {
      for (const el of [...(rule.ingress ?? []), ...(rule.ingressDeny ?? []), ...(rule.egress ?? []), ...(rule.egressDeny ?? [])]) {
        for (const pr of el.toPorts ?? []) for (const pp of pr.ports ?? []) addCilium(pp);
        if ((el.icmps?.length ?? 0) > 0) icmp = true;
      }
    }
  }
  const l4Starts = [...l4].sort((a, b) => a - b);
  const icmpStarts = icmp ? Array.from({ length: 256 }, (_, i) => i) : [0];
  return (destination) => {
    const starts = new Set(l4Starts);
    for (const np of Object.values(destination.namedPorts ?? {})) {
      starts.add(np.port);
      starts.add(np.port + 1);
    }
    const l4Sorted = [...starts].sort((a, b) => a - b);
    return { constant: false, starts: { TCP: l4Sorted, UDP: l4Sorted, SCTP: l4Sorted, ICMPv4: icmpStarts, ICMPv6: icmpStarts } };
  };
}
