/**
 * @module policy/diff-universe — the endpoints a policy diff ranges over, built from what tighten
 * knows of the cluster: its workloads (the dump's, and those only flows show), the entities, the
 * addresses flows saw, and the CIDRs and DNS names the policies themselves name. Pure.
 */
import type { ClusterSnapshot } from '../cluster/index.js';
import type { Entity, Inventory, Peer } from '../inventory/index.js';
import { ciliumRules, peerKey, type DiffEndpoint, type DiffPeer, type ObservedEdge } from './diff.js';
import { peerEndpoint, type IdentityContext } from './endpoints.js';
import type { LoadedPolicy } from './model/index.js';

/** Entities always in the universe (others join when flows show them). */
export const DIFF_ENTITIES: readonly Entity[] = ['world', 'host', 'remote-node', 'kube-apiserver'];

export interface DiffUniverseInput {
  readonly cluster?: ClusterSnapshot;
  /** With flows: their workloads, addresses and edges join the universe. */
  readonly inventory?: Inventory;
  readonly identities: IdentityContext;
  /** Both sets and the cluster's policies: the CIDRs and `toFQDNs` names they write become endpoints. */
  readonly policies: readonly LoadedPolicy[];
}

/**
 * The universe's endpoints (sorted: workloads, entities, addresses, CIDRs, DNS names) and, with an
 * inventory, its edges with their peers as endpoints.
 *
 * - Every workload of the dump, as its pods' identity (`podLabels`, named container ports) — except
 *   `hostNetwork` ones, which Cilium sees as their node (`host`, `remote-node`) — and every workload
 *   only flows show, with the labels flows carried.
 * - The entities world (no address: what `0.0.0.0/0` and `toEntities: [world]` match), host,
 *   remote-node and kube-apiserver, and any other entity flows show.
 * - Each address flows saw outside the cluster, with the DNS names seen for it.
 * - Each CIDR a policy writes (`toCIDR`, `fromCIDR`, `toCIDRSet`/`fromCIDRSet` with their `except`s,
 *   NetworkPolicy `ipBlock`) as its first address, and each `toFQDNs` `matchName` as an address with
 *   that name and no IP.
 */
export function buildDiffUniverse(input: DiffUniverseInput): { endpoints: DiffEndpoint[]; observed: ObservedEdge[] | undefined } {
  const { cluster, inventory, identities } = input;
  const inventoryLabels = new Map((inventory?.workloads ?? []).map((w) => [`${w.namespace}/${w.name}`, w.labels]));
  const labelsOf = (ns: string, name: string) => inventoryLabels.get(`${ns}/${name}`);
  const byKey = new Map<string, DiffEndpoint>();
  const add = (peer: DiffPeer): DiffEndpoint => {
    const key = peerKey(peer);
    let e = byKey.get(key);
    if (e === undefined) {
      e = { peer, endpoint: 'fqdn' in peer ? { labels: ['reserved:world'], names: [peer.fqdn] } : peerEndpoint(peer, identities, labelsOf) };
      byKey.set(key, e);
    }
    return e;
  };
  const hostNetwork = new Set<string>();
  for (const w of cluster?.workloads ?? []) {
    if (w.hostNetwork) hostNetwork.add(`${w.namespace}/${w.name}`);
    else add({ namespace: w.namespace, kind: w.kind, name: w.name });
  }
  for (const w of inventory?.workloads ?? []) if (!hostNetwork.has(`${w.namespace}/${w.name}`)) add({ namespace: w.namespace, kind: w.kind, name: w.name });
  for (const entity of DIFF_ENTITIES) add({ entity });
  for (const e of inventory?.edges ?? []) for (const p of [e.source, e.destination]) if (!('namespace' in p)) add(p);
  for (const { policy } of input.policies) for (const peer of namedAddresses(policy)) add(peer);

  const endpoints = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
  const observed = inventory?.edges.map(({ buckets: _buckets, ...edge }) => ({ edge, source: endpointOf(edge.source), destination: endpointOf(edge.destination) }));
  return { endpoints, observed };

  function endpointOf(peer: Peer) {
    return (byKey.get(peerKey(peer)) ?? add(peer)).endpoint;
  }
}

/** The CIDRs and DNS names a policy writes as peers. */
function namedAddresses(policy: LoadedPolicy['policy']): DiffPeer[] {
  const out: DiffPeer[] = [];
  const cidr = (c: string | undefined) => {
    if (c !== undefined && c.includes('/')) out.push({ cidr: c });
  };
  if (policy.kind === 'NetworkPolicy') {
    for (const r of policy.spec.ingress ?? []) for (const p of r.from ?? []) if (p.ipBlock) [p.ipBlock.cidr, ...(p.ipBlock.except ?? [])].forEach(cidr);
    for (const r of policy.spec.egress ?? []) for (const p of r.to ?? []) if (p.ipBlock) [p.ipBlock.cidr, ...(p.ipBlock.except ?? [])].forEach(cidr);
    return out;
  }
  for (const rule of ciliumRules(policy)) {
    for (const el of [...(rule.ingress ?? []), ...(rule.ingressDeny ?? [])]) {
      (el.fromCIDR ?? []).forEach(cidr);
      for (const s of el.fromCIDRSet ?? []) [s.cidr, ...(s.except ?? [])].forEach(cidr);
    }
    for (const el of [...(rule.egress ?? []), ...(rule.egressDeny ?? [])]) {
      (el.toCIDR ?? []).forEach(cidr);
      for (const s of el.toCIDRSet ?? []) [s.cidr, ...(s.except ?? [])].forEach(cidr);
    }
    for (const el of rule.egress ?? []) for (const f of el.toFQDNs ?? []) if (f.matchName) out.push({ fqdn: f.matchName.toLowerCase().replace(/\.$/, '') });
  }
  return out;
}
