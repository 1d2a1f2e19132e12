/**
 * @module relay/decode-response — one binary `GetFlowsResponse` (protobuf wire format) → the same
 * {@link DecodedLine} that `decodeHubbleValue` gives for the equivalent `hubble observe -o json` line.
 * Pure: no I/O, no clock.
 *
 * Hand-written and selective: only the fields tighten's {@link Flow} carries are read (see
 * `observer.proto` beside this file for their numbers); every other field — ethernet, interface,
 * trace context, extensions, fields newer than this decoder — is skipped by its wire type without
 * being looked at. The equivalence with the JSON decoder is the contract, field by field:
 * - proto3 zero values are "not reported", exactly as protojson leaves them out: an empty string, a
 *   zero number or a zero enum decodes as undefined; a message that is present, even empty, counts
 *   as present (`event_type: {}` → `{ type: 0, subType: 0 }`, an empty `is_reply` BoolValue → false);
 * - enums become their names (an unknown number its decimal text), uint64 policy revisions decimal
 *   strings, timestamps normalised RFC 3339 with nine fractional digits;
 * - the flow's `time` and `node_name` fall back to the response's, as for the JSON wrapper.
 *
 * `ExportEvent` (the Hubble exporter's record) shares the layout, so its `agent_event` (4) and
 * `debug_event` (5) are recognised and ignored as the JSON reader ignores them. A repeated scalar
 * or message field keeps its last occurrence (no message merging); encoders never repeat them.
 *
 * This is the hot path of a live source: the reader works on module-level state (one buffer, one
 * position) and builds each object with a single literal, in the JSON decoder's key order, so that
 * V8 gives every decoded flow one hidden class. An identity's label list, the bulk of a flow's
 * bytes, is decoded once and then shared (frozen) while its bytes stay the same; see `readLabels`.
 */
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
  formatTimestamp,
  type DecodedLine,
  type Flow,
  type FlowDns,
  type FlowEndpoint,
  type FlowHttp,
  type FlowIp,
  type FlowL4,
  type FlowL7,
  type FlowPolicyRef,
  type FlowService,
  type FlowWorkload,
  type LostEvents,
  type TcpFlag,
  type TrafficDirection,
} from '../flows/index.js';

const EMPTY: readonly never[] = Object.freeze([]);
const IGNORED_NODE_STATUS: DecodedLine = Object.freeze({ kind: 'ignored', what: 'node_status' });
const IGNORED_AGENT: DecodedLine = Object.freeze({ kind: 'ignored', what: 'agent_event' });
const IGNORED_DEBUG: DecodedLine = Object.freeze({ kind: 'ignored', what: 'debug_event' });

// Wire types.
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/** Thrown inside the reader for bytes that are not a valid message; turned into an `error` result. */
class Malformed extends Error {}

/** Node's Buffer string slicers (what `buffer.toString(encoding, start, end)` calls, without its argument handling). */
interface Slicer extends Uint8Array {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
  /** Buffer#compare: 0 when `target[targetStart..targetEnd)` equals `this[sourceStart..sourceEnd)`. */
  compare(target: Uint8Array, targetStart: number, targetEnd: number, sourceStart: number, sourceEnd: number): number;
}

let buf: Slicer = asSlicer(new Uint8Array(0));
let pos = 0;

/**
 * A view of `bytes` with Node's string slicers: a Buffer as is (gRPC hands Buffers over), any other
 * Uint8Array wrapped without copying. Outside Node, TextDecoder stands in.
 */
function asSlicer(bytes: Uint8Array): Slicer {
  const b = bytes as Partial<Slicer> & Uint8Array;
  if (typeof b.latin1Slice === 'function' && typeof b.utf8Slice === 'function' && b.compare !== undefined) return b as Slicer;
  if (typeof Buffer === 'function') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as Slicer;
  const text = new TextDecoder('utf-8');
  return Object.assign(bytes, {
    latin1Slice: (start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end)),
    utf8Slice: (start: number, end: number) => text.decode(bytes.subarray(start, end)),
    compare: (target: Uint8Array, ts: number, te: number, ss: number, se: number) => {
      if (te - ts !== se - ss) return 1;
      for (let i = 0; i < te - ts; i++) if (target[ts + i] !== bytes[ss + i]) return 1;
      return 0;
    },
  });
}

/**
 * Decodes one `GetFlowsResponse` (or `ExportEvent`) message.
 *
 * @param bytes - the message, without gRPC framing.
 * @returns `flow`, `lost` (a `lost_events` record), `ignored` (`node_status`, and `agent_event` /
 *   `debug_event` of exporter records) or `error` (malformed bytes, a response with none of these,
 *   a flow without a usable time). Never throws.
 */
