/**
 * @module sample/model — the sample cluster as the generator knows it: namespaces, nodes,
 * workloads with their pods, Services, and who calls whom. Everything else (Kubernetes objects,
 * Hubble flows, the ground truth) is rendered from this one model.
 *
 * Times are epoch milliseconds (UTC). Objects are plain data; `pods` and `runs` are filled in by
 * the topology builder and not changed afterwards.
 */
import type { PlatformRole, WorkloadClass } from '../inventory/index.js';

export type Labels = Readonly<Record<string, string>>;

/** Top-level workload kinds of the sample (the kind of a flow peer). */
export type SampleKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob' | 'Job' | 'Pod';

export interface SampleNamespace {
  readonly name: string;
  /** `metadata.labels`: always `kubernetes.io/metadata.name`, and `team` unless planted without. */
  readonly labels: Labels;
  /** Whether the namespace's pods send DNS through Cilium's DNS proxy (DNS L7 flows, `destination_names`). */
  readonly dnsVisibility: boolean;
  readonly uid: string;
  readonly createdMs: number;
}

export interface SampleNode {
  readonly name: string;
  readonly index: number;
  /** The node's InternalIP; also the IP of its hostNetwork pods. */
  readonly ip: string;
  /** The node's pod CIDR (a /23). */
  readonly podCidr: string;
  /** `cilium_host` address: the source of kubelet probes. */
  readonly routerIp: string;
  /** The Cilium health endpoint's address. */
  readonly healthIp: string;
  readonly healthEndpointId: number;
  /**
   * A node whose agent is still on an older Cilium during an upgrade: flows it observes carry no
   * `workloads`. Short-lived pods (Job runs, debug pods) are never scheduled here.
   */
  readonly oldAgent: boolean;
}

export interface SamplePort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
}

/** The immediate controller of a pod (ReplicaSet, StatefulSet, DaemonSet, Job), absent for a bare pod. */
export interface SampleOwner {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}

export interface SamplePod {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly workload: SampleWorkload;
  readonly node: SampleNode;
  /** Pod IP; the node's IP for hostNetwork pods. */
  readonly ip: string;
  /** All pod labels, volatile ones included (`pod-template-hash`, `job-name` …). */
  readonly labels: Labels;
  readonly owner?: SampleOwner;
  /** Cilium security identity (≥ 256) of the pod's identity-relevant labels; 0 for hostNetwork pods. */
  identity: number;
  /** Cilium endpoint id on its node. */
  readonly endpointId: number;
  readonly startMs: number;
  /** When the pod finished (Job pods); undefined while running. */
  readonly endMs?: number;
}

/** One run of a CronJob (or the single run of a Job): its Job and pod. */
export interface SampleRun {
  readonly jobName: string;
  readonly jobUid: string;
  readonly scheduledMs: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly pod: SamplePod;
}

export interface SampleWorkload {
  readonly namespace: string;
  readonly name: string;
  readonly kind: SampleKind;
  readonly uid: string;
  /** `metadata.labels` of the workload object. */
  readonly labels: Labels;
  /** Labels its pods get from the template (for a bare pod: its own labels), volatile ones excluded. */
  readonly podLabels: Labels;
  /** `spec.selector.matchLabels` (Deployment, StatefulSet, DaemonSet). */
  readonly selector?: Labels;
  readonly serviceAccount: string;
  readonly image: string;
  readonly ports: readonly SamplePort[];
  readonly replicas: number;
  readonly hostNetwork: boolean;
  /** Port the kubelet probes over the network (httpGet / tcpSocket); none for exec probes. */
  readonly probePort?: number;
  /** Port Prometheus scrapes. */
  readonly metricsPort?: number;
  /** CronJob schedule (UTC). */
  readonly schedule?: string;
  /** Bare debug pod: when its debug session (the only time it makes calls) ends. */
  readonly sessionEndMs?: number;
  /** A bare pod that got an ephemeral container from `kubectl debug`. */
  readonly ephemeralContainer?: boolean;
  readonly class: WorkloadClass;
  readonly role?: PlatformRole;
  /** Sends traces to the OTel collector. */
  readonly traces?: boolean;
  /** Reads secrets from Vault. */
  readonly secrets?: boolean;
  /** Talks to the Kubernetes API server. */
  readonly apiserver?: boolean;
  readonly createdMs: number;
  /** Long-lived pods (Deployment, StatefulSet, DaemonSet, bare Pod). */
  readonly pods: SamplePod[];
  /** Runs of a CronJob or Job, in time order. */
  readonly runs: SampleRun[];
  /** Pod-template hash of the Deployment's ReplicaSet (Deployment only). */
  readonly templateHash?: string;
  /** The ReplicaSet's uid (Deployment only). */
  readonly replicaSetUid?: string;
}

