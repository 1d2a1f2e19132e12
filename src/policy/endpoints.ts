/**
 * @module policy/endpoints — inventory peers as the policy evaluator sees them: Cilium security
 * identities (`k8s:` pod labels that the identity label filter keeps, the namespace and its labels, the
 * service account, the cluster name) or reserved identities, with the address and DNS names that CIDR
 * and FQDN rules need. Pure.
 */
import type { ClusterSnapshot, Labels, Workload } from '../cluster/index.js';
import type { Peer } from '../inventory/index.js';
import { compileIdentityLabelFilter, type IdentityLabelFilter } from '../understand/index.js';
import type { Endpoint } from './evaluate/types.js';

/** What turning peers into identities needs to know of the cluster. */
export interface IdentityContext {
  /** The local cluster's name (`io.cilium.k8s.policy.cluster`): `cluster-name` of cilium-config, else `default`. */
  readonly clusterName: string;
  readonly labelFilter: IdentityLabelFilter;
  readonly namespaceLabels: ReadonlyMap<string, Labels>;
  readonly workloads: ReadonlyMap<string, Workload>;
}

export function identityContext(cluster: ClusterSnapshot | undefined): IdentityContext {
  return {
    clusterName: cluster?.ciliumConfig?.['cluster-name'] ?? 'default',
    labelFilter: compileIdentityLabelFilter(cluster?.ciliumConfig),
    namespaceLabels: new Map((cluster?.namespaces ?? []).map((n) => [n.name, n.labels])),
    workloads: new Map((cluster?.workloads ?? []).map((w) => [`${w.namespace}/${w.name}`, w])),
  };
}

/**
 * A workload's pods as an identity. `podLabels` are the pods' own labels (without `k8s:`); only the
 * identity-relevant ones are kept, as Cilium does. The namespace's labels come from the dump, and
 * `kubernetes.io/metadata.name` is always there (the API server sets it).
 */
export function workloadEndpoint(
  ref: { readonly namespace: string; readonly name: string },
  podLabels: Labels,
  ctx: IdentityContext,
  serviceAccount?: string,
): Endpoint {
  const labels: string[] = [];
  for (const [k, v] of Object.entries(podLabels)) if (ctx.labelFilter.isRelevant(k, 'k8s')) labels.push(`k8s:${k}=${v}`);
  const nsLabels: Record<string, string> = { 'kubernetes.io/metadata.name': ref.namespace, ...(ctx.namespaceLabels.get(ref.namespace) ?? {}) };
  for (const [k, v] of Object.entries(nsLabels)) labels.push(`k8s:io.cilium.k8s.namespace.labels.${k}=${v}`);
  const workload = ctx.workloads.get(`${ref.namespace}/${ref.name}`);
  labels.push(`k8s:io.cilium.k8s.policy.cluster=${ctx.clusterName}`);
  labels.push(`k8s:io.cilium.k8s.policy.serviceaccount=${serviceAccount ?? workload?.serviceAccountName ?? 'default'}`);
  labels.push(`k8s:io.kubernetes.pod.namespace=${ref.namespace}`);
  labels.sort();
  const namedPorts: Record<string, { port: number; protocol: 'TCP' | 'UDP' | 'SCTP' }> = {};
  for (const p of workload?.containerPorts ?? []) {
    if (p.name !== undefined && (p.protocol === 'TCP' || p.protocol === 'UDP' || p.protocol === 'SCTP')) namedPorts[p.name] = { port: p.containerPort, protocol: p.protocol };
  }
  return { labels, ...(Object.keys(namedPorts).length > 0 ? { namedPorts } : {}) };
}

/**
 * Any inventory peer as an endpoint. Workload peers take their labels from the dump's pod template
 * when there is one, else from `labelsOf` (the labels the inventory saw in flows).
 */
export function peerEndpoint(peer: Peer, ctx: IdentityContext, labelsOf: (namespace: string, name: string) => Labels | undefined = () => undefined): Endpoint {
  if ('namespace' in peer) {
    const w = ctx.workloads.get(`${peer.namespace}/${peer.name}`);
    return workloadEndpoint(peer, w?.podLabels ?? labelsOf(peer.namespace, peer.name) ?? {}, ctx);
  }
  if ('entity' in peer) return { labels: [`reserved:${peer.entity}`] };
  if ('ip' in peer) return { labels: ['reserved:world'], ip: peer.ip, names: peer.names };
  return { labels: ['reserved:world'], ip: peer.cidr.slice(0, peer.cidr.indexOf('/')) };
}