export function decodeFlowsResponse(bytes: Uint8Array): DecodedLine {
  const saved = buf;
  buf = asSlicer(bytes);
  pos = 0;
  try {
    return readResponse(bytes.length);
  } catch (e) {
    if (e instanceof Malformed) return { kind: 'error', message: `not a GetFlowsResponse: ${e.message}` };
    throw e;
  } finally {
    buf = saved;
  }
}

/** Relay's `NodeStatusEvent`: nodes that joined or left the stream of one request. */
export interface NodeStatus {
  /** `NODE_CONNECTED`, `NODE_UNAVAILABLE`, `NODE_GONE` or `NODE_ERROR` (an unknown number as text). */
  readonly state: string | undefined;
  readonly nodeNames: readonly string[];
  /** Why, e.g. the error that made the nodes unavailable. */
  readonly message: string | undefined;
  /** The response's time. */
  readonly time: string | undefined;
}

const NODE_STATE_BY_NUMBER: Readonly<Record<number, string>> = { 1: 'NODE_CONNECTED', 2: 'NODE_UNAVAILABLE', 3: 'NODE_GONE', 4: 'NODE_ERROR' };

/**
 * Reads the `node_status` of a `GetFlowsResponse` (which {@link decodeFlowsResponse} only counts as
 * ignored, as the JSON reader does). Undefined when the response carries none or is malformed.
 */
export function decodeNodeStatus(bytes: Uint8Array): NodeStatus | undefined {
  const saved = buf;
  buf = asSlicer(bytes);
  pos = 0;
  try {
    let bodyStart = -1;
    let bodyEnd = 0;
    let timeAt = -1;
    while (pos < bytes.length) {
      const tag = varint32();
      if (tag === ((2 << 3) | LEN)) {
        const len = length();
        bodyStart = pos;
        bodyEnd = pos + len;
        pos = bodyEnd;
      } else if (tag === ((1001 << 3) | LEN)) {
        timeAt = pos;
        skipBytes();
      } else skip(tag & 7);
    }
    if (bodyStart < 0) return undefined;
    let time: string | undefined;
    if (timeAt >= 0) {
      pos = timeAt;
      time = timestamp();
    }
    pos = bodyStart;
    let state = 0;
    const nodeNames: string[] = [];
    let message: string | undefined;
    while (pos < bodyEnd) {
      const tag = varint32();
      if (tag === ((1 << 3) | VARINT)) state = varint32();
      else if (tag === ((2 << 3) | LEN)) nodeNames.push(rawString());
      else if (tag === ((3 << 3) | LEN)) message = string();
      else skip(tag & 7);
    }
    if (pos !== bodyEnd) return undefined;
    return { state: enumName(state, NODE_STATE_BY_NUMBER), nodeNames, message, time };
  } catch (e) {
    if (e instanceof Malformed) return undefined;
    throw e;
  } finally {
    buf = saved;
  }
}

function readResponse(end: number): DecodedLine {
  let kind = 0; // 1 flow, 2 node_status, 3 lost_events, 4 agent_event, 5 debug_event
  let bodyStart = 0;
  let bodyEnd = 0;
  let nodeName: string | undefined;
  let timeAt = -1; // the response's own time is read only when the record needs it
  while (pos < end) {
    const tag = varint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (wt === LEN && field >= 1 && field <= 5) {
      const len = length();
      kind = field;
      bodyStart = pos;
      bodyEnd = pos + len;
      pos = bodyEnd;
    } else if (field === 1000 && wt === LEN) {
      nodeName = string();
    } else if (field === 1001 && wt === LEN) {
      timeAt = pos;
      skipBytes();
    } else {
      skip(wt);
    }
  }
  if (pos !== end) throw new Malformed('truncated message');
  switch (kind) {
    case 1:
      pos = bodyStart;
      return readFlow(bodyEnd, nodeName, timeAt);
    case 3: {
      let time: string | undefined;
      if (timeAt >= 0) {
        pos = timeAt;
        time = timestamp();
      }
      pos = bodyStart;
      return { kind: 'lost', lost: readLost(bodyEnd, nodeName, time) };
    }
    case 2:
      return IGNORED_NODE_STATUS;
    case 4:
      return IGNORED_AGENT;
    case 5:
      return IGNORED_DEBUG;
    default:
      return { kind: 'error', message: 'not a Hubble record: the response carries no flow, lost_events or node_status' };
  }
}

