/**
 * @module sample/plan — the traffic plan: every call expanded into activities (one stream of
 * connections between concrete ends over a time window) with an exact number of connections, scaled
 * so the whole sample writes about the requested number of flows.
 *
 * The plan fixes everything that counts: how many connections each activity makes, and so how many
 * flows are written and how many land on each edge. The streaming writer (`traffic.ts`) only decides
 * the timing, ports and which replica serves each connection. That is what lets the ground truth be
 * computed from the plan without generating a single flow.
 */
import type { CallOutcome, SampleCluster, SampleNode, SamplePod, SampleWorkload } from './model.js';
import { splitFixed } from './topology.js';

/** One end of an activity. */
export type ActivityEnd =
  /** A pod of the workload, chosen per connection (a fixed pod when the list has one). */
  | { readonly type: 'pods'; readonly workload: SampleWorkload; readonly pods: readonly SamplePod[] }
  /** A node's own address (kubelet, hostNetwork pod): `host` or `remote-node` as seen from the other end. */
  | { readonly type: 'node'; readonly node: SampleNode }
  /** The kubelet of this node, from `cilium_host` (source of probes). */
  | { readonly type: 'host'; readonly node: SampleNode }
  /** Another node's address (source only). */
  | { readonly type: 'remote-node'; readonly node: SampleNode }
  | { readonly type: 'kube-apiserver' }
  /** An address outside the cluster; `name` when the source looked it up first. */
  | { readonly type: 'world'; readonly ip: string; readonly name?: string }
  /** The Cilium health endpoint of a node (destination of health probes only). */
  | { readonly type: 'health'; readonly node: SampleNode };

/** A DNS lookup before some connections of an activity. */
export interface ActivityDns {
  /** Fully qualified, with the trailing dot. */
  readonly query: string;
  readonly ips: readonly string[];
  /** Connection k is preceded by a lookup when k % every === 0. */
  readonly every: number;
  /** Whether the source's namespace has DNS visibility (L7 DNS flows, `destination_names`). */
  readonly visible: boolean;
}

export interface Activity {
  readonly index: number;
  readonly src: ActivityEnd;
  readonly dst: ActivityEnd;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP' | 'ICMPv4';
  readonly outcome: CallOutcome;
  /** Window of the activity's connections, in nanoseconds after the sample's start. */
  readonly startNs: number;
  readonly endNs: number;
  /** Relative rate when scaled; undefined when `connections` is fixed. */
  readonly weight?: number;
  connections: number;
  readonly dns?: ActivityDns;
  /**
   * User-driven traffic (from the Internet, and between applications) follows the time of day;
   * platform traffic (probes, scrapes, health checks) and Job runs keep a steady rate.
   */
  readonly diurnal?: boolean;
}

/** SYN retransmissions of a connection dropped by policy (each is a flow at both ends). */
export const POLICY_DENIED_ATTEMPTS = 2;
/** In-cluster calls look their Service up once every this many connections (clients cache answers). */
export const SERVICE_LOOKUP_EVERY = 4;
/** Time kept free at the end of every window so that a connection's last packet is still inside it. */
const WINDOW_GUARD_NS = 5e9;
const MS = 1e6;

/** What an activity writes and counts. */
export interface ActivityCounts {
  /** Flow lines written. */
  readonly flows: number;
  /** DNS lookups made (each counts once on the source → CoreDNS UDP/53 edge). */
  readonly lookups: number;
  /** Request packets counted on the activity's own edge, per verdict. */
  readonly forwarded: number;
  readonly dropped: number;
}

export const isPodEnd = (e: ActivityEnd): e is Extract<ActivityEnd, { type: 'pods' }> => e.type === 'pods';

/**
 * Flows and counted packets of an activity with `n` connections. This is the single definition of
 * the connection shapes that `traffic.ts` writes:
 * - TCP: SYN, SYN-ACK, ACK-PSH, ACK-PSH reply, each observed at every end that is a cluster pod;
 *   the two request packets count.
 * - UDP (not DNS lookups): request and reply at every pod end; the request counts.
 * - policy-denied: the SYN and its retransmission, each forwarded at the source and dropped at the
 *   destination; each counts once as FORWARDED and once as DROPPED.
 * - source-drop: one SYN dropped at the source; it counts as DROPPED.
 * - ICMPv4 (health): echo request and reply at the node; nothing counts.
 * - DNS lookup: query and answer at both ends (the source pod and a CoreDNS pod), plus the DNS
 *   proxy's L7 request and response when the source's namespace has visibility; the query counts.
 */
