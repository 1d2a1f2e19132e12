/**
 * @module cluster — Kubernetes objects (from dumps) → namespaces, pods with their top owners, workloads,
 * services, existing policies and the `cilium-config` ConfigMap. The only public surface of `src/cluster`.
 */
export {
  EMPTY_CLUSTER,
  WORKLOAD_KINDS,
  type CiliumAgent,
  type ClusterSnapshot,
  type ClusterWarning,
  type ContainerPort,
  type LabelSelector,
  type LabelSelectorRequirement,
  type Labels,
  type Namespace,
  type OwnerReference,
  type Pod,
  type PolicyObject,
  type Service,
  type ServicePort,
  type Workload,
  type WorkloadKind,
  type WorkloadRef,
} from './cluster.js';
export { indexCluster, podKey, workloadKey, type ClusterIndex } from './cluster-index.js';
export { ciliumVersionOfImage, decodeClusterDocuments, isVolatileLabelKey, type ClusterDocument } from './decode.js';
export { parseClusterText } from './parse.js';
export { readCluster } from './read.js';
