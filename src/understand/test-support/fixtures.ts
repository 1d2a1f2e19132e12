/**
 * @module understand/test-support/fixtures — hand-made inventories and cluster snapshots for the
 * understanding tests (built directly, without the decoders).
 */
import type { ClusterSnapshot, ContainerPort, Labels, Namespace, Pod, Workload, WorkloadRef } from '../../cluster/index.js';
import type { Edge, EdgeProtocol, EdgeVerdict, Entity, Inventory, InventoryWindow, InventoryWorkload, Peer, WorkloadPeer } from '../../inventory/index.js';

export const T0 = '2026-11-02T10:00:00.000000000Z';

/** A workload peer. */
export const peer = (namespace: string, kind: string, name: string): WorkloadPeer => ({ namespace, kind, name });
export const entityPeer = (entity: Entity): Peer => ({ entity });
export const externalPeer = (ip: string, names: string[] = []): Peer => ({ ip, names });

/** An inventory workload, seen in the dump and in flows unless told otherwise. */
export function workload(
  namespace: string,
  kind: string,
  name: string,
  labels: Labels = {},
  seen: { cluster?: boolean; flows?: boolean } = {},
): InventoryWorkload {
  const flows = seen.flows ?? true;
  return {
    namespace,
    kind,
    name,
    labels,
    seenIn: { cluster: seen.cluster ?? true, flows },
    ...(flows ? { firstSeen: T0, lastSeen: T0 } : {}),
  };
}

export interface EdgeOptions {
  readonly protocol?: EdgeProtocol;
  readonly flows?: number;
  readonly verdict?: EdgeVerdict;
  readonly http?: string[];
}

/** An edge with one hourly bucket at {@link T0}. */
export function edge(source: Peer, destination: Peer, port: number, o: EdgeOptions = {}): Edge {
  const flows = o.flows ?? 1;
  return {
    source,
    destination,
    port,
    protocol: o.protocol ?? 'TCP',
    verdict: o.verdict ?? 'FORWARDED',
    flows,
    firstSeen: T0,
    lastSeen: T0,
    ...(o.http ? { l7: { http: o.http } } : {}),
    buckets: [{ start: '2026-11-02T10:00:00.000Z', flows, firstSeen: T0, lastSeen: T0 }],
  };
}

/** An inventory of these workloads and edges; workloads the edges name but the list lacks are added (labels empty). */
export function inventory(workloads: readonly InventoryWorkload[], edges: readonly Edge[] = [], window: InventoryWindow = { since: T0, until: T0, now: T0 }): Inventory {
  const all = new Map(workloads.map((w) => [`${w.namespace}/${w.name}`, w]));
  for (const e of edges) {
    for (const p of [e.source, e.destination]) {
      if ('namespace' in p && !all.has(`${p.namespace}/${p.name}`)) all.set(`${p.namespace}/${p.name}`, workload(p.namespace, p.kind, p.name, {}, { cluster: false }));
    }
  }
  return {
    window,
    workloads: [...all.values()].sort((a, b) => (a.namespace + '/' + a.name < b.namespace + '/' + b.name ? -1 : 1)),
    edges,
    findings: [],
    decode: { files: [], linesRead: 0, flows: 0, skipped: 0, ignored: 0, lostEvents: 0, notEdges: {}, errors: [] },
  };
}

/** A workload object of the dump. */
export function object(namespace: string, kind: string, name: string, podLabels: Labels = {}, extra: Partial<Workload> = {}): Workload {
  return { namespace, kind, name, labels: {}, podLabels, containerPorts: [], hostNetwork: false, annotations: {}, ...extra };
}

/** A pod of the dump owned by `owner`. */
export function pod(name: string, owner: WorkloadRef, extra: Partial<Pod> = {}): Pod {
  return {
    namespace: owner.namespace,
    name,
    labels: {},
    annotations: {},
    ownerReferences: owner.kind === 'Pod' ? [] : [{ kind: owner.kind, name: owner.name }],
    podIPs: [],
    hostNetwork: false,
    hasEphemeralContainers: false,
    serviceAccountName: 'default',
    containerPorts: [],
    owner,
    ...extra,
  };
}

export const ns = (name: string, labels: Labels = {}): Namespace => ({ name, labels, annotations: {} });

export const port = (containerPort: number, name?: string, protocol = 'TCP'): ContainerPort => ({ containerPort, protocol, ...(name ? { name } : {}) });

/** A snapshot with these parts; the rest empty. */
export function cluster(parts: Partial<ClusterSnapshot>): ClusterSnapshot {
  return { namespaces: [], pods: [], workloads: [], services: [], policies: [], ignoredKinds: {}, warnings: [], sources: ['dump.yaml'], ...parts };
}
