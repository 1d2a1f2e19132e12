/**
 * @module policy/simulate — replays the inventory's edges against a policy set: what would be
 * dropped, by which rule or by default deny, and the rule that would allow it. Pure.
 *
 * Every distinct edge is evaluated once, whatever its flow count. An edge observed FORWARDED (or
 * AUDIT) that the set would not allow is a *would-drop*; an edge observed DROPPED — or forwarded by its
 * source and dropped by policy at its destination — is reported with its verdict but is not news. Coverage weighs edges by their flows: explicitly allowed (a policy enforces
 * a direction and allows it), merely not isolated (no policy enforces either direction), or dropped.
 */
import { stringify } from 'yaml';
import { bucketHours, type Edge, type Inventory, type InventoryWorkload, type Peer } from '../inventory/index.js';
import { isVolatileLabelKey } from '../shared/labels.js';
import type { CompileEvaluator, Connection, ConnectionProtocol, DirectionVerdict, Endpoint, EvaluateOptions, Verdict } from './evaluate/types.js';
import { peerEndpoint, type IdentityContext } from './endpoints.js';
import { isTightenBaseline } from './generate/baseline.js';
import type { EgressRule, IngressRule, LoadedPolicy, Policy, Rule } from './model/types.js';

export interface SimulationInput {
  readonly inventory: Inventory;
  /** The policies already in the cluster (from the dump), evaluated as they are. */
  readonly existing: readonly LoadedPolicy[];
  /** The candidate set. */
  readonly candidate: readonly LoadedPolicy[];
  readonly identities: IdentityContext;
  readonly options: EvaluateOptions;
  /** Evaluate the candidate's `enableDefaultDeny: false` as if it were enforcing (the audit stage's question). */
  readonly asEnforced: boolean;
  /** Selector label keys in order of preference (tighten.yaml `labels.priority`). */
  readonly labelPriority: readonly string[];
}

/** A rule that would allow a would-drop edge, as YAML ready to paste into the named policy. */
export interface Suggestion {
  readonly direction: 'ingress' | 'egress';
  /** The candidate policy that selects the workload in that direction, when there is one. */
  readonly policy?: { readonly kind: string; readonly namespace?: string; readonly name: string; readonly file?: string };
  /** Where the YAML goes, in words. */
  readonly where: string;
  /** One list element for `spec.ingress` / `spec.egress`; absent when no rule can be written yet (see `blocked`). */
  readonly yaml?: string;
  /** Why no rule can be written, e.g. the peer's pods carry no stable, identity-relevant label. */
  readonly blocked?: string;
}

export interface EdgeEvaluation {
  readonly edge: Omit<Edge, 'buckets'>;
  /** Not set when the protocol cannot be evaluated (VRRP, IGMP). */
  readonly verdict?: Verdict;
  readonly wouldDrop: boolean;
  readonly suggestions: readonly Suggestion[];
}

export interface SimulationTotals {
  readonly edges: number;
  readonly flows: number;
  readonly wouldDropEdges: number;
  readonly wouldDropFlows: number;
  /** Flows of edges a policy explicitly allows (every enforcing direction allows it, at least one enforces). */
  readonly allowedFlows: number;
  /** Flows of edges no policy enforces in either direction. */
  readonly notIsolatedFlows: number;
  /** Flows of edges observed dropped. */
  readonly observedDroppedFlows: number;
}

export interface SimulationReport {
  readonly window: Inventory['window'];
  readonly policies: { readonly existing: number; readonly candidate: number };
  readonly asEnforced: boolean;
  readonly evaluations: readonly EdgeEvaluation[];
  readonly totals: SimulationTotals;
}

const EVALUABLE: ReadonlySet<string> = new Set(['TCP', 'UDP', 'SCTP', 'ICMPv4', 'ICMPv6']);

/**
 * The policy as it would enforce: `enableDefaultDeny` removed from every rule. tighten's platform baseline is left
 * as it is: it keeps `enableDefaultDeny` false at every stage.
 */
