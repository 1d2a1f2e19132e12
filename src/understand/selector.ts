/**
 * @module understand/selector — chooses the labels a workload's policies select its pods by (PRODUCT.md §5:
 * stable labels only, by a team-configurable priority list, selecting exactly the workload's pods in its
 * namespace). Pure; the generator uses the same choice, the hygiene findings report where it falls short.
 */
import type { Labels, WorkloadRef } from '../cluster/index.js';
import { isVolatileLabel, type TightenConfig } from '../config/index.js';
import { compareStrings } from './facts.js';
import type { IdentityLabelFilter } from './identity-labels.js';

/** A workload as the chooser sees it: where it is, and its pods' labels. */
export interface LabelledWorkload extends WorkloadRef {
  readonly labels: Labels;
}

/** A key added to the selector, and the workloads it told this one apart from. */
export interface AddedKey {
  readonly key: string;
  readonly separates: readonly WorkloadRef[];
}

/** The selector chosen for one workload, and what stood in its way. */
export interface SelectorChoice {
  readonly workload: WorkloadRef;
  /** The pods' labels without volatile keys. */
  readonly stable: Labels;
  /**
   * The key a selector would start from if Cilium kept every label: the first priority key the pods carry,
   * else the alphabetically first stable key. Undefined when there is no stable label.
   */
  readonly preferredKey?: string;
  /** Stable keys Cilium's identity-relevant label filter drops (selecting on them matches nothing), sorted. */
  readonly notIdentityRelevant: readonly string[];
  /** The labels to select on: stable and identity-relevant. Empty when no such label exists. */
  readonly labels: Labels;
  /** Keys added after the first one to tell the workload apart from others in its namespace, in order. */
  readonly added: readonly AddedKey[];
  /** Other workloads of the namespace that `labels` still selects; non-empty means the selector is ambiguous. */
  readonly alsoSelects: readonly WorkloadRef[];
  /**
   * When ambiguous: stable keys every workload in `alsoSelects` carries and this one lacks, so that a
   * `matchExpressions` entry `{key, operator: DoesNotExist}` would tell them apart. Sorted.
   */
  readonly absentKeys: readonly string[];
}

const ref = (w: WorkloadRef): WorkloadRef => ({ namespace: w.namespace, kind: w.kind, name: w.name });
const sameWorkload = (a: WorkloadRef, b: WorkloadRef): boolean => a.namespace === b.namespace && a.name === b.name && a.kind === b.kind;
const selects = (selector: Labels, labels: Labels): boolean => Object.entries(selector).every(([k, v]) => labels[k] === v);

/**
 * Chooses the selector labels of `workload`: the first key of `labels.priority` its pods carry (stable and
 * identity-relevant), then — only while another workload of the namespace is still selected — further
 * keys, priority keys first and then the other stable keys alphabetically, each added only when it tells
 * at least one remaining workload apart.
 * @param neighbours workloads to tell it apart from; those of other namespaces and the workload itself are skipped
 */
export function chooseSelector(
  workload: LabelledWorkload,
  neighbours: readonly LabelledWorkload[],
  config: TightenConfig,
  filter: IdentityLabelFilter,
): SelectorChoice {
  const stable: Record<string, string> = {};
  for (const k of Object.keys(workload.labels).sort(compareStrings)) if (!isVolatileLabel(k, config)) stable[k] = workload.labels[k]!;
  const stableKeys = Object.keys(stable);
  const order = [...config.labels.priority.filter((k) => k in stable), ...stableKeys.filter((k) => !config.labels.priority.includes(k))];
  const notIdentityRelevant = stableKeys.filter((k) => !filter.isRelevant(k));
  const candidates = order.filter((k) => !notIdentityRelevant.includes(k));
  const others = neighbours.filter((n) => n.namespace === workload.namespace && !sameWorkload(n, workload));

  const labels: Record<string, string> = {};
  const added: AddedKey[] = [];
  let conflicts: LabelledWorkload[] = [];
  if (candidates.length > 0) {
    const first = candidates[0]!;
    labels[first] = stable[first]!;
    conflicts = others.filter((o) => selects(labels, o.labels));
    for (const key of candidates.slice(1)) {
      if (conflicts.length === 0) break;
      const separated = conflicts.filter((c) => c.labels[key] !== stable[key]);
      if (separated.length === 0) continue;
      labels[key] = stable[key]!;
      added.push({ key, separates: separated.map(ref) });
      conflicts = conflicts.filter((c) => c.labels[key] === stable[key]);
    }
  }
  const absentKeys =
    conflicts.length === 0
      ? []
      : [...new Set(conflicts.flatMap((c) => Object.keys(c.labels)))]
          .filter((k) => !(k in workload.labels) && !isVolatileLabel(k, config) && filter.isRelevant(k) && conflicts.every((c) => k in c.labels))
          .sort(compareStrings);
  return {
    workload: ref(workload),
    stable,
    ...(order[0] !== undefined ? { preferredKey: order[0] } : {}),
    notIdentityRelevant,
    labels,
    added,
    alsoSelects: conflicts.map(ref),
    absentKeys,
  };
}
