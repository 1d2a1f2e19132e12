/**
 * @module sample/truth — the ground truth of a sample, computed from its model and traffic plan
 * (never from the flows): the edges with their exact flow counts, every workload's class, the
 * planted findings.
 *
 * Counting rule (PRODUCT.md §4): a packet observed at both ends counts once — the source's EGRESS
 * observation when the source is a cluster pod, the destination's INGRESS observation otherwise; a
 * DROPPED observation counts on the DROPPED edge (a SYN forwarded at the source and dropped by
 * policy at the destination counts once on each). Replies, health checks (`reserved:health`) and
 * DNS L7 events (the same packets as the UDP/53 flows) add nothing. The DNS names a source asked
 * for are listed on its edge to CoreDNS.
 */
import type { EdgeProtocol, EdgeVerdict, FindingCode, FindingSubject, Peer, PlatformRole, WorkloadClass } from '../inventory/index.js';
import { cronFireTimes } from './cron.js';
import { compileLabelFilter } from './identity.js';
import type { SampleCluster, SampleWorkload } from './model.js';
import { countActivity, type Activity, type ActivityEnd, type Plan } from './plan.js';

export interface TruthEdge {
  readonly source: Peer;
  readonly destination: Peer;
  readonly port: number;
  readonly protocol: EdgeProtocol;
  readonly verdict: EdgeVerdict;
  readonly flows: number;
  /** DROPPED edges: the drop reasons (`drop_reason_desc`). */
  readonly dropReasons?: readonly string[];
  /** Edges to CoreDNS from namespaces with DNS visibility: the names asked (no trailing dot), sorted. */
  readonly l7?: { readonly dns: readonly string[] };
}

export interface TruthClass {
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly class: WorkloadClass;
  /**
   * The shared service a platform workload provides; set exactly when `class` is platform. Workloads
   * that provide none (the Cilium agent, the cert-manager controller) are applications.
   */
  readonly role?: PlatformRole;
}

export interface TruthFinding {
  readonly code: FindingCode;
  readonly subject: FindingSubject;
}

export interface SampleTruth {
  readonly apiVersion: 'tighten/v1alpha1';
  readonly kind: 'SampleTruth';
  readonly generator: { readonly seed: number; readonly size: string; readonly cluster: string };
  readonly window: { readonly since: string; readonly until: string };
  readonly counts: { readonly flows: number; readonly workloads: number; readonly pods: number; readonly namespaces: number; readonly edges: number };
  readonly countingRule: string;
  readonly namespaces: readonly { readonly name: string; readonly team?: string; readonly dnsVisibility: boolean }[];
  readonly edges: readonly TruthEdge[];
  readonly classes: readonly TruthClass[];
  readonly findings: readonly TruthFinding[];
}

export const COUNTING_RULE =
  'One count per request packet: the source-side EGRESS observation when the source is a cluster pod, else the destination-side INGRESS observation; ' +
  'a DROPPED observation counts on the DROPPED edge wherever it is seen. Replies, reserved:health flows and DNS L7 events add nothing. ' +
  'hostNetwork pods and node addresses are host on their own node and remote-node elsewhere; world addresses are external peers keyed by IP.';

/** RFC 3339 without fractional seconds. */
export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const workloadPeer = (w: SampleWorkload): Peer => ({ namespace: w.namespace, kind: w.kind, name: w.name });
const peerKey = (p: Peer): string => JSON.stringify(p);

