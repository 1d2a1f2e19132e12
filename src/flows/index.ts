/**
 * @module flows — decode Hubble flow JSON into typed {@link Flow}s and read them from files,
 * directories or stdin. The only public surface of `src/flows/`; import from here.
 */
export type {
  Flow,
  FlowDns,
  FlowEndpoint,
  FlowHttp,
  FlowIp,
  FlowL4,
  FlowL7,
  FlowPolicyRef,
  FlowService,
  FlowType,
  FlowWorkload,
  L4Protocol,
  LostEvents,
  TcpFlag,
  TrafficDirection,
  Verdict,
} from './flow.js';
export { L4_PROTOCOLS, VERDICTS } from './flow.js';
export { decodeHubbleLine, decodeHubbleValue } from './decode.js';
export type { DecodedLine, IgnoredEventKind } from './decode.js';
export { parseTimestamp, formatTimestamp } from './timestamp.js';
export {
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
export type { Timestamp } from './timestamp.js';
export type { DecodeIssue, DecodeStats, DecodeWarning, FlowSink, FlowSource, ReadProgress, SourcePosition } from './flow-source.js';
export { STDIN_NAME, fileFlowSource, listFlowInputs, readFlowInputs } from './read.js';
export { LineSplitter, LineTooLongError, DEFAULT_MAX_LINE_BYTES } from './line-splitter.js';
export type { ReadFlowOptions } from './read.js';
