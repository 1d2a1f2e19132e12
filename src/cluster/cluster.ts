/**
 * @module cluster/cluster — what tighten knows of a cluster's own objects (from a kubectl dump or,
 * later, the live API): namespaces, pods with their top owners, workloads, services, existing
 * policies and the `cilium-config` ConfigMap.
 *
 * Everything here is plain data; `decodeCluster` builds it, the core reads it.
 */

export type Labels = Readonly<Record<string, string>>;

/** Kinds of workload tighten knows. A pod without a (known) controller is its own workload, kind `Pod`. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job', 'ReplicaSet', 'ReplicationController', 'Pod'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number] | (string & {});

export interface OwnerReference {
  readonly kind: string;
  readonly name: string;
  readonly uid?: string;
  readonly controller?: boolean;
}

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  /** @default 'TCP' */
  readonly protocol: string;
}

export interface Namespace {
  readonly name: string;
  readonly labels: Labels;
  readonly annotations: Labels;
}

export interface Pod {
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly ownerReferences: readonly OwnerReference[];
  /** `status.podIPs[].ip`, else `[status.podIP]`; empty when not scheduled. */
  readonly podIPs: readonly string[];
  readonly hostIP?: string;
  readonly hostNetwork: boolean;
  /** True when the pod has (or had) ephemeral containers — the mark of `kubectl debug`. */
  readonly hasEphemeralContainers: boolean;
  /** @default 'default' (as the API server fills it) */
  readonly serviceAccountName: string;
  readonly nodeName?: string;
  readonly phase?: string;
  readonly containerPorts: readonly ContainerPort[];
  /** The pod's top owner (Pod → ReplicaSet → Deployment, Pod → Job → CronJob, …); itself when bare. */
  readonly owner: WorkloadRef;
}

/** A reference to a workload: namespace, kind, name. */
export interface WorkloadRef {
  readonly namespace: string;
  readonly kind: WorkloadKind;
  readonly name: string;
}

/**
 * A top-level workload of the dump: Deployment, StatefulSet, DaemonSet, CronJob, a Job without a
 * CronJob, a ReplicaSet without a Deployment, or a bare Pod.
 */
export interface Workload extends WorkloadRef {
  /** Labels of the object itself (`metadata.labels`). */
  readonly labels: Labels;
  /** Labels its pods get (`spec.template.metadata.labels`; for a CronJob the job template's pod template; for a bare Pod its own). */
  readonly podLabels: Labels;
  /** `spec.selector` when the kind has one. */
  readonly selector?: LabelSelector;
  readonly serviceAccountName?: string;
  readonly containerPorts: readonly ContainerPort[];
  readonly hostNetwork: boolean;
  /** CronJob only. */
  readonly schedule?: string;
  /** CronJob only: `spec.suspend`. */
  readonly suspend?: boolean;
  readonly timeZone?: string;
  readonly annotations: Labels;
  readonly creationTimestamp?: string;
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | (string & {});
  readonly values?: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  /** A number, or a named container port. */
  readonly targetPort?: number | string;
  /** @default 'TCP' */
  readonly protocol: string;
}

export interface Service {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  /** Undefined for a Service without selector (endpoints managed elsewhere). */
  readonly selector?: Labels;
  readonly ports: readonly ServicePort[];
  readonly clusterIPs: readonly string[];
  readonly type?: string;
}

/**
 * A policy object of the dump kept as it was written (apiVersion, kind, metadata, spec/specs …) for the
 * policy model of a later stage to decode. `source` says where it came from, for error messages.
 */
export interface PolicyObject {
  readonly kind: 'NetworkPolicy' | 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  readonly namespace?: string;
  readonly name: string;
  readonly object: Readonly<Record<string, unknown>>;
  readonly source: string;
}

/** A warning about the dump that does not stop reading it (a pod whose owner is missing …). */
export interface ClusterWarning {
  readonly code: 'owner-missing' | 'duplicate-object' | 'invalid-object' | (string & {});
  readonly message: string;
  /** "file" or "file#document" where the object was read. */
  readonly source?: string;
}

/** The cluster as a dump describes it. All lists are sorted by (namespace, name). */
export interface ClusterSnapshot {
  readonly namespaces: readonly Namespace[];
  readonly pods: readonly Pod[];
  readonly workloads: readonly Workload[];
  readonly services: readonly Service[];
  readonly policies: readonly PolicyObject[];
  /** `data` of the `cilium-config` ConfigMap (any namespace, usually kube-system), when present. */
  readonly ciliumConfig?: Readonly<Record<string, string>>;
  /** Kinds seen but not used, with how many objects of each. */
  readonly ignoredKinds: Readonly<Record<string, number>>;
  readonly warnings: readonly ClusterWarning[];
  /** Files read, in order. */
  readonly sources: readonly string[];
}

/** A snapshot with nothing in it: what tighten works from when no `--cluster` is given. */
export const EMPTY_CLUSTER: ClusterSnapshot = {
  namespaces: [],
  pods: [],
  workloads: [],
  services: [],
  policies: [],
  ignoredKinds: {},
  warnings: [],
  sources: [],
};
