/**
 * @module policy/evaluate/reference — the naive reference evaluator: cilium-semantics.md turned into code
 * as directly as possible, optimised for obviousness, not speed.
 *
 * For every connection it scans every policy, finds the rules that select the source (for egress) and
 * the destination (for ingress), decides per direction whether policy is enforced and whether the
 * default is deny, checks deny rules first and allow rules second, and names the rule elements that
 * decided. Nothing is precomputed and nothing is shared with the fast evaluator (src/policy/evaluate/fast/):
 * the conformance suite and the property test compare the two.
 *
 * Section references (a.5, b.3 …) are to docs/cilium-semantics.md. Where the document leaves room, the
 * choice made here is written down next to the code as "Choice:".
 */
import { UsageError } from '../../shared/errors.js';
import type {
  CIDRRule,
  CiliumClusterwideNetworkPolicy,
  CiliumNetworkPolicy,
  EgressDenyRule,
  EgressRule,
  ICMPRule,
  IngressDenyRule,
  IngressRule,
  LabelSelector,
  LoadedPolicy,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  PolicyEntity,
  PortProtocol,
  PortRule,
  Rule,
} from '../model/types.js';
import {
  icmpTypeNumber,
  nameMatchesName,
  nameMatchesPattern,
  parseAddress,
  parsePrefix,
  prefixContains,
} from './reference-net.js';
import {
  CLUSTER_KEY,
  NAMESPACE_LABELS_PREFIX,
  POD_NAMESPACE_KEY,
  hasReserved,
  namesKey,
  parseIdentityLabels,
  requirementsHold,
  selectorRequirements,
  type IdentityLabel,
  type Requirement,
} from './reference-selector.js';
import type {
  CompileEvaluator,
  Connection,
  DirectionVerdict,
  Endpoint,
  EvaluateOptions,
  RuleRef,
  RuleSection,
  Verdict,
} from './types.js';

type Direction = 'ingress' | 'egress';

// ---- settings --------------------------------------------------------------------------------------

/** EvaluateOptions with their defaults filled in and the version turned into comparable numbers. */
interface Settings {
  readonly major: number;
  readonly minor: number;
  readonly enableNonDefaultDenyPolicies: boolean;
  readonly mode: 'default' | 'always' | 'never';
  readonly clusterName: string;
  readonly hostFirewall: boolean;
}

function settingsFrom(options: EvaluateOptions | undefined): Settings {
  const version = options?.ciliumVersion ?? '1.19';
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(version.trim());
  if (m === null) {
    throw new UsageError(`ciliumVersion '${version}' is not a Cilium version; write major.minor, for example "1.16"`);
  }
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    enableNonDefaultDenyPolicies: options?.enableNonDefaultDenyPolicies ?? true,
    mode: options?.policyEnforcementMode ?? 'default',
    clusterName: options?.clusterName ?? 'default',
    hostFirewall: options?.hostFirewall ?? false,
  };
}

/** The configured Cilium version is `major.minor` or newer. */
function atLeast(s: Settings, major: number, minor: number): boolean {
  return s.major > major || (s.major === major && s.minor >= minor);
}

// ---- identities ------------------------------------------------------------------------------------

/**
 * Reserved identities that are never a policy subject here: they are outside the cluster (world) or
 * their policy is enforced somewhere else (remote nodes, unmanaged pods, an external API server).
 * Choice: with the host firewall on, a remote node's own host policy would apply on that node too; a
 * `reserved:remote-node` identity does not say which node, so its side is `not-isolated`.
 */
const OUTSIDE_RESERVED = ['world', 'world-ipv4', 'world-ipv6', 'remote-node', 'unmanaged', 'kube-apiserver'] as const;

/** An endpoint with its labels parsed once per evaluation. */
interface Party {
  readonly endpoint: Endpoint;
  readonly labels: readonly IdentityLabel[];
}

function party(endpoint: Endpoint): Party {
  return { endpoint, labels: parseIdentityLabels(endpoint.labels) };
}

/**
 * - `host`: the local node (reserved:host), a subject of host policies only (a.6).
 * - `outside`: world, CIDR/FQDN identities, remote nodes, unmanaged pods, kube-apiserver: never a subject.
 * - `endpoint`: everything else — pods, and the reserved health/init/ingress endpoints (b.5).
 * Choice: an endpoint with no labels at all is an address without an identity, i.e. `outside` (world).
 */
function subjectKind(p: Party): 'host' | 'outside' | 'endpoint' {
  if (hasReserved(p.labels, 'host')) return 'host';
  if (OUTSIDE_RESERVED.some((r) => hasReserved(p.labels, r))) return 'outside';
  if (p.labels.length === 0 || p.labels.some((l) => l.source === 'cidr' || l.source === 'fqdn')) return 'outside';
  return 'endpoint';
}

