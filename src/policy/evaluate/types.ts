/**
 * @module policy/evaluate/types — the one interface every evaluator implements (the fast compiled
 * one and the naive reference), and the values they take and return.
 *
 * Endpoints are described the way Cilium sees them: by their security identity's labels
 * (`source:key=value`: `k8s:app=web`, `k8s:io.kubernetes.pod.namespace=shop`,
 * `k8s:io.cilium.k8s.namespace.labels.team=a`, `k8s:io.cilium.k8s.policy.serviceaccount=web`,
 * `k8s:io.cilium.k8s.policy.cluster=default`, `reserved:world`, `reserved:host` …), plus the IP and
 * the DNS names where CIDR and FQDN rules need them. Mapping inventory peers to endpoints is the
 * caller's business.
 */
import type { LoadedPolicy } from '../model/types.js';

/** An endpoint: a pod (k8s labels incl. its namespace label) or a reserved identity (`reserved:*`). */
export interface Endpoint {
  /** Identity labels, `source:key=value` (a reserved label has no value: `reserved:host`). */
  readonly labels: readonly string[];
  /** The address, for CIDR rules (which match only non-cluster identities: world, or unmanaged ranges). */
  readonly ip?: string;
  /** DNS names the source learned for this address through the DNS proxy, for `toFQDNs` (lower case, no trailing dot). */
  readonly names?: readonly string[];
  /** The endpoint's named container ports (`http` → 8080/TCP), for named `toPorts` and NetworkPolicy ports. */
  readonly namedPorts?: Readonly<Record<string, { readonly port: number; readonly protocol: 'TCP' | 'UDP' | 'SCTP' }>>;
}

export const CONNECTION_PROTOCOLS = ['TCP', 'UDP', 'SCTP', 'ICMPv4', 'ICMPv6'] as const;
export type ConnectionProtocol = (typeof CONNECTION_PROTOCOLS)[number];

/** One connection attempt: source → destination on a destination port (ICMP: the ICMP type). */
export interface Connection {
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly protocol: ConnectionProtocol;
  /** Destination port for TCP/UDP/SCTP; the ICMP type for ICMPv4/ICMPv6. */
  readonly port: number;
}

/**
 * A direction's decision.
 * - `allowed`: an allow rule matched and no deny rule did.
 * - `denied-default`: the endpoint is isolated in this direction (default deny) and no allow matched.
 * - `denied-rule`: an `ingressDeny`/`egressDeny` rule matched (deny beats allow).
 * - `not-isolated`: no rule enables policy for the endpoint in this direction, or every selecting rule
 *   has `enableDefaultDeny` false for it and no deny matched — traffic passes.
 */
export type Decision = 'allowed' | 'denied-default' | 'denied-rule' | 'not-isolated';

export type RuleSection = 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny';

/** A reference to one element of a rule list: which policy, which spec, which section and index. */
export interface RuleRef {
  readonly kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy' | 'NetworkPolicy';
  readonly namespace?: string;
  readonly name: string;
  /** Index in `specs` (0 for `spec`). */
  readonly spec: number;
  readonly section: RuleSection;
  readonly index: number;
}

export interface DirectionVerdict {
  readonly decision: Decision;
  /** The rules that decided it: the matching deny rules, or the matching allow rules; empty for default deny / not isolated. */
  readonly by: readonly RuleRef[];
  /** The allow rests on rules with L7 (http, kafka, dns …): allowed at L4, the proxy decides per request. */
  readonly needsL7Check?: boolean;
}

export interface Verdict {
  /** The source's egress (not-isolated when the source is not a policy subject, e.g. world). */
  readonly egress: DirectionVerdict;
  /** The destination's ingress. */
  readonly ingress: DirectionVerdict;
  /** Both directions let it through. */
  readonly allowed: boolean;
}

/** Cluster settings that change the semantics (cilium-semantics.md a, b). */
export interface EvaluateOptions {
  /** `major.minor`, e.g. "1.16"; @default the newest supported ("1.19") */
  readonly ciliumVersion?: string;
  /** Agent flag `enable-non-default-deny-policies` (1.17+); @default true */
  readonly enableNonDefaultDenyPolicies?: boolean;
  /** `enable-policy`; @default 'default' */
  readonly policyEnforcementMode?: 'default' | 'always' | 'never';
  /** The local cluster's name (`io.cilium.k8s.policy.cluster`); @default 'default' */
  readonly clusterName?: string;
  /** Whether the host firewall is on (host policies apply to reserved:host); @default false */
  readonly hostFirewall?: boolean;
}

/**
 * Where the verdicts of one (source, destination) pair can change along the port axis, per protocol:
 * the sorted starts of the intervals on which the verdict is constant (the first is always 0). For
 * TCP/UDP/SCTP the axis is the destination port (0–65535), for ICMPv4/ICMPv6 the ICMP type (0–255).
 */
export interface PortSegments {
  /**
   * No rule element that selects the peer names a port or ICMP type: the pair has one verdict for
   * every protocol and port (every `starts` list is then `[0]`).
   */
  readonly constant: boolean;
  readonly starts: Readonly<Record<ConnectionProtocol, readonly number[]>>;
}

export interface Evaluator {
  evaluate(connection: Connection): Verdict;
  /**
   * The port intervals on which this pair's verdicts are constant (named ports resolved against the
   * destination's `namedPorts`). Optional: an evaluator without it leaves callers to split the port
   * axis by every port the policies name.
   */
  portSegments?(source: Endpoint, destination: Endpoint): PortSegments;
}

/** Compiles a policy set once (assumes the policies passed `sanitize`), returning an evaluator. */
export type CompileEvaluator = (policies: readonly LoadedPolicy[], options?: EvaluateOptions) => Evaluator;
