/**
 * @module sample/hubble-json — renders flows exactly as `hubble observe -o json` prints them: one
 * `GetFlowsResponse` per line, `{"flow":{…},"node_name":…,"time":…}`, protojson with proto field
 * names (`IP`, `Type`, `source_port`, `is_reply` …), keys in declaration order, zero values omitted,
 * enums as names, `uint64` as strings, timestamps with 0, 3, 6 or 9 fractional digits
 * (cilium-semantics.md f; `api/v1/flow/flow.proto`).
 *
 * Built by string concatenation from pre-rendered pieces: millions of lines must be cheap.
 */
import type { SampleNode, SamplePod } from './model.js';
import { hash32 } from './prng.js';
import { RESERVED_IDENTITY } from './model.js';

/** Formats instants as protojson does; caches the date part of the current second. */
export class TimeFormatter {
  private readonly baseSec: number;
  private lastSec = -1;
  private lastText = '';

  /** @param sinceMs the sample's start, a whole second */
  constructor(sinceMs: number) {
    if (sinceMs % 1000 !== 0) throw new RangeError(`sample start must be a whole second, got ${new Date(sinceMs).toISOString()}`);
    this.baseSec = sinceMs / 1000;
  }

  /** RFC 3339 of the instant `offsetNs` nanoseconds after the start. */
  format(offsetNs: number): string {
    const sec = Math.floor(offsetNs / 1e9);
    const nanos = offsetNs - sec * 1e9;
    if (sec !== this.lastSec) {
      this.lastSec = sec;
      this.lastText = new Date((this.baseSec + sec) * 1000).toISOString().slice(0, 19);
    }
    if (nanos === 0) return `${this.lastText}Z`;
    if (nanos % 1e6 === 0) return `${this.lastText}.${String(nanos / 1e6).padStart(3, '0')}Z`;
    if (nanos % 1e3 === 0) return `${this.lastText}.${String(nanos / 1e3).padStart(6, '0')}Z`;
    return `${this.lastText}.${String(nanos).padStart(9, '0')}Z`;
  }
}

const HEX = '0123456789abcdef';

/** Flow UUIDs: unique by construction (the flow's sequence number is the last group), shaped as v4. */
export class FlowUuids {
  private readonly prefix: string;

  constructor(seed: number) {
    this.prefix = hash32(`flow-uuids:${seed >>> 0}`).toString(16).padStart(8, '0');
  }

  /** The UUID of the `seq`-th flow; `r` is a random 32-bit number for the middle groups. */
  next(seq: number, r: number): string {
    let mid = '';
    for (let i = 0; i < 7; i++) mid += HEX[(r >>> (i * 4)) & 15];
    const tail = seq.toString(16).padStart(12, '0');
    return `${this.prefix}-${mid.slice(0, 4)}-4${mid.slice(4, 7)}-${HEX[8 + ((r >>> 28) & 3)]}${HEX[(r >>> 24) & 15]}${HEX[(r >>> 20) & 15]}${HEX[(r >>> 16) & 15]}-${tail}`;
  }
}

/** JSON string literal. Names in the sample are plain, but quoting stays correct for any input. */
export const q = (s: string): string => JSON.stringify(s);

/**
 * Endpoint objects (`source`/`destination`) of pods, as a given node reports them: `ID` only on
 * the pod's own node; `workloads` unless the observing node runs the older agent or the pod is bare.
 */
export class EndpointRenderer {
  private readonly cluster: string;
  private readonly labels: ReadonlyMap<SamplePod, readonly string[]>;
  private readonly cache = new Map<SamplePod, string[]>();
  private readonly labelsJson = new Map<SamplePod, string>();

  constructor(cluster: string, identityLabels: ReadonlyMap<SamplePod, readonly string[]>) {
    this.cluster = cluster;
    this.labels = identityLabels;
  }