/**
 * World: `reserved:world` (and its dual-stack halves), CIDR/FQDN identities (they carry reserved:world in
 * Cilium too, but callers may write only `cidr:`), or an address with no labels. These are the only
 * identities CIDR and FQDN rules can match (c.3, c.4).
 */
function isWorld(p: Party): boolean {
  if (hasReserved(p.labels, 'world') || hasReserved(p.labels, 'world-ipv4') || hasReserved(p.labels, 'world-ipv6')) {
    return true;
  }
  if (hasReserved(p.labels, 'host') || p.labels.some((l) => l.source === 'reserved')) return false;
  return p.labels.length === 0 || p.labels.some((l) => l.source === 'cidr' || l.source === 'fqdn');
}

/**
 * The `cluster` entity (c.2): the reserved in-cluster identities plus every identity labelled with the
 * local cluster name. Choice: a pod (it has a namespace label) without any cluster label counts as
 * local — see `Requirement.absentMeansLocal`.
 */
function isInLocalCluster(p: Party, s: Settings): boolean {
  const reservedInCluster = ['host', 'remote-node', 'init', 'ingress', 'health', 'unmanaged', 'kube-apiserver'];
  if (reservedInCluster.some((r) => hasReserved(p.labels, r))) return true;
  const cluster = p.labels.filter((l) => l.source === 'k8s' && l.key === CLUSTER_KEY);
  if (cluster.length > 0) return cluster.some((l) => l.value === s.clusterName);
  return p.labels.some((l) => l.key === POD_NAMESPACE_KEY) && !isWorld(p);
}

// ---- rules as written in the policies ---------------------------------------------------------------

/** One rule of the repository: a CNP/CCNP `spec`/`specs[i]`, or a whole Kubernetes NetworkPolicy (b.6). */
type RuleView =
  | {
      readonly kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
      /** The policy namespace; "" for a CCNP (a.5). */
      readonly namespace: string;
      readonly name: string;
      readonly spec: number;
      readonly rule: Rule;
    }
  | { readonly kind: 'NetworkPolicy'; readonly namespace: string; readonly name: string; readonly np: NetworkPolicy };

/**
 * Every rule of every policy, in input order. Choice: when a CNP has both `spec` and `specs`, `spec` is
 * RuleRef spec 0 and `specs[i]` is spec i, as RuleRef documents (the two can then share a number).
 */
function ruleViews(policies: readonly LoadedPolicy[]): RuleView[] {
  const out: RuleView[] = [];
  for (const { policy } of policies) {
    switch (policy.kind) {
      case 'CiliumNetworkPolicy':
      case 'CiliumClusterwideNetworkPolicy': {
        const p: CiliumNetworkPolicy | CiliumClusterwideNetworkPolicy = policy;
        const namespace = p.kind === 'CiliumNetworkPolicy' ? p.metadata.namespace : '';
        if (p.spec !== undefined) out.push({ kind: p.kind, namespace, name: p.metadata.name, spec: 0, rule: p.spec });
        (p.specs ?? []).forEach((rule, i) => out.push({ kind: p.kind, namespace, name: p.metadata.name, spec: i, rule }));
        break;
      }
      case 'NetworkPolicy':
        // A NetworkPolicy without a namespace lives in "default" (network_policy.go ExtractNamespaceOrDefault).
        out.push({ kind: 'NetworkPolicy', namespace: policy.metadata.namespace || 'default', name: policy.metadata.name, np: policy });
        break;
      default:
        break;
    }
  }
  return out;
}

function ref(view: RuleView, section: RuleSection, index: number): RuleRef {
  const spec = view.kind === 'NetworkPolicy' ? 0 : view.spec;
  return view.kind === 'CiliumClusterwideNetworkPolicy'
    ? { kind: view.kind, name: view.name, spec, section, index }
    : { kind: view.kind, namespace: view.namespace, name: view.name, spec, section, index };
}

const eq = (key: string, value: string, source = 'k8s'): Requirement => ({ source, key, operator: 'In', values: [value] });
const exists = (key: string, source = 'k8s'): Requirement => ({ source, key, operator: 'Exists', values: [] });

// ---- which rules select the subject (a.4, a.6, b.5, b.6) ---------------------------------------------

function selectsSubject(view: RuleView, subject: Party, kind: 'host' | 'endpoint', s: Settings): boolean {
  if (view.kind === 'NetworkPolicy') {
    // The podSelector's keys get the k8s source and the policy namespace is set (network_policy.go).
    if (kind !== 'endpoint') return false;
    return requirementsHold(selectorRequirements(pinnedPodSelector(view.np.spec.podSelector, view.namespace), 'k8s'), subject.labels);
  }
  const rule = view.rule;
  if (view.kind === 'CiliumNetworkPolicy') {
    // a.4: always pinned to the policy namespace; a CNP cannot carry nodeSelector and never selects the host.
    if (rule.endpointSelector === undefined || kind !== 'endpoint') return false;
    return requirementsHold(selectorRequirements(pinnedEndpointSelector(rule.endpointSelector, view.namespace), 'any'), subject.labels);
  }
  // CCNP (b.5): endpointSelector as written selects endpoints in any namespace, incl. reserved health/init;
  // nodeSelector makes a host policy, in effect only with the host firewall on.
  if (rule.endpointSelector !== undefined) {
    return kind === 'endpoint' && requirementsHold(selectorRequirements(rule.endpointSelector, 'any'), subject.labels);
  }
  if (rule.nodeSelector !== undefined) {
    return kind === 'host' && s.hostFirewall && requirementsHold(selectorRequirements(rule.nodeSelector, 'any'), subject.labels);
  }
  return false;
}

