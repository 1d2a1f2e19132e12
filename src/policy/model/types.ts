/**
 * @module policy/model/types — CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy and Kubernetes
 * NetworkPolicy as their CRDs and the Kubernetes API write them. Field names are Cilium's and
 * Kubernetes' own, unchanged (`endpointSelector`, `toEndpoints`, `toPorts`, `enableDefaultDeny`).
 *
 * An omitted field and an empty list mean different things in Cilium (`fromEndpoints: []` selects
 * nothing, an omitted `fromEndpoints` with `toPorts` selects everything: cilium-semantics.md b.7), so
 * these types keep `undefined` and `[]` apart; decoders must not normalise one into the other.
 */

/** Label keys may carry a source prefix: `k8s:app`, `any:app`, `reserved:host`; no prefix means `any`. */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

/** A Kubernetes label selector. The empty selector `{}` selects everything (within its scope). */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}
export type EndpointSelector = LabelSelector;

/** Entities the CRD accepts (`fromEntities`/`toEntities` enum). */
export const POLICY_ENTITIES = ['all', 'world', 'cluster', 'host', 'init', 'ingress', 'unmanaged', 'remote-node', 'health', 'none', 'kube-apiserver'] as const;
export type PolicyEntity = (typeof POLICY_ENTITIES)[number];

export const PORT_PROTOCOLS = ['TCP', 'UDP', 'SCTP', 'ANY'] as const;
export type PortProtocolName = (typeof PORT_PROTOCOLS)[number];

/** `toPorts[].ports[]`: a port number as a string, a named port, or "0" for all; `endPort` makes a range. */
export interface PortProtocol {
  readonly port?: string;
  readonly endPort?: number;
  /** @default ANY (TCP, UDP and SCTP) */
  readonly protocol?: PortProtocolName;
}

export interface PortRuleDNS {
  readonly matchName?: string;
  readonly matchPattern?: string;
}

export interface HeaderMatch {
  readonly mismatch?: string;
  readonly name: string;
  readonly secret?: { readonly name: string; readonly namespace?: string };
  readonly value?: string;
}

export interface PortRuleHTTP {
  readonly method?: string;
  readonly path?: string;
  readonly host?: string;
  readonly headers?: readonly string[];
  readonly headerMatches?: readonly HeaderMatch[];
}

/** L7 rules of a port rule: exactly one kind per rule (http, kafka, dns, or l7proto + l7). */
export interface L7Rules {
  readonly http?: readonly PortRuleHTTP[];
  readonly kafka?: readonly Readonly<Record<string, unknown>>[];
  readonly dns?: readonly PortRuleDNS[];
  readonly l7proto?: string;
  readonly l7?: readonly Readonly<Record<string, string>>[];
}

export interface PortRule {
  readonly ports?: readonly PortProtocol[];
  readonly rules?: L7Rules;
  readonly serverNames?: readonly string[];
  readonly terminatingTLS?: Readonly<Record<string, unknown>>;
  readonly originatingTLS?: Readonly<Record<string, unknown>>;
  readonly listener?: Readonly<Record<string, unknown>>;
}

/** Deny rules carry ports only: no L7 (cilium-semantics.md b.4). */
export interface PortDenyRule {
  readonly ports?: readonly PortProtocol[];
}

export interface ICMPField {
  /** @default IPv4 */
  readonly family?: 'IPv4' | 'IPv6';
  /** A number 0–255 or a CamelCase name such as `EchoRequest`. */
  readonly type: number | string;
}
export interface ICMPRule {
  readonly fields: readonly ICMPField[];
}

/** `fromCIDRSet`/`toCIDRSet` entry: exactly one of cidr, cidrGroupRef, cidrGroupSelector. */
export interface CIDRRule {
  readonly cidr?: string;
  readonly cidrGroupRef?: string;
  readonly cidrGroupSelector?: LabelSelector;
  readonly except?: readonly string[];
}

export interface FQDNSelector {
  readonly matchName?: string;
  readonly matchPattern?: string;
}

export interface K8sServiceNamespace {
  readonly serviceName?: string;
  readonly namespace?: string;
}
export interface ServiceSelector {
  readonly selector: LabelSelector;
  readonly namespace?: string;
}
export interface ServiceRule {
  readonly k8sService?: K8sServiceNamespace;
  readonly k8sServiceSelector?: ServiceSelector;
}

