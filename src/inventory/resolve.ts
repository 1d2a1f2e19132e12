/**
 * @module inventory/resolve — a flow endpoint becomes a peer: a Workload, an Entity, an External
 * address or a CIDR, using what Hubble put in the flow and, where given, the cluster dump.
 *
 * Precedence for a pod's workload: the dump's top owner, else Hubble's `workloads`, else what the
 * pod's name and controller labels tell (`<deploy>-<pod-template-hash>-<x>`, StatefulSet ordinals,
 * `job-name`), else the bare pod.
 */
import { indexCluster, type ClusterIndex, type ClusterSnapshot, type Pod, type WorkloadKind } from '../cluster/index.js';
import type { FlowEndpoint } from '../flows/index.js';
import { NAMESPACE_LABEL, labelValue, parseIdentityLabel } from './labels.js';
import type { Entity, Peer } from './model.js';

/** Where a workload's kind came from; a lower number wins when two disagree. */
export const KIND_SOURCE_RANK = { cluster: 0, hubble: 1, inferred: 2 } as const;
export type KindSource = keyof typeof KIND_SOURCE_RANK;

export type Resolution =
  | { readonly type: 'peer'; readonly peer: Peer; readonly kindSource?: KindSource; readonly labels?: readonly string[]; readonly pod?: Pod }
  /**
   * A pod known only by its identity (namespace and labels, no pod name): Hubble reports remote
   * endpoints so. The builder maps it to the workload seen with the same identity elsewhere.
   */
  | { readonly type: 'identity'; readonly namespace: string; readonly identityKey: string; readonly labels: readonly string[] }
  | { readonly type: 'noise'; readonly reason: 'health' }
  | { readonly type: 'unresolved'; readonly reason: string };

/** Lookups into the cluster dump the resolver needs, and whether there was a dump at all. */
export interface ClusterLookup extends Pick<ClusterIndex, 'podByIp' | 'podByName' | 'nodeByIp'> {
  readonly hasCluster: boolean;
}

export function buildClusterLookup(cluster: ClusterSnapshot): ClusterLookup {
  return { ...indexCluster(cluster), hasCluster: cluster.sources.length > 0 || cluster.pods.length > 0 };
}

/** Hubble's reserved identity numbers (cilium-semantics.md g). */
const RESERVED_IDENTITIES: Readonly<Record<number, string>> = {
  1: 'host',
  2: 'world',
  3: 'unmanaged',
  4: 'health',
  5: 'init',
  6: 'remote-node',
  7: 'kube-apiserver',
  8: 'ingress',
  9: 'world-ipv4',
  10: 'world-ipv6',
};

/** Identities at or above this are local CIDR/FQDN identities: world, never a pod. */
const LOCAL_IDENTITY_SCOPE = 1 << 24;

/** Reserved names in the order that decides the entity when several are present. */
const ENTITY_PRECEDENCE: readonly [string, Entity][] = [
  ['kube-apiserver', 'kube-apiserver'],
  ['host', 'host'],
  ['remote-node', 'remote-node'],
  ['ingress', 'ingress'],
  ['init', 'init'],
  ['unmanaged', 'unmanaged'],
  ['world', 'world'],
  ['world-ipv4', 'world'],
  ['world-ipv6', 'world'],
];

/**
 * Resolves one endpoint of a flow.
 * @param ip the endpoint's IP from the flow's `IP` record, when reported
 * @param observingNode the flow's node name (`cluster/node` or `node`), to tell host from remote-node
 */