/**
 * a.4, as the code does it (utils.go ParseToCiliumRule): `AddMatch(k8s:io.kubernetes.pod.namespace, <ns>)`
 * sets that matchLabels key, overwriting a value the user wrote under the same key — that is the
 * "illegal namespace match" Cilium warns about and removes. A namespace match under another key (the
 * unprefixed `io.kubernetes.pod.namespace`, which Sanitize turns into `any:`, or a matchExpression)
 * stays and is ANDed with the pin, so a foreign namespace there selects nothing.
 */
function pinnedEndpointSelector(selector: LabelSelector, namespace: string): LabelSelector {
  const kept = Object.entries(selector.matchLabels ?? {}).filter(([k]) => k !== `k8s:${POD_NAMESPACE_KEY}`);
  return { ...selector, matchLabels: { ...Object.fromEntries(kept), [`k8s:${POD_NAMESPACE_KEY}`]: namespace } };
}

// ---- per-direction enablement and default deny (b.1–b.3, b.6) ------------------------------------------

/** b.2: a rule turns a direction on when it has at least one allow or deny element there. */
function enablesDirection(view: RuleView, dir: Direction): boolean {
  if (view.kind === 'NetworkPolicy') {
    const spec = view.np.spec;
    const types = spec.policyTypes ?? [];
    // network_policy.go translates spec.ingress/spec.egress whatever policyTypes says, and adds the
    // default-deny element from policyTypes when a direction has no rules (b.2).
    if (dir === 'ingress') return (spec.ingress?.length ?? 0) > 0 || types.includes('Ingress') || !types.includes('Egress');
    return (spec.egress?.length ?? 0) > 0 || types.includes('Egress');
  }
  const allow = dir === 'ingress' ? view.rule.ingress : view.rule.egress;
  const deny = dir === 'ingress' ? view.rule.ingressDeny : view.rule.egressDeny;
  return (allow?.length ?? 0) > 0 || (deny?.length ?? 0) > 0;
}

/**
 * b.3: whether this (direction-enabling) rule asks for default deny. A NetworkPolicy always does (b.6).
 * `enableDefaultDeny` exists from 1.16; from 1.17 it is honoured only with
 * `enable-non-default-deny-policies` (else forced true). The default is true for a direction that has
 * elements, which is every direction this is asked about.
 */
function asksDefaultDeny(view: RuleView, dir: Direction, s: Settings): boolean {
  if (view.kind === 'NetworkPolicy') return true;
  const explicit = view.rule.enableDefaultDeny?.[dir];
  const honoured = atLeast(s, 1, 16) && (!atLeast(s, 1, 17) || s.enableNonDefaultDenyPolicies);
  return explicit === undefined || !honoured ? true : explicit;
}

// ---- peers (a.5, c.1–c.5, b.6) -------------------------------------------------------------------------