/** @param wrapperTimeAt - offset of the response's `time`, or -1; read only when the flow has no time of its own. */
function readFlow(end: number, wrapperNode: string | undefined, wrapperTimeAt: number): DecodedLine {
  let time: string | undefined;
  let timeMs = 0;
  let timeInvalid = false;
  let uuid: string | undefined;
  let verdict = 0;
  let dropReason = 0;
  let dropReasonDesc = 0;
  let type = 0;
  let eventType: Flow['eventType'];
  let trafficDirection = 0;
  let isReply: boolean | undefined;
  let reply = false;
  let observationPoint = 0;
  let traceReason = 0;
  let nodeName: string | undefined;
  let ip: FlowIp | undefined;
  let l4: FlowL4 | undefined;
  let l4Seen = false;
  let source: FlowEndpoint | undefined;
  let destination: FlowEndpoint | undefined;
  let sourceNames: string[] | undefined;
  let destinationNames: string[] | undefined;
  let sourceService: FlowService | undefined;
  let sourceServiceSeen = false;
  let destinationService: FlowService | undefined;
  let destinationServiceSeen = false;
  let l7: FlowL7 | undefined;
  let egressAllowedBy: FlowPolicyRef[] | undefined;
  let ingressAllowedBy: FlowPolicyRef[] | undefined;
  let egressDeniedBy: FlowPolicyRef[] | undefined;
  let ingressDeniedBy: FlowPolicyRef[] | undefined;
  let policyMatchType = 0;
  let policyLog: string[] | undefined;
  let summary: string | undefined;

  while (pos < end) {
    const tag = varint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (wt === VARINT) {
      switch (field) {
        case 2:
          verdict = varint32();
          continue;
        case 3:
          dropReason = varint32();
          continue;
        case 10:
          type = varint32();
          continue;
        case 16:
          reply = varint32() !== 0;
          continue;
        case 22:
          trafficDirection = varint32();
          continue;
        case 23:
          policyMatchType = varint32();
          continue;
        case 24:
          observationPoint = varint32();
          continue;
        case 25:
          dropReasonDesc = varint32();
          continue;
        case 36:
          traceReason = varint32();
          continue;
        default:
          skip(wt);
          continue;
      }
    }
    if (wt !== LEN) {
      skip(wt);
      continue;
    }
    switch (field) {
      case 1: {
        const t = timestamp();
        if (t === undefined) timeInvalid = true;
        else {
          timeInvalid = false;
          time = t;
          timeMs = tsMs;
        }
        break;
      }
      case 34:
        uuid = string();
        break;
      case 5:
        ip = readIp(length());
        break;
      case 6:
        l4Seen = true;
        l4 = readL4(length());
        break;
      case 8:
        source = readEndpoint(length());
        break;
      case 9:
        destination = readEndpoint(length());
        break;
      case 11:
        nodeName = string();
        break;
      case 13:
        (sourceNames ??= []).push(rawString());
        break;
      case 14:
        (destinationNames ??= []).push(rawString());
        break;
      case 15:
        l7 = readL7(length());
        break;
      case 19:
        eventType = readEventType(length());
        break;
      case 20:
        sourceServiceSeen = true;
        sourceService = readService(length());
        break;
      case 21:
        destinationServiceSeen = true;
        destinationService = readService(length());
        break;
      case 26:
        isReply = readBoolValue(length());
        break;
      case 21001:
        (egressAllowedBy ??= []).push(readPolicy(length()));
        break;
      case 21002:
        (ingressAllowedBy ??= []).push(readPolicy(length()));
        break;
      case 21004:
        (egressDeniedBy ??= []).push(readPolicy(length()));
        break;
      case 21005:
        (ingressDeniedBy ??= []).push(readPolicy(length()));
        break;
      case 21006:
        (policyLog ??= []).push(rawString());
        break;
      case 100000:
        summary = string();
        break;
      default:
        skip(wt);
    }
  }
  if (pos !== end) throw new Malformed('truncated flow');
  if (!l4Seen) l4 = undefined;
  if (!sourceServiceSeen) sourceService = undefined;
  if (!destinationServiceSeen) destinationService = undefined;

  if (time === undefined && !timeInvalid && wrapperTimeAt >= 0) {
    pos = wrapperTimeAt;
    time = timestamp();
    timeMs = tsMs;
    if (time === undefined) timeInvalid = true;
  }
  if (timeInvalid) {
    return { kind: 'error', message: 'Hubble flow has an invalid `time` (outside years 0001–9999, or nanos out of range)' };
  }
  if (time === undefined) return { kind: 'error', message: 'Hubble flow has no `time`: a flow must say when it was observed' };
  if (isReply === undefined && reply) isReply = true; // deprecated `reply`: false means "not said"

  const flow: Flow = {
    time,
    timeMs,
    uuid,
    verdict: verdict === 0 ? 'VERDICT_UNKNOWN' : enumName(verdict, VERDICT_BY_NUMBER)!,
    dropReason: dropReason > 0 ? dropReason : undefined,
    dropReasonDesc: enumName(dropReasonDesc, DROP_REASON_BY_NUMBER),
    type: enumName(type, FLOW_TYPE_BY_NUMBER),
    eventType,
    trafficDirection: TRAFFIC_DIRECTION_BY_NUMBER[trafficDirection] as TrafficDirection | undefined,
    isReply,
    traceObservationPoint: enumName(observationPoint, TRACE_OBSERVATION_POINT_BY_NUMBER),
    traceReason: enumName(traceReason, TRACE_REASON_BY_NUMBER),
    nodeName: nodeName ?? wrapperNode,
    ip,
    l4,
    source: source ?? emptyEndpoint(),
    destination: destination ?? emptyEndpoint(),
    sourceNames: names(sourceNames),
    destinationNames: names(destinationNames),
    sourceService,
    destinationService,
    l7,
    egressAllowedBy: egressAllowedBy ?? EMPTY,
    ingressAllowedBy: ingressAllowedBy ?? EMPTY,
    egressDeniedBy: egressDeniedBy ?? EMPTY,
    ingressDeniedBy: ingressDeniedBy ?? EMPTY,
    policyMatchType: policyMatchType > 0 ? policyMatchType : undefined,
    policyLog: policyLog ?? EMPTY,
    summary,
  };
  return { kind: 'flow', flow };
}