export function resolveEndpoint(ep: FlowEndpoint, ip: string | undefined, observingNode: string | undefined, lookup: ClusterLookup): Resolution {
  const reserved = new Set<string>();
  let cidr: string | undefined;
  let hasK8s = false;
  for (const raw of ep.labels) {
    if (raw.startsWith('reserved:')) reserved.add(parseIdentityLabel(raw).key);
    else if (raw.startsWith('cidr:')) cidr = widerOrFirst(cidr, parseIdentityLabel(raw).key);
    else if (raw.startsWith('k8s:')) hasK8s = true;
  }
  if (reserved.size === 0 && ep.identity !== undefined) {
    const name = RESERVED_IDENTITIES[ep.identity];
    if (name !== undefined) reserved.add(name);
  }
  if (reserved.has('health')) return { type: 'noise', reason: 'health' };

  const namespace = ep.namespace ?? (hasK8s ? labelValue(ep.labels, NAMESPACE_LABEL) : undefined);
  if (namespace !== undefined && namespace !== '' && !reserved.has('host') && !reserved.has('remote-node')) {
    return resolvePod(ep, namespace, ip, lookup);
  }
  for (const [name, entity] of ENTITY_PRECEDENCE) {
    if (!reserved.has(name)) continue;
    if (entity === 'world') return resolveWorld(ip, cidr);
    return { type: 'peer', peer: { entity } };
  }
  if (cidr !== undefined || (ep.identity !== undefined && ep.identity >= LOCAL_IDENTITY_SCOPE)) return resolveWorld(ip, cidr);

  // No identity in the flow (field masks, old agents): the dump may know the address.
  if (ip !== undefined) {
    const pod = lookup.podByIp.get(ip);
    if (pod !== undefined) return podPeer(pod, ep.labels);
    const node = lookup.nodeByIp.get(ip);
    if (node !== undefined) return { type: 'peer', peer: { entity: sameNode(node, observingNode) ? 'host' : 'remote-node' } };
    if (!isPrivateAddress(ip)) return { type: 'peer', peer: { ip, names: [] } };
    return {
      type: 'unresolved',
      reason: lookup.hasCluster
        ? `no Kubernetes identity for ${ip}, and no pod or node of the cluster dump has that address`
        : `no Kubernetes identity for ${ip}; pass the cluster dump with --cluster to resolve addresses`,
    };
  }
  return { type: 'unresolved', reason: 'endpoint has no identity, labels, namespace or IP' };
}

function resolvePod(ep: FlowEndpoint, namespace: string, ip: string | undefined, lookup: ClusterLookup): Resolution {
  const podName = ep.podName;
  const pod = podName !== undefined ? lookup.podByName.get(`${namespace}/${podName}`) : ip !== undefined ? lookup.podByIp.get(ip) : undefined;
  if (pod !== undefined && pod.namespace === namespace) return podPeer(pod, ep.labels);
  const hubble = ep.workloads[0];
  if (hubble !== undefined && hubble.name !== '') {
    return { type: 'peer', peer: { namespace, kind: hubble.kind || 'Pod', name: hubble.name }, kindSource: 'hubble', labels: ep.labels };
  }
  if (podName !== undefined && podName !== '') {
    const inferred = inferWorkload(podName, ep.labels);
    return { type: 'peer', peer: { namespace, kind: inferred.kind, name: inferred.name }, kindSource: 'inferred', labels: ep.labels };
  }
  if (ep.labels.length > 0) return { type: 'identity', namespace, identityKey: identityKeyOf(ep, namespace), labels: ep.labels };
  return { type: 'unresolved', reason: `endpoint in namespace ${namespace} has no pod name, workload or labels` };
}

function podPeer(pod: Pod, labels: readonly string[]): Resolution {
  // A pod someone attached ephemeral containers to (`kubectl debug`) is a debug pod: its traffic is
  // not its controller's to vouch for, so it is a peer of its own, kind Pod (PRODUCT.md §4).
  if (pod.hasEphemeralContainers) return { type: 'peer', peer: { namespace: pod.namespace, kind: 'Pod', name: pod.name }, kindSource: 'cluster', labels, pod };
  return { type: 'peer', peer: { namespace: pod.owner.namespace, kind: pod.owner.kind, name: pod.owner.name }, kindSource: 'cluster', labels, pod };
}

function resolveWorld(ip: string | undefined, cidr: string | undefined): Resolution {
  if (ip !== undefined) return { type: 'peer', peer: { ip, names: [] } };
  if (cidr !== undefined) return { type: 'peer', peer: { cidr } };
  return { type: 'peer', peer: { entity: 'world' } };
}

/**
 * What a pod's name and controller labels say of its workload when nothing else does.
 * Names follow the controllers' conventions: `<deploy>-<pod-template-hash>-<5>`, `<sts>-<ordinal>`,
 * `<ds>-<5>`, Jobs of a CronJob named `<cronjob>-<scheduled minutes>`.
 */