/** The facts about a CNP/CCNP that peer scoping depends on (a.5). */
interface RuleContext {
  readonly view: RuleView & { readonly kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy' };
  /** The subject selector names `reserved:init`: a CCNP then gets no `namespace Exists` on its peers. */
  readonly subjectSelectsInit: boolean;
}

/**
 * a.5 `getEndpointSelector`: a `fromEndpoints`/`toEndpoints` selector plus the scoping Cilium adds.
 * - a key with the `reserved` source: nothing is added;
 * - no namespace key: CNP adds `k8s:io.kubernetes.pod.namespace=<ns>` unless (from 1.16) a key is a
 *   namespace label `io.cilium.k8s.namespace.labels.*`; CCNP adds `…namespace Exists` unless its subject
 *   selects reserved:init;
 * - from 1.19 (`policy-default-local-cluster`): `k8s:io.cilium.k8s.policy.cluster=<local>` unless named.
 */
function scopedPeerRequirements(selector: LabelSelector, ctx: RuleContext, s: Settings): Requirement[] {
  const reqs = selectorRequirements(selector, 'any');
  if (reqs.some((r) => r.source === 'reserved')) return reqs;
  const out = [...reqs];
  if (!reqs.some((r) => namesKey(r, POD_NAMESPACE_KEY))) {
    if (ctx.view.kind === 'CiliumNetworkPolicy') {
      const namespaceLabels = reqs.some(
        (r) => (r.source === 'k8s' || r.source === 'any') && r.key.startsWith(NAMESPACE_LABELS_PREFIX),
      );
      if (!(namespaceLabels && atLeast(s, 1, 16))) out.push(eq(POD_NAMESPACE_KEY, ctx.view.namespace));
    } else if (!ctx.subjectSelectsInit) {
      out.push(exists(POD_NAMESPACE_KEY));
    }
  }
  if (atLeast(s, 1, 19) && !reqs.some((r) => namesKey(r, CLUSTER_KEY))) {
    out.push({ ...eq(CLUSTER_KEY, s.clusterName), absentMeansLocal: true });
  }
  return out;
}

/**
 * a.5 `fromNodes`/`toNodes`: a selector over node labels plus `reserved:remote-node Exists` (and the
 * 1.19 cluster filter). Modelled as if `--enable-node-selector-labels` were on.
 */
function nodeRequirements(selector: LabelSelector, s: Settings): Requirement[] {
  const reqs = [...selectorRequirements(selector, 'any'), exists('remote-node', 'reserved')];
  if (atLeast(s, 1, 19) && !reqs.some((r) => namesKey(r, CLUSTER_KEY))) {
    reqs.push({ ...eq(CLUSTER_KEY, s.clusterName), absentMeansLocal: true });
  }
  return reqs;
}

/** c.2 entities. */
function entityMatches(entity: PolicyEntity, peer: Party, s: Settings): boolean {
  switch (entity) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'world':
      return isWorld(peer);
    case 'cluster':
      return isInLocalCluster(peer, s);
    case 'host':
    case 'remote-node':
    case 'kube-apiserver':
    case 'health':
    case 'init':
    case 'ingress':
    case 'unmanaged':
      return hasReserved(peer.labels, entity);
    default:
      return false;
  }
}

/**
 * c.3: a CIDR (with `except`) matches only world identities, by address. Choice: a world peer with no
 * address is matched by a /0 prefix only (Cilium turns 0.0.0.0/0 and ::/0 into the world selector),
 * `world-ipv4`/`world-ipv6` only by the /0 of their family. `cidrGroupRef`/`cidrGroupSelector` need
 * CiliumCIDRGroup objects, which an evaluator does not get: they match nothing.
 */
function cidrMatches(cidr: string | undefined, except: readonly string[] | undefined, peer: Party): boolean {
  if (cidr === undefined || !isWorld(peer)) return false;
  const prefix = parsePrefix(cidr);
  if (prefix === undefined) return false;
  if (peer.endpoint.ip === undefined) {
    if (prefix.bits !== 0) return false;
    if (hasReserved(peer.labels, 'world-ipv4')) return prefix.address.family === 4;
    if (hasReserved(peer.labels, 'world-ipv6')) return prefix.address.family === 6;
    return true;
  }
  const address = parseAddress(peer.endpoint.ip);
  if (address === undefined || !prefixContains(prefix, address)) return false;
  return !(except ?? []).some((e) => {
    const p = parsePrefix(e);
    return p !== undefined && prefixContains(p, address);
  });
}

function cidrRuleMatches(rule: CIDRRule, peer: Party): boolean {
  return cidrMatches(rule.cidr, rule.except, peer);
}

/**
 * The L3 part of one CNP/CCNP element (c.1, b.7, d.2). If no L3 field is written at all the element
 * selects every identity (incl. world) when it has an L4 part, and nothing when it has none
 * (`ingress: [{}]`). A written field selects what its entries select — `fromEndpoints: []` nothing.
 * Before 1.16 `fromNodes`/`toNodes` do not exist and count as not written.
 * Choice: `fromRequires`/`toRequires` (removed in 1.19, c.6) are ignored; `fromGroups`/`toGroups`
 * (cloud provider groups) and `toServices` (needs Service and EndpointSlice objects, c.5) match nothing.
 */
