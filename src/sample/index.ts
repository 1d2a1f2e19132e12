/**
 * @module sample — a bundled, realistic sample cluster and its traffic, for `tighten demo`, tests
 * and benchmarks: the cluster dump (`kubectl get … -o yaml`), Hubble flows (`hubble observe -o
 * json`), and the ground truth the inventory should find in them. Deterministic from a seed; pure,
 * except `writeSample` (`write.ts`), the only part that touches the disk.
 */
export { generateSample, type Sample } from './generate.js';
export { writeSample, type WrittenSample, type WriteSampleHooks } from './write.js';
export { renderClusterYaml, type KubeObject } from './kube-objects.js';
export { SAMPLE_SIZES, SAMPLE_SIZE_NAMES, DEFAULT_SAMPLE_START, resolveSampleOptions, type SampleOptions, type SampleScale, type SampleSizeName } from './sizes.js';
export { COUNTING_RULE, type SampleTruth, type TruthClass, type TruthEdge, type TruthFinding } from './truth.js';
export { compileLabelFilter, type LabelFilter } from './identity.js';
