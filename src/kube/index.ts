/**
 * @module kube — the live Kubernetes API as a cluster source: `readKubeCluster` lists what a dump would hold
 * and decodes it as `readCluster` decodes a dump; `watchKubeCluster` keeps a snapshot current; `listKubeObjects`
 * and `renderDump` write a dump usable offline (`tighten snapshot`). The I/O shell around `cluster/decode`;
 * the only public surface of `src/kube`. Secrets are never read, and no credential reaches a message.
 */
export { KubeApiError, KubeClient, type WatchEvent } from './client.js';
export { DUMP_FORMATS, countKinds, dumpFormatOf, dumpObjects, renderDump, type DumpFormat } from './dump.js';
export { loadKubeConfig, type KubeEnvironment, type KubeOptions, type LoadedKubeConfig } from './kubeconfig.js';
export { DEFAULT_PAGE_SIZE, listKubeObjects, readKubeCluster, snapshotOfListing, type KubeListing, type KubeObject, type KubeReadOptions, type ResourceList } from './read.js';
export { CILIUM_CONFIG, CLUSTER_RESOURCES, listPath, objectPath, resourceName, type KubeResource } from './resources.js';
export { watchKubeCluster, type KubeWatchOptions } from './watch.js';
