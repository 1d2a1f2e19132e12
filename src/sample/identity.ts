/**
 * @module sample/identity — which pod labels make up a Cilium security identity, and the numeric
 * identities of the sample's pods.
 *
 * The label filter follows Cilium's `pkg/labelsfilter` (docs: "Limiting Identity-Relevant Labels",
 * https://docs.cilium.io/en/stable/operations/performance/scalability/identity-relevant-labels/):
 * patterns are `[source:][!]regex`, anchored at the start of the key; the default list applies and
 * the `labels` option adds to it; once any inclusive pattern exists only included keys count; when
 * both an inclusive and an exclusive pattern match, the longer match wins.
 */
import { hash32 } from './prng.js';
import type { Labels, SampleCluster, SamplePod } from './model.js';

interface LabelPattern {
  readonly source: string;
  readonly ignore: boolean;
  readonly expr: RegExp;
}

/** Cilium's default patterns (`defaultLabelPrefixCfg`). */
const DEFAULT_PATTERNS = [
  'reserved:.*',
  'io\\.kubernetes\\.pod\\.namespace',
  'io\\.cilium\\.k8s\\.namespace\\.labels',
  'app\\.kubernetes\\.io',
  'io\\.cilium\\.k8s\\.policy\\.cluster',
  '!io\\.kubernetes',
  '!kubernetes\\.io',
  '!statefulset\\.kubernetes\\.io/pod-name',
  '!apps\\.kubernetes\\.io/pod-index',
  '!batch\\.kubernetes\\.io/job-completion-index',
  '!.*beta\\.kubernetes\\.io',
  '!k8s\\.io',
  '!pod-template-generation',
  '!pod-template-hash',
  '!controller-revision-hash',
  '!annotation.*',
  '!etcd_node',
] as const;

function parsePattern(text: string): LabelPattern {
  const colon = text.indexOf(':');
  // A pattern without a source applies to every source. As in Cilium, `!k8s:x` is an inclusive
  // pattern for a source named "!k8s" (matching nothing); exclusion is written `k8s:!x`.
  const source = colon >= 0 ? text.slice(0, colon) : '';
  const rest = colon >= 0 ? text.slice(colon + 1) : text;
  const ignore = rest.startsWith('!');
  const body = ignore ? rest.slice(1) : rest;
  return { source: source === 'any' ? '' : source, ignore, expr: new RegExp(`^(?:${body})`) };
}

/** A compiled identity label filter: `(source, key) → relevant?`. */
export type LabelFilter = (source: string, key: string) => boolean;

/**
 * Compiles Cilium's label filter from the `labels` value of `cilium-config` (space separated).
 * An empty or omitted value gives Cilium's default filter.
 */
export function compileLabelFilter(labelsOption = ''): LabelFilter {
  const user = labelsOption.split(/\s+/).filter((s) => s !== '');
  const patterns = [...DEFAULT_PATTERNS, ...user].map(parsePattern);
  const inclusive = user.map(parsePattern).some((p) => !p.ignore);
  const memo = new Map<string, boolean>();
  return (source, key) => {
    const k = `${source}:${key}`;
    let hit = memo.get(k);
    if (hit === undefined) memo.set(k, (hit = relevant(source, key)));
    return hit;
  };
  function relevant(source: string, key: string): boolean {
    let included = 0;
    let ignored = 0;
    for (const p of patterns) {
      if (p.source !== '' && p.source !== source) continue;
      const m = p.expr.exec(key);
      if (m === null) continue;
      const len = m[0].length;
      if (p.ignore) {
        if (ignored === 0 || len < ignored) ignored = len;
      } else if (len > included) {
        included = len;
      }
    }
    return (!inclusive && ignored === 0) || included > ignored;
  }
}

/**
 * The identity labels of a pod as Hubble prints them (`k8s:key=value`, sorted): its relevant pod
 * labels, its namespace's labels, the cluster, the service account and the namespace.
 */
export function identityLabels(
  podLabels: Labels,
  namespace: string,
  namespaceLabels: Labels,
  serviceAccount: string,
  cluster: string,
  filter: LabelFilter,
): string[] {
  const all: [string, string][] = [
    ...Object.entries(podLabels),
    ...Object.entries(namespaceLabels).map(([k, v]): [string, string] => [`io.cilium.k8s.namespace.labels.${k}`, v]),
    ['io.cilium.k8s.policy.cluster', cluster],
    ['io.cilium.k8s.policy.serviceaccount', serviceAccount],
    ['io.kubernetes.pod.namespace', namespace],
  ];
  return all
    .filter(([k]) => filter('k8s', k))
    .map(([k, v]) => `k8s:${k}=${v}`)
    .sort();
}

/** Lowest identity Cilium allocates for pods (cluster-scoped identities start at 256). */
const FIRST_IDENTITY = 256;
const IDENTITY_SPAN = 65_535 - FIRST_IDENTITY;

/**
 * Gives every pod the numeric identity of its label set: the same labels give the same number,
 * different labels different numbers. Numbers look like Cilium's (scattered in 256…65535) and do
 * not depend on the order pods were created in.
 */
export function assignIdentities(cluster: SampleCluster, filter: LabelFilter, seed: number): Map<SamplePod, string[]> {
  const nsLabels = new Map(cluster.namespaces.map((n) => [n.name, n.labels]));
  const labelsOf = new Map<SamplePod, string[]>();
  const byKey = new Map<string, SamplePod[]>();
  const pods = cluster.workloads.flatMap((w) => [...w.pods, ...w.runs.map((r) => r.pod)]);
  for (const pod of pods) {
    if (pod.workload.hostNetwork) continue;
    const labels = identityLabels(pod.labels, pod.namespace, nsLabels.get(pod.namespace) ?? {}, pod.workload.serviceAccount, cluster.name, filter);
    labelsOf.set(pod, labels);
    const key = labels.join(',');
    const same = byKey.get(key);
    if (same === undefined) byKey.set(key, [pod]);
    else same.push(pod);
  }
  if (byKey.size > IDENTITY_SPAN) {
    throw new RangeError(`${byKey.size} distinct identities do not fit Cilium's cluster identity range; use fewer workloads`);
  }
  const taken = new Set<number>();
  for (const key of [...byKey.keys()].sort()) {
    let id = FIRST_IDENTITY + (hash32(key, seed >>> 0) % IDENTITY_SPAN);
    while (taken.has(id)) id = id + 1 > 65_535 ? FIRST_IDENTITY : id + 1;
    taken.add(id);
    for (const pod of byKey.get(key) ?? []) pod.identity = id;
  }
  return labelsOf;
}