export function computeTruth(cluster: SampleCluster, plan: Plan, generator: SampleTruth['generator']): SampleTruth {
  const names = namesByIp(plan);
  const peer = (end: ActivityEnd, a: Activity): Peer => {
    switch (end.type) {
      case 'pods':
        return workloadPeer(end.workload);
      case 'node': {
        const src = a.src.type === 'pods' ? a.src.pods[0]?.node : undefined;
        return { entity: src === end.node ? 'host' : 'remote-node' };
      }
      case 'host':
        return { entity: 'host' };
      case 'remote-node':
        return { entity: 'remote-node' };
      case 'kube-apiserver':
        return { entity: 'kube-apiserver' };
      case 'world':
        return { ip: end.ip, names: [...(names.get(end.ip) ?? [])].sort() };
      case 'health':
        return { entity: 'health' };
    }
  };

  interface Acc {
    source: Peer;
    destination: Peer;
    port: number;
    protocol: EdgeProtocol;
    verdict: EdgeVerdict;
    flows: number;
    dropReasons: Set<string>;
    dns: Set<string>;
  }
  const edges = new Map<string, Acc>();
  const add = (source: Peer, destination: Peer, port: number, protocol: EdgeProtocol, verdict: EdgeVerdict, flows: number, extra?: { drop?: string; dns?: string }) => {
    const k = `${peerKey(source)}|${peerKey(destination)}|${port}|${protocol}|${verdict}`;
    let e = edges.get(k);
    if (e === undefined) edges.set(k, (e = { source, destination, port, protocol, verdict, flows: 0, dropReasons: new Set(), dns: new Set() }));
    e.flows += flows;
    if (extra?.drop !== undefined) e.dropReasons.add(extra.drop);
    if (extra?.dns !== undefined) e.dns.add(extra.dns);
  };
  const dnsPeer = workloadPeer(cluster.dns);
  let flows = 0;
  for (const a of plan.activities) {
    if (a.connections === 0) continue;
    const c = countActivity(a);
    flows += c.flows;
    if (a.protocol === 'ICMPv4') continue;
    const src = peer(a.src, a);
    const dst = peer(a.dst, a);
    if (c.forwarded > 0) add(src, dst, a.port, a.protocol, 'FORWARDED', c.forwarded);
    if (c.dropped > 0) add(src, dst, a.port, a.protocol, 'DROPPED', c.dropped, { drop: a.outcome.type === 'source-drop' ? a.outcome.reason : 'POLICY_DENIED' });
    if (c.lookups > 0 && a.dns !== undefined) {
      add(src, dnsPeer, 53, 'UDP', 'FORWARDED', c.lookups, a.dns.visible ? { dns: a.dns.query.slice(0, -1) } : undefined);
    }
  }
  const edgeList: TruthEdge[] = [...edges.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, e]) => ({
      source: e.source,
      destination: e.destination,
      port: e.port,
      protocol: e.protocol,
      verdict: e.verdict,
      flows: e.flows,
      ...(e.dropReasons.size > 0 ? { dropReasons: [...e.dropReasons].sort() } : {}),
      ...(e.dns.size > 0 ? { l7: { dns: [...e.dns].sort() } } : {}),
    }));
  if (flows !== plan.flows) throw new Error(`sample: truth counts ${flows} flows, the plan ${plan.flows}`);

  const byName = (a: { namespace: string; name: string }, b: { namespace: string; name: string }) =>
    a.namespace === b.namespace ? (a.name < b.name ? -1 : 1) : a.namespace < b.namespace ? -1 : 1;
  const classes: TruthClass[] = [...cluster.workloads].sort(byName).map((w) => ({
    namespace: w.namespace,
    kind: w.kind,
    name: w.name,
    class: w.class,
    ...(w.role !== undefined ? { role: w.role } : {}),
  }));

  return {
    apiVersion: 'tighten/v1alpha1',
    kind: 'SampleTruth',
    generator,
    window: { since: isoSeconds(cluster.sinceMs), until: isoSeconds(cluster.untilMs) },
    counts: {
      flows,
      workloads: cluster.workloads.length,
      pods: cluster.workloads.reduce((n, w) => n + w.pods.length + w.runs.length, 0),
      namespaces: cluster.namespaces.length,
      edges: edgeList.length,
    },
    countingRule: COUNTING_RULE,
    namespaces: cluster.namespaces.map((n) => ({
      name: n.name,
      ...(n.labels.team !== undefined ? { team: n.labels.team } : {}),
      dnsVisibility: n.dnsVisibility,
    })),
    edges: edgeList,
    classes,
    findings: computeFindings(cluster, edgeList),
  };
}

/** Every DNS name a namespace with visibility looked up, by answer address: what Hubble lets one see. */
function namesByIp(plan: Plan): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const a of plan.activities) {
    if (a.connections === 0 || a.dns === undefined || !a.dns.visible) continue;
    const name = a.dns.query.slice(0, -1);
    for (const ip of a.dns.ips) {
      let set = out.get(ip);
      if (set === undefined) out.set(ip, (set = new Set()));
      set.add(name);
    }
  }
  return out;
}

/** tighten's default label priority (PRODUCT.md §5). */
const LABEL_PRIORITY = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app', 'k8s-app', 'name'];

/**
 * The key a selector for the workload starts from: the first priority key its pods carry, else the
 * alphabetically first stable key (`preferred`); and the first such key Cilium keeps in identities
 * (`first`), which the selector actually uses.
 */
function preferredSelector(w: SampleWorkload, relevant: (source: string, key: string) => boolean): { preferred?: string; first?: string } {
  const keys = Object.keys(w.podLabels).sort();
  const order = [...LABEL_PRIORITY.filter((k) => k in w.podLabels), ...keys.filter((k) => !LABEL_PRIORITY.includes(k))];
  const first = order.find((k) => relevant('k8s', k));
  return { ...(order[0] !== undefined ? { preferred: order[0] } : {}), ...(first !== undefined ? { first } : {}) };
}