function readLost(end: number, wrapperNode: string | undefined, wrapperTime: string | undefined): LostEvents {
  let source = 0;
  let lost = 0;
  let cpu: number | undefined;
  let first: string | undefined;
  let last: string | undefined;
  while (pos < end) {
    const tag = varint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 && wt === VARINT) source = varint32();
    else if (field === 2 && wt === VARINT) lost = uint64();
    else if (field === 3 && wt === LEN) cpu = readInt32Value(length());
    else if (field === 4 && wt === LEN) first = timestamp();
    else if (field === 5 && wt === LEN) last = timestamp();
    else skip(wt);
  }
  if (pos !== end) throw new Malformed('truncated lost_events');
  return {
    source: enumName(source, LOST_EVENT_SOURCE_BY_NUMBER),
    numEventsLost: lost,
    // Int32Value: present means reported, and CPU 0 is a real CPU.
    cpu,
    nodeName: wrapperNode,
    time: wrapperTime,
    first,
    last,
  };
}

// ---- sub-messages -------------------------------------------------------------------------------

function emptyEndpoint(): FlowEndpoint {
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

function readEndpoint(len: number): FlowEndpoint {
  const end = pos + len;
  let id = 0;
  let identity = 0;
  let clusterName: string | undefined;
  let namespace: string | undefined;
  let labels: readonly string[] | undefined;
  let podName: string | undefined;
  let workloads: FlowWorkload[] | undefined;
  while (pos < end) {
    const tag = varint32();
    switch (tag) {
      case (1 << 3) | VARINT:
        id = varint32();
        break;
      case (2 << 3) | VARINT:
        identity = varint32();
        break;
      case (3 << 3) | LEN:
        namespace = string();
        break;
      case (4 << 3) | LEN:
        if (labels === undefined) labels = readLabels(end, identity);
        else labels = [...labels, rawString()]; // labels interrupted by another field: rare
        break;
      case (5 << 3) | LEN:
        podName = string();
        break;
      case (6 << 3) | LEN:
        (workloads ??= []).push(readWorkload(length()));
        break;
      case (7 << 3) | LEN:
        clusterName = string();
        break;
      default:
        skip(tag & 7);
    }
  }
  if (pos !== end) throw new Malformed('truncated endpoint');
  return {
    id: id > 0 ? id : undefined,
    identity: identity > 0 ? identity : undefined,
    clusterName,
    namespace,
    labels: labels ?? EMPTY,
    podName,
    workloads: workloads ?? EMPTY,
  };
}

/**
 * The label lists of recent identities, with their encoded bytes. An identity's labels are the
 * bulk of a flow's bytes and repeat in every flow of that endpoint: when the run of label fields is
 * byte-for-byte the one cached for the identity (a native memcmp), its decoded list is shared, frozen,
 * instead of decoding the strings again. Keyed by identity, checked by content, so a collision or
 * a changed label only costs a decode.
 */
const LABEL_SLOTS = 4096;
const labelCache: ({ readonly bytes: Uint8Array; readonly labels: readonly string[] } | undefined)[] = new Array(LABEL_SLOTS);
const LABEL_TAG = (4 << 3) | LEN;

/**
 * Reads the run of consecutive `labels` fields that starts at `pos` (just after the first tag) and
 * ends before `end` or at the first other field. Encoders write repeated fields together.
 */
function readLabels(end: number, identity: number): readonly string[] {
  const b = buf;
  const start = pos;
  // Find the end of the run without decoding: length prefixes and tags only.
  let p = start;
  for (;;) {
    let len = 0;
    let shift = 0;
    let byte: number;
    do {
      if (p >= end || shift > 28) return readLabelsSlowly(end);
      byte = b[p++]!;
      len |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte >= 0x80);
    p += len;
    if (p > end || len < 0) return readLabelsSlowly(end);
    if (p < end && b[p] === LABEL_TAG) p++;
    else break;
  }
  const slot = identity & (LABEL_SLOTS - 1);
  const hit = labelCache[slot];
  if (hit !== undefined && hit.bytes.length === p - start && b.compare(hit.bytes, 0, hit.bytes.length, start, p) === 0) {
    pos = p;
    return hit.labels;
  }
  const labels = readLabelsSlowly(p);
  // A copy of the bytes, not a view: the cache must not keep whole messages alive.
  labelCache[slot] = { bytes: Uint8Array.prototype.slice.call(b, start, p), labels: Object.freeze(labels.slice()) };
  return labels;
}

/** Reads consecutive label fields one by one, up to `end` or the first other field. */
function readLabelsSlowly(end: number): string[] {
  const labels = [rawString()];
  while (pos < end && buf[pos] === LABEL_TAG) {
    pos++;
    labels.push(rawString());
  }
  return labels;
}

function readWorkload(len: number): FlowWorkload {
  const end = pos + len;
  let name = '';
  let kind = '';
  while (pos < end) {
    const tag = varint32();
    if (tag === ((1 << 3) | LEN)) name = rawString();
    else if (tag === ((2 << 3) | LEN)) kind = rawString();
    else skip(tag & 7);
  }
  if (pos !== end) throw new Malformed('truncated workload');
  return { name, kind };
}

function readIp(len: number): FlowIp {
  const end = pos + len;
  let source: string | undefined;
  let sourceXlated: string | undefined;
  let destination: string | undefined;
  let version = 0;
  let encrypted = false;
  while (pos < end) {
    const tag = varint32();
    switch (tag) {
      case (1 << 3) | LEN:
        source = string();
        break;
      case (2 << 3) | LEN:
        destination = string();
        break;
      case (3 << 3) | VARINT:
        version = varint32();
        break;
      case (4 << 3) | VARINT:
        encrypted = varint32() !== 0;
        break;
      case (5 << 3) | LEN:
        sourceXlated = string();
        break;
      default:
        skip(tag & 7);
    }
  }
  if (pos !== end) throw new Malformed('truncated IP');
  return {
    source,
    sourceXlated,
    destination,
    ipVersion: enumName(version, IP_VERSION_BY_NUMBER),
    encrypted: encrypted ? true : undefined,
  };
}

const TCP_FLAG_NAMES: readonly TcpFlag[] = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'];
/** One frozen array per flag combination (at most 512), so flags cost no allocation per flow. */
const FLAG_SETS: (readonly TcpFlag[] | undefined)[] = [];

function readFlags(len: number): readonly TcpFlag[] {
  const end = pos + len;
  let mask = 0;
  while (pos < end) {
    const tag = varint32();
    const field = tag >>> 3;
    if ((tag & 7) === VARINT && field >= 1 && field <= 9) {
      if (varint32() !== 0) mask |= 1 << (field - 1);
      else mask &= ~(1 << (field - 1));
    } else skip(tag & 7);
  }
  if (pos !== end) throw new Malformed('truncated TCP flags');
  let set = FLAG_SETS[mask];
  if (set === undefined) {
    set = Object.freeze(TCP_FLAG_NAMES.filter((_, i) => (mask & (1 << i)) !== 0));
    FLAG_SETS[mask] = set;
  }
  return set;
}

/** TCP, UDP and SCTP: ports (0 when omitted) and, for TCP, the flags. */
function readPorts(protocol: 'TCP' | 'UDP' | 'SCTP', len: number): FlowL4 {
  const end = pos + len;
  let sourcePort = 0;
  let destinationPort = 0;
  let flags: readonly TcpFlag[] | undefined;
  while (pos < end) {
    const tag = varint32();
    if (tag === ((1 << 3) | VARINT)) sourcePort = varint32();
    else if (tag === ((2 << 3) | VARINT)) destinationPort = varint32();
    else if (tag === ((3 << 3) | LEN) && protocol === 'TCP') flags = readFlags(length());
    else skip(tag & 7);
  }
  if (pos !== end) throw new Malformed('truncated layer 4');
  return { protocol, sourcePort, destinationPort, flags, icmpType: undefined, icmpCode: undefined };
}

function readIcmp(protocol: 'ICMPv4' | 'ICMPv6', len: number): FlowL4 {
  const end = pos + len;
  let icmpType = 0;
  let icmpCode = 0;
  while (pos < end) {
    const tag = varint32();
    if (tag === ((1 << 3) | VARINT)) icmpType = varint32();
    else if (tag === ((2 << 3) | VARINT)) icmpCode = varint32();
    else skip(tag & 7);
  }
  if (pos !== end) throw new Malformed('truncated ICMP');
  return { protocol, sourcePort: undefined, destinationPort: undefined, flags: undefined, icmpType, icmpCode };
}

function bare(protocol: 'VRRP' | 'IGMP'): FlowL4 {
  return { protocol, sourcePort: undefined, destinationPort: undefined, flags: undefined, icmpType: undefined, icmpCode: undefined };
}

/** The Layer4 oneof; undefined when none of its protocols is set (as for `"l4": {}`). */
function readL4(len: number): FlowL4 | undefined {
  const end = pos + len;
  let l4: FlowL4 | undefined;
  while (pos < end) {
    const tag = varint32();
    if ((tag & 7) !== LEN) {
      skip(tag & 7);
      continue;
    }
    switch (tag >>> 3) {
      case 1:
        l4 = readPorts('TCP', length());
        break;
      case 2:
        l4 = readPorts('UDP', length());
        break;
      case 3:
        l4 = readIcmp('ICMPv4', length());
        break;
      case 4:
        l4 = readIcmp('ICMPv6', length());
        break;
      case 5:
        l4 = readPorts('SCTP', length());
        break;
      case 6:
        skipBytes();
        l4 = bare('VRRP');
        break;
      case 7:
        skipBytes();
        l4 = bare('IGMP');
        break;
      default:
        skip(LEN);
    }
  }
  if (pos !== end) throw new Malformed('truncated layer 4');
  return l4;
}

function readL7(len: number): FlowL7 {
  const end = pos + len;
  let type = 0;
  let latency = 0;
  let dns: FlowDns | undefined;
  let http: FlowHttp | undefined;
  let other: string | undefined;
  while (pos < end) {
    const tag = varint32();
    switch (tag) {
      case (1 << 3) | VARINT:
        type = varint32();
        break;
      case (2 << 3) | VARINT:
        latency = uint64();
        break;
      case (100 << 3) | LEN:
        dns = readDns(length());
        http = undefined;
        other = undefined;
        break;
      case (101 << 3) | LEN:
        http = readHttp(length());
        dns = undefined;
        other = undefined;
        break;
      case (102 << 3) | LEN:
        skipBytes();
        other = 'kafka';
        dns = undefined;
        http = undefined;
        break;
      default:
        skip(tag & 7);
    }
  }
  if (pos !== end) throw new Malformed('truncated layer 7');
  return { type: enumName(type, L7_TYPE_BY_NUMBER), latencyNs: latency > 0 ? latency : undefined, dns, http, other };
}

function readDns(len: number): FlowDns {
  const end = pos + len;
  let query: string | undefined;
  let ips: string[] | undefined;
  let ttl = 0;
  let cnames: string[] | undefined;
  let observationSource: string | undefined;
  let rcode = 0;
  let qtypes: string[] | undefined;
  let rrtypes: string[] | undefined;
  while (pos < end) {
    const tag = varint32();
    switch (tag) {
      case (1 << 3) | LEN:
        query = string();
        break;
      case (2 << 3) | LEN:
        (ips ??= []).push(rawString());
        break;
      case (3 << 3) | VARINT:
        ttl = varint32();
        break;
      case (4 << 3) | LEN:
        (cnames ??= []).push(rawString());
        break;
      case (5 << 3) | LEN:
        observationSource = string();
        break;
      case (6 << 3) | VARINT:
        rcode = varint32();
        break;
      case (7 << 3) | LEN:
        (qtypes ??= []).push(rawString());
        break;
      case (8 << 3) | LEN:
        (rrtypes ??= []).push(rawString());
        break;
      default:
        skip(tag & 7);
    }
  }
  if (pos !== end) throw new Malformed('truncated DNS');
  return {
    query,
    ips: ips ?? EMPTY,
    ttl: ttl > 0 ? ttl : undefined,
    cnames: cnames ?? EMPTY,
    observationSource,
    rcode: rcode > 0 ? rcode : undefined,
    qtypes: qtypes ?? EMPTY,
    rrtypes: rrtypes ?? EMPTY,
  };
}

function readHttp(len: number): FlowHttp {
  const end = pos + len;
  let code = 0;
  let method: string | undefined;
  let url: string | undefined;
  let protocol: string | undefined;
  let headers: { key: string; value: string }[] | undefined;
  while (pos < end) {
    const tag = varint32();
    switch (tag) {
      case (1 << 3) | VARINT:
        code = varint32();
        break;
      case (2 << 3) | LEN:
        method = string();
        break;
      case (3 << 3) | LEN:
        url = string();
        break;
      case (4 << 3) | LEN:
        protocol = string();
        break;
      case (5 << 3) | LEN:
        (headers ??= []).push(readHeader(length()));
        break;
      default:
        skip(tag & 7);
    }
  }
  if (pos !== end) throw new Malformed('truncated HTTP');
  return { code: code > 0 ? code : undefined, method, url, protocol, headers: headers ?? EMPTY };
}

function readHeader(len: number): { key: string; value: string } {
  const end = pos + len;
  let key = '';
  let value = '';
  while (pos < end) {
    const tag = varint32();
    if (tag === ((1 << 3) | LEN)) key = rawString();
    else if (tag === ((2 << 3) | LEN)) value = rawString();
    else skip(tag & 7);
  }
  if (pos !== end) throw new Malformed('truncated HTTP header');
  return { key, value };
}

function readEventType(len: number): { type: number; subType: number } {
  const end = pos + len;
  let type = 0;
  let subType = 0;
  while (pos < end) {
    const tag = varint32();
    if (tag === ((1 << 3) | VARINT)) type = varint32() | 0; // int32: negative values are sign-extended
    else if (tag === ((2 << 3) | VARINT)) subType = varint32() | 0;
    else skip(tag & 7);
  }
  if (pos !== end) throw new Malformed('truncated event type');
  return { type, subType };
}

/** A Service, or undefined when it names nothing (as the JSON decoder treats `{}`). */
function readService(len: number): FlowService | undefined {
  const end = pos + len;
  let name: string | undefined;
  let namespace: string | undefined;
  while (pos < end) {
    const tag = varint32();
    if (tag === ((1 << 3) | LEN)) name = string();
    else if (tag === ((2 << 3) | LEN)) namespace = string();
    else skip(tag & 7);
  }
  if (pos !== end) throw new Malformed('truncated service');
  return name === undefined && namespace === undefined ? undefined : { name, namespace };
}

function readPolicy(len: number): FlowPolicyRef {
  const end = pos + len;
  let name: string | undefined;
  let namespace: string | undefined;
  let labels: string[] | undefined;
  let revision: string | undefined;
  let kind: string | undefined;
  while (pos < end) {
    const tag = varint32();
    switch (tag) {
      case (1 << 3) | LEN:
        name = string();
        break;
      case (2 << 3) | LEN:
        namespace = string();
        break;
      case (3 << 3) | LEN:
        (labels ??= []).push(rawString());
        break;
      case (4 << 3) | VARINT:
        revision = uint64Text();
        break;
      case (5 << 3) | LEN:
        kind = string();
        break;
      default:
        skip(tag & 7);
    }
  }
  if (pos !== end) throw new Malformed('truncated policy');
  return { name, namespace, labels: labels ?? EMPTY, revision, kind };
}

/** google.protobuf.BoolValue: present means said; an empty one is false. */
function readBoolValue(len: number): boolean {
  const end = pos + len;
  let value = false;
  while (pos < end) {
    const tag = varint32();
    if (tag === ((1 << 3) | VARINT)) value = varint32() !== 0;
    else skip(tag & 7);
  }
  if (pos !== end) throw new Malformed('truncated BoolValue');
  return value;
}

/** google.protobuf.Int32Value: present means said; an empty one is 0. */
function readInt32Value(len: number): number {
  const end = pos + len;
  let value = 0;
  while (pos < end) {
    const tag = varint32();
    if (tag === ((1 << 3) | VARINT)) value = varint32() | 0;
    else skip(tag & 7);
  }
  if (pos !== end) throw new Malformed('truncated Int32Value');
  return value;
}

/** Epoch milliseconds of the last {@link timestamp} read (saves an object per flow). */
let tsMs = 0;

/**
 * google.protobuf.Timestamp → normalised RFC 3339 (nine fractional digits), with its epoch
 * milliseconds left in {@link tsMs}; undefined when out of the Timestamp range or nanos are invalid.
 */
function timestamp(): string | undefined {
  const len = length();
  const end = pos + len;
  let seconds = 0;
  let nanos = 0;
  while (pos < end) {
    const tag = varint32();
    if (tag === ((1 << 3) | VARINT)) seconds = int64();
    else if (tag === ((2 << 3) | VARINT)) nanos = varint32() | 0;
    else skip(tag & 7);
  }
  if (pos !== end) throw new Malformed('truncated timestamp');
  if (nanos < 0 || nanos > 999_999_999) return undefined;
  if (seconds !== prefixSeconds) {
    // Flows come in time order: the date and clock part is shared by every flow of one second.
    const iso = formatTimestamp(seconds, 0);
    if (iso === undefined) return undefined;
    prefixSeconds = seconds;
    prefix = iso.slice(0, 20);
  }
  tsMs = seconds * 1000 + Math.floor(nanos / 1e6);
  const digits = String(nanos);
  return `${prefix}${NINE_ZEROS.slice(digits.length)}${digits}Z`;
}

/** The `YYYY-MM-DDTHH:MM:SS.` of the last second formatted, and that second. */
let prefixSeconds = NaN;
let prefix = '';
const NINE_ZEROS = '000000000';

// ---- scalars ------------------------------------------------------------------------------------

function enumName(n: number, byNumber: Readonly<Record<number, string>>): string | undefined {
  return n === 0 ? undefined : (byNumber[n] ?? String(n));
}

/** DNS names with the trailing dot removed, with the JSON decoder's rule (see flows/decode `names`). */
function names(list: string[] | undefined): readonly string[] {
  if (list === undefined) return EMPTY;
  for (let i = 0; i < list.length; i++) {
    if ((list[i] as string).endsWith('.')) {
      return list.map((s) => (s.endsWith('.') ? s.slice(0, -1) : s)).filter((s) => s !== '');
    }
  }
  return list;
}

/** A varint's low 32 bits, unsigned. Longer varints (negative int32, uint64) are consumed whole. */
function varint32(): number {
  let b = buf[pos++] as number;
  if (b < 0x80) return b;
  let v = b & 0x7f;
  b = buf[pos++] as number;
  v |= (b & 0x7f) << 7;
  if (b < 0x80) return v;
  b = buf[pos++] as number;
  v |= (b & 0x7f) << 14;
  if (b < 0x80) return v;
  b = buf[pos++] as number;
  v |= (b & 0x7f) << 21;
  if (b < 0x80) return v;
  b = buf[pos++] as number;
  v |= (b & 0x0f) << 28;
  if (b < 0x80) return v >>> 0;
  for (let i = 0; i < 5; i++) {
    if (pos >= buf.length) throw new Malformed('truncated varint');
    if ((buf[pos++] as number) < 0x80) return v >>> 0;
  }
  throw new Malformed('varint longer than 10 bytes');
}

/** A varint as two 32-bit halves, left in {@link lo} and {@link hi}. */
let lo = 0;
let hi = 0;
function varint64(): void {
  let l = 0;
  let h = 0;
  let shift = 0;
  let b: number;
  // Bytes 1-4 fill the low half; byte 5 straddles it; bytes 6-10 fill the high half.
  for (let i = 0; i < 4; i++) {
    if (pos >= buf.length) throw new Malformed('truncated varint');
    b = buf[pos++] as number;
    l |= (b & 0x7f) << shift;
    if (b < 0x80) {
      lo = l >>> 0;
      hi = 0;
      return;
    }
    shift += 7;
  }
  if (pos >= buf.length) throw new Malformed('truncated varint');
  b = buf[pos++] as number;
  l |= (b & 0x0f) << 28;
  h = (b & 0x7f) >> 4;
  if (b < 0x80) {
    lo = l >>> 0;
    hi = h;
    return;
  }
  shift = 3;
  for (let i = 0; i < 5; i++) {
    if (pos >= buf.length) throw new Malformed('truncated varint');
    b = buf[pos++] as number;
    h |= (b & 0x7f) << shift;
    if (b < 0x80) {
      lo = l >>> 0;
      hi = h >>> 0;
      return;
    }
    shift += 7;
  }
  throw new Malformed('varint longer than 10 bytes');
}

/** uint64 as a number (exact below 2^53, as JSON's decimal strings become numbers). */
function uint64(): number {
  varint64();
  return hi === 0 ? lo : Number((BigInt(hi) << 32n) | BigInt(lo));
}

/** int64 (two's complement) as a number. */
function int64(): number {
  varint64();
  if (hi === 0) return lo;
  return Number(BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)));
}

