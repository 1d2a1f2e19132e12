/**
 * @module shared/labels — label keys the controllers set per revision, per pod or per run. They never
 * name a workload stably, so selectors never use them (PRODUCT.md §5). One list for the whole tool.
 */

/** A trailing `*` makes an entry a prefix (`batch.kubernetes.io/*`). */
export const BUILTIN_VOLATILE_LABELS = [
  'pod-template-hash',
  'rollouts-pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'job-name',
  'controller-uid',
  'batch.kubernetes.io/*',
] as const;

/** Whether `key` is on a key list whose entries are exact keys or `prefix*`. */
export function matchesKeyList(key: string, list: readonly string[]): boolean {
  for (const entry of list) {
    if (entry.endsWith('*') ? key.startsWith(entry.slice(0, -1)) : key === entry) return true;
  }
  return false;
}

/** True for the built-in volatile keys (`tighten.yaml` may add more: see config's `isVolatileLabel`). */
export function isVolatileLabelKey(key: string): boolean {
  return matchesKeyList(key, BUILTIN_VOLATILE_LABELS);
}