export function inferWorkload(podName: string, labels: readonly string[]): { kind: WorkloadKind; name: string } {
  const hash = labelValue(labels, 'pod-template-hash');
  if (hash !== undefined && hash !== '') {
    const marker = `-${hash}-`;
    const at = podName.lastIndexOf(marker);
    if (at > 0) return { kind: 'Deployment', name: podName.slice(0, at) };
    if (podName.endsWith(`-${hash}`)) return { kind: 'Deployment', name: podName.slice(0, -hash.length - 1) };
  }
  const stsPod = labelValue(labels, 'statefulset.kubernetes.io/pod-name');
  if (stsPod !== undefined) {
    const m = /^(.+)-\d+$/.exec(stsPod);
    if (m?.[1] !== undefined) return { kind: 'StatefulSet', name: m[1] };
  }
  if (labelValue(labels, 'controller-revision-hash') !== undefined && labelValue(labels, 'pod-template-generation') !== undefined) {
    const m = /^(.+)-[a-z0-9]{5}$/.exec(podName);
    if (m?.[1] !== undefined) return { kind: 'DaemonSet', name: m[1] };
  }
  const job = labelValue(labels, 'job-name') ?? labelValue(labels, 'batch.kubernetes.io/job-name');
  if (job !== undefined && job !== '') {
    const m = /^(.+)-(\d{8,})$/.exec(job);
    if (m?.[1] !== undefined) return { kind: 'CronJob', name: m[1] };
    return { kind: 'Job', name: job };
  }
  // Without controller labels (older Hubble, trimmed labels), the generated name still tells:
  // Kubernetes draws pod-template hashes and name suffixes from an alphabet without vowels, 0, 1 and 3.
  const cronJob = CRONJOB_POD_NAME.exec(podName);
  if (cronJob?.[1] !== undefined) return { kind: 'CronJob', name: cronJob[1] };
  const deployment = DEPLOYMENT_POD_NAME.exec(podName);
  if (deployment?.[1] !== undefined) return { kind: 'Deployment', name: deployment[1] };
  const daemonSet = DAEMONSET_POD_NAME.exec(podName);
  if (daemonSet?.[1] !== undefined && /\d/.test(podName.slice(-5))) return { kind: 'DaemonSet', name: daemonSet[1] };
  return { kind: 'Pod', name: podName };
}

/** `<cronjob>-<scheduled time in minutes>-<suffix>`: a CronJob names its Jobs by the minute they were due. */
const CRONJOB_POD_NAME = /^(.+)-\d{8,}-[bcdfghjklmnpqrstvwxz2456789]{5}$/;
/** `<deployment>-<pod-template-hash>-<suffix>` in Kubernetes' safe alphabet (`k8s.io/apimachinery/pkg/util/rand`). */
const DEPLOYMENT_POD_NAME = /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/;
/** `<daemonset>-<suffix>`; only trusted when the suffix has a digit, as words rarely do. */
const DAEMONSET_POD_NAME = /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{5}$/;

/** Hubble names nodes `cluster/node` behind a Relay and `node` otherwise. */
function sameNode(node: string, observing: string | undefined): boolean {
  if (observing === undefined) return false;
  const slash = observing.lastIndexOf('/');
  return (slash < 0 ? observing : observing.slice(slash + 1)) === node;
}

function widerOrFirst(current: string | undefined, candidate: string): string {
  if (current === undefined) return candidate;
  const bits = (c: string) => Number(c.slice(c.indexOf('/') + 1));
  return bits(candidate) > bits(current) ? candidate : current;
}

/** RFC 1918, CGNAT, loopback, link-local and IPv6 ULA/link-local: addresses a cluster may own. */
export function isPrivateAddress(ip: string): boolean {
  if (ip.includes(':')) {
    const lower = ip.toLowerCase();
    return lower.startsWith('fc') || lower.startsWith('fd') || lower.startsWith('fe80') || lower === '::1';
  }
  const parts = ip.split('.').map(Number);
  const [a = -1, b = -1] = parts;
  return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254);
}

/**
 * A key for an endpoint's security identity: its number when Hubble gives one (cheap, cluster-wide),
 * else its namespace and labels.
 */
export function identityKeyOf(ep: FlowEndpoint, namespace: string): string {
  return ep.identity !== undefined ? `#${ep.identity}` : `${namespace}|${ep.labels.join(',')}`;
}