export function countActivity(a: Activity, n = a.connections): ActivityCounts {
  const sides = (isPodEnd(a.src) ? 1 : 0) + (isPodEnd(a.dst) ? 1 : 0);
  let perConnection = 0;
  let forwarded = 0;
  let dropped = 0;
  if (a.protocol === 'ICMPv4') {
    perConnection = 2;
  } else {
    switch (a.outcome.type) {
      case 'ok':
        perConnection = (a.protocol === 'TCP' ? 4 : 2) * sides;
        forwarded = (a.protocol === 'TCP' ? 2 : 1) * n;
        break;
      case 'policy-denied':
        perConnection = 2 * POLICY_DENIED_ATTEMPTS;
        forwarded = POLICY_DENIED_ATTEMPTS * n;
        dropped = POLICY_DENIED_ATTEMPTS * n;
        break;
      case 'source-drop':
        perConnection = 1;
        dropped = n;
        break;
    }
  }
  const lookups = a.dns === undefined ? 0 : Math.ceil(n / a.dns.every);
  const perLookup = a.dns === undefined ? 0 : 4 + (a.dns.visible ? 2 : 0);
  return { flows: n * perConnection + lookups * perLookup, lookups, forwarded, dropped };
}

export interface Plan {
  readonly activities: readonly Activity[];
  /** Flow lines the plan writes. */
  readonly flows: number;
}

/** Builds the plan for a cluster and scales it to about `targetFlows` flows. */
export function buildPlan(cluster: SampleCluster, targetFlows: number): Plan {
  const activities: Activity[] = [];
  const windowNs = (cluster.untilMs - cluster.sinceMs) * MS;
  const full = { startNs: 0, endNs: windowNs - WINDOW_GUARD_NS };
  const nsVisible = new Map(cluster.namespaces.map((n) => [n.name, n.dnsVisibility]));
  const add = (a: Omit<Activity, 'index' | 'connections'> & { connections?: number }) => {
    activities.push({ ...a, index: activities.length, connections: a.connections ?? 0 });
  };
  const otherNode = (node: SampleNode): SampleNode => cluster.nodes[(node.index + 1) % cluster.nodes.length] as SampleNode;

  for (const call of cluster.calls) {
    // Source windows: one for long-lived sources, one per run for Jobs, the session for debug pods.
    type Source = { end: ActivityEnd; startNs: number; endNs: number; scale: number };
    const sources: Source[] = [];
    const s = call.source;
    if (s.type === 'workload') {
      const w = s.workload;
      if (w.runs.length > 0) {
        for (const run of w.runs) sources.push({ end: { type: 'pods', workload: w, pods: [run.pod] }, ...runWindow(cluster, run.startMs, run.endMs), scale: 1 });
      } else if (w.kind === 'Pod') {
        const pod = w.pods[0] as SamplePod;
        sources.push({ end: { type: 'pods', workload: w, pods: [pod] }, ...runWindow(cluster, pod.startMs, w.sessionEndMs ?? pod.startMs + 600_000), scale: 1 });
      } else if (w.pods.length > 0) {
        const needsFixedPod = call.target.type === 'node-daemon' || call.target.type === 'kubelet';
        if (needsFixedPod) for (const pod of w.pods) sources.push({ end: { type: 'pods', workload: w, pods: [pod] }, ...full, scale: 1 / w.pods.length });
        else sources.push({ end: { type: 'pods', workload: w, pods: w.pods }, ...full, scale: 1 });
      }
    } else if (s.type === 'world') {
      for (const ip of cluster.worldClients) sources.push({ end: { type: 'world', ip }, ...full, scale: 1 / cluster.worldClients.length });
    } else if (s.type === 'kube-apiserver') {
      sources.push({ end: { type: 'kube-apiserver' }, ...full, scale: 1 });
    }
    // host and remote-node sources are expanded per destination pod below.

    const diurnal =
      s.type === 'world' || s.type === 'remote-node' || (s.type === 'workload' && s.workload.class === 'application' && s.workload.runs.length === 0 && s.workload.kind !== 'Pod');

    // The call's activities, grouped by source window; fixed connections are split per window.
    const groups: { base: Omit<Activity, 'index' | 'connections' | 'weight'>; share: number }[][] = [];
    const emit = (group: number, src: ActivityEnd, dst: ActivityEnd, window: { startNs: number; endNs: number }, share: number, dns?: ActivityDns) => {
      const base = {
        src,
        dst,
        port: call.port,
        protocol: call.protocol,
        outcome: call.outcome,
        startNs: window.startNs,
        endNs: window.endNs,
        ...(dns !== undefined ? { dns } : {}),
        ...(diurnal ? { diurnal: true } : {}),
      };
      (groups[group] ??= []).push({ base, share });
    };

    const t = call.target;
    if (s.type === 'host' || s.type === 'remote-node') {
      if (t.type !== 'workload' || (s.type === 'remote-node' && cluster.nodes.length < 2)) continue;
      for (const pod of t.workload.pods) {
        const src: ActivityEnd = s.type === 'host' ? { type: 'host', node: pod.node } : { type: 'remote-node', node: otherNode(pod.node) };
        emit(0, src, { type: 'pods', workload: t.workload, pods: [pod] }, full, 1 / t.workload.pods.length);
      }
    }
    for (const [g, source] of sources.entries()) {
      const visible = source.end.type === 'pods' && (nsVisible.get(source.end.workload.namespace) ?? false);
      switch (t.type) {
        case 'workload': {
          const dns = t.service !== undefined && source.end.type === 'pods' ? { query: `${t.service.name}.${t.service.namespace}.svc.${cluster.domain}.`, ips: [t.service.clusterIP], every: SERVICE_LOOKUP_EVERY, visible } : undefined;
          emit(g, source.end, { type: 'pods', workload: t.workload, pods: t.workload.pods }, source, source.scale, dns);
          break;
        }
        case 'node-daemon':
          for (const pod of t.workload.pods) emit(g, source.end, { type: 'node', node: pod.node }, source, source.scale / t.workload.pods.length);
          break;
        case 'kubelet':
          for (const node of cluster.nodes) emit(g, source.end, { type: 'node', node }, source, source.scale / cluster.nodes.length);
          break;
        case 'kube-apiserver':
          emit(g, source.end, { type: 'kube-apiserver' }, source, source.scale);
          break;
        case 'external':
          if (source.end.type !== 'pods') throw new Error('sample catalog: only pods look up external names');
          for (const ip of t.external.ips) {
            const dns = { query: `${t.external.name}.`, ips: t.external.ips, every: 1, visible };
            emit(g, source.end, { type: 'world', ip, name: t.external.name }, source, source.scale / t.external.ips.length, dns);
          }
          break;
        case 'external-ip':
          emit(g, source.end, { type: 'world', ip: t.ip }, source, source.scale);
          break;
      }
    }
    for (const group of groups) {
      if (group === undefined) continue;
      const fixed = call.fixedConnections;
      const parts = fixed === undefined ? undefined : splitFixed(fixed, group.map((x) => x.share));
      group.forEach((x, i) => {
        if (parts === undefined) add({ ...x.base, weight: call.weight * x.share });
        else if ((parts[i] as number) > 0) add({ ...x.base, connections: parts[i] as number });
      });
    }
  }
  // Health checks: the node's kubelet side and another node's prober, ICMP to the health endpoint.
  for (const node of cluster.nodes) {
    add({ src: { type: 'host', node }, dst: { type: 'health', node }, port: 0, protocol: 'ICMPv4', outcome: { type: 'ok' }, ...full, weight: 6 });
    if (cluster.nodes.length > 1) add({ src: { type: 'remote-node', node: otherNode(node) }, dst: { type: 'health', node }, port: 0, protocol: 'ICMPv4', outcome: { type: 'ok' }, ...full, weight: 3 });
  }
  const flows = scale(activities, targetFlows);
  return { activities, flows };
}

