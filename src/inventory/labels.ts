/**
 * @module inventory/labels — Cilium identity labels as Hubble prints them (`source:key=value`).
 */
import type { Labels } from '../cluster/index.js';

/** One parsed identity label. `reserved:host` has key `host` and value `''`. */
export interface IdentityLabel {
  readonly source: string;
  readonly key: string;
  readonly value: string;
}

/** Parses `k8s:app=web` → {source: k8s, key: app, value: web}. A label without a source gets `unspec`. */
export function parseIdentityLabel(label: string): IdentityLabel {
  const eq = label.indexOf('=');
  const head = eq < 0 ? label : label.slice(0, eq);
  const value = eq < 0 ? '' : label.slice(eq + 1);
  const colon = head.indexOf(':');
  if (colon < 0) return { source: 'unspec', key: head, value };
  return { source: head.slice(0, colon), key: head.slice(colon + 1), value };
}

/** The label key Cilium gives a pod's namespace. */
export const NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
/** Prefix of the labels Cilium copies from a pod's Namespace. */
export const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
export const SERVICE_ACCOUNT_LABEL = 'io.cilium.k8s.policy.serviceaccount';
export const CLUSTER_LABEL = 'io.cilium.k8s.policy.cluster';

/**
 * The pod's own labels from its identity labels: `k8s:`-sourced, without the namespace, the
 * namespace's labels, and Cilium's `io.cilium.k8s.policy.*` keys.
 */
export function podLabelsOf(identityLabels: readonly string[]): Labels {
  const out: Record<string, string> = {};
  for (const raw of identityLabels) {
    if (!raw.startsWith('k8s:')) continue;
    const l = parseIdentityLabel(raw);
    if (l.key === NAMESPACE_LABEL || l.key.startsWith('io.cilium.k8s.')) continue;
    out[l.key] = l.value;
  }
  return out;
}

/** The `reserved:` names of an endpoint's labels (`host`, `world`, `health` …), in order. */
export function reservedNamesOf(identityLabels: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of identityLabels) {
    if (raw.startsWith('reserved:')) out.push(parseIdentityLabel(raw).key);
  }
  return out;
}

/** The value of the first `source:key=value` label with this key (any source), if any. */
export function labelValue(identityLabels: readonly string[], key: string): string | undefined {
  for (const raw of identityLabels) {
    const l = parseIdentityLabel(raw);
    if (l.key === key) return l.value;
  }
  return undefined;
}
