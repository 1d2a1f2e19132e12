/**
 * @module inventory/model — the flow inventory: peers, edges, workloads and findings (PRODUCT.md §4).
 *
 * An Edge is (source peer, destination peer, destination port, protocol, verdict) with a flow count,
 * first and last seen, kept per hourly bucket, plus an L7 summary (DNS names queried, HTTP requests)
 * when the proxy saw the traffic. Replies are not edges; health checks are noise.
 */
import type { Labels, WorkloadKind } from '../cluster/index.js';

/** Entities as Cilium names them. `world-ipv4`/`world-ipv6` fold into `world`. */
export const ENTITIES = ['world', 'host', 'remote-node', 'kube-apiserver', 'ingress', 'init', 'unmanaged', 'health'] as const;
export type Entity = (typeof ENTITIES)[number];

/** A workload peer: one per (namespace, name), whatever told us its kind. */
export interface WorkloadPeer {
  readonly namespace: string;
  readonly kind: WorkloadKind;
  readonly name: string;
}
export interface EntityPeer {
  readonly entity: Entity;
}
/** An address outside the cluster, keyed by IP, with every DNS name seen for it (sorted). */
export interface ExternalPeer {
  readonly ip: string;
  readonly names: readonly string[];
}
/** A CIDR seen only as a prefix (a CIDR identity without an address). */
export interface CidrPeer {
  readonly cidr: string;
}
export type Peer = WorkloadPeer | EntityPeer | ExternalPeer | CidrPeer;

export const isWorkloadPeer = (p: Peer): p is WorkloadPeer => 'namespace' in p;
export const isEntityPeer = (p: Peer): p is EntityPeer => 'entity' in p;
export const isExternalPeer = (p: Peer): p is ExternalPeer => 'ip' in p;
export const isCidrPeer = (p: Peer): p is CidrPeer => 'cidr' in p;

/** Edge protocols: the L4 protocol of the flow (ICMP edges carry the ICMP type as their port). */
export const EDGE_PROTOCOLS = ['TCP', 'UDP', 'SCTP', 'ICMPv4', 'ICMPv6', 'VRRP', 'IGMP'] as const;
export type EdgeProtocol = (typeof EDGE_PROTOCOLS)[number];

/**
 * Edge verdicts. REDIRECTED (to the L7 proxy), TRACED and TRANSLATED are forwarding and fold into
 * FORWARDED; AUDIT (would have been dropped under Cilium's audit mode) is kept apart.
 */
export const EDGE_VERDICTS = ['FORWARDED', 'DROPPED', 'AUDIT', 'ERROR'] as const;
export type EdgeVerdict = (typeof EDGE_VERDICTS)[number];

/** What the L7 proxy saw on an edge: DNS names asked, HTTP requests (`METHOD /path`), at most a few dozen of each. */
export interface L7Summary {
  readonly dns?: readonly string[];
  readonly http?: readonly string[];
  /** True when more distinct values were seen than kept. */
  readonly truncated?: boolean;
}

/** Counts of one hourly (or, rolled up, daily) bucket. `start` is the bucket's start, RFC 3339. */
export interface EdgeBucket {
  readonly start: string;
  readonly flows: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /**
   * Set on a day's bucket only (hours rolled up by a flow store): the hours (UTC) of that day that had
   * traffic, bit h for hour h. Omitted on an hourly bucket.
   */
  readonly hours?: number;
}

const HOUR_MS = 3_600_000;

/** The hours (start times, RFC 3339) a bucket had traffic in: its own for an hourly bucket, those of its bitmask for a day's. */
export function bucketHours(b: EdgeBucket): string[] {
  if (b.hours === undefined) return [b.start];
  const day = Date.parse(b.start);
  const out: string[] = [];
  for (let h = 0; h < 24; h++) if (b.hours & (1 << h)) out.push(new Date(day + h * HOUR_MS).toISOString());
  return out;
}