/** uint64 as decimal text, undefined when 0 (JSON prints uint64 as a string). */
function uint64Text(): string | undefined {
  varint64();
  if (hi === 0) return lo === 0 ? undefined : String(lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

function length(): number {
  const len = varint32();
  if (pos + len > buf.length) throw new Malformed('length past the end of the message');
  return len;
}

/** A string field; undefined when empty (proto3's zero value). */
function string(): string | undefined {
  const s = rawString();
  return s === '' ? undefined : s;
}

/** A string field as is (list elements keep empty strings, as JSON arrays do). */
function rawString(): string {
  const len = length();
  const start = pos;
  const end = start + len;
  pos = end;
  const b = buf; // a local: the loop must not reload module state per byte
  if (len < 16) {
    // Short ASCII strings (namespaces, ports' names, IPv4 addresses, enum-like words) are cheaper to
    // build by hand than through a native call; measured, see bench/relay.mjs.
    let s = '';
    for (let i = start; i < end; i++) {
      const c = b[i]!;
      if (c >= 0x80) return b.utf8Slice(start, end);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return b.utf8Slice(start, end);
}

function skip(wt: number): void {
  switch (wt) {
    case VARINT:
      for (let i = 0; i < 10; i++) {
        if (pos >= buf.length) throw new Malformed('truncated varint');
        if ((buf[pos++] as number) < 0x80) return;
      }
      throw new Malformed('varint longer than 10 bytes');
    case I64:
      pos += 8;
      break;
    case LEN:
      skipBytes();
      break;
    case I32:
      pos += 4;
      break;
    default:
      // Groups (3, 4) are proto2-only and never appear in Hubble's messages.
      throw new Malformed(`unsupported wire type ${wt}`);
  }
  if (pos > buf.length) throw new Malformed('field past the end of the message');
}

/** Skips a length-delimited value. (Not `pos += length()`: that reads `pos` before the length's bytes.) */
function skipBytes(): void {
  const len = length();
  pos += len;
}
