/**
 * @module policy/evaluate/fast/rules — CNP, CCNP and Kubernetes NetworkPolicy translated once into
 * one repository of {@link CompiledRule}s (Cilium: `ParseToCiliumRule` / `ParseNetworkPolicy` →
 * `RulesToPolicyEntries`): a subject selector, per-direction enablement and default deny, and one
 * {@link CompiledEntry} per element of `ingress`/`ingressDeny`/`egress`/`egressDeny`.
 *
 * Assumes the policies passed `sanitize` (cilium-semantics.md a–d are the semantics; the section
 * letters are cited where a decision is made).
 */
import type {
  CIDRRule,
  CiliumClusterwideNetworkPolicy,
  CiliumNetworkPolicy,
  EgressDenyRule,
  EgressRule,
  FQDNSelector,
  IngressDenyRule,
  IngressRule,
  LabelSelector,
  LoadedPolicy,
  NetworkPolicy,
  NetworkPolicyPeer,
  PolicyEntity,
  Rule,
} from '../../model/types.js';
import type { RuleRef, RuleSection } from '../types.js';
import { compileCidr, type CompiledCidr } from './cidr.js';
import { entityMask } from './entities.js';
import { FqdnMatcher } from './fqdn.js';
import { CLUSTER_KEY, NAMESPACE_KEY, NAMESPACE_LABELS_PREFIX } from './labels.js';
import type { ResolvedOptions } from './options.js';
import { compileCiliumPorts, compileNetworkPolicyPorts, hasNamedPort, type PortItem } from './ports.js';
import { ANY, SelectorSpec, SelectorTable, type CompiledSelector } from './selector.js';

/** One alternative of an element's L3 part (the alternatives are ORed). */
export type PeerSpec =
  /** `fromEndpoints`/`toEndpoints` (scoped) or a NetworkPolicy pod/namespace selector. `requirable`: `fromRequires` narrows it. */
  | { readonly kind: 'selector'; readonly selector: CompiledSelector; readonly requirable: boolean }
  /** `fromEntities`/`toEntities`, ORed into one mask. */
  | { readonly kind: 'entity'; readonly mask: number }
  /** `fromCIDR`/`fromCIDRSet`/NetworkPolicy `ipBlock`: world and unmanaged identities, by address. */
  | { readonly kind: 'cidr'; readonly cidr: CompiledCidr; readonly key: string }
  /** `toFQDNs`: world identities, by the names the source learned through the DNS proxy. */
  | { readonly kind: 'fqdn'; readonly fqdn: FqdnMatcher }
  /** `fromNodes`/`toNodes`: remote-node identities, by their labels. */
  | { readonly kind: 'node'; readonly selector: CompiledSelector };

/** An element's L3 part, interned: equal peer lists across rules are matched once per identity. */
export interface CompiledL3 {
  /** Dense id: the index of per-identity L3 match caches. */
  readonly id: number;
  /** null: every identity (an element with ports and no L3 field; a NetworkPolicy rule without peers). */
  readonly peers: readonly PeerSpec[] | null;
  /** Some peer is an endpoint selector that `fromRequires`/`toRequires` narrow. */
  readonly requirable: boolean;
}

/** One rule element: peers × ports, allow or deny. */
export interface CompiledEntry {
  readonly ref: RuleRef;
  readonly deny: boolean;
  /** Position in the input (policy, spec, section, element): the order of `by`. */
  readonly order: number;
  readonly l3: CompiledL3;
  /** null: every port and protocol (an element without `toPorts`/`icmps`). */
  readonly ports: readonly PortItem[] | null;
  /** Some port item is named: the result depends on the destination's named ports. */
  readonly namedPorts: boolean;
}

/** A traffic direction of the subject: ingress (peer = source) or egress (peer = destination). */
export type Direction = 'ingress' | 'egress';

