/**
 * @module flows/decode — one Hubble JSON line → a typed {@link Flow}, a lost-events record, an
 * ignored event or an error. Pure: no I/O, no clock.
 *
 * Accepted shapes (see `docs/cilium-semantics.md` §f):
 * - `hubble observe -o json|jsonpb` lines, i.e. `GetFlowsResponse`: `{"flow":{…},"node_name":…,"time":…}`
 *   or `{"node_status":…}` / `{"lost_events":…}`;
 * - legacy bare flow objects (`HUBBLE_COMPAT=legacy-json-output`), no wrapper;
 * - Hubble exporter lines (`ExportEvent`): the same wrapper plus `agent_event` and `debug_event`,
 *   possibly trimmed by a field mask.
 *
 * Keys are read in protojson's proto-name spelling (`node_name`) and, when that is absent, in the
 * lowerCamelCase JSON-name spelling (`nodeName`), since protojson accepts both. Enums may be names or
 * numbers; uint64 values may be strings or numbers. Unknown fields are ignored and unknown enum names
 * are kept as they are.
 *
 * This is the hot path (millions of lines): fields are picked and checked by hand, not with a schema
 * library, and every decoded object of one kind is built by a single literal so that V8 gives them
 * one hidden class.
 */
import type {
  Flow,
  FlowDns,
  FlowEndpoint,
  FlowHttp,
  FlowIp,
  FlowL4,
  FlowL7,
  FlowPolicyRef,
  FlowService,
  FlowWorkload,
  LostEvents,
  TcpFlag,
  TrafficDirection,
} from './flow.js';
import { decodeTimestampValue } from './timestamp.js';
import {
  DROP_REASON_BY_NUMBER,
  FLOW_TYPE_BY_NUMBER,
  IP_VERSION_BY_NUMBER,
  L7_TYPE_BY_NUMBER,
  LOST_EVENT_SOURCE_BY_NUMBER,
  TRACE_OBSERVATION_POINT_BY_NUMBER,
  TRACE_REASON_BY_NUMBER,
  TRAFFIC_DIRECTION_BY_NUMBER,
  VERDICT_BY_NUMBER,
} from './wire-enums.js';

/** Events that are valid Hubble output but carry no flow; the reader counts and skips them. */
export type IgnoredEventKind = 'agent_event' | 'debug_event' | 'node_status';

/**
 * What one line decodes to.
 * - `flow`: a flow with a usable time;
 * - `lost`: a `lost_events` record (Hubble or Cilium could not deliver `numEventsLost` events);
 * - `ignored`: an agent event, debug event or node status — valid input, but not a flow;
 * - `error`: not JSON, not a Hubble record, or a flow without a parseable time; `message` says
 *   what is wrong (without the file and line, which the caller knows).
 */
export type DecodedLine =
  | { readonly kind: 'flow'; readonly flow: Flow }
  | { readonly kind: 'lost'; readonly lost: LostEvents }
  | { readonly kind: 'ignored'; readonly what: IgnoredEventKind }
  | { readonly kind: 'error'; readonly message: string };

type Json = Record<string, unknown>;

const EMPTY: readonly never[] = Object.freeze([]);
const IGNORED_AGENT: DecodedLine = Object.freeze({ kind: 'ignored', what: 'agent_event' });
const IGNORED_DEBUG: DecodedLine = Object.freeze({ kind: 'ignored', what: 'debug_event' });
const IGNORED_NODE_STATUS: DecodedLine = Object.freeze({ kind: 'ignored', what: 'node_status' });
const MAX_MESSAGE = 200;
const TIME_EXAMPLE = '2021-06-16T16:52:13.136834446Z';

/**
 * Decodes one line of Hubble JSON output.
 *
 * @param line - one line, without its line terminator (a trailing `\r` or surrounding blanks are
 *   tolerated, as is a UTF-8 byte-order mark).
 * @returns undefined for a blank line; otherwise a {@link DecodedLine}. Never throws.
 */
