/**
 * @module understand/findings/boundaries — namespace boundaries: fan-in, fan-out, the share of traffic
 * crossing namespaces, and a rough estimate of the policies and rules each namespace will need (pure).
 *
 * Counts are over edges between workloads. Edges with a platform service at either end (DNS, metrics
 * scraping, tracing …: the platform baseline covers them) or a debug pod are left out, so that every
 * namespace calling DNS does not make kube-system a fan-in hot spot.
 */
import type { TightenConfig } from '../../config/index.js';
import type { Edge, Finding, Inventory, WorkloadClass } from '../../inventory/index.js';
import type { WorkloadClassification } from '../classify.js';
import { formatPort, isWorkload, listSome, plural, workloadKeyOf } from '../facts.js';

interface NamespaceTraffic {
  flows: number;
  crossFlows: number;
  readonly callers: Set<string>;
  readonly callees: Set<string>;
}

const IGNORED: ReadonlySet<WorkloadClass> = new Set(['platform', 'debug']);

/** Boundary findings: `namespace-fan-in`, `namespace-fan-out`, `namespace-cross-heavy`, `namespace-policy-estimate`. */
export function findBoundaryIssues(inventory: Inventory, classifications: readonly WorkloadClassification[], config: TightenConfig): Finding[] {
  const classOf = new Map(classifications.map((c) => [workloadKeyOf(c.workload), c.class]));
  const counted = (p: Edge['source']) => isWorkload(p) && !IGNORED.has(classOf.get(workloadKeyOf(p)) ?? 'application');
  const byNs = new Map<string, NamespaceTraffic>();
  const nsOf = (ns: string): NamespaceTraffic => {
    let t = byNs.get(ns);
    if (t === undefined) byNs.set(ns, (t = { flows: 0, crossFlows: 0, callers: new Set(), callees: new Set() }));
    return t;
  };
  for (const e of inventory.edges) {
    if (e.verdict === 'ERROR' || !counted(e.source) || !counted(e.destination)) continue;
    const from = (e.source as { namespace: string }).namespace;
    const to = (e.destination as { namespace: string }).namespace;
    const a = nsOf(from);
    a.flows += e.flows;
    if (from === to) continue;
    const b = nsOf(to);
    b.flows += e.flows;
    a.crossFlows += e.flows;
    b.crossFlows += e.flows;
    a.callees.add(to);
    b.callers.add(from);
  }

  const b = config.boundaries;
  const out: Finding[] = [];
  for (const [ns, t] of [...byNs].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    if (t.callers.size > b.fanInNamespaces) {
      out.push({
        code: 'namespace-fan-in',
        severity: 'warning',
        subject: { namespace: ns },
        message: `${plural(t.callers.size, 'other namespace')} call workloads in ${ns} (${listSome(t.callers)}; more than ${b.fanInNamespaces}): each needs a cross-namespace ingress rule, and enforcing ${ns} can break all of them. Enforce it late, after its callers' egress is known, and review the callers with their owners.`,
      });
    }
    if (t.callees.size > b.fanOutNamespaces) {
      out.push({
        code: 'namespace-fan-out',
        severity: 'warning',
        subject: { namespace: ns },
        message: `${ns} calls workloads in ${plural(t.callees.size, 'other namespace')} (${listSome(t.callees)}; more than ${b.fanOutNamespaces}): each becomes a cross-namespace egress rule that depends on another team's labels. Agree on stable labels with those namespaces before enforcing its egress.`,
      });
    }
    if (t.flows > 0 && t.crossFlows / t.flows > b.crossShare) {
      const pct = Math.round((100 * t.crossFlows) / t.flows);
      out.push({
        code: 'namespace-cross-heavy',
        severity: 'warning',
        subject: { namespace: ns },
        message: `${pct}% of ${ns}'s ${plural(t.flows, 'east-west flow')} cross namespaces (above ${Math.round(b.crossShare * 100)}%; platform services not counted): its policies will be mostly cross-namespace rules. Check whether the namespace matches an application boundary, and roll it out together with the namespaces it talks to.`,
      });
    }
  }
  out.push(...estimatePolicies(inventory, classOf));
  return out;
}