/** Peers shared by ingress and ingressDeny elements. */
interface IngressPeers {
  readonly fromEndpoints?: readonly EndpointSelector[];
  readonly fromRequires?: readonly EndpointSelector[];
  readonly fromCIDR?: readonly string[];
  readonly fromCIDRSet?: readonly CIDRRule[];
  readonly fromEntities?: readonly PolicyEntity[];
  readonly fromNodes?: readonly LabelSelector[];
  readonly fromGroups?: readonly Readonly<Record<string, unknown>>[];
  readonly icmps?: readonly ICMPRule[];
}
export interface IngressRule extends IngressPeers {
  readonly toPorts?: readonly PortRule[];
  readonly authentication?: { readonly mode: string };
}
export interface IngressDenyRule extends IngressPeers {
  readonly toPorts?: readonly PortDenyRule[];
}

interface EgressPeers {
  readonly toEndpoints?: readonly EndpointSelector[];
  readonly toRequires?: readonly EndpointSelector[];
  readonly toCIDR?: readonly string[];
  readonly toCIDRSet?: readonly CIDRRule[];
  readonly toEntities?: readonly PolicyEntity[];
  readonly toServices?: readonly ServiceRule[];
  readonly toNodes?: readonly LabelSelector[];
  readonly toGroups?: readonly Readonly<Record<string, unknown>>[];
  readonly icmps?: readonly ICMPRule[];
}
export interface EgressRule extends EgressPeers {
  readonly toPorts?: readonly PortRule[];
  readonly toFQDNs?: readonly FQDNSelector[];
  readonly authentication?: { readonly mode: string };
}
export interface EgressDenyRule extends EgressPeers {
  readonly toPorts?: readonly PortDenyRule[];
}

/**
 * One rule (`spec` or an element of `specs`). Exactly one of endpointSelector / nodeSelector
 * (nodeSelector only in a CCNP). A direction is policy-enabled when any selecting rule has an element
 * in that direction's list; `ingress: []` contributes nothing.
 */
export interface Rule {
  readonly endpointSelector?: EndpointSelector;
  readonly nodeSelector?: LabelSelector;
  readonly ingress?: readonly IngressRule[];
  readonly ingressDeny?: readonly IngressDenyRule[];
  readonly egress?: readonly EgressRule[];
  readonly egressDeny?: readonly EgressDenyRule[];
  /** @default per direction: true when that direction has any (allow or deny) element */
  readonly enableDefaultDeny?: { readonly ingress?: boolean; readonly egress?: boolean };
  readonly labels?: readonly { readonly key: string; readonly value?: string; readonly source?: string }[];
  readonly description?: string;
  readonly log?: { readonly value?: string };
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface CiliumNetworkPolicy {
  readonly apiVersion: 'cilium.io/v2';
  readonly kind: 'CiliumNetworkPolicy';
  readonly metadata: ObjectMeta & { readonly namespace: string };
  readonly spec?: Rule;
  readonly specs?: readonly Rule[];
}

export interface CiliumClusterwideNetworkPolicy {
  readonly apiVersion: 'cilium.io/v2';
  readonly kind: 'CiliumClusterwideNetworkPolicy';
  readonly metadata: ObjectMeta;
  readonly spec?: Rule;
  readonly specs?: readonly Rule[];
}

export interface IPBlock {
  readonly cidr: string;
  readonly except?: readonly string[];
}
export interface NetworkPolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: IPBlock;
}
export interface NetworkPolicyPort {
  /** @default TCP */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
  /** A number or a named port; omitted means all ports. */
  readonly port?: number | string;
  readonly endPort?: number;
}
export interface NetworkPolicyIngressRule {
  /** Omitted or empty: every source. */
  readonly from?: readonly NetworkPolicyPeer[];
  /** Omitted or empty: every port. */
  readonly ports?: readonly NetworkPolicyPort[];
}
export interface NetworkPolicyEgressRule {
  readonly to?: readonly NetworkPolicyPeer[];
  readonly ports?: readonly NetworkPolicyPort[];
}
export interface NetworkPolicySpec {
  readonly podSelector: LabelSelector;
  readonly policyTypes?: readonly ('Ingress' | 'Egress')[];
  readonly ingress?: readonly NetworkPolicyIngressRule[];
  readonly egress?: readonly NetworkPolicyEgressRule[];
}
export interface NetworkPolicy {
  readonly apiVersion: 'networking.k8s.io/v1';
  readonly kind: 'NetworkPolicy';
  readonly metadata: ObjectMeta & { readonly namespace: string };
  readonly spec: NetworkPolicySpec;
}

export type Policy = CiliumNetworkPolicy | CiliumClusterwideNetworkPolicy | NetworkPolicy;

/** Where a policy was read: a file and the 1-based document in it (for messages and RuleRefs). */
export interface PolicySource {
  readonly file: string;
  readonly document?: number;
  /** 0-based index in the document's `items` (a `List`) or in a top-level JSON array; omitted for a plain object. */
  readonly item?: number;
}

export interface LoadedPolicy {
  readonly policy: Policy;
  readonly source?: PolicySource;
}