export function decodeHubbleLine(line: string): DecodedLine | undefined {
  if (line.charCodeAt(0) !== 123 /* { */) {
    if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.trim() === '') return undefined;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (e) {
    return error(`not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return decodeHubbleValue(raw);
}

/**
 * Decodes an already-parsed Hubble JSON value (one `GetFlowsResponse`, `ExportEvent` or bare
 * `Flow`). Same rules as {@link decodeHubbleLine}.
 */
export function decodeHubbleValue(raw: unknown): DecodedLine {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return error(`not a Hubble flow: expected a JSON object, got ${describeJson(raw)}`);
  }
  const o = raw as Json;
  const body = o.flow;
  if (body !== undefined) {
    if (!isObj(body)) return error(`not a Hubble flow: \`flow\` is ${describeJson(body)}, not an object`);
    return decodeFlow(body, o.node_name ?? o.nodeName, o.time);
  }
  const lost = o.lost_events ?? o.lostEvents;
  if (lost !== undefined) {
    if (!isObj(lost)) return error(`not a Hubble record: \`lost_events\` is ${describeJson(lost)}, not an object`);
    return { kind: 'lost', lost: decodeLost(lost, o.node_name ?? o.nodeName, o.time) };
  }
  if (o.agent_event !== undefined || o.agentEvent !== undefined) return IGNORED_AGENT;
  if (o.debug_event !== undefined || o.debugEvent !== undefined) return IGNORED_DEBUG;
  if (o.node_status !== undefined || o.nodeStatus !== undefined) return IGNORED_NODE_STATUS;
  if (looksLikeBareFlow(o)) return decodeFlow(o, undefined, undefined);
  const keys = Object.keys(o);
  const shown = keys.slice(0, 6).map((k) => JSON.stringify(k)).join(', ');
  return error(
    `not a Hubble flow: no \`flow\` or flow fields (${keys.length === 0 ? 'empty object' : `keys: ${shown}${keys.length > 6 ? ', …' : ''}`})`,
  );
}

function decodeFlow(f: Json, wrapperNode: unknown, wrapperTime: unknown): DecodedLine {
  const rawTime = f.time ?? wrapperTime;
  if (rawTime === undefined || rawTime === null) {
    return error('Hubble flow has no `time`: a flow must say when it was observed');
  }
  const time = decodeTimestampValue(rawTime);
  if (time === undefined) {
    return error(`Hubble flow has an invalid \`time\` ${describeJson(rawTime)} (expected RFC 3339, e.g. ${TIME_EXAMPLE})`);
  }

  const isReplyValue = f.is_reply ?? f.isReply;
  let isReply: boolean | undefined;
  if (typeof isReplyValue === 'boolean') isReply = isReplyValue;
  else if (isObj(isReplyValue)) isReply = isReplyValue.value === true; // BoolValue as a message: {} is false
  else if (f.reply === true) isReply = true; // deprecated: omitted when false, so false means "unknown"

  const verdict = enumName(f.verdict, VERDICT_BY_NUMBER) ?? 'VERDICT_UNKNOWN';
  const flow: Flow = {
    time: time.iso,
    timeMs: time.ms,
    uuid: str(f.uuid),
    verdict,
    dropReason: positive(f.drop_reason ?? f.dropReason),
    dropReasonDesc: enumName(f.drop_reason_desc ?? f.dropReasonDesc, DROP_REASON_BY_NUMBER),
    type: enumName(f.Type ?? f.type, FLOW_TYPE_BY_NUMBER),
    eventType: decodeEventType(f.event_type ?? f.eventType),
    trafficDirection: decodeTrafficDirection(f.traffic_direction ?? f.trafficDirection),
    isReply,
    traceObservationPoint: enumName(
      f.trace_observation_point ?? f.traceObservationPoint,
      TRACE_OBSERVATION_POINT_BY_NUMBER,
    ),
    traceReason: enumName(f.trace_reason ?? f.traceReason, TRACE_REASON_BY_NUMBER),
    nodeName: str(f.node_name ?? f.nodeName) ?? str(wrapperNode),
    ip: decodeIp(f.IP ?? f.ip),
    l4: decodeL4(f.l4),
    source: decodeEndpoint(f.source),
    destination: decodeEndpoint(f.destination),
    sourceNames: names(f.source_names ?? f.sourceNames),
    destinationNames: names(f.destination_names ?? f.destinationNames),
    sourceService: decodeService(f.source_service ?? f.sourceService),
    destinationService: decodeService(f.destination_service ?? f.destinationService),
    l7: decodeL7(f.l7),
    egressAllowedBy: policies(f.egress_allowed_by ?? f.egressAllowedBy),
    ingressAllowedBy: policies(f.ingress_allowed_by ?? f.ingressAllowedBy),
    egressDeniedBy: policies(f.egress_denied_by ?? f.egressDeniedBy),
    ingressDeniedBy: policies(f.ingress_denied_by ?? f.ingressDeniedBy),
    policyMatchType: positive(f.policy_match_type ?? f.policyMatchType),
    policyLog: strings(f.policy_log ?? f.policyLog),
    summary: str(f.Summary ?? f.summary),
  };
  return { kind: 'flow', flow };
}