export function asEnforcing(loaded: LoadedPolicy): LoadedPolicy {
  const p = loaded.policy;
  if (p.kind === 'NetworkPolicy' || isTightenBaseline(p)) return loaded;
  const strip = (r: Rule): Rule => {
    const { enableDefaultDeny: _ignored, ...rest } = r;
    return rest;
  };
  return { ...loaded, policy: { ...p, ...(p.spec ? { spec: strip(p.spec) } : {}), ...(p.specs ? { specs: p.specs.map(strip) } : {}) } as Policy };
}

/** The policies of a simulation, compiled once: for replaying many inventories (`watch`) against one set. */
export interface CompiledSimulation {
  readonly candidate: readonly LoadedPolicy[];
  readonly evaluator: ReturnType<CompileEvaluator>;
  /** Each policy compiled alone, to find the one that selects a workload (for suggestions). */
  readonly singles: readonly Single[];
}

/** Compiles what {@link simulate} evaluates, whatever the inventory. */
export function compileSimulation(input: Omit<SimulationInput, 'inventory'>, compile: CompileEvaluator): CompiledSimulation {
  const candidate = input.asEnforced ? input.candidate.map(asEnforcing) : input.candidate;
  // The endpoints carry the cluster's name; the evaluator scopes peers to it (1.19+): one source for both.
  const options: EvaluateOptions = { clusterName: input.identities.clusterName, ...input.options };
  return {
    candidate,
    evaluator: compile([...input.existing, ...candidate], options),
    singles: [...candidate, ...input.existing].map((p) => ({ loaded: p, evaluator: compile([p], options) })),
  };
}