/** A rule (`spec`, an element of `specs`, or a NetworkPolicy) in the repository. */
export interface CompiledRule {
  readonly order: number;
  readonly subject: CompiledSelector;
  /** A host policy (`nodeSelector`): it selects only the host identity, and only with the host firewall. */
  readonly host: boolean;
  /** The namespace of a CNP/NetworkPolicy; undefined for a CCNP (considered for every identity). */
  readonly namespace: string | undefined;
  /** The direction is policy-enabled by this rule (b.2). */
  readonly enables: Readonly<Record<Direction, boolean>>;
  /** …and asks for default deny there (b.3). */
  readonly defaultDeny: Readonly<Record<Direction, boolean>>;
  readonly allows: Readonly<Record<Direction, readonly CompiledEntry[]>>;
  readonly denies: Readonly<Record<Direction, readonly CompiledEntry[]>>;
  /** `fromRequires`/`toRequires` selectors (before 1.19): ANDed into every endpoint peer of the subject's rules. */
  readonly requires: Readonly<Record<Direction, readonly CompiledSelector[]>>;
}

/** Every rule of a policy set, in input order, with the tables its selectors and L3 parts index. */
export interface CompiledRepository {
  readonly rules: readonly CompiledRule[];
  readonly selectors: SelectorTable;
  /** How many distinct L3 parts there are ({@link CompiledL3.id} is below this). */
  readonly l3Count: number;
}

type Kind = RuleRef['kind'];

interface Context {
  readonly options: ResolvedOptions;
  readonly selectors: SelectorTable;
  readonly l3s: Map<string, CompiledL3>;
  readonly refs: Map<string, RuleRef>;
  order: number;
}

function peerKey(p: PeerSpec): string {
  switch (p.kind) {
    case 'selector':
      return `s${p.selector.id}${p.requirable ? 'r' : ''}`;
    case 'entity':
      return `e${p.mask}`;
    case 'cidr':
      return `c${p.key}`;
    case 'fqdn':
      return `f${p.fqdn.key}`;
    case 'node':
      return `n${p.selector.id}`;
  }
}

/** Interns an L3 part (the order of alternatives does not matter: they are ORed). */
function internL3(ctx: Context, peers: readonly PeerSpec[] | null): CompiledL3 {
  const key = peers === null ? '*' : peers.map(peerKey).sort().join('|');
  let l3 = ctx.l3s.get(key);
  if (l3 === undefined) {
    l3 = { id: ctx.l3s.size, peers, requirable: peers !== null && peers.some((p) => p.kind === 'selector' && p.requirable) };
    ctx.l3s.set(key, l3);
  }
  return l3;
}

interface RuleContext {
  readonly ctx: Context;
  readonly kind: Kind;
  readonly name: string;
  /** The policy namespace; undefined for a CCNP. */
  readonly namespace: string | undefined;
  readonly spec: number;
  /** A CCNP subject that names `reserved:init`: its peers get no `namespace Exists` (a.5). */
  readonly matchesInit: boolean;
}

/** The fields of an ingress or egress element, read the same way for both directions. */
interface PeerFields {
  readonly endpoints: readonly LabelSelector[] | undefined;
  readonly requires: readonly LabelSelector[] | undefined;
  readonly cidr: readonly string[] | undefined;
  readonly cidrSet: readonly CIDRRule[] | undefined;
  readonly entities: readonly PolicyEntity[] | undefined;
  readonly nodes: readonly LabelSelector[] | undefined;
  readonly groups: readonly unknown[] | undefined;
  readonly services: readonly unknown[] | undefined;
  readonly fqdns: readonly FQDNSelector[] | undefined;
}

function ingressFields(e: IngressRule | IngressDenyRule): PeerFields {
  return {
    endpoints: e.fromEndpoints,
    requires: e.fromRequires,
    cidr: e.fromCIDR,
    cidrSet: e.fromCIDRSet,
    entities: e.fromEntities,
    nodes: e.fromNodes,
    groups: e.fromGroups,
    services: undefined,
    fqdns: undefined,
  };
}