function decodeLost(l: Json, wrapperNode: unknown, wrapperTime: unknown): LostEvents {
  const cpu = l.cpu;
  return {
    source: enumName(l.source, LOST_EVENT_SOURCE_BY_NUMBER),
    numEventsLost: nonNegative(l.num_events_lost ?? l.numEventsLost) ?? 0,
    // Int32Value: a plain number in protojson, `{value}` from other writers; 0 is a real CPU here.
    cpu: typeof cpu === 'number' ? cpu : isObj(cpu) ? (nonNegative(cpu.value) ?? 0) : nonNegative(cpu),
    nodeName: str(l.node_name ?? l.nodeName) ?? str(wrapperNode),
    time: timeText(l.time ?? wrapperTime),
    first: timeText(l.first),
    last: timeText(l.last),
  };
}

/** A bare (legacy `-o json`) flow has no wrapper; recognise it by fields only a flow has. */
function looksLikeBareFlow(o: Json): boolean {
  return (
    o.verdict !== undefined ||
    o.IP !== undefined ||
    o.l4 !== undefined ||
    o.l7 !== undefined ||
    isObj(o.source) ||
    isObj(o.destination) ||
    o.Type !== undefined ||
    o.event_type !== undefined ||
    o.eventType !== undefined ||
    o.traffic_direction !== undefined ||
    o.trafficDirection !== undefined ||
    o.drop_reason_desc !== undefined ||
    o.dropReasonDesc !== undefined ||
    o.trace_observation_point !== undefined ||
    o.traceObservationPoint !== undefined ||
    o.Summary !== undefined
  );
}

function decodeEventType(v: unknown): Flow['eventType'] {
  if (!isObj(v)) return undefined;
  return { type: integer(v.type) ?? 0, subType: integer(v.sub_type ?? v.subType) ?? 0 };
}

function decodeTrafficDirection(v: unknown): TrafficDirection | undefined {
  if (v === 'INGRESS' || v === 'EGRESS' || v === 'TRAFFIC_DIRECTION_UNKNOWN') return v;
  if (typeof v === 'number') return TRAFFIC_DIRECTION_BY_NUMBER[v];
  return undefined;
}

function decodeIp(v: unknown): FlowIp | undefined {
  if (!isObj(v)) return undefined;
  return {
    source: str(v.source),
    sourceXlated: str(v.source_xlated ?? v.sourceXlated),
    destination: str(v.destination),
    ipVersion: enumName(v.ipVersion ?? v.ip_version, IP_VERSION_BY_NUMBER),
    encrypted: v.encrypted === true ? true : undefined,
  };
}

const TCP_FLAG_NAMES: readonly TcpFlag[] = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'];
/** One frozen array per flag combination (at most 512), so flags cost no allocation per flow. */
const FLAG_SETS: (readonly TcpFlag[] | undefined)[] = [];

