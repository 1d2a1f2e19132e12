/**
 * @module cluster/cluster — what tighten knows of a cluster's own objects (from a kubectl dump or
 * the live API, `src/kube`): namespaces, pods with their top owners, workloads, services, existing
 * policies, the `cilium-config` ConfigMap and the Cilium agent's version.
 *
 * Everything here is plain data (JSON-serialisable: no Maps, no `undefined` values): `decodeClusterDocuments`
 * builds it, `readCluster` reads it from files, `indexCluster` prepares lookups, the core reads it.
 *
 * Namespaced objects written without `metadata.namespace` (plain manifests rather than a `kubectl get`
 * dump) are taken to be in `default`, where `kubectl apply` without `-n` would put them.
 */

/** Labels or annotations, keys sorted. An empty object when the object has none. */
export type Labels = Readonly<Record<string, string>>;

/** Kinds of workload tighten knows. A pod without a (known) controller is its own workload, kind `Pod`. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job', 'ReplicaSet', 'ReplicationController', 'Pod'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number] | (string & {});

/** An entry of `metadata.ownerReferences`; `controller` is omitted when the reference does not say. */
export interface OwnerReference {
  readonly kind: string;
  readonly name: string;
  readonly uid?: string;
  readonly controller?: boolean;
}

/** A declared container port (`spec.containers[].ports[]`). */
export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  /** @default 'TCP' */
  readonly protocol: string;
}

/** A Namespace object of the dump. Namespaces that pods name but the dump lacks are not invented. */
export interface Namespace {
  readonly name: string;
  readonly labels: Labels;
  readonly annotations: Labels;
}

/**
 * A pod as the dump shows it. Debug pods are not singled out here: a pod with `hasEphemeralContainers`
 * keeps its real owner, and a `kubectl debug --copy-to` or node-debugger pod is a bare pod (owner kind `Pod`).
 */
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
  /** Ports of the containers, then of restartable (sidecar) init containers; empty when none is declared. */
  readonly containerPorts: readonly ContainerPort[];
  /**
   * The pod's top owner (Pod → ReplicaSet → Deployment, Pod → Job → CronJob, Pod → StatefulSet …); itself
   * (kind `Pod`) when bare or owned by a Node (a static pod's mirror). The walk stops at Deployment,
   * StatefulSet, DaemonSet, CronJob, ReplicationController and at any kind tighten does not know (Argo
   * `Rollout`, `SparkApplication` …): operators' custom resources above those are not followed.
   */
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
 * CronJob, a ReplicaSet without a Deployment, a ReplicationController, a bare Pod, or a custom owner
 * (Argo `Rollout` …). Also the top owners that pods or controllers name but the dump lacks (`inferred`).
 */
export interface Workload extends WorkloadRef {
  /** Labels of the object itself (`metadata.labels`). */
  readonly labels: Labels;
  /**
   * Labels its pods get (`spec.template.metadata.labels`; for a CronJob the job template's pod template; for
   * a bare Pod its own). For an inferred workload: the labels all its known pods (or child ReplicaSets' and
   * Jobs' templates) share, without volatile keys (see `isVolatileLabelKey`).
   */
  readonly podLabels: Labels;
  /** `spec.selector` when the kind has one (a ReplicationController's map becomes `matchLabels`). */
  readonly selector?: LabelSelector;
  /** The pod template's service account (`default` when the template names none); undefined when unknown. */
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
  /**
   * True when the object itself is not in the dump and the workload was inferred from its pods or child
   * controllers (then `labels` and `annotations` are empty). Omitted when false.
   */
  readonly inferred?: boolean;
}

/** One `matchExpressions` entry; `values` is omitted when empty (Exists, DoesNotExist). */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | (string & {});
  readonly values?: readonly string[];
}