function egressFields(e: EgressRule | EgressDenyRule): PeerFields {
  return {
    endpoints: e.toEndpoints,
    requires: e.toRequires,
    cidr: e.toCIDR,
    cidrSet: e.toCIDRSet,
    entities: e.toEntities,
    nodes: e.toNodes,
    groups: e.toGroups,
    services: e.toServices,
    fqdns: 'toFQDNs' in e ? e.toFQDNs : undefined,
  };
}

/**
 * `getEndpointSelector` (a.5): a CNP peer is pinned to the policy namespace unless it names the
 * namespace or (1.16+) a namespace label; a CCNP peer gets `namespace Exists`; from 1.19 every peer
 * gets the local cluster; a selector with a `reserved:` key gets nothing (`requires` are scoped anyway).
 */
function scopePeer(rc: RuleContext, selector: LabelSelector, isRequirement: boolean): CompiledSelector {
  const { options, selectors } = rc.ctx;
  const spec = SelectorSpec.of(selector);
  if (!isRequirement && spec.hasKeyPrefix('reserved', '')) return selectors.compile(spec);
  if (!spec.hasKey('k8s', NAMESPACE_KEY) && !spec.hasKey(ANY, NAMESPACE_KEY)) {
    if (rc.namespace === undefined) {
      if (!rc.matchesInit) spec.addExpression('k8s', NAMESPACE_KEY, 'Exists');
    } else if (
      !(options.namespaceLabelsLiftPin && (spec.hasKeyPrefix('k8s', NAMESPACE_LABELS_PREFIX) || spec.hasKeyPrefix(ANY, NAMESPACE_LABELS_PREFIX)))
    ) {
      spec.addMatch('k8s', NAMESPACE_KEY, rc.namespace);
    }
  }
  addLocalCluster(rc.ctx.options, spec);
  return selectors.compile(spec);
}

/** a.5: from 1.19 (`policy-default-local-cluster`) a peer that does not name the cluster key gets the local one. */
function addLocalCluster(options: ResolvedOptions, spec: SelectorSpec): void {
  if (options.addLocalCluster && !spec.hasKey('k8s', CLUSTER_KEY) && !spec.hasKey(ANY, CLUSTER_KEY)) {
    spec.addExpression('k8s', CLUSTER_KEY, 'InOrAbsentLocal', [options.clusterName]);
  }
}

/** a.5 `fromNodes`/`toNodes`: node labels (keys without a source match any) + `reserved:remote-node Exists` + the cluster. */
function nodePeer(rc: RuleContext, selector: LabelSelector): CompiledSelector {
  const spec = SelectorSpec.of(selector).addExpression('reserved', 'remote-node', 'Exists');
  addLocalCluster(rc.ctx.options, spec);
  return rc.ctx.selectors.compile(spec);
}

/** The RuleRef of an element; equal refs (`spec` and `specs[0]` of one policy) are one object, so `by` can dedupe by identity. */
function ref(rc: RuleContext, section: RuleSection, index: number): RuleRef {
  const key = `${rc.kind}/${rc.namespace ?? ''}/${rc.name}/${rc.spec}/${section}/${index}`;
  const known = rc.ctx.refs.get(key);
  if (known !== undefined) return known;
  const r: { -readonly [K in keyof RuleRef]: RuleRef[K] } = { kind: rc.kind, name: rc.name, spec: rc.spec, section, index };
  if (rc.namespace !== undefined) r.namespace = rc.namespace;
  const frozen = Object.freeze(r);
  rc.ctx.refs.set(key, frozen);
  return frozen;
}