function tcpFlags(v: unknown): readonly TcpFlag[] | undefined {
  if (!isObj(v)) return undefined;
  let mask = 0;
  if (v.FIN === true) mask |= 1;
  if (v.SYN === true) mask |= 2;
  if (v.RST === true) mask |= 4;
  if (v.PSH === true) mask |= 8;
  if (v.ACK === true) mask |= 16;
  if (v.URG === true) mask |= 32;
  if (v.ECE === true) mask |= 64;
  if (v.CWR === true) mask |= 128;
  if (v.NS === true) mask |= 256;
  let set = FLAG_SETS[mask];
  if (set === undefined) {
    set = Object.freeze(TCP_FLAG_NAMES.filter((_, i) => (mask & (1 << i)) !== 0));
    FLAG_SETS[mask] = set;
  }
  return set;
}

function ports(protocol: 'TCP' | 'UDP' | 'SCTP', p: Json, flags: readonly TcpFlag[] | undefined): FlowL4 {
  return {
    protocol,
    sourcePort: nonNegative(p.source_port ?? p.sourcePort) ?? 0,
    destinationPort: nonNegative(p.destination_port ?? p.destinationPort) ?? 0,
    flags,
    icmpType: undefined,
    icmpCode: undefined,
  };
}

function icmp(protocol: 'ICMPv4' | 'ICMPv6', p: Json): FlowL4 {
  return {
    protocol,
    sourcePort: undefined,
    destinationPort: undefined,
    flags: undefined,
    icmpType: nonNegative(p.type) ?? 0,
    icmpCode: nonNegative(p.code) ?? 0,
  };
}

function bare(protocol: 'VRRP' | 'IGMP'): FlowL4 {
  return {
    protocol,
    sourcePort: undefined,
    destinationPort: undefined,
    flags: undefined,
    icmpType: undefined,
    icmpCode: undefined,
  };
}

function decodeL4(v: unknown): FlowL4 | undefined {
  if (!isObj(v)) return undefined;
  let p = v.TCP;
  if (isObj(p)) return ports('TCP', p, tcpFlags(p.flags));
  p = v.UDP;
  if (isObj(p)) return ports('UDP', p, undefined);
  p = v.ICMPv4;
  if (isObj(p)) return icmp('ICMPv4', p);
  p = v.ICMPv6;
  if (isObj(p)) return icmp('ICMPv6', p);
  p = v.SCTP;
  if (isObj(p)) return ports('SCTP', p, undefined);
  if (isObj(v.VRRP)) return bare('VRRP');
  if (isObj(v.IGMP)) return bare('IGMP');
  return undefined;
}

function decodeEndpoint(v: unknown): FlowEndpoint {
  if (!isObj(v)) {
    return {
      id: undefined,
      identity: undefined,
      clusterName: undefined,
      namespace: undefined,
      labels: EMPTY,
      podName: undefined,
      workloads: EMPTY,
    };
  }
  return {
    id: positive(v.ID),
    identity: positive(v.identity),
    clusterName: str(v.cluster_name ?? v.clusterName),
    namespace: str(v.namespace),
    labels: strings(v.labels),
    podName: str(v.pod_name ?? v.podName),
    workloads: workloads(v.workloads),
  };
}

function workloads(v: unknown): readonly FlowWorkload[] {
  if (!Array.isArray(v) || v.length === 0) return EMPTY;
  const out: FlowWorkload[] = [];
  for (const w of v) {
    if (isObj(w)) out.push({ name: typeof w.name === 'string' ? w.name : '', kind: typeof w.kind === 'string' ? w.kind : '' });
  }
  return out;
}

function decodeService(v: unknown): FlowService | undefined {
  if (!isObj(v)) return undefined;
  const name = str(v.name);
  const namespace = str(v.namespace);
  return name === undefined && namespace === undefined ? undefined : { name, namespace };
}