  pod(pod: SamplePod, observer: SampleNode): string {
    let variants = this.cache.get(pod);
    if (variants === undefined) {
      variants = [];
      // Job pods come and go by the thousand in long windows: only long-lived pods are cached.
      if (pod.endMs === undefined) this.cache.set(pod, variants);
    }
    const own = pod.node === observer;
    const withWorkloads = !observer.oldAgent && pod.workload.kind !== 'Pod';
    const k = (own ? 1 : 0) + (withWorkloads ? 2 : 0);
    let text = variants[k];
    if (text === undefined) {
      let labels = this.labelsJson.get(pod);
      if (labels === undefined) this.labelsJson.set(pod, (labels = (this.labels.get(pod) ?? []).map(q).join(',')));
      const w = pod.workload;
      text =
        `{${own ? `"ID":${pod.endpointId},` : ''}"identity":${pod.identity},"cluster_name":${q(this.cluster)},` +
        `"namespace":${q(pod.namespace)},"labels":[${labels}],"pod_name":${q(pod.name)}` +
        `${withWorkloads ? `,"workloads":[{"name":${q(w.name)},"kind":${q(w.kind)}}]` : ''}}`;
      variants[k] = text;
    }
    return text;
  }
}

export const RESERVED_ENDPOINT = {
  host: `{"identity":${RESERVED_IDENTITY.host},"labels":["reserved:host"]}`,
  world: `{"identity":${RESERVED_IDENTITY.world},"labels":["reserved:world"]}`,
  'remote-node': `{"identity":${RESERVED_IDENTITY['remote-node']},"labels":["reserved:remote-node"]}`,
  'kube-apiserver': `{"identity":${RESERVED_IDENTITY['kube-apiserver']},"labels":["reserved:kube-apiserver"]}`,
} as const;

/** The health endpoint of a node, as that node reports it. */
export const healthEndpoint = (node: SampleNode): string => `{"ID":${node.healthEndpointId},"identity":${RESERVED_IDENTITY.health},"labels":["reserved:health"]}`;

/** Observation points with their trace sub-type (`event_type.sub_type` of trace events). */
export const OBS = {
  TO_ENDPOINT: { name: 'TO_ENDPOINT', eventType: '{"type":4}' },
  TO_PROXY: { name: 'TO_PROXY', eventType: '{"type":4,"sub_type":1}' },
  TO_STACK: { name: 'TO_STACK', eventType: '{"type":4,"sub_type":3}' },
  TO_OVERLAY: { name: 'TO_OVERLAY', eventType: '{"type":4,"sub_type":4}' },
} as const;
export type Obs = (typeof OBS)[keyof typeof OBS];

/** Drop reasons used by the sample, with their numbers (flow.proto `DropReason`). */
export const DROP_REASONS = { POLICY_DENIED: 133, STALE_OR_UNROUTABLE_IP: 151, CT_MAP_INSERTION_FAILED: 155 } as const;
export type DropReasonName = keyof typeof DROP_REASONS;

/** The parts of one flow after `time` and `uuid`. Strings are pre-rendered JSON values. */
export interface FlowParts {
  readonly drop?: DropReasonName;
  readonly srcIp: string;
  readonly dstIp: string;
  /** The `l4` object, e.g. `{"TCP":{"source_port":1,"destination_port":2,"flags":{"SYN":true}}}`. */
  readonly l4: string;
  readonly source: string;
  readonly destination: string;
  readonly l7?: string;
  readonly sourceNames?: string;
  readonly destinationNames?: string;
  readonly reply: boolean;
  readonly direction: 'INGRESS' | 'EGRESS';
  /** Trace events only. */
  readonly obs?: Obs;
  readonly traceReason?: 'NEW' | 'ESTABLISHED' | 'REPLY';
  /** The `Summary`, as a JSON string literal. */
  readonly summary: string;
}

/**
 * Renders the flow object's fields after `uuid`, without the closing brace.
 * @param nodeJson the observing node's `cluster/node` name as a JSON string literal
 */