function elementPeerMatches(
  element: IngressRule | IngressDenyRule | EgressRule | EgressDenyRule,
  dir: Direction,
  ctx: RuleContext,
  peer: Party,
  s: Settings,
): boolean {
  const e = element as IngressRule & EgressRule;
  const endpoints = dir === 'ingress' ? e.fromEndpoints : e.toEndpoints;
  const cidrs = dir === 'ingress' ? e.fromCIDR : e.toCIDR;
  const cidrSets = dir === 'ingress' ? e.fromCIDRSet : e.toCIDRSet;
  const entities = dir === 'ingress' ? e.fromEntities : e.toEntities;
  // fromNodes/toNodes arrived in 1.16: an older CRD prunes them, as if they were not written.
  const nodes = atLeast(s, 1, 16) ? (dir === 'ingress' ? e.fromNodes : e.toNodes) : undefined;
  const groups = dir === 'ingress' ? e.fromGroups : e.toGroups;
  const services = dir === 'egress' ? e.toServices : undefined;
  const fqdns = dir === 'egress' ? e.toFQDNs : undefined;
  const written = [endpoints, cidrs, cidrSets, entities, nodes, groups, services, fqdns].some((f) => f !== undefined);
  if (!written) return hasL4(element);
  if (endpoints?.some((sel) => requirementsHold(scopedPeerRequirements(sel, ctx, s), peer.labels))) return true;
  if (cidrs?.some((c) => cidrMatches(c, undefined, peer))) return true;
  if (cidrSets?.some((c) => cidrRuleMatches(c, peer))) return true;
  if (entities?.some((en) => entityMatches(en, peer, s))) return true;
  if (nodes?.some((sel) => requirementsHold(nodeRequirements(sel, s), peer.labels))) return true;
  // c.4: toFQDNs selects the world addresses whose names the source learned through the DNS proxy.
  if (fqdns !== undefined && isWorld(peer)) {
    const names = peer.endpoint.names ?? [];
    const hit = fqdns.some((f) =>
      names.some(
        (n) =>
          (f.matchName !== undefined && nameMatchesName(n, f.matchName)) ||
          (f.matchPattern !== undefined && nameMatchesPattern(n, f.matchPattern, atLeast(s, 1, 19))),
      ),
    );
    if (hit) return true;
  }
  return false;
}

/** The element has an L4 part: a non-empty `toPorts` or `icmps` (d.2; `toPorts: []` counts as none). */
function hasL4(element: { readonly toPorts?: readonly unknown[]; readonly icmps?: readonly ICMPRule[] }): boolean {
  return (element.toPorts?.length ?? 0) > 0 || (element.icmps?.length ?? 0) > 0;
}

// ---- ports and L7 (d.1–d.4) ------------------------------------------------------------------------------

/**
 * One way an element lets the connection's L4 through. `width` is how many ports the matching entry
 * covers (1 for a port, the range size, 65536 for all ports, Infinity for an L3-only element); it
 * decides L7 shadowing (see `needsL7Check`).
 */
interface L4Hit {
  readonly l7: boolean;
  readonly width: number;
}

const ALL_PORTS = 65536;

/**
 * d.1: `port` is a number, a named port (resolved on the destination, lower case), or "0"/empty for all
 * ports; `endPort` (from 1.16; ignored before, as the older CRD drops it, and for named ports) makes a
 * range; protocol ANY or empty is TCP+UDP+SCTP — never ICMP. Returns the width covered, or undefined.
 * Choice: an empty `port` (rejected by validation) is read as "0".
 */
function portWidth(pp: PortProtocol, conn: Connection, s: Settings): number | undefined {
  const protocols = pp.protocol === undefined || pp.protocol === 'ANY' ? ['TCP', 'UDP', 'SCTP'] : [pp.protocol];
  if (!protocols.includes(conn.protocol)) return undefined;
  const port = (pp.port ?? '').trim();
  if (port === '' || /^0+$/.test(port)) return ALL_PORTS;
  if (/^\d+$/.test(port)) {
    const start = Number(port);
    const end = atLeast(s, 1, 16) && pp.endPort !== undefined && pp.endPort > start ? pp.endPort : start;
    return conn.port >= start && conn.port <= end ? end - start + 1 : undefined;
  }
  const named = namedPort(conn.destination, port);
  return named !== undefined && named.protocol === conn.protocol && named.port === conn.port ? 1 : undefined;
}