/** @param compiled the set compiled beforehand by {@link compileSimulation} with the same input; @default compiled here */
export function simulate(input: SimulationInput, compile: CompileEvaluator, compiled: CompiledSimulation = compileSimulation(input, compile)): SimulationReport {
  const { candidate, evaluator, singles } = compiled;
  const workloads = new Map(input.inventory.workloads.map((w) => [`${w.namespace}/${w.name}`, w]));
  const labelsOf = (ns: string, name: string) => workloads.get(`${ns}/${name}`)?.labels;
  // One Endpoint object per peer: the evaluator memoises by identity, and reusing the object is cheapest.
  const endpoints = new Map<string, ReturnType<typeof peerEndpoint>>();
  const endpointOf = (peer: Peer) => {
    const key = JSON.stringify(peer);
    let e = endpoints.get(key);
    if (e === undefined) endpoints.set(key, (e = peerEndpoint(peer, input.identities, labelsOf)));
    return e;
  };
  // Which policy selects an endpoint in a direction (a candidate first, else one of the cluster's): `singles`, each
  // compiled alone, asked for the would-drops only.

  // A connection forwarded by its source and dropped by policy at its destination shows as two edges:
  // FORWARDED (the source's observation) and DROPPED. Denying it again is not news — but only where they were seen
  // in the same time buckets: traffic forwarded in hours when it was not dropped (before a policy dropped it, or
  // after a rollback let it through) is traffic the policies would drop.
  const connectionKey = (e: Omit<Edge, 'buckets'>) => `${JSON.stringify(e.source)} ${JSON.stringify(e.destination)} ${e.port}/${e.protocol}`;
  const policyDropped = new Map<string, Set<string>>();
  for (const e of input.inventory.edges) {
    if (e.verdict !== 'DROPPED' || !(e.dropReasons ?? []).some((r) => r === 'POLICY_DENIED' || r === 'POLICY_DENY')) continue;
    const key = connectionKey(e);
    const hours = policyDropped.get(key) ?? new Set<string>();
    for (const b of e.buckets) for (const h of bucketHours(b)) hours.add(h);
    policyDropped.set(key, hours);
  }
  const twinOfDrop = (e: Edge): boolean => {
    const hours = policyDropped.get(connectionKey(e));
    return hours !== undefined && e.buckets.every((b) => bucketHours(b).every((h) => hours.has(h)));
  };
  const selectingCache = new Map<Endpoint, { ingress?: Single | null; egress?: Single | null }>();
  const evaluations: EdgeEvaluation[] = [];
  let flows = 0;
  let wouldDropEdges = 0;
  let wouldDropFlows = 0;
  let allowedFlows = 0;
  let notIsolatedFlows = 0;
  let observedDroppedFlows = 0;
  for (const full of input.inventory.edges) {
    const { buckets: _buckets, ...edge } = full;
    flows += edge.flows;
    if (!EVALUABLE.has(edge.protocol)) {
      evaluations.push({ edge, wouldDrop: false, suggestions: [] });
      continue;
    }
    const connection: Connection = {
      source: endpointOf(edge.source),
      destination: endpointOf(edge.destination),
      protocol: edge.protocol as ConnectionProtocol,
      port: edge.port,
    };
    const verdict = evaluator.evaluate(connection);
    const observedPassing = (edge.verdict === 'FORWARDED' || edge.verdict === 'AUDIT') && !twinOfDrop(full);
    const wouldDrop = observedPassing && !verdict.allowed;
    if (edge.verdict === 'DROPPED') observedDroppedFlows += edge.flows;
    if (wouldDrop) {
      wouldDropEdges++;
      wouldDropFlows += edge.flows;
    } else if (verdict.allowed) {
      const enforced = [verdict.egress, verdict.ingress].filter((d) => d.decision !== 'not-isolated');
      if (enforced.length === 0) notIsolatedFlows += edge.flows;
      else allowedFlows += edge.flows;
    }
    const suggestions: Suggestion[] = [];
    if (wouldDrop) {
      if (isDenied(verdict.egress)) suggestions.push(suggest('egress', edge, connection, singles, input, selectingCache));
      if (isDenied(verdict.ingress)) suggestions.push(suggest('ingress', edge, connection, singles, input, selectingCache));
    }
    evaluations.push({ edge, verdict, wouldDrop, suggestions });
  }
  return {
    window: input.inventory.window,
    policies: { existing: input.existing.length, candidate: input.candidate.length },
    asEnforced: input.asEnforced,
    evaluations,
    totals: { edges: evaluations.length, flows, wouldDropEdges, wouldDropFlows, allowedFlows, notIsolatedFlows, observedDroppedFlows },
  };
}

type Single = { readonly loaded: LoadedPolicy; readonly evaluator: ReturnType<CompileEvaluator> };

const isDenied = (d: DirectionVerdict) => d.decision === 'denied-default' || d.decision === 'denied-rule';

function suggest(
  direction: 'ingress' | 'egress',
  edge: Omit<Edge, 'buckets'>,
  connection: Connection,
  singles: readonly { loaded: LoadedPolicy; evaluator: ReturnType<CompileEvaluator> }[],
  input: SimulationInput,
  selectingCache: Map<Endpoint, { ingress?: Single | null; egress?: Single | null }>,
): Suggestion {
  const subject = direction === 'ingress' ? edge.destination : edge.source;
  const peer = direction === 'ingress' ? edge.source : edge.destination;
  // Which policy selects the subject in this direction depends on the subject alone: asked once per endpoint.
  const subjectEndpoint = direction === 'ingress' ? connection.destination : connection.source;
  const cached = selectingCache.get(subjectEndpoint) ?? {};
  selectingCache.set(subjectEndpoint, cached);
  let selecting = cached[direction];
  if (selecting === undefined) {
    selecting = singles.find((s) => {
      const v = s.evaluator.evaluate(connection);
      return (direction === 'ingress' ? v.ingress : v.egress).decision !== 'not-isolated';
    }) ?? null;
    cached[direction] = selecting;
  }
  const element = ruleElement(direction, subject, peer, edge, input);
  if (element === undefined) {
    const name = 'namespace' in peer ? `${peer.namespace}/${peer.name}` : 'the peer';
    return {
      direction,
      where: `no rule can select ${name}`,
      blocked: `${name} has no stable, identity-relevant label to select its pods by: label them first (see the finding label-no-stable-label)`,
    };
  }
  const yaml = stringify([element], { lineWidth: 0 });
  if (selecting) {
    const p = selecting.loaded.policy;
    const file = selecting.loaded.source?.file;
    const name = `${p.metadata.namespace ? `${p.metadata.namespace}/` : ''}${p.metadata.name}`;
    return {
      direction,
      policy: { kind: p.kind, ...(p.metadata.namespace ? { namespace: p.metadata.namespace } : {}), name: p.metadata.name, ...(file ? { file } : {}) },
      where: `add to spec.${direction} of ${p.kind} ${name}${file ? ` (${file})` : ''}`,
      yaml,
    };
  }
  const owner = 'namespace' in subject ? `${subject.namespace}/${subject.name}` : 'the subject';
  return { direction, where: `add to spec.${direction} of a CiliumNetworkPolicy selecting ${owner}`, yaml };
}