/**
 * The findings the sample plants, by these rules (each computed from the model; debug pods never get
 * policy and are left out of the label rules, hostNetwork workloads of all of them):
 * - label-no-stable-label: the pods carry no stable label (template labels empty).
 * - label-not-identity-relevant: the selector's preferred key (first of the default priority list
 *   `app.kubernetes.io/name`, `app.kubernetes.io/instance`, `app`, `k8s-app`, `name` the pods carry,
 *   else the first stable key) is dropped by the `cilium-config` label filter.
 * - label-ambiguous-selector: the first identity-relevant key of that order, with the workload's
 *   value, also selects another workload's pods in the namespace (both of `app: web`; the stable and
 *   the canary Deployment, which only `track` — a key outside the priority list — tells apart).
 * - namespace-cross-heavy: counting edges (any verdict) between application and batch workloads
 *   only (platform, debug, entities and external peers left out), the flows in or out of the
 *   namespace that cross its boundary outnumber those that stay inside (more than half cross).
 * - coverage-cronjob-not-seen: a CronJob whose schedule fires in the window, on no edge.
 * - coverage-workload-not-seen: any other workload on no edge; hostNetwork workloads are left out
 *   (flows show them only as host / remote-node), and so are CronJobs that were not due.
 * - ownership-no-team: a namespace without a `team` label.
 */
function computeFindings(cluster: SampleCluster, edges: readonly TruthEdge[]): TruthFinding[] {
  const findings: TruthFinding[] = [];
  const subject = (w: SampleWorkload): FindingSubject => ({ namespace: w.namespace, kind: w.kind, name: w.name });
  const filter = compileLabelFilter(cluster.ciliumConfig.labels);
  const seen = new Set<string>();
  for (const e of edges) for (const p of [e.source, e.destination]) if ('namespace' in p) seen.add(`${p.namespace}/${p.name}`);
  const byNamespace = new Map<string, SampleWorkload[]>();
  for (const w of cluster.workloads) byNamespace.set(w.namespace, [...(byNamespace.get(w.namespace) ?? []), w]);

  for (const w of cluster.workloads) {
    if (w.hostNetwork) continue;
    if (w.class !== 'debug') {
      const choice = preferredSelector(w, filter);
      if (choice.preferred === undefined) {
        findings.push({ code: 'label-no-stable-label', subject: subject(w) });
      } else {
        if (!filter('k8s', choice.preferred)) findings.push({ code: 'label-not-identity-relevant', subject: subject(w) });
        const first = choice.first;
        if (first !== undefined) {
          const value = w.podLabels[first];
          const others = (byNamespace.get(w.namespace) ?? []).filter((o) => o !== w && o.class !== 'debug');
          if (others.some((o) => o.podLabels[first] === value)) findings.push({ code: 'label-ambiguous-selector', subject: subject(w) });
        }
      }
    }
    if (!seen.has(`${w.namespace}/${w.name}`)) {
      if (w.kind === 'CronJob') {
        if (w.schedule !== undefined && cronFireTimes(w.schedule, cluster.sinceMs, cluster.untilMs).length > 0) {
          findings.push({ code: 'coverage-cronjob-not-seen', subject: subject(w) });
        }
      } else {
        findings.push({ code: 'coverage-workload-not-seen', subject: subject(w) });
      }
    }
  }

  const classOf = new Map(cluster.workloads.map((w) => [`${w.namespace}/${w.name}`, w.class]));
  const inner = new Map<string, number>();
  const crossing = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);
  for (const e of edges) {
    if (!('namespace' in e.source) || !('namespace' in e.destination)) continue;
    const app = (p: { namespace: string; name: string }) => {
      const c = classOf.get(`${p.namespace}/${p.name}`);
      return c === 'application' || c === 'batch';
    };
    if (!app(e.source) || !app(e.destination)) continue;
    if (e.source.namespace === e.destination.namespace) bump(inner, e.source.namespace, e.flows);
    else {
      bump(crossing, e.source.namespace, e.flows);
      bump(crossing, e.destination.namespace, e.flows);
    }
  }
  for (const ns of cluster.namespaces) {
    if ((crossing.get(ns.name) ?? 0) > (inner.get(ns.name) ?? 0)) findings.push({ code: 'namespace-cross-heavy', subject: { namespace: ns.name } });
    if (ns.labels.team === undefined) findings.push({ code: 'ownership-no-team', subject: { namespace: ns.name } });
  }
  return findings.sort((a, b) => {
    const ka = `${a.code} ${JSON.stringify(a.subject)}`;
    const kb = `${b.code} ${JSON.stringify(b.subject)}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}