/** Compiles one CNP/CCNP element; undefined when it can never match (it still counts for enablement). */
function ciliumEntry(
  rc: RuleContext,
  element: IngressRule | IngressDenyRule | EgressRule | EgressDenyRule,
  section: RuleSection,
  index: number,
  requires: CompiledSelector[],
): CompiledEntry | undefined {
  const { options } = rc.ctx;
  const order = rc.ctx.order++;
  const ingress = section === 'ingress' || section === 'ingressDeny';
  const f = ingress ? ingressFields(element as IngressRule) : egressFields(element as EgressRule);
  const nodes = options.nodeSelectors ? f.nodes : undefined;
  const req = options.requires ? f.requires : undefined;
  for (const r of req ?? []) requires.push(scopePeer(rc, r, true));

  const hasL3 =
    f.endpoints !== undefined ||
    req !== undefined ||
    f.cidr !== undefined ||
    f.cidrSet !== undefined ||
    f.entities !== undefined ||
    nodes !== undefined ||
    f.groups !== undefined ||
    f.services !== undefined ||
    f.fqdns !== undefined;
  const ports = compileCiliumPorts(element.toPorts, element.icmps, options.endPort);

  let peers: PeerSpec[] | null = [];
  if (!hasL3) {
    // b.7/d.2: no L3 field + ports = every identity; no L3 and no L4 (`ingress: [{}]`) = nothing.
    peers = ports === null ? [] : null;
  } else {
    for (const s of f.endpoints ?? []) peers.push({ kind: 'selector', selector: scopePeer(rc, s, false), requirable: true });
    for (const c of f.cidr ?? []) {
      const cidr = compileCidr(c);
      if (cidr !== undefined) peers.push({ kind: 'cidr', cidr, key: c });
    }
    for (const c of f.cidrSet ?? []) {
      // cidrGroupRef/cidrGroupSelector need CiliumCIDRGroup objects: they match nothing here.
      if (c.cidr === undefined) continue;
      const cidr = compileCidr(c.cidr, c.except);
      if (cidr !== undefined) peers.push({ kind: 'cidr', cidr, key: [c.cidr, ...(c.except ?? [])].join(' ') });
    }
    const mask = (f.entities ?? []).reduce((m, e) => m | entityMask(e), 0);
    if (mask !== 0) peers.push({ kind: 'entity', mask });
    for (const n of nodes ?? []) peers.push({ kind: 'node', selector: nodePeer(rc, n) });
    if (f.fqdns !== undefined && f.fqdns.length > 0) peers.push({ kind: 'fqdn', fqdn: new FqdnMatcher(f.fqdns, options.doubleStarPattern) });
    // toServices and toGroups need Service / cloud objects: they match nothing here.
  }
  if ((peers !== null && peers.length === 0) || (ports !== null && ports.length === 0)) return undefined;
  return { ref: ref(rc, section, index), deny: section.endsWith('Deny'), order, l3: internL3(rc.ctx, peers), ports, namedPorts: hasNamedPort(ports) };
}

function entries<T extends IngressRule | IngressDenyRule | EgressRule | EgressDenyRule>(
  rc: RuleContext,
  list: readonly T[] | undefined,
  section: RuleSection,
  requires: CompiledSelector[],
): CompiledEntry[] {
  const out: CompiledEntry[] = [];
  (list ?? []).forEach((el, i) => {
    const e = ciliumEntry(rc, el, section, i, requires);
    if (e !== undefined) out.push(e);
  });
  return out;
}