/** The allow rule element for one edge: peer by stable labels (namespace named when it crosses), entity, FQDN or CIDR; the exact port. */
function ruleElement(direction: 'ingress' | 'egress', subject: Peer, peer: Peer, edge: Omit<Edge, 'buckets'>, input: SimulationInput): IngressRule | EgressRule | undefined {
  const ports = edge.protocol === 'ICMPv4' || edge.protocol === 'ICMPv6'
    ? undefined
    : [{ ports: [{ port: String(edge.port), protocol: edge.protocol as 'TCP' | 'UDP' | 'SCTP' }] }];
  const icmps = ports === undefined ? [{ fields: [{ family: edge.protocol === 'ICMPv6' ? ('IPv6' as const) : ('IPv4' as const), type: edge.port }] }] : undefined;
  const l4 = { ...(ports ? { toPorts: ports } : {}), ...(icmps ? { icmps } : {}) };
  if ('namespace' in peer) {
    const selector = selectorLabels(peer.namespace, peer.name, input);
    if (selector === undefined) return undefined;
    const matchLabels: Record<string, string> = { ...selector };
    if (!('namespace' in subject) || subject.namespace !== peer.namespace) matchLabels['k8s:io.kubernetes.pod.namespace'] = peer.namespace;
    return direction === 'ingress' ? { fromEndpoints: [{ matchLabels }], ...l4 } : { toEndpoints: [{ matchLabels }], ...l4 };
  }
  if ('entity' in peer) {
    const entity = peer.entity as NonNullable<IngressRule['fromEntities']>[number];
    return direction === 'ingress' ? { fromEntities: [entity], ...l4 } : { toEntities: [entity], ...l4 };
  }
  if ('ip' in peer && peer.names.length > 0 && direction === 'egress') return { toFQDNs: peer.names.map((matchName) => ({ matchName })), ...l4 };
  const cidr = 'ip' in peer ? `${peer.ip}/${peer.ip.includes(':') ? 128 : 32}` : peer.cidr;
  return direction === 'ingress' ? { fromCIDR: [cidr], ...l4 } : { toCIDR: [cidr], ...l4 };
}

/**
 * The first priority label the workload's pods carry, else their first other stable label (both kept
 * in identities by Cilium's label filter); undefined when there is none — a rule must not guess.
 */
function selectorLabels(namespace: string, name: string, input: SimulationInput): Record<string, string> | undefined {
  const w: InventoryWorkload | undefined = input.inventory.workloads.find((x) => x.namespace === namespace && x.name === name);
  const labels = input.identities.workloads.get(`${namespace}/${name}`)?.podLabels ?? w?.labels ?? {};
  const usable = (key: string) => labels[key] !== undefined && !isVolatileLabelKey(key) && input.identities.labelFilter.isRelevant(key, 'k8s');
  const key = input.labelPriority.find(usable) ?? Object.keys(labels).sort().find(usable);
  return key === undefined ? undefined : { [key]: labels[key]! };
}
