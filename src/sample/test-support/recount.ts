/**
 * @module sample/test-support/recount — an independent re-count of a sample's flow lines into
 * edges, from the lines and the cluster dump alone, applying the documented counting rule. Tests
 * compare it with the truth the generator computed from its plan: the two must agree exactly.
 */
import type { KubeObject } from '../kube-objects.js';
import type { TruthEdge } from '../truth.js';

type Json = Record<string, any>;

interface Owner {
  kind: string;
  name: string;
}

/** Top owners of the dump's pods (Pod → ReplicaSet → Deployment, Pod → Job → CronJob), by `ns/pod`. */
function podOwners(objects: readonly KubeObject[]): Map<string, { namespace: string; kind: string; name: string; hostNetwork: boolean }> {
  const byKindName = new Map<string, Json>();
  for (const o of objects as Json[]) byKindName.set(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o);
  const top = (ns: string, owner: Owner | undefined, self: Owner): Owner => {
    if (owner === undefined) return self;
    if (owner.kind === 'ReplicaSet' || owner.kind === 'Job') {
      const o = byKindName.get(`${owner.kind}/${ns}/${owner.name}`);
      const up = o?.metadata.ownerReferences?.[0] as Owner | undefined;
      return up ?? owner;
    }
    return owner;
  };
  const out = new Map<string, { namespace: string; kind: string; name: string; hostNetwork: boolean }>();
  for (const o of objects as Json[]) {
    if (o.kind !== 'Pod') continue;
    const ns = o.metadata.namespace as string;
    const t = top(ns, o.metadata.ownerReferences?.[0], { kind: 'Pod', name: o.metadata.name });
    out.set(`${ns}/${o.metadata.name}`, { namespace: ns, kind: t.kind, name: t.name, hostNetwork: o.spec.hostNetwork === true });
  }
  return out;
}

/** Re-counts edges from flow lines with the counting rule of `truth.ts`. */
export function recountEdges(lines: () => Iterable<string>, objects: readonly KubeObject[]): TruthEdge[] {
  const owners = podOwners(objects);
  const cronJobs = new Set((objects as Json[]).filter((o) => o.kind === 'CronJob').map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
  // Pass 1: every name seen for an address (DNS answers, destination/source names).
  const names = new Map<string, Set<string>>();
  const addName = (ip: string, name: string) => {
    let s = names.get(ip);
    if (s === undefined) names.set(ip, (s = new Set()));
    s.add(name.replace(/\.$/, ''));
  };
  for (const line of lines()) {
    const f = (JSON.parse(line) as Json).flow as Json;
    const dns = f.l7?.dns;
    if (dns?.ips !== undefined) for (const ip of dns.ips as string[]) addName(ip, dns.query);
    for (const n of (f.destination_names ?? []) as string[]) addName(f.IP.destination, n);
    for (const n of (f.source_names ?? []) as string[]) addName(f.IP.source, n);
  }
  const peerOf = (ep: Json, ip: string, node: string): { peer: Json; pod: boolean } | 'health' => {
    const labels = (ep.labels ?? []) as string[];
    if (labels.includes('reserved:health')) return 'health';
    if (labels.includes('reserved:world')) return { peer: { ip, names: [...(names.get(ip) ?? [])].sort() }, pod: false };
    for (const e of ['host', 'remote-node', 'kube-apiserver']) if (labels.includes(`reserved:${e}`)) return { peer: { entity: e }, pod: false };
    const owner = owners.get(`${ep.namespace}/${ep.pod_name}`);
    if (owner !== undefined) return { peer: { namespace: owner.namespace, kind: owner.kind, name: owner.name }, pod: true };
    const w = ep.workloads?.[0];
    if (w !== undefined) return { peer: { namespace: ep.namespace, kind: w.kind, name: w.name }, pod: true };
    // A Job run of a CronJob no longer in the dump, seen by an agent that reports no workloads:
    // Kubernetes names its pod `<cronjob>-<scheduled minutes>-<5>`, and the CronJob is in the dump.
    const m = /^(.+)-\d{8,}-[a-z0-9]{5}$/.exec(ep.pod_name as string);
    if (m !== null && cronJobs.has(`${ep.namespace}/${m[1]}`)) return { peer: { namespace: ep.namespace, kind: 'CronJob', name: m[1] }, pod: true };
    throw new Error(`unresolvable endpoint ${ep.namespace}/${ep.pod_name} on ${node}`);
  };
  interface Acc {
    e: TruthEdge & { flows: number };
    drops: Set<string>;
    dns: Set<string>;
  }
  const edges = new Map<string, Acc>();
  const get = (src: Json, dst: Json, port: number, protocol: string, verdict: string): Acc => {
    const k = `${JSON.stringify(src)}|${JSON.stringify(dst)}|${port}|${protocol}|${verdict}`;
    let a = edges.get(k);
    if (a === undefined) edges.set(k, (a = { e: { source: src, destination: dst, port, protocol, verdict, flows: 0 } as TruthEdge & { flows: number }, drops: new Set(), dns: new Set() }));
    return a;
  };
  for (const line of lines()) {
    const f = (JSON.parse(line) as Json).flow as Json;
    if (f.is_reply === true) continue;
    const src = peerOf(f.source, f.IP.source, f.node_name);
    const dst = peerOf(f.destination, f.IP.destination, f.node_name);
    if (src === 'health' || dst === 'health') continue;
    const l4 = f.l4 as Json;
    const protocol = Object.keys(l4)[0] as string;
    const port = (l4[protocol].destination_port ?? 0) as number;
    if (f.Type === 'L7') {
      if (f.l7.type === 'REQUEST') get(src.peer, dst.peer, port, protocol, 'FORWARDED').dns.add((f.l7.dns.query as string).replace(/\.$/, ''));
      continue;
    }
    const dropped = f.verdict === 'DROPPED';
    const counted = dropped || (f.traffic_direction === 'EGRESS' && src.pod) || (f.traffic_direction === 'INGRESS' && !src.pod);
    if (!counted) continue;
    const a = get(src.peer, dst.peer, port, protocol, dropped ? 'DROPPED' : 'FORWARDED');
    a.e.flows += 1;
    if (dropped) a.drops.add(f.drop_reason_desc);
  }
  return [...edges.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, a]) => ({
      ...a.e,
      ...(a.drops.size > 0 ? { dropReasons: [...a.drops].sort() } : {}),
      ...(a.dns.size > 0 ? { l7: { dns: [...a.dns].sort() } } : {}),
    }));
}

/** The findings every sample plants (`code namespace/kind/name` or `code namespace`), sorted. */
export const PLANTED_FINDINGS = [
  'coverage-cronjob-not-seen analytics/CronJob/daily-export',
  'coverage-workload-not-seen marketing/Deployment/newsletter-signup',
  'label-ambiguous-selector boutique/Deployment/productcatalogservice',
  'label-ambiguous-selector boutique/Deployment/productcatalogservice-canary',
  'label-ambiguous-selector marketing/Deployment/landing-page',
  'label-ambiguous-selector marketing/Deployment/promo-site',
  'label-no-stable-label analytics/Job/backfill',
  'label-not-identity-relevant billing/Deployment/invoice-worker',
  'namespace-cross-heavy analytics',
  'ownership-no-team marketing',
] as const;
