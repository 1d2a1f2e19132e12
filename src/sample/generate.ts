/**
 * @module sample/generate — one sample from its options: topology, identities, traffic plan, truth
 * and Kubernetes objects; the flow lines stay a lazy stream.
 */
import { assignIdentities, compileLabelFilter } from './identity.js';
import { buildKubeObjects, type KubeObject } from './kube-objects.js';
import { buildPlan } from './plan.js';
import { resolveSampleOptions, type SampleOptions } from './sizes.js';
import { buildTopology } from './topology.js';
import { generateFlowLines } from './traffic.js';
import { computeTruth, type SampleTruth } from './truth.js';

export interface Sample {
  /** The cluster's Kubernetes objects, in `kubectl get … -A -o yaml` order (render with `renderClusterYaml`). */
  readonly cluster: readonly KubeObject[];
  /**
   * The flow lines, one JSON object per line without the newline, in time order. Each call starts
   * a new lazy stream: nothing is held in memory beyond the activities being merged.
   */
  flowLines(): Iterable<string>;
  /** What the inventory should find: edges with exact counts, classes, planted findings. */
  readonly truth: SampleTruth;
}

/** Generates a sample. Pure: the same options give the same objects, lines and truth. */
export function generateSample(options: SampleOptions = {}): Sample {
  const o = resolveSampleOptions(options);
  const cluster = buildTopology({
    seed: o.seed,
    clusterName: o.clusterName,
    sinceMs: o.sinceMs,
    untilMs: o.untilMs,
    workloads: o.scale.workloads,
    nodes: o.scale.nodes,
    worldClients: Math.min(64, Math.max(8, Math.round(o.scale.workloads / 80))),
  });
  const identityLabels = assignIdentities(cluster, compileLabelFilter(cluster.ciliumConfig.labels), o.seed);
  const plan = buildPlan(cluster, o.scale.flows);
  const truth = computeTruth(cluster, plan, { seed: o.seed, size: o.size, cluster: o.clusterName });
  const objects = buildKubeObjects(cluster);
  return {
    cluster: objects,
    truth,
    flowLines: () => generateFlowLines(cluster, plan, identityLabels, o.seed),
  };
}
