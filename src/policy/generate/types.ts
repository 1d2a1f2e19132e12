/**
 * @module policy/generate/types — what the generator takes and returns: the platform baseline, one policy per
 * application and batch workload, the evidence behind every rule (keyed by a stable rule id), and what it
 * left out and why.
 */
import type { WorkloadRef } from '../../cluster/index.js';
import type { Edge, Finding, InventoryWindow } from '../../inventory/index.js';
import type { EvaluateOptions, RuleRef } from '../evaluate/index.js';
import type { CiliumClusterwideNetworkPolicy, CiliumNetworkPolicy, LoadedPolicy } from '../model/index.js';

/** The label every generated policy carries, so that a later run (or the dump) can tell tighten's own policies apart. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** Its value. */
export const MANAGED_BY = 'tighten';

/** Namespaces left out of the rollout unless named (`--namespace`): the cluster's own plumbing. */
export const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'] as const;

/** The platform concerns of the baseline, in the order they are written (DNS first: it gives Hubble the names). */
export const BASELINE_CONCERNS = ['dns', 'metrics', 'tracing', 'kube-apiserver', 'secrets', 'ingress-controller'] as const;
export type BaselineConcern = (typeof BASELINE_CONCERNS)[number];

export interface GenerateOptions {
  /**
   * The namespaces that have entered the rollout: the baseline selects their pods, and their application and
   * batch workloads get policies.
   * @default every namespace with a workload that can get a policy, except kube-system, kube-public and kube-node-lease
   */
  readonly namespaces?: readonly string[];
  /**
   * The policies already there (the dump's, hand-written files of the repository), sanitized. Traffic they allow is
   * noted rather than allowed again; traffic they drop gets no rule. Policies labelled
   * `app.kubernetes.io/managed-by: tighten` are tighten's own earlier output and are left out.
   * @default the dump's policies (those that pass sanitize)
   */
  readonly existing?: readonly LoadedPolicy[];
  /** Cluster settings for the evaluator (Cilium version, enforcement mode, cluster name). @default {} (the cluster name from cilium-config) */
  readonly evaluate?: EvaluateOptions;
  /**
   * `toFQDNs` wildcard patterns (Cilium `matchPattern` syntax, e.g. `*.s3.amazonaws.com`): a name seen that one of
   * them matches is written as the pattern instead. Names are never widened otherwise.
   * @default []
   */
  readonly fqdnPatterns?: readonly string[];
}

/** A policy by kind, namespace (omitted for cluster-wide ones) and name. */
export interface PolicyRef {
  readonly kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  readonly namespace?: string;
  readonly name: string;
}

/** One rule element of a generated policy, with the observations behind it. */
export interface RuleEvidence {
  /** Stable: a hash of the element, its section, its rule's subject and its policy (see `ruleId`). */
  readonly id: string;
  readonly policy: PolicyRef;
  /** Index in `specs` (0 for `spec`). */
  readonly spec: number;
  readonly section: 'ingress' | 'egress';
  /** Position in the section's list. */
  readonly index: number;
  /** What it allows, in words: `shop/Deployment/web`, `entity:kube-apiserver`, `api.stripe.com`, `192.0.2.7/32`. Empty for a deny-all element. */
  readonly peers: readonly string[];
  /** `8080/TCP`, `ICMPv4 type 8`; empty when the element has no ports. */
  readonly ports: readonly string[];
  /** For baseline rules: the namespaces whose traffic it carries. */
  readonly namespaces?: readonly string[];
  /** Distinct edges, flows, and when they were first and last seen (omitted for an element no edge is behind). */
  readonly edges: number;
  readonly flows: number;
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  /** Caveats: `toCIDR` waiting for DNS visibility, `toFQDNs` relying on the baseline's DNS rule, world ingress … */
  readonly notes?: readonly string[];
}

/** A generated policy and the evidence of each of its rule elements (in the policy's order). */
export interface GeneratedPolicy<P> {
  readonly policy: P;
  readonly rules: readonly RuleEvidence[];
}

export interface BaselinePolicy extends GeneratedPolicy<CiliumClusterwideNetworkPolicy> {
  readonly concern: BaselineConcern;
}

export interface WorkloadPolicy extends GeneratedPolicy<CiliumNetworkPolicy> {
  readonly workload: WorkloadRef;
  readonly class: 'application' | 'batch';
}

/** Why a workload got no policy. */
export const SKIP_CODES = ['debug', 'platform', 'host-network', 'no-selector', 'invalid-name', 'not-seen'] as const;
export type SkipCode = (typeof SKIP_CODES)[number];

export interface SkippedWorkload {
  readonly workload: WorkloadRef;
  readonly code: SkipCode;
  readonly reason: string;
}

/** An observed edge (without its buckets) and what the generator made of it in one direction. */
export interface EdgeNote {
  readonly edge: Omit<Edge, 'buckets'>;
  /** The direction it is about; omitted when about the connection as a whole. */
  readonly direction?: 'ingress' | 'egress';
  readonly reason: string;
  /** The rules that allow (or drop) it, when a policy does. */
  readonly by?: readonly RuleRef[];
}

export interface GenerateEvidence {
  readonly window: InventoryWindow;
  /** Every rule element of the baseline and the per-workload policies. */
  readonly rules: readonly RuleEvidence[];
  /** Directions of observed edges already allowed without a new rule: by an existing policy, the baseline, or Cilium itself (allow-localhost). */
  readonly covered: readonly EdgeNote[];
  /** Observed edges (passing) that the generated set, enforced, will not allow, with the reason (a debug pod, a peer without a usable selector …). */
  readonly notAllowed: readonly EdgeNote[];
  /** Edges that were dropped: observed only DROPPED, or passing at the source but dropped by an existing policy. No rule allows them. */
  readonly dropped: readonly EdgeNote[];
}

export interface GenerateSummary {
  readonly namespaces: number;
  readonly baselinePolicies: number;
  readonly workloadPolicies: number;
  /** Rule elements over all policies. */
  readonly rules: number;
  /** Distinct peers named by rules (workload selectors, entities, names, CIDRs). */
  readonly peers: number;
  /** Distinct `toFQDNs` names and patterns. */
  readonly fqdns: number;
  /** Distinct `toCIDR` prefixes written because no DNS name was seen. */
  readonly cidrFallbacks: number;
  readonly skipped: number;
  readonly covered: number;
  readonly notAllowed: number;
  readonly dropped: number;
  readonly findings: number;
}

/** The recommended set. Everything is sorted: baseline by concern, policies by namespace and name. */
export interface GenerateResult {
  /** The rollout namespaces, sorted. */
  readonly namespaces: readonly string[];
  /** CiliumClusterwideNetworkPolicies, `enableDefaultDeny` false both ways; DNS first. */
  readonly baseline: readonly BaselinePolicy[];
  /** One CiliumNetworkPolicy per application and batch workload of the rollout namespaces, written to enforce (stages are applied by gitops). */
  readonly perWorkload: readonly WorkloadPolicy[];
  readonly evidence: GenerateEvidence;
  readonly skipped: readonly SkippedWorkload[];
  /** What the recommendation found: workloads without a usable selector, CIDR fallbacks, traffic it cannot allow … */
  readonly findings: readonly Finding[];
  readonly summary: GenerateSummary;
}