export interface SampleServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort: number;
  readonly protocol: 'TCP' | 'UDP';
}

export interface SampleService {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly labels: Labels;
  /** Undefined for a Service without selector (`default/kubernetes`). */
  readonly selector?: Labels;
  readonly ports: readonly SampleServicePort[];
  readonly clusterIP: string;
  readonly type: 'ClusterIP' | 'LoadBalancer';
  /** Workloads the selector picks, with the share of traffic each gets. */
  readonly backends: readonly { readonly workload: SampleWorkload; readonly share: number }[];
}

/** An external DNS name and the addresses it resolves to. */
export interface SampleExternal {
  readonly name: string;
  readonly ips: readonly string[];
}

/** Who starts a call. */
export type CallSource =
  | { readonly type: 'workload'; readonly workload: SampleWorkload }
  /** Internet clients, one connection stream per client address. */
  | { readonly type: 'world' }
  | { readonly type: 'kube-apiserver' }
  /** Another node's host namespace (NodePort traffic SNATed to the node address). */
  | { readonly type: 'remote-node' }
  /** The kubelet of the destination pod's own node (network probes). */
  | { readonly type: 'host' };

/** Where a call goes. */
export type CallTarget =
  | { readonly type: 'workload'; readonly workload: SampleWorkload; readonly service?: SampleService }
  /** A hostNetwork DaemonSet, one per node: seen in flows as `host` or `remote-node`. */
  | { readonly type: 'node-daemon'; readonly workload: SampleWorkload }
  /** The kubelet of every node (port 10250). */
  | { readonly type: 'kubelet' }
  | { readonly type: 'kube-apiserver' }
  | { readonly type: 'external'; readonly external: SampleExternal }
  /** An address outside the cluster reached without a DNS name the proxy could see. */
  | { readonly type: 'external-ip'; readonly ip: string; readonly dnsName?: string };

/** How connections of a call end. */
export type CallOutcome =
  | { readonly type: 'ok' }
  /** Dropped at the destination by an existing policy (`POLICY_DENIED`); the SYN is retried. */
  | { readonly type: 'policy-denied' }
  /** Dropped at the source by the datapath for a reason that is not policy. */
  | { readonly type: 'source-drop'; readonly reason: 'CT_MAP_INSERTION_FAILED' | 'STALE_OR_UNROUTABLE_IP' };

export interface SampleCall {
  readonly source: CallSource;
  readonly target: CallTarget;
  readonly port: number;
  readonly protocol: 'TCP';
  /** Relative rate (connections per hour before the flow budget scales it). */
  readonly weight: number;
  readonly outcome: CallOutcome;
  /**
   * Exact connections, not scaled by the flow budget (drops, and calls of Job runs and debug
   * sessions: per run / per session).
   */
  readonly fixedConnections?: number;
}

/** Cilium's reserved identities used by the sample (cilium-semantics.md g). */
export const RESERVED_IDENTITY = { host: 1, world: 2, health: 4, 'remote-node': 6, 'kube-apiserver': 7 } as const;

export interface SampleCluster {
  readonly name: string;
  readonly sinceMs: number;
  readonly untilMs: number;
  readonly namespaces: readonly SampleNamespace[];
  readonly nodes: readonly SampleNode[];
  readonly workloads: readonly SampleWorkload[];
  readonly services: readonly SampleService[];
  readonly calls: readonly SampleCall[];
  readonly externals: readonly SampleExternal[];
  /** Internet client addresses that reach the ingress controller. */
  readonly worldClients: readonly string[];
  readonly apiserverIp: string;
  /** The upstream resolver CoreDNS forwards external names to. */
  readonly upstreamDnsIp: string;
  /** `data` of the `cilium-config` ConfigMap. */
  readonly ciliumConfig: Readonly<Record<string, string>>;
  /** Existing policies, as Kubernetes objects. */
  readonly policies: readonly Readonly<Record<string, unknown>>[];
  /** The CoreDNS workload every pod asks. */
  readonly dns: SampleWorkload;
  /** The cluster-wide DNS domain. @default 'cluster.local' */
  readonly domain: string;
}