/** A Kubernetes label selector; omitted parts are omitted, and the empty selector selects everything. */
export interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/** One `spec.ports[]` entry of a Service. */
export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  /** A number, or a named container port. When the manifest omits it, `port` (as the API server defaults it). */
  readonly targetPort?: number | string;
  /** @default 'TCP' */
  readonly protocol: string;
}

/** A (core/v1) Service. A Knative `Service` or another group's is not one (it is counted in `ignoredKinds`). */
export interface Service {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  /** Undefined for a Service without selector (endpoints managed elsewhere). */
  readonly selector?: Labels;
  readonly ports: readonly ServicePort[];
  /** `spec.clusterIPs`, else `[spec.clusterIP]`, without `None`; empty for headless and ExternalName services. */
  readonly clusterIPs: readonly string[];
  /** @default 'ClusterIP' */
  readonly type?: string;
  /** True for a headless service (`clusterIP: None`): clients reach the pods' own IPs. Omitted when false. */
  readonly headless?: boolean;
  /** `spec.externalName` of an ExternalName service. */
  readonly externalName?: string;
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

/**
 * The Cilium agent as its DaemonSet declares it: the image of the `cilium-agent` container (or, in older or
 * renamed charts, of the container running a `cilium/cilium` image) of the DaemonSet named `cilium`.
 */
export interface CiliumAgent {
  /** `major.minor` from the image tag (`quay.io/cilium/cilium:v1.16.3@sha256:…` → `1.16`). */
  readonly version: string;
  /** The image reference as written. */
  readonly image: string;
  /** The DaemonSet, `namespace/name`. */
  readonly daemonSet: string;
}

/**
 * A warning about the dump that does not stop reading it. Codes:
 * - `owner-missing`: a pod's or controller's owner is not in the dump (the top owner was inferred);
 * - `duplicate-object`: the same kind/namespace/name twice (the last one read wins);
 * - `invalid-object`: not an object, no `metadata.name`, or a List item with no kind;
 * - `kind-inferred`: a plain `List` item without `kind`, whose kind was inferred from its shape;
 * - `empty-file`: a file with no Kubernetes object in it; `no-files`: a directory with no dump files;
 * - `crd-missing` (live reads): the API server does not serve a Cilium CRD, so none of its objects were read.
 */
export interface ClusterWarning {
  readonly code:
    | 'owner-missing'
    | 'duplicate-object'
    | 'invalid-object'
    | 'kind-inferred'
    | 'empty-file'
    | 'no-files'
    | (string & {});
  readonly message: string;
  /**
   * Where: `file`, `file#n` (the n-th document, from 1, of a multi-document file), with `/items/i` (from 0)
   * appended for an item of a List or array.
   */
  readonly source?: string;
}

/**
 * The cluster as a dump describes it. Lists are sorted by (namespace, name); workloads by (namespace, kind,
 * name); policies by (namespace, kind, name), cluster-wide ones first. Warnings are in the order found.
 */
export interface ClusterSnapshot {
  readonly namespaces: readonly Namespace[];
  readonly pods: readonly Pod[];
  readonly workloads: readonly Workload[];
  readonly services: readonly Service[];
  readonly policies: readonly PolicyObject[];
  /** `data` of the `cilium-config` ConfigMap (any namespace, usually kube-system), when present. */
  readonly ciliumConfig?: Readonly<Record<string, string>>;
  /** The Cilium agent the `cilium` DaemonSet runs, when the dump holds it and its image is tagged with a version. */
  readonly ciliumAgent?: CiliumAgent;
  /**
   * Kinds seen but not used, with how many objects of each (ConfigMaps other than `cilium-config` count as
   * `ConfigMap`). A kind tighten decodes but under another API group is counted as `Kind (apiVersion)`, e.g.
   * `Service (serving.knative.dev/v1)`.
   */
  readonly ignoredKinds: Readonly<Record<string, number>>;
  readonly warnings: readonly ClusterWarning[];
  /** Files read, in order; `kube:CONTEXT` for a live read. */
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