function ciliumRule(ctx: Context, policy: CiliumNetworkPolicy | CiliumClusterwideNetworkPolicy, rule: Rule, spec: number): CompiledRule | undefined {
  const { options, selectors } = ctx;
  // A namespaced object without a namespace lives in `default` (ExtractNamespaceOrDefault).
  const namespace = policy.kind === 'CiliumNetworkPolicy' ? policy.metadata.namespace || 'default' : undefined;
  let subject: SelectorSpec;
  let host = false;
  if (rule.endpointSelector !== undefined) {
    subject = SelectorSpec.of(rule.endpointSelector);
    // a.4: AddMatch overwrites whatever namespace the user wrote under the k8s source.
    if (namespace !== undefined) subject.addMatch('k8s', NAMESPACE_KEY, namespace);
  } else if (rule.nodeSelector !== undefined && namespace === undefined) {
    subject = SelectorSpec.of(rule.nodeSelector);
    host = true;
  } else {
    return undefined;
  }
  const rc: RuleContext = {
    ctx,
    kind: policy.kind,
    name: policy.metadata.name,
    namespace,
    spec,
    matchesInit: namespace === undefined && subject.hasKey('reserved', 'init'),
  };
  const order = ctx.order++;
  const reqIn: CompiledSelector[] = [];
  const reqEg: CompiledSelector[] = [];
  const ingress = entries(rc, rule.ingress, 'ingress', reqIn);
  const ingressDeny = entries(rc, rule.ingressDeny, 'ingressDeny', reqIn);
  const egress = entries(rc, rule.egress, 'egress', reqEg);
  const egressDeny = entries(rc, rule.egressDeny, 'egressDeny', reqEg);
  const enables = {
    ingress: (rule.ingress?.length ?? 0) + (rule.ingressDeny?.length ?? 0) > 0,
    egress: (rule.egress?.length ?? 0) + (rule.egressDeny?.length ?? 0) > 0,
  };
  const honour = options.honourEnableDefaultDeny;
  return {
    order,
    subject: selectors.compile(subject),
    host,
    namespace,
    enables,
    defaultDeny: {
      ingress: enables.ingress && (!honour || rule.enableDefaultDeny?.ingress !== false),
      egress: enables.egress && (!honour || rule.enableDefaultDeny?.egress !== false),
    },
    allows: { ingress, egress },
    denies: { ingress: ingressDeny, egress: egressDeny },
    requires: { ingress: reqIn, egress: reqEg },
  };
}

/** `isPodSelectorSelectingCluster`: a NetworkPolicy peer that names the cluster key keeps its own cluster. */
function selectsCluster(s: LabelSelector | undefined): boolean {
  if (s === undefined) return false;
  const v = s.matchLabels?.[CLUSTER_KEY];
  return (v !== undefined && v !== '') || (s.matchExpressions ?? []).some((e) => e.key === CLUSTER_KEY);
}

/**
 * `parseNetworkPolicyPeer` (b.6): keys are k8s-sourced; a namespaceSelector becomes namespace labels
 * (empty = any namespace) ANDed with the podSelector; a bare podSelector is pinned to the policy
 * namespace; from 1.19 the local cluster is added; an ipBlock is a CIDR peer and never matches pods.
 */
function networkPolicyPeers(ctx: Context, namespace: string, peer: NetworkPolicyPeer): PeerSpec[] {
  const { options, selectors } = ctx;
  const out: PeerSpec[] = [];
  const addCluster = (spec: SelectorSpec): void => {
    if (options.addLocalCluster && !selectsCluster(peer.podSelector)) spec.addExpression('k8s', CLUSTER_KEY, 'InOrAbsentLocal', [options.clusterName]);
  };
  if (peer.namespaceSelector !== undefined) {
    const spec = SelectorSpec.of(peer.namespaceSelector, 'k8s', NAMESPACE_LABELS_PREFIX);
    if (spec.requirements().length === 0) spec.addExpression('k8s', NAMESPACE_KEY, 'Exists');
    spec.merge(peer.podSelector, 'k8s');
    addCluster(spec);
    out.push({ kind: 'selector', selector: selectors.compile(spec), requirable: false });
  } else if (peer.podSelector !== undefined) {
    const spec = SelectorSpec.of(peer.podSelector, 'k8s');
    addCluster(spec);
    spec.addMatch('k8s', NAMESPACE_KEY, namespace);
    out.push({ kind: 'selector', selector: selectors.compile(spec), requirable: false });
  }
  if (peer.ipBlock !== undefined) {
    const cidr = compileCidr(peer.ipBlock.cidr, peer.ipBlock.except);
    if (cidr !== undefined) out.push({ kind: 'cidr', cidr, key: [peer.ipBlock.cidr, ...(peer.ipBlock.except ?? [])].join(' ') });
  }
  return out;
}

