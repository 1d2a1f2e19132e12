/**
 * @module flows/flow — the decoded Hubble flow, tighten's own typed view of `flow.Flow`.
 *
 * Field meanings follow Cilium's `api/v1/flow/flow.proto`; names are camelCase here because this is
 * our domain type, not the wire format. Every field Hubble may omit (zero values, field masks) is
 * optional or an empty list: an omitted value means "not reported", never "false" or "0".
 */

/** Hubble verdicts (flow.proto `Verdict`). Unknown names from newer Cilium versions are kept as strings. */
export const VERDICTS = ['FORWARDED', 'DROPPED', 'ERROR', 'AUDIT', 'REDIRECTED', 'TRACED', 'TRANSLATED'] as const;
export type Verdict = (typeof VERDICTS)[number] | 'VERDICT_UNKNOWN' | (string & {});

/** `Type` of a flow: L3_L4 (datapath), L7 (proxy) or SOCK (socket-LB trace). */
export type FlowType = 'L3_L4' | 'L7' | 'SOCK' | 'UNKNOWN_TYPE' | (string & {});

export type TrafficDirection = 'INGRESS' | 'EGRESS' | 'TRAFFIC_DIRECTION_UNKNOWN';

/** A workload as Hubble reports it in `Endpoint.workloads`. */
export interface FlowWorkload {
  readonly name: string;
  readonly kind: string;
}

/**
 * One end of a flow (flow.proto `Endpoint`). `labels` are Cilium identity labels as Hubble prints
 * them, `source:key=value` (e.g. `k8s:app=web`, `reserved:host`). An empty endpoint (`{}`) decodes to
 * `labels: []`, `workloads: []` and nothing else.
 */
export interface FlowEndpoint {
  /** Local endpoint id; only set on the node that owns the endpoint. */
  readonly id?: number;
  /** Numeric security identity; omitted when 0 (unknown). */
  readonly identity?: number;
  readonly clusterName?: string;
  readonly namespace?: string;
  readonly labels: readonly string[];
  readonly podName?: string;
  readonly workloads: readonly FlowWorkload[];
}

export interface FlowIp {
  readonly source?: string;
  readonly sourceXlated?: string;
  readonly destination?: string;
  readonly ipVersion?: 'IPv4' | 'IPv6' | (string & {});
  readonly encrypted?: boolean;
}

export const L4_PROTOCOLS = ['TCP', 'UDP', 'SCTP', 'ICMPv4', 'ICMPv6', 'VRRP', 'IGMP'] as const;
export type L4Protocol = (typeof L4_PROTOCOLS)[number];

/** TCP flag names as Hubble prints them (`flags: {SYN: true, ACK: true}`), only the set ones. */
export type TcpFlag = 'FIN' | 'SYN' | 'RST' | 'PSH' | 'ACK' | 'URG' | 'ECE' | 'CWR' | 'NS';

/**
 * Layer 4 of a flow: the `l4` oneof flattened. Ports are set for TCP/UDP/SCTP, `icmpType`/`icmpCode`
 * for ICMPv4/ICMPv6; a port or type omitted by Hubble (because it was 0) is 0 here.
 */
export interface FlowL4 {
  readonly protocol: L4Protocol;
  readonly sourcePort?: number;
  readonly destinationPort?: number;
  /** TCP only: the flags that are set. */
  readonly flags?: readonly TcpFlag[];
  readonly icmpType?: number;
  readonly icmpCode?: number;
}

export interface FlowDns {
  readonly query?: string;
  readonly ips: readonly string[];
  readonly ttl?: number;
  readonly cnames: readonly string[];
  readonly observationSource?: string;
  readonly rcode?: number;
  readonly qtypes: readonly string[];
  readonly rrtypes: readonly string[];
}

export interface FlowHttp {
  readonly code?: number;
  readonly method?: string;
  readonly url?: string;
  readonly protocol?: string;
  readonly headers: readonly { readonly key: string; readonly value: string }[];
}

/** The `l7` record of an L7 flow (`Type: L7`). */
export interface FlowL7 {
  /** REQUEST, RESPONSE or SAMPLE. */
  readonly type?: 'REQUEST' | 'RESPONSE' | 'SAMPLE' | (string & {});
  readonly latencyNs?: number;
  readonly dns?: FlowDns;
  readonly http?: FlowHttp;
  /** Set when the L7 record is of another protocol (kafka, …): its oneof name. */
  readonly other?: string;
}

/** A policy named in `*_allowed_by` / `*_denied_by` (flow.proto `Policy`). */
export interface FlowPolicyRef {
  readonly name?: string;
  readonly namespace?: string;
  readonly labels: readonly string[];
  /** uint64 in the proto, a string in JSON; kept as a string. */
  readonly revision?: string;
  readonly kind?: string;
}

export interface FlowService {
  readonly name?: string;
  readonly namespace?: string;
}

/**
 * A decoded Hubble flow.
 *
 * `time` is normalised to UTC RFC 3339 with exactly nine fractional digits
 * (`2021-06-16T16:52:13.136834446Z`), so times compare correctly as strings; `timeMs` is the same
 * instant in epoch milliseconds. A flow without a time cannot be placed in a window and is rejected
 * by the decoder.
 */
export interface Flow {
  readonly time: string;
  readonly timeMs: number;
  readonly uuid?: string;
  readonly verdict: Verdict;
  /** Deprecated numeric drop reason (`drop_reason`). */
  readonly dropReason?: number;
  /** `drop_reason_desc`, e.g. `POLICY_DENIED`, `POLICY_DENY`. */
  readonly dropReasonDesc?: string;
  readonly type?: FlowType;
  readonly eventType?: { readonly type: number; readonly subType: number };
  readonly trafficDirection?: TrafficDirection;
  /**
   * Whether the flow is a reply: `is_reply` (a BoolValue, so `false` is meaningful), else the
   * deprecated `reply` bool. Undefined when Hubble did not say.
   */
  readonly isReply?: boolean;
  readonly traceObservationPoint?: string;
  readonly traceReason?: string;
  /** `node_name` of the flow, else of the wrapping response. */
  readonly nodeName?: string;
  readonly ip?: FlowIp;
  readonly l4?: FlowL4;
  readonly source: FlowEndpoint;
  readonly destination: FlowEndpoint;
  readonly sourceNames: readonly string[];
  readonly destinationNames: readonly string[];
  readonly sourceService?: FlowService;
  readonly destinationService?: FlowService;
  readonly l7?: FlowL7;
  readonly egressAllowedBy: readonly FlowPolicyRef[];
  readonly ingressAllowedBy: readonly FlowPolicyRef[];
  readonly egressDeniedBy: readonly FlowPolicyRef[];
  readonly ingressDeniedBy: readonly FlowPolicyRef[];
  /** uint32 bit field in the proto (0 none, 1 L3-only, 2 L3-L4, 3 L4-only, 4 all, …). */
  readonly policyMatchType?: number;
  readonly policyLog: readonly string[];
  readonly summary?: string;
}

/** A `lost_events` record (observer.proto `LostEvent`): events Hubble or Cilium could not deliver. */
export interface LostEvents {
  readonly source?: string;
  readonly numEventsLost: number;
  readonly cpu?: number;
  readonly nodeName?: string;
  readonly time?: string;
  readonly first?: string;
  readonly last?: string;
}
