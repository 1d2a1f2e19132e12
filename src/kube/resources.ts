/**
 * @module kube/resources — the API resources tighten reads from a live cluster: exactly the kinds
 * `decodeClusterDocuments` decodes, and never a Secret. Paths follow the Kubernetes API conventions
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-uris).
 */

/** One listable resource of the API. */
export interface KubeResource {
  /** The kind of its objects (`Pod`); list items carry none, so the reader fills it in. */
  readonly kind: string;
  /** `v1` for the core group, else `group/version`. */
  readonly apiVersion: string;
  /** The resource name in paths (`pods`). */
  readonly plural: string;
  readonly namespaced: boolean;
  /**
   * A custom resource whose definition may not be installed (Cilium's CRDs): a 404 from its list path is a
   * warning and no objects, not an error. @default false
   */
  readonly optional?: boolean;
}

/**
 * What a snapshot lists, cluster-wide. The `cilium-config` ConfigMap is read on its own (see
 * `CILIUM_CONFIG`): other ConfigMaps are never listed, nor Secrets, nor anything else.
 */
export const CLUSTER_RESOURCES: readonly KubeResource[] = [
  { kind: 'Namespace', apiVersion: 'v1', plural: 'namespaces', namespaced: false },
  { kind: 'Deployment', apiVersion: 'apps/v1', plural: 'deployments', namespaced: true },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', plural: 'statefulsets', namespaced: true },
  { kind: 'DaemonSet', apiVersion: 'apps/v1', plural: 'daemonsets', namespaced: true },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', plural: 'replicasets', namespaced: true },
  { kind: 'ReplicationController', apiVersion: 'v1', plural: 'replicationcontrollers', namespaced: true },
  { kind: 'Job', apiVersion: 'batch/v1', plural: 'jobs', namespaced: true },
  { kind: 'CronJob', apiVersion: 'batch/v1', plural: 'cronjobs', namespaced: true },
  { kind: 'Pod', apiVersion: 'v1', plural: 'pods', namespaced: true },
  { kind: 'Service', apiVersion: 'v1', plural: 'services', namespaced: true },
  { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', plural: 'networkpolicies', namespaced: true },
  { kind: 'CiliumNetworkPolicy', apiVersion: 'cilium.io/v2', plural: 'ciliumnetworkpolicies', namespaced: true, optional: true },
  { kind: 'CiliumClusterwideNetworkPolicy', apiVersion: 'cilium.io/v2', plural: 'ciliumclusterwidenetworkpolicies', namespaced: false, optional: true },
];

/** The agent's ConfigMap: looked for in `namespace` first, then in every namespace by name. */
export const CILIUM_CONFIG = {
  resource: { kind: 'ConfigMap', apiVersion: 'v1', plural: 'configmaps', namespaced: true } satisfies KubeResource,
  namespace: 'kube-system',
  name: 'cilium-config',
} as const;

/** `/api/v1` or `/apis/group/version`. */
function groupPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** The list (and watch) path: all namespaces, or one when `namespace` is given. */
export function listPath(resource: KubeResource, namespace?: string): string {
  const ns = namespace !== undefined && resource.namespaced ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupPath(resource.apiVersion)}${ns}/${resource.plural}`;
}

/** The path of one object. */
export function objectPath(resource: KubeResource, namespace: string | undefined, name: string): string {
  return `${listPath(resource, namespace)}/${encodeURIComponent(name)}`;
}

/** `plural` or `plural.group`, as kubectl and RBAC name a resource. */
export function resourceName(resource: KubeResource): string {
  const slash = resource.apiVersion.indexOf('/');
  return slash < 0 ? resource.plural : `${resource.plural}.${resource.apiVersion.slice(0, slash)}`;
}