function namedPort(endpoint: Endpoint, name: string): { port: number; protocol: string } | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(endpoint.namedPorts ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** d.4: a port rule with L7 rules (http, kafka, dns, l7proto), a TLS SNI list or an Envoy listener goes through the proxy. */
function portRuleHasL7(pr: PortRule): boolean {
  const r = pr.rules;
  const l7 =
    r !== undefined &&
    ((r.http?.length ?? 0) > 0 ||
      (r.kafka?.length ?? 0) > 0 ||
      (r.dns?.length ?? 0) > 0 ||
      (r.l7proto !== undefined && r.l7proto !== '') ||
      (r.l7?.length ?? 0) > 0);
  return l7 || (pr.serverNames?.length ?? 0) > 0 || pr.listener !== undefined;
}

/**
 * The L4 part of a CNP/CCNP element: no `toPorts`/`icmps` → every port and protocol (L3 only); otherwise
 * each `ports[]` entry of each PortRule and each ICMP field is checked. A PortRule with no `ports`
 * (`toPorts: [{}]`) contributes nothing (d.2). ICMP fields (c.8) match the ICMP type of an ICMPv4/ICMPv6
 * connection; family defaults to IPv4.
 */
function elementL4Hits(
  element: { readonly toPorts?: readonly (PortRule | { readonly ports?: readonly PortProtocol[] })[]; readonly icmps?: readonly ICMPRule[] },
  conn: Connection,
  s: Settings,
): L4Hit[] {
  if (!hasL4(element)) return [{ l7: false, width: Infinity }];
  const hits: L4Hit[] = [];
  for (const pr of element.toPorts ?? []) {
    for (const pp of pr.ports ?? []) {
      const width = portWidth(pp, conn, s);
      // A deny port rule has no L7 fields (b.4), so this is false for it.
      if (width !== undefined) hits.push({ l7: portRuleHasL7(pr as PortRule), width });
    }
  }
  for (const icmp of element.icmps ?? []) {
    for (const field of icmp.fields ?? []) {
      const family = field.family ?? 'IPv4';
      const protocol = family === 'IPv6' ? 'ICMPv6' : 'ICMPv4';
      if (conn.protocol === protocol && icmpTypeNumber(field.type, family) === conn.port) hits.push({ l7: false, width: 1 });
    }
  }
  return hits;
}

// ---- Kubernetes NetworkPolicy rules (b.6) ---------------------------------------------------------------

/**
 * A NetworkPolicy peer as Cilium translates it (network_policy.go):
 * - namespaceSelector (+ optional podSelector): the namespace selector's keys become
 *   `k8s:io.cilium.k8s.namespace.labels.<k>`, an empty one becomes `k8s:io.kubernetes.pod.namespace Exists`;
 * - podSelector alone: its keys get the k8s source and the policy namespace is set (pinnedPodSelector);
 * - both selector forms: from 1.19 the local cluster, unless the pod selector names the cluster key;
 * - ipBlock: a CIDR rule with except (world identities only, c.3).
 */
function knpPeerMatches(peerSpec: NetworkPolicyPeer, namespace: string, peer: Party, s: Settings): boolean {
  let selected = false;
  // From 1.19 (policy-default-local-cluster) the peer's pod selector is limited to the local cluster
  // unless it names `io.cilium.k8s.policy.cluster` itself (network_policy.go parseNetworkPolicyPeer,
  // isPodSelectorSelectingCluster; the cilium-semantics.md a.5 rule, applied to NetworkPolicy as the
  // upgrade guide's `inspect-policy-default-local-cluster` also lists NetworkPolicies).
  const pod = peerSpec.podSelector;
  const namesCluster =
    (pod?.matchLabels?.[CLUSTER_KEY] ?? '') !== '' || (pod?.matchExpressions ?? []).some((e) => e.key === CLUSTER_KEY);
  const cluster: Requirement[] = atLeast(s, 1, 19) && !namesCluster ? [{ ...eq(CLUSTER_KEY, s.clusterName), absentMeansLocal: true }] : [];
  if (peerSpec.namespaceSelector !== undefined) {
    const ns = peerSpec.namespaceSelector;
    const nsReqs = selectorRequirements(
      {
        matchLabels: Object.fromEntries(Object.entries(ns.matchLabels ?? {}).map(([k, v]) => [`${NAMESPACE_LABELS_PREFIX}${k}`, v])),
        matchExpressions: (ns.matchExpressions ?? []).map((e) => ({ ...e, key: `${NAMESPACE_LABELS_PREFIX}${e.key}` })),
      },
      'k8s',
    );
    const reqs = nsReqs.length > 0 ? nsReqs : [exists(POD_NAMESPACE_KEY)];
    if (peerSpec.podSelector !== undefined) reqs.push(...selectorRequirements(peerSpec.podSelector, 'k8s'));
    selected = requirementsHold([...reqs, ...cluster], peer.labels);
  } else if (peerSpec.podSelector !== undefined) {
    const reqs = selectorRequirements(pinnedPodSelector(peerSpec.podSelector, namespace), 'k8s');
    selected = requirementsHold([...reqs, ...cluster], peer.labels);
  }
  return selected || (peerSpec.ipBlock !== undefined && cidrMatches(peerSpec.ipBlock.cidr, peerSpec.ipBlock.except, peer));
}

/**
 * A NetworkPolicy pod selector pinned to the policy namespace the way Cilium does it
 * (network_policy.go parsePodSelector): `matchLabels[io.kubernetes.pod.namespace] = <ns>`, which
 * overwrites a namespace the user wrote there.
 */
function pinnedPodSelector(selector: LabelSelector, namespace: string): LabelSelector {
  return { ...selector, matchLabels: { ...(selector.matchLabels ?? {}), [POD_NAMESPACE_KEY]: namespace } };
}

/** A NetworkPolicy port: protocol defaults to TCP; no port means every port of it; endPort from 1.16. */
function knpPortWidth(pp: NetworkPolicyPort, conn: Connection, s: Settings): number | undefined {
  const protocol = pp.protocol ?? 'TCP';
  if (conn.protocol !== protocol) return undefined;
  if (pp.port === undefined) return ALL_PORTS;
  const text = String(pp.port).trim();
  if (/^\d+$/.test(text)) {
    const start = Number(text);
    if (start === 0) return ALL_PORTS;
    const end = atLeast(s, 1, 16) && pp.endPort !== undefined && pp.endPort > start ? pp.endPort : start;
    return conn.port >= start && conn.port <= end ? end - start + 1 : undefined;
  }
  const named = namedPort(conn.destination, text);
  return named !== undefined && named.protocol === protocol && named.port === conn.port ? 1 : undefined;
}

// ---- matching elements of the selecting rules -----------------------------------------------------------

interface AllowHit {
  readonly ref: RuleRef;
  readonly hits: readonly L4Hit[];
}

/** The deny elements (`ingressDeny`/`egressDeny`) of one rule that match the connection (b.4). */
function denyRefs(view: RuleView, ctx: RuleContext | undefined, dir: Direction, peer: Party, conn: Connection, s: Settings): RuleRef[] {
  if (view.kind === 'NetworkPolicy' || ctx === undefined) return [];
  const section: RuleSection = dir === 'ingress' ? 'ingressDeny' : 'egressDeny';
  const elements: readonly (IngressDenyRule | EgressDenyRule)[] = (dir === 'ingress' ? view.rule.ingressDeny : view.rule.egressDeny) ?? [];
  const out: RuleRef[] = [];
  elements.forEach((element, index) => {
    if (elementPeerMatches(element, dir, ctx, peer, s) && elementL4Hits(element, conn, s).length > 0) out.push(ref(view, section, index));
  });
  return out;
}

/** The allow elements of one rule that match the connection, with how they match at L4. */
function allowHits(view: RuleView, ctx: RuleContext | undefined, dir: Direction, peer: Party, conn: Connection, s: Settings): AllowHit[] {
  const out: AllowHit[] = [];
  if (view.kind === 'NetworkPolicy') {
    const rules = (dir === 'ingress' ? view.np.spec.ingress : view.np.spec.egress) ?? [];
    rules.forEach((r, index) => {
      // An empty or missing peer list means every identity, world included; an empty or missing port
      // list means every port and protocol (b.6; Cilium checks len()).
      const peers = dir === 'ingress' ? (r as { from?: readonly NetworkPolicyPeer[] }).from : (r as { to?: readonly NetworkPolicyPeer[] }).to;
      const peerOk = peers === undefined || peers.length === 0 || peers.some((p) => knpPeerMatches(p, view.namespace, peer, s));
      if (!peerOk) return;
      const hits: L4Hit[] =
        r.ports === undefined || r.ports.length === 0
          ? [{ l7: false, width: Infinity }]
          : r.ports.flatMap((pp) => {
              const width = knpPortWidth(pp, conn, s);
              return width === undefined ? [] : [{ l7: false, width }];
            });
      if (hits.length > 0) out.push({ ref: ref(view, dir, index), hits });
    });
    return out;
  }
  if (ctx === undefined) return out;
  const elements: readonly (IngressRule | EgressRule)[] = (dir === 'ingress' ? view.rule.ingress : view.rule.egress) ?? [];
  elements.forEach((element, index) => {
    if (!elementPeerMatches(element, dir, ctx, peer, s)) return;
    const hits = elementL4Hits(element, conn, s);
    if (hits.length > 0) out.push({ ref: ref(view, dir, index), hits });
  });
  return out;
}

/**
 * d.3/d.4 and b.3: the allow needs the L7 proxy's say when some L7 hit is not shadowed. A hit without
 * L7 shadows an L7 hit when it covers no more ports (same port key, or a narrower one): Cilium merges
 * identical port keys (the L7 restriction is then shadowed, d.3) and the datapath prefers the most
 * specific key. An L3-only allow (width Infinity) therefore does not lift an L7 restriction on a port.
 * Choice (inferred from how the datapath looks keys up; the document states only the same-port case).
 */
function needsL7Check(hits: readonly L4Hit[]): boolean {
  const plain = hits.filter((h) => !h.l7);
  return hits.some((h) => h.l7 && !plain.some((p) => p.width <= h.width));
}

function dedupe(refs: readonly RuleRef[]): RuleRef[] {
  const seen = new Set<string>();
  const out: RuleRef[] = [];
  for (const r of refs) {
    const key = `${r.kind}/${r.namespace ?? ''}/${r.name}/${r.spec}/${r.section}/${r.index}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(r);
    }
  }
  return out;
}

// ---- one direction -----------------------------------------------------------------------------------

const NOT_ISOLATED: DirectionVerdict = { decision: 'not-isolated', by: [] };

/**
 * The verdict of `subject`'s policy in direction `dir` on traffic with `peer` (ingress: peer is the
 * source; egress: peer is the destination).
 */
function evaluateDirection(
  views: readonly RuleView[],
  dir: Direction,
  subject: Party,
  peer: Party,
  conn: Connection,
  s: Settings,
): DirectionVerdict {
  // b.1: `never` enforces nothing, not even deny rules.
  if (s.mode === 'never') return NOT_ISOLATED;
  const kind = subjectKind(subject);
  if (kind === 'outside') return NOT_ISOLATED;
  // b.1: the host endpoint gets no policy unless the host firewall is on.
  if (kind === 'host' && !s.hostFirewall) return NOT_ISOLATED;

  const selecting = views.filter((v) => selectsSubject(v, subject, kind, s));
  const enabling = selecting.filter((v) => enablesDirection(v, dir));
  // b.1: `always` and reserved:init are default-deny both ways, with or without rules. Choice: with the
  // host firewall on, `always` applies to the host too; `always` also overrides enableDefaultDeny: false.
  const forced = s.mode === 'always' || hasReserved(subject.labels, 'init');
  if (!forced && enabling.length === 0) return NOT_ISOLATED;
  const defaultDeny = forced || enabling.some((v) => asksDefaultDeny(v, dir, s));

  const contexts = new Map<RuleView, RuleContext>();
  for (const v of enabling) {
    if (v.kind !== 'NetworkPolicy') {
      const subjectSelectsInit =
        v.rule.endpointSelector !== undefined &&
        selectorRequirements(v.rule.endpointSelector, 'any').some((r) => r.source === 'reserved' && r.key === 'init');
      contexts.set(v, { view: v, subjectSelectsInit });
    }
  }

  // b.4: a matching deny element wins over every allow, in default-deny and default-allow directions alike.
  const denies = dedupe(enabling.flatMap((v) => denyRefs(v, contexts.get(v), dir, peer, conn, s)));
  if (denies.length > 0) return { decision: 'denied-rule', by: denies };

  const allows = enabling.flatMap((v) => allowHits(v, contexts.get(v), dir, peer, conn, s));
  const hits = allows.flatMap((a) => a.hits);

  // b.7: localhost → local pods is always allowed (allow-localhost=always in Kubernetes mode); only an
  // explicit deny (checked above) stops it. Choice: reported as `allowed` with no rule when no written
  // allow matches, in default-deny and default-allow directions alike.
  const localhost = dir === 'ingress' && kind === 'endpoint' && hasReserved(peer.labels, 'host');
  if (allows.length === 0 && localhost) return { decision: 'allowed', by: [] };

  if (!defaultDeny) {
    // b.3: every enabling rule said enableDefaultDeny: false → Cilium adds a lowest-priority allow-all
    // (L3/L4 only). Choice: traffic that a written allow matches is `allowed` by it (so a caller can
    // tell what a default-deny version of the policy would still allow — the "shadow policy" use of
    // e.3); traffic only the synthesized wildcard lets through is `not-isolated` with `by: []`.
    // From 1.18 Cilium also adds an L7 allow-all on ports with L7 rules, so nothing is restricted at
    // L7; before 1.18 the peers named by an L7 rule still meet its L7 rules there (the wildcard is
    // L3/L4 and does not shadow a port-specific L7 rule, see needsL7Check).
    if (allows.length === 0) return NOT_ISOLATED;
    const by = dedupe(allows.map((a) => a.ref));
    const l7 = !atLeast(s, 1, 18) && needsL7Check([...hits, { l7: false, width: Infinity }]);
    return l7 ? { decision: 'allowed', by, needsL7Check: true } : { decision: 'allowed', by };
  }

  if (allows.length === 0) return { decision: 'denied-default', by: [] };
  const by = dedupe(allows.map((a) => a.ref));
  return needsL7Check(hits) ? { decision: 'allowed', by, needsL7Check: true } : { decision: 'allowed', by };
}

// ---- the evaluator ----------------------------------------------------------------------------------------

/**
 * The naive reference evaluator. Compiling only records the policies and options; every `evaluate`
 * scans every rule of every policy again. Assumes the policies passed `sanitize` (label keys as users
 * write them, `source:key`); invalid combinations that validation would reject are evaluated literally.
 *
 * - egress is the source's egress policy (`not-isolated` when the source is no policy subject: world,
 *   remote nodes, the host without host firewall …); ingress is the destination's ingress policy;
 * - `allowed` is true when neither direction is `denied-*` (b.8; replies of allowed connections are not
 *   evaluated — policy is stateful).
 */
export const compileReferenceEvaluator: CompileEvaluator = (policies, options) => {
  const s = settingsFrom(options);
  const loaded = [...policies];
  return {
    evaluate(conn: Connection): Verdict {
      const views = ruleViews(loaded);
      const source = party(conn.source);
      const destination = party(conn.destination);
      const egress = evaluateDirection(views, 'egress', source, destination, conn, s);
      const ingress = evaluateDirection(views, 'ingress', destination, source, conn, s);
      const denied = (d: DirectionVerdict): boolean => d.decision === 'denied-default' || d.decision === 'denied-rule';
      return { egress, ingress, allowed: !denied(egress) && !denied(ingress) };
    },
  };
};
