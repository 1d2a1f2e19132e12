/**
 * @module policy/evaluate/fast/labels — an identity's label set (`source:key=value`) compiled once
 * into the lookups selectors need, plus what Cilium derives from it: the entities it belongs to,
 * whether it can be a policy subject, whether CIDR and FQDN peers can match it.
 */
import { ENTITY_BIT } from './entities.js';

/** One identity label: `k8s:app=web` → { source: 'k8s', key: 'app', value: 'web' }. */
export interface ParsedLabel {
  readonly source: string;
  readonly key: string;
  readonly value: string;
}

/**
 * Parses `source:key=value` the way Cilium's `ParseLabel` does: the source is what precedes the
 * first `:` when that comes before any `=`; a label without one has source `unspec`. A reserved
 * label has no value (`reserved:host`); `$host` is short for `reserved:host`.
 */
export function parseLabel(text: string): ParsedLabel {
  let source = 'unspec';
  let rest = text;
  if (text.startsWith('$')) {
    source = 'reserved';
    rest = text.slice(1);
  } else {
    const colon = text.indexOf(':');
    const eq = text.indexOf('=');
    if (colon > 0 && (eq < 0 || colon < eq)) {
      source = text.slice(0, colon);
      rest = text.slice(colon + 1);
    }
  }
  const eq = rest.indexOf('=');
  return eq < 0 ? { source, key: rest, value: '' } : { source, key: rest.slice(0, eq), value: rest.slice(eq + 1) };
}

/** The pod's namespace (a.3). */
export const NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
/** The ClusterMesh cluster name (a.3). */
export const CLUSTER_KEY = 'io.cilium.k8s.policy.cluster';
/** The labels of the pod's Namespace, one key each (a.3). */
export const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';

/** Sources whose labels mark a CIDR/FQDN-derived (world) identity rather than a pod. */
const CIDR_SOURCES = new Set(['cidr', 'cidrgroup', 'fqdn']);

/** An identity's labels, compiled. Built once per distinct label set. */
export class IdentityLabels {
  /** `source:key` → value. */
  readonly bySourceKey = new Map<string, string>();
  /** key → value of the first label with that key, whatever its source (Cilium's `any` lookup). */
  readonly byKey = new Map<string, string>();
  /** `k8s:io.kubernetes.pod.namespace`; only rules of this namespace (and cluster-wide ones) can select it. */
  readonly namespace: string | undefined;
  /** {@link ENTITY_BIT}s of the entities that select this identity. */
  readonly entities: number;
  /** `reserved:host` (also when it carries `reserved:kube-apiserver`): only host policies select it. */
  readonly isHost: boolean;
  /** `reserved:init`: always default deny both ways. */
  readonly isInit: boolean;
  /** A local endpoint Cilium enforces policy on: a pod, the host, health, init, ingress. */
  readonly isSubject: boolean;
  /** `reserved:remote-node`: what `fromNodes`/`toNodes` can select (they add `reserved:remote-node Exists`). */
  readonly isNode: boolean;
  /** Carries an `io.kubernetes.pod.namespace` label (any source) and is not world: a pod. */
  readonly isPod: boolean;
  /** CIDR peers can match it (by IP): world identities and unmanaged addresses (c.3). */
  readonly cidrMatchable: boolean;
  /** `toFQDNs` can match it (by DNS name): world identities only (c.4). */
  readonly fqdnMatchable: boolean;
  /** Which world labels it carries: 1 = world, 2 = world-ipv4, 4 = world-ipv6. */
  readonly worldKinds: number;

  constructor(labels: readonly string[], clusterName: string) {
    const reserved = new Set<string>();
    let cidrish = false;
    for (const text of labels) {
      const l = parseLabel(text);
      const sk = `${l.source}:${l.key}`;
      if (!this.bySourceKey.has(sk)) this.bySourceKey.set(sk, l.value);
      if (!this.byKey.has(l.key)) this.byKey.set(l.key, l.value);
      if (l.source === 'reserved') reserved.add(l.key);
      else if (CIDR_SOURCES.has(l.source)) cidrish = true;
    }
    this.namespace = this.bySourceKey.get(`k8s:${NAMESPACE_KEY}`);
    const worldKinds = (reserved.has('world') ? 1 : 0) | (reserved.has('world-ipv4') ? 2 : 0) | (reserved.has('world-ipv6') ? 4 : 0);
    this.worldKinds = worldKinds;
    // An address without any label has no identity of its own: world.
    const world = worldKinds !== 0 || (reserved.size === 0 && (cidrish || labels.length === 0));
    this.isHost = reserved.has('host');
    this.isInit = reserved.has('init');
    this.isNode = reserved.has('remote-node');
    this.isPod = !world && this.byKey.has(NAMESPACE_KEY);
    this.isSubject = this.isHost || reserved.has('health') || this.isInit || reserved.has('ingress') || (reserved.size === 0 && !world);
    this.cidrMatchable = world || reserved.has('unmanaged');
    this.fqdnMatchable = world;

    let e = ENTITY_BIT.all;
    if (world) e |= ENTITY_BIT.world;
    const clusterReserved: readonly (keyof typeof ENTITY_BIT)[] = ['host', 'remote-node', 'init', 'ingress', 'health', 'unmanaged', 'kube-apiserver'];
    // A pod written without its cluster label counts as local (every real pod identity carries it).
    const cluster = this.bySourceKey.get(`k8s:${CLUSTER_KEY}`);
    let inCluster = cluster === undefined ? this.isPod : cluster === clusterName;
    for (const name of clusterReserved) {
      if (reserved.has(name)) {
        e |= ENTITY_BIT[name];
        inCluster = true;
      }
    }
    if (inCluster) e |= ENTITY_BIT.cluster;
    this.entities = e;
  }
}
