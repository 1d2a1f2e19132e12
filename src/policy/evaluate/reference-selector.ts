/**
 * @module policy/evaluate/reference-selector — identity labels and label selectors for the naive
 * reference evaluator, written straight from cilium-semantics.md a.1, a.2 and a.5. Nothing here is
 * shared with the fast evaluator (src/policy/evaluate/fast/): the two must agree by construction, not by
 * reuse.
 */
import type { LabelSelector } from '../model/types.js';

/** One identity label, `source:key=value` split into its parts (a reserved label has value ""). */
export interface IdentityLabel {
  readonly source: string;
  readonly key: string;
  readonly value: string;
}

/** Well-known label keys (cilium-semantics.md a.3). */
export const POD_NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
export const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
export const CLUSTER_KEY = 'io.cilium.k8s.policy.cluster';

/**
 * Splits `source:key=value`. The source is everything before the first `:`, the value everything after
 * the first `=` that follows the key. A label with no `:` gets the source `unspec`, as Cilium's
 * `ParseLabel` gives it; `$host` is short for `reserved:host` (a.2).
 */
export function parseIdentityLabel(text: string): IdentityLabel {
  let rest = text;
  let source = 'unspec';
  if (rest.startsWith('$')) {
    source = 'reserved';
    rest = rest.slice(1);
  } else {
    const colon = rest.indexOf(':');
    const eq = rest.indexOf('=');
    // A `:` inside the value (`k8s:a=b:c`) is not a source separator.
    if (colon > 0 && (eq < 0 || colon < eq)) {
      source = rest.slice(0, colon);
      rest = rest.slice(colon + 1);
    }
  }
  const eq = rest.indexOf('=');
  return eq < 0 ? { source, key: rest, value: '' } : { source, key: rest.slice(0, eq), value: rest.slice(eq + 1) };
}

export function parseIdentityLabels(labels: readonly string[]): IdentityLabel[] {
  return labels.map(parseIdentityLabel);
}

/** A selector requirement with its key split into source and key (a.2). */
export interface Requirement {
  readonly source: string;
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
  /**
   * Only for the cluster requirement that Cilium 1.19 injects (a.5): an identity that carries no
   * `io.cilium.k8s.policy.cluster` label at all is taken to be in the local cluster. Every real pod
   * carries the label; endpoints built by hand for tests and simulations often leave it out, and
   * treating them as remote would make every 1.19 peer selector miss them. Only pods (identities with an
   * `io.kubernetes.pod.namespace` label) and remote nodes (for `toNodes`/`fromNodes`, whose Hubble labels
   * rarely show a cluster) get this benefit: world and the other reserved identities must not match.
   * (Reference-evaluator choice.)
   */
  readonly absentMeansLocal?: boolean;
}

/**
 * Splits a selector key written by a user: `k8s:app` → (k8s, app); `reserved:host` → (reserved, host);
 * `$host` → (reserved, host); `app` → (`defaultSource`, app). Cilium's Sanitize gives unprefixed CNP/CCNP
 * keys the source `any` (a.2); a Kubernetes NetworkPolicy's keys get `k8s` (b.6).
 */
export function splitSelectorKey(key: string, defaultSource: string): { source: string; key: string } {
  if (key.startsWith('$')) return { source: 'reserved', key: key.slice(1) };
  const colon = key.indexOf(':');
  if (colon > 0) return { source: key.slice(0, colon), key: key.slice(colon + 1) };
  return { source: defaultSource, key };
}

/** A LabelSelector as a list of requirements (matchLabels become `In [value]`). All must hold (a.1). */
export function selectorRequirements(selector: LabelSelector, defaultSource: string): Requirement[] {
  const out: Requirement[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    out.push({ ...splitSelectorKey(k, defaultSource), operator: 'In', values: [v] });
  }
  for (const e of selector.matchExpressions ?? []) {
    out.push({ ...splitSelectorKey(e.key, defaultSource), operator: e.operator, values: e.values ?? [] });
  }
  return out;
}

/**
 * The identity labels a requirement looks at: an `any` key matches a label of any source, any other
 * source only labels of that source (a.2, `pkg/labels/array.go`).
 */
function labelsFor(req: Requirement, labels: readonly IdentityLabel[]): IdentityLabel[] {
  return labels.filter((l) => l.key === req.key && (req.source === 'any' || l.source === req.source));
}

/**
 * Kubernetes label-selector semantics over the identity's labels. Where several labels answer to one
 * `any` key (the same key under two sources), `In` holds when one of them has a listed value and `NotIn`
 * when none has; Cilium's `LabelArray.Get` reads only the first, a difference that needs an identity with
 * one key under two sources (reference-evaluator choice).
 */
export function requirementHolds(req: Requirement, labels: readonly IdentityLabel[]): boolean {
  const found = labelsFor(req, labels);
  switch (req.operator) {
    case 'In':
      if (found.length === 0 && req.absentMeansLocal && labels.some((l) => l.key === POD_NAMESPACE_KEY || (l.source === 'reserved' && l.key === 'remote-node'))) {
        return true;
      }
      return found.some((l) => req.values.includes(l.value));
    case 'NotIn':
      return !found.some((l) => req.values.includes(l.value));
    case 'Exists':
      return found.length > 0;
    case 'DoesNotExist':
      return found.length === 0;
    default:
      return false;
  }
}

export function requirementsHold(reqs: readonly Requirement[], labels: readonly IdentityLabel[]): boolean {
  return reqs.every((r) => requirementHolds(r, labels));
}

/** True when the requirement is about `key` under source k8s or any (the keys Cilium's injection checks). */
export function namesKey(req: Requirement, key: string): boolean {
  return (req.source === 'k8s' || req.source === 'any') && req.key === key;
}

/** The value of the first label with this key under source k8s (or any source when `anySource`). */
export function labelValue(labels: readonly IdentityLabel[], key: string, anySource = true): string | undefined {
  const hit = labels.find((l) => l.key === key && (anySource || l.source === 'k8s'));
  return hit?.value;
}

export function hasReserved(labels: readonly IdentityLabel[], name: string): boolean {
  return labels.some((l) => l.source === 'reserved' && l.key === name);
}