export function renderFlowBody(p: FlowParts, nodeJson: string): string {
  let s = p.drop !== undefined ? `,"verdict":"DROPPED","drop_reason":${DROP_REASONS[p.drop]}` : ',"verdict":"FORWARDED"';
  s += `,"IP":{"source":"${p.srcIp}","destination":"${p.dstIp}","ipVersion":"IPv4"},"l4":${p.l4},"source":${p.source},"destination":${p.destination}`;
  s += p.l7 !== undefined ? ',"Type":"L7"' : ',"Type":"L3_L4"';
  s += `,"node_name":${nodeJson}`;
  if (p.sourceNames !== undefined) s += `,"source_names":${p.sourceNames}`;
  if (p.destinationNames !== undefined) s += `,"destination_names":${p.destinationNames}`;
  if (p.l7 !== undefined) s += `,"l7":${p.l7}`;
  if (p.reply) s += ',"reply":true';
  if (p.l7 !== undefined) s += ',"event_type":{"type":129}';
  else if (p.drop !== undefined) s += `,"event_type":{"type":1,"sub_type":${DROP_REASONS[p.drop]}}`;
  else s += `,"event_type":${(p.obs ?? OBS.TO_ENDPOINT).eventType}`;
  s += `,"traffic_direction":"${p.direction}"`;
  if (p.obs !== undefined && p.drop === undefined && p.l7 === undefined) s += `,"trace_observation_point":"${p.obs.name}"`;
  if (p.traceReason !== undefined && p.drop === undefined && p.l7 === undefined) s += `,"trace_reason":"${p.traceReason}"`;
  if (p.drop !== undefined) s += `,"drop_reason_desc":"${p.drop}"`;
  s += `,"is_reply":${p.reply},"Summary":${p.summary}`;
  return s;
}

/** A whole line: the `GetFlowsResponse` wrapper around the flow; `nodeJson` is a JSON string literal. */
export function renderLine(time: string, uuid: string, body: string, nodeJson: string): string {
  return `{"flow":{"time":"${time}","uuid":"${uuid}"${body}},"node_name":${nodeJson},"time":"${time}"}`;
}

export function tcpL4(sport: number, dport: number, flags: string): string {
  return `{"TCP":{"source_port":${sport},"destination_port":${dport},"flags":${flags}}}`;
}

export function udpL4(sport: number, dport: number): string {
  return `{"UDP":{"source_port":${sport},"destination_port":${dport}}}`;
}

/** TCP flags as JSON, with their `Summary` as a JSON string literal. */
export const TCP_FLAGS = {
  SYN: { json: '{"SYN":true}', summary: '"TCP Flags: SYN"' },
  SYN_ACK: { json: '{"SYN":true,"ACK":true}', summary: '"TCP Flags: SYN, ACK"' },
  ACK_PSH: { json: '{"PSH":true,"ACK":true}', summary: '"TCP Flags: ACK, PSH"' },
} as const;

/** Other `Summary` values, as JSON string literals. */
export const SUMMARY = { UDP: '"UDP"', ECHO_REQUEST: '"ICMPv4 EchoRequest"', ECHO_REPLY: '"ICMPv4 EchoReply"' } as const;

/** The `l7` object of a DNS request seen by the DNS proxy. */
export function dnsRequestL7(query: string): string {
  return `{"type":"REQUEST","dns":{"query":${q(query)},"observation_source":"proxy","qtypes":["A"]}}`;
}

/** The `l7` object of a DNS response (rcode 0 is omitted, as protojson omits zero values). */
export function dnsResponseL7(query: string, ips: readonly string[], ttl: number, latencyNs: number): string {
  return `{"type":"RESPONSE","latency_ns":"${latencyNs}","dns":{"query":${q(query)},"ips":[${ips.map(q).join(',')}],"ttl":${ttl},"observation_source":"proxy","qtypes":["A"],"rrtypes":["A"]}}`;
}

/** `Summary` of a DNS query, as a JSON string literal. */
export const dnsQuerySummary = (query: string): string => q(`DNS Query ${query} A`);
/** `Summary` of a DNS answer, as a JSON string literal. */
export const dnsAnswerSummary = (query: string, ips: readonly string[], ttl: number): string => q(`DNS Answer "${ips.join(',')}" TTL: ${ttl} (Proxy ${query} A)`);