function networkPolicyRule(ctx: Context, np: NetworkPolicy): CompiledRule {
  const { options, selectors } = ctx;
  const namespace = np.metadata.namespace || 'default';
  const rc: RuleContext = { ctx, kind: 'NetworkPolicy', name: np.metadata.name, namespace, spec: 0, matchesInit: false };
  const order = ctx.order++;
  const build = (
    list: readonly { readonly ports?: Parameters<typeof compileNetworkPolicyPorts>[0]; readonly peers: readonly NetworkPolicyPeer[] | undefined }[],
    section: RuleSection,
  ): CompiledEntry[] => {
    const out: CompiledEntry[] = [];
    list.forEach((r, i) => {
      const entryOrder = ctx.order++;
      // An empty or missing peer list is every identity, world included (types.WildcardSelector).
      const peers = (r.peers?.length ?? 0) > 0 ? (r.peers ?? []).flatMap((p) => networkPolicyPeers(ctx, namespace, p)) : null;
      const ports = compileNetworkPolicyPorts(r.ports, options.endPort);
      if ((peers !== null && peers.length === 0) || (ports !== null && ports.length === 0)) return;
      out.push({ ref: ref(rc, section, i), deny: false, order: entryOrder, l3: internL3(ctx, peers), ports, namedPorts: hasNamedPort(ports) });
    });
    return out;
  };
  const spec = np.spec;
  const ingress = build((spec.ingress ?? []).map((r) => ({ ports: r.ports, peers: r.from })), 'ingress');
  const egress = build((spec.egress ?? []).map((r) => ({ ports: r.ports, peers: r.to })), 'egress');
  const types = spec.policyTypes;
  // b.2 exception (network_policy.go): rules always translate; without rules, policyTypes decides.
  // Egress rules enable egress even when policyTypes lists only Ingress — Cilium translates them regardless.
  const enables = {
    ingress: (spec.ingress?.length ?? 0) > 0 || types === undefined || types.includes('Ingress') || !types.includes('Egress'),
    egress: (spec.egress?.length ?? 0) > 0 || (types?.includes('Egress') ?? false),
  };
  const subject = SelectorSpec.of(spec.podSelector, 'k8s').addMatch('k8s', NAMESPACE_KEY, namespace);
  return {
    order,
    subject: selectors.compile(subject),
    host: false,
    namespace,
    enables,
    // Every NetworkPolicy entry is DefaultDeny=true (network_policy.go:277-285).
    defaultDeny: enables,
    allows: { ingress, egress },
    denies: { ingress: [], egress: [] },
    requires: { ingress: [], egress: [] },
  };
}

/** Translates a policy set into one repository (input order is kept: it is the order of `by`). */
export function compileRepository(policies: readonly LoadedPolicy[], options: ResolvedOptions): CompiledRepository {
  const ctx: Context = { options, selectors: new SelectorTable(), l3s: new Map(), refs: new Map(), order: 0 };
  const rules: CompiledRule[] = [];
  for (const { policy } of policies) {
    if (policy.kind === 'NetworkPolicy') {
      rules.push(networkPolicyRule(ctx, policy));
      continue;
    }
    const specs: [Rule, number][] = [];
    if (policy.spec !== undefined) specs.push([policy.spec, 0]);
    (policy.specs ?? []).forEach((s, i) => specs.push([s, i]));
    for (const [rule, index] of specs) {
      const compiled = ciliumRule(ctx, policy, rule, index);
      if (compiled !== undefined) rules.push(compiled);
    }
  }
  return { rules, selectors: ctx.selectors, l3Count: ctx.l3s.size };
}