function decodeL7(v: unknown): FlowL7 | undefined {
  if (!isObj(v)) return undefined;
  let dns: FlowDns | undefined;
  let http: FlowHttp | undefined;
  let other: string | undefined;
  const d = v.dns;
  if (isObj(d)) {
    dns = {
      query: str(d.query),
      ips: strings(d.ips),
      ttl: positive(d.ttl),
      cnames: strings(d.cnames),
      observationSource: str(d.observation_source ?? d.observationSource),
      rcode: positive(d.rcode),
      qtypes: strings(d.qtypes),
      rrtypes: strings(d.rrtypes),
    };
  } else {
    const h = v.http;
    if (isObj(h)) {
      http = {
        code: positive(h.code),
        method: str(h.method),
        url: str(h.url),
        protocol: str(h.protocol),
        headers: headers(h.headers),
      };
    } else {
      for (const key in v) {
        if (key !== 'type' && key !== 'latency_ns' && key !== 'latencyNs' && isObj(v[key])) {
          other = key;
          break;
        }
      }
    }
  }
  return {
    type: enumName(v.type, L7_TYPE_BY_NUMBER),
    latencyNs: positive(v.latency_ns ?? v.latencyNs),
    dns,
    http,
    other,
  };
}

function headers(v: unknown): FlowHttp['headers'] {
  if (!Array.isArray(v) || v.length === 0) return EMPTY;
  const out: { key: string; value: string }[] = [];
  for (const h of v) {
    if (isObj(h)) out.push({ key: typeof h.key === 'string' ? h.key : '', value: typeof h.value === 'string' ? h.value : '' });
  }
  return out;
}

function policies(v: unknown): readonly FlowPolicyRef[] {
  if (!Array.isArray(v) || v.length === 0) return EMPTY;
  const out: FlowPolicyRef[] = [];
  for (const p of v) {
    if (!isObj(p)) continue;
    const r = p.revision;
    out.push({
      name: str(p.name),
      namespace: str(p.namespace),
      labels: strings(p.labels),
      revision: typeof r === 'string' ? (r === '' || r === '0' ? undefined : r) : typeof r === 'number' && r > 0 ? String(r) : undefined,
      kind: str(p.kind),
    });
  }
  return out;
}

// ---- scalar pickers -------------------------------------------------------------------------

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty string; `""` is proto3's zero value, i.e. omitted. */
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A number, or a decimal string (uint64 and, leniently, any integer type). */
function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A count or port: ≥ 0, else undefined. */
function nonNegative(v: unknown): number | undefined {
  const n = toNumber(v);
  return n !== undefined && n >= 0 ? n : undefined;
}

/** A proto3 scalar where 0 means "not set". */
function positive(v: unknown): number | undefined {
  const n = toNumber(v);
  return n !== undefined && n > 0 ? n : undefined;
}

function integer(v: unknown): number | undefined {
  const n = toNumber(v);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
}

/**
 * An enum given as a name (kept as is, known or not) or a number (mapped; 0 is "not set"; an
 * unknown number is kept as its decimal text).
 */
function enumName(v: unknown, byNumber: Readonly<Record<number, string>>): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number') return v === 0 ? undefined : (byNumber[v] ?? String(v));
  return undefined;
}

/** A list of strings; the parsed array itself when it is clean, so nothing is copied. */
function strings(v: unknown): readonly string[] {
  if (!Array.isArray(v) || v.length === 0) return EMPTY;
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'string') return v.filter((s): s is string => typeof s === 'string');
  }
  return v as string[];
}

/** DNS names with the trailing dot of a fully-qualified name removed (`api.github.com.` → `api.github.com`). */
function names(v: unknown): readonly string[] {
  const list = strings(v);
  for (let i = 0; i < list.length; i++) {
    if ((list[i] as string).endsWith('.')) {
      return list.map((s) => (s.endsWith('.') ? s.slice(0, -1) : s)).filter((s) => s !== '');
    }
  }
  return list;
}

function timeText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return decodeTimestampValue(v)?.iso ?? str(v);
}

function error(message: string): DecodedLine {
  return { kind: 'error', message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message };
}

function describeJson(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}