/**
 * `namespace-policy-estimate` per namespace with application or batch workloads: one policy per such
 * workload; rules ≈ distinct (direction, peer group, port set), where a peer group is the same namespace,
 * one other namespace, one entity, or the outside world. Only allowed traffic (not DROPPED/ERROR) counts.
 */
function estimatePolicies(inventory: Inventory, classOf: ReadonlyMap<string, WorkloadClass>): Finding[] {
  const owned = (key: string) => {
    const c = classOf.get(key);
    return c === 'application' || c === 'batch';
  };
  const policies = new Map<string, number>();
  for (const w of inventory.workloads) if (owned(workloadKeyOf(w))) policies.set(w.namespace, (policies.get(w.namespace) ?? 0) + 1);

  // (namespace, workload, direction, peer group) → peer → ports
  const groups = new Map<string, Map<string, Set<string>>>();
  const add = (ns: string, workload: string, dir: 'ingress' | 'egress', group: string, peer: string, port: string) => {
    const key = `${ns}\u0000${workload}\u0000${dir}\u0000${group}`;
    let peers = groups.get(key);
    if (peers === undefined) groups.set(key, (peers = new Map()));
    let ports = peers.get(peer);
    if (ports === undefined) peers.set(peer, (ports = new Set()));
    ports.add(port);
  };
  const peerGroup = (own: string, p: Edge['source']): { group: string; peer: string } | undefined => {
    if (isWorkload(p)) {
      const c = classOf.get(workloadKeyOf(p));
      if (c === 'platform' || c === 'debug') return undefined;
      return { group: p.namespace === own ? 'same-namespace' : `namespace:${p.namespace}`, peer: workloadKeyOf(p) };
    }
    if ('entity' in p) return { group: `entity:${p.entity}`, peer: p.entity };
    return { group: 'world', peer: 'ip' in p ? p.ip : p.cidr };
  };
  for (const e of inventory.edges) {
    if (e.verdict === 'DROPPED' || e.verdict === 'ERROR') continue;
    const port = formatPort(e);
    if (isWorkload(e.source) && owned(workloadKeyOf(e.source))) {
      const g = peerGroup(e.source.namespace, e.destination);
      if (g !== undefined) add(e.source.namespace, workloadKeyOf(e.source), 'egress', g.group, g.peer, port);
    }
    if (isWorkload(e.destination) && owned(workloadKeyOf(e.destination))) {
      const g = peerGroup(e.destination.namespace, e.source);
      if (g !== undefined) add(e.destination.namespace, workloadKeyOf(e.destination), 'ingress', g.group, g.peer, port);
    }
  }
  const rules = new Map<string, { ingress: number; egress: number }>();
  for (const [key, peers] of groups) {
    const [ns = '', , dir = 'egress'] = key.split('\u0000');
    const portSets = new Set([...peers.values()].map((ports) => [...ports].sort().join(',')));
    const r = rules.get(ns) ?? { ingress: 0, egress: 0 };
    r[dir as 'ingress' | 'egress'] += portSets.size;
    rules.set(ns, r);
  }
  const out: Finding[] = [];
  for (const [ns, count] of [...policies].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    const r = rules.get(ns) ?? { ingress: 0, egress: 0 };
    out.push({
      code: 'namespace-policy-estimate',
      severity: 'info',
      subject: { namespace: ns },
      message: `${ns} will need about ${plural(count, 'policy', 'policies')} (one per application or batch workload) with about ${plural(r.ingress + r.egress, 'rule')} (${r.ingress} ingress, ${r.egress} egress). A rough estimate: one rule per direction, peer group (same namespace, each other namespace, each entity, the outside world) and distinct port set; traffic to platform services is left to the platform baseline.`,
    });
  }
  return out;
}