function runWindow(cluster: SampleCluster, startMs: number, endMs: number): { startNs: number; endNs: number } {
  const startNs = (startMs - cluster.sinceMs) * MS;
  const endNs = Math.max(startNs + 1e9, (endMs - cluster.sinceMs) * MS - 2e9);
  return { startNs, endNs };
}

/**
 * Scales the weighted activities so the plan writes about `target` flows: each gets
 * max(1, round(weight × c)) connections, with c found by bisection (the total grows with c).
 */
function scale(activities: Activity[], target: number): number {
  let fixed = 0;
  const weighted: Activity[] = [];
  for (const a of activities) {
    if (a.weight === undefined) fixed += countActivity(a).flows;
    else weighted.push(a);
  }
  const total = (c: number): number => {
    let sum = fixed;
    for (const a of weighted) sum += countActivity(a, Math.max(1, Math.round((a.weight as number) * c))).flows;
    return sum;
  };
  let lo = 0;
  let hi = 1;
  while (total(hi) < target && hi < 1e12) hi *= 2;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (total(mid) < target) lo = mid;
    else hi = mid;
  }
  const c = Math.abs(total(lo) - target) <= Math.abs(total(hi) - target) ? lo : hi;
  let flows = fixed;
  for (const a of weighted) {
    a.connections = Math.max(1, Math.round((a.weight as number) * c));
    flows += countActivity(a).flows;
  }
  return flows;
}
