/**
 * @module cluster/cluster-index — lookups over a {@link ClusterSnapshot} (pure): what the inventory needs to
 * resolve a flow endpoint (an IP, a pod name) to a pod, its workload and its namespace.
 */
import type { ClusterSnapshot, Namespace, Pod, Service, Workload, WorkloadRef } from './cluster.js';

/** Map lookups over one snapshot. Built once by {@link indexCluster}; every map is read-only. */
export interface ClusterIndex {
  /**
   * Pods by IP (`podIPs`). Host-network pods are left out: they share their node's IP, and Hubble reports
   * such traffic as `host` / `remote-node`. When several pods report one IP (a finished pod whose address was
   * reused), a Running pod wins over a Pending one, which wins over any other phase; then the first by
   * (namespace, name).
   */
  readonly podByIp: ReadonlyMap<string, Pod>;
  /** Pods by `namespace/name` (see {@link podKey}). */
  readonly podByName: ReadonlyMap<string, Pod>;
  readonly namespaceByName: ReadonlyMap<string, Namespace>;
  /** Workloads by `namespace/kind/name` (see {@link workloadKey}). */
  readonly workloadByRef: ReadonlyMap<string, Workload>;
  /** Pods of each workload, keyed like `workloadByRef`, in (namespace, name) order. */
  readonly podsByWorkload: ReadonlyMap<string, readonly Pod[]>;
  /** Node name by node address (pods' `hostIP` with `nodeName`), to tell `host` from `remote-node`. */
  readonly nodeByIp: ReadonlyMap<string, string>;
  /** Services by cluster IP (`clusterIPs`); headless and ExternalName services have none. First by (namespace, name) wins. */
  readonly serviceByClusterIp: ReadonlyMap<string, Service>;
}

/** The key of a pod in {@link ClusterIndex.podByName}: `namespace/name`. */
export function podKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The key of a workload in {@link ClusterIndex.workloadByRef}: `namespace/kind/name`. */
export function workloadKey(ref: WorkloadRef): string {
  return `${ref.namespace}/${ref.kind}/${ref.name}`;
}

const PHASE_RANK: Readonly<Record<string, number>> = { Running: 0, Pending: 1 };
const phaseRank = (p: Pod): number => PHASE_RANK[p.phase ?? ''] ?? 2;

/** Builds the lookups of {@link ClusterIndex}. Linear in the size of the snapshot. */
export function indexCluster(snapshot: ClusterSnapshot): ClusterIndex {
  const podByIp = new Map<string, Pod>();
  const podByName = new Map<string, Pod>();
  const podsByWorkload = new Map<string, Pod[]>();
  const nodeByIp = new Map<string, string>();
  for (const pod of snapshot.pods) {
    if (pod.hostIP !== undefined && pod.nodeName !== undefined) nodeByIp.set(pod.hostIP, pod.nodeName);
    podByName.set(podKey(pod.namespace, pod.name), pod);
    const key = workloadKey(pod.owner);
    const list = podsByWorkload.get(key);
    if (list === undefined) podsByWorkload.set(key, [pod]);
    else list.push(pod);
    if (pod.hostNetwork) continue;
    for (const ip of pod.podIPs) {
      const held = podByIp.get(ip);
      if (held === undefined || phaseRank(pod) < phaseRank(held)) podByIp.set(ip, pod);
    }
  }
  const serviceByClusterIp = new Map<string, Service>();
  for (const service of snapshot.services) {
    for (const ip of service.clusterIPs) if (!serviceByClusterIp.has(ip)) serviceByClusterIp.set(ip, service);
  }
  return {
    podByIp,
    podByName,
    namespaceByName: new Map(snapshot.namespaces.map((n) => [n.name, n])),
    workloadByRef: new Map(snapshot.workloads.map((w) => [workloadKey(w), w])),
    podsByWorkload,
    nodeByIp,
    serviceByClusterIp,
  };
}
