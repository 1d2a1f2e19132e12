/**
 * @module understand/facts — what the understanding rules look up: each inventory workload with its
 * object and pods from the cluster dump, and the inventory's edges by workload (pure).
 */
import type { ClusterSnapshot, Pod, Workload, WorkloadRef } from '../cluster/index.js';
import type { Edge, Inventory, InventoryWorkload, Peer, WorkloadPeer } from '../inventory/index.js';

/** The key of a workload: `namespace/name` (one workload is one peer, whatever its kind). */
export function workloadKeyOf(w: { readonly namespace: string; readonly name: string }): string {
  return `${w.namespace}/${w.name}`;
}

/** `namespace/Kind/name`, the way findings and evidence name a workload. */
export function formatWorkload(w: WorkloadRef): string {
  return `${w.namespace}/${w.kind}/${w.name}`;
}

/** An inventory workload and what the dump says of it. */
export interface WorkloadFacts {
  readonly key: string;
  readonly workload: InventoryWorkload;
  /** The dump's object (same namespace and name; the same kind preferred). */
  readonly object?: Workload;
  /**
   * The dump's pods of this workload, in (namespace, name) order. For a kind-`Pod` workload, the pod of that
   * name, even when the dump gives it an owner: the inventory makes a pod with ephemeral containers
   * (`kubectl debug`) a peer of its own.
   */
  readonly pods: readonly Pod[];
}

/** Edges by workload key: `from` the workloads that send, `to` the workloads that receive. */
export interface TrafficIndex {
  readonly from: ReadonlyMap<string, readonly Edge[]>;
  readonly to: ReadonlyMap<string, readonly Edge[]>;
}

/** Indexes the inventory's workloads with the dump's objects and pods. */
export function indexWorkloadFacts(inventory: Inventory, cluster: ClusterSnapshot | undefined): Map<string, WorkloadFacts> {
  const objects = new Map<string, Workload>();
  const objectsByKind = new Map<string, Workload>();
  for (const w of cluster?.workloads ?? []) {
    const key = workloadKeyOf(w);
    if (!objects.has(key)) objects.set(key, w);
    objectsByKind.set(`${key}/${w.kind}`, w);
  }
  const pods = new Map<string, Pod[]>();
  const podByName = new Map<string, Pod>();
  for (const p of cluster?.pods ?? []) {
    podByName.set(workloadKeyOf(p), p);
    const key = workloadKeyOf(p.owner);
    const list = pods.get(key);
    if (list === undefined) pods.set(key, [p]);
    else list.push(p);
  }
  const out = new Map<string, WorkloadFacts>();
  for (const w of inventory.workloads) {
    const key = workloadKeyOf(w);
    const object = objectsByKind.get(`${key}/${w.kind}`) ?? objects.get(key);
    const own = w.kind === 'Pod' ? podByName.get(key) : undefined;
    const list = own !== undefined && own.owner.kind !== 'Pod' ? [own] : (pods.get(key) ?? []);
    out.set(key, { key, workload: w, ...(object !== undefined ? { object } : {}), pods: list });
  }
  return out;
}

/** Indexes edges by their workload ends. Edges keep the inventory's order. */
export function indexTraffic(inventory: Inventory): TrafficIndex {
  const from = new Map<string, Edge[]>();
  const to = new Map<string, Edge[]>();
  const add = (m: Map<string, Edge[]>, key: string, e: Edge) => {
    const list = m.get(key);
    if (list === undefined) m.set(key, [e]);
    else list.push(e);
  };
  for (const e of inventory.edges) {
    if (isWorkload(e.source)) add(from, workloadKeyOf(e.source), e);
    if (isWorkload(e.destination)) add(to, workloadKeyOf(e.destination), e);
  }
  return { from, to };
}

/** True for a workload peer (not an entity, address or CIDR). */
export const isWorkload = (p: Peer): p is WorkloadPeer => 'namespace' in p;

/** `UDP/53`, `TCP/443`, `ICMPv4 type 8`. */
export function formatPort(e: Pick<Edge, 'protocol' | 'port'>): string {
  return e.protocol === 'ICMPv4' || e.protocol === 'ICMPv6' ? `${e.protocol} type ${e.port}` : `${e.protocol}/${e.port}`;
}

/** Sorts and joins at most `max` items, saying how many more there are: `a, b, c and 4 more`. */
export function listSome(items: Iterable<string>, max = 5): string {
  const all = [...new Set(items)].sort();
  if (all.length <= max) return all.join(', ');
  return `${all.slice(0, max).join(', ')} and ${all.length - max} more`;
}

/** `1 workload`, `3 workloads`. */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}

/** Code-point order, the same in every locale. */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