export interface Edge {
  readonly source: Peer;
  readonly destination: Peer;
  /** Destination port (TCP/UDP/SCTP), ICMP type for ICMP, 0 when none. */
  readonly port: number;
  readonly protocol: EdgeProtocol;
  readonly verdict: EdgeVerdict;
  readonly flows: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** Drop reasons seen (DROPPED edges only), e.g. POLICY_DENIED. */
  readonly dropReasons?: readonly string[];
  readonly l7?: L7Summary;
  readonly buckets: readonly EdgeBucket[];
}

/** A workload known to the inventory: from the cluster dump, from flows, or both. */
export interface InventoryWorkload extends WorkloadPeer {
  /** Pod labels without the `k8s:` source prefix and without Cilium's own `io.kubernetes.pod.namespace`/`io.cilium.*` keys. */
  readonly labels: Labels;
  /** Where it is known from. */
  readonly seenIn: { readonly cluster: boolean; readonly flows: boolean };
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  readonly serviceAccount?: string;
}

export const SEVERITIES = ['info', 'warning', 'error'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * Finding codes. Label hygiene, namespace boundaries, coverage and ownership (issue "Understand").
 * - `label-no-stable-label`: the workload's pods carry only volatile labels.
 * - `label-ambiguous-selector`: its best stable label set also selects another workload's pods.
 * - `label-not-identity-relevant`: a selector label Cilium leaves out of identities (label filter).
 * - `namespace-cross-heavy`: most of a namespace's traffic crosses namespaces.
 * - `namespace-fan-in` / `namespace-fan-out`: many other namespaces call it / it calls many.
 * - `namespace-policy-estimate`: policies and rules the namespace will need.
 * - `coverage-cronjob-not-seen`: a CronJob that should have run in the window was never seen.
 * - `coverage-workload-not-seen`: a workload in the dump never seen in any flow.
 * - `ownership-no-team`: the namespace names no owning team.
 * - `input-*`: problems with the input (unresolved endpoints, lost events).
 */
export type FindingCode =
  | 'label-no-stable-label'
  | 'label-ambiguous-selector'
  | 'label-not-identity-relevant'
  | 'namespace-cross-heavy'
  | 'namespace-fan-in'
  | 'namespace-fan-out'
  | 'namespace-policy-estimate'
  | 'coverage-cronjob-not-seen'
  | 'coverage-workload-not-seen'
  | 'ownership-no-team'
  | 'input-unresolved-endpoint'
  | 'input-lost-events'
  | (string & {});

/** The subject of a finding: a workload, a namespace, or something else named in words. */
export type FindingSubject =
  | { readonly namespace: string; readonly kind: WorkloadKind; readonly name: string }
  | { readonly namespace: string }
  | { readonly other: string };

export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  readonly subject: FindingSubject;
  /** What is wrong and what to do about it. */
  readonly message: string;
}

export interface DecodeSummary {
  readonly files: readonly string[];
  readonly linesRead: number;
  readonly flows: number;
  readonly skipped: number;
  readonly ignored: number;
  readonly lostEvents: number;
  /** Flows that made no edge, by reason (reply, health, sock, unresolved, outside-window, out-of-scope …). */
  readonly notEdges: Readonly<Record<string, number>>;
  readonly errors: readonly { readonly file: string; readonly line?: number; readonly message: string }[];
}

export interface InventoryWindow {
  /** Earliest flow time in the inventory (or `--since`). */
  readonly since?: string;
  /** Latest flow time in the inventory (or `--until`). */
  readonly until?: string;
  /** The reference time: `--now`, else the last flow's time. */
  readonly now?: string;
}

export interface Inventory {
  readonly window: InventoryWindow;
  readonly workloads: readonly InventoryWorkload[];
  readonly edges: readonly Edge[];
  readonly findings: readonly Finding[];
  readonly decode: DecodeSummary;
}

/** What a workload is, for policy purposes (issue "Understand"). */
export const WORKLOAD_CLASSES = ['platform', 'batch', 'debug', 'application'] as const;
export type WorkloadClass = (typeof WORKLOAD_CLASSES)[number];

/** Which shared service a platform workload provides. */
export const PLATFORM_ROLES = ['dns', 'metrics', 'tracing', 'secrets', 'ingress-controller', 'admission-webhook'] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];
