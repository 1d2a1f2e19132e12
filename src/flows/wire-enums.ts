/**
 * @module flows/wire-enums — number → name tables for the enums of `flow.proto` / `observer.proto`.
 *
 * protojson prints enums as names, but it (and other JSON writers) may also give numbers; these
 * tables map the numbers Cilium 1.19 defines back to the names. Zero values (`*_UNKNOWN`) are
 * left out on purpose: a zero enum means "not set", exactly as if the field were omitted.
 * See https://github.com/cilium/cilium/blob/main/api/v1/flow/flow.proto.
 */

/** `flow.Verdict` without VERDICT_UNKNOWN (0). */
export const VERDICT_BY_NUMBER: Readonly<Record<number, string>> = {
  1: 'FORWARDED',
  2: 'DROPPED',
  3: 'ERROR',
  4: 'AUDIT',
  5: 'REDIRECTED',
  6: 'TRACED',
  7: 'TRANSLATED',
};

/** `flow.FlowType` without UNKNOWN_TYPE (0). */
export const FLOW_TYPE_BY_NUMBER: Readonly<Record<number, string>> = { 1: 'L3_L4', 2: 'L7', 3: 'SOCK' };

/** `flow.TrafficDirection` without TRAFFIC_DIRECTION_UNKNOWN (0). */
export const TRAFFIC_DIRECTION_BY_NUMBER: Readonly<Record<number, 'INGRESS' | 'EGRESS'>> = { 1: 'INGRESS', 2: 'EGRESS' };

/** `flow.TraceObservationPoint` without UNKNOWN_POINT (0). */
export const TRACE_OBSERVATION_POINT_BY_NUMBER: Readonly<Record<number, string>> = {
  1: 'TO_PROXY',
  2: 'TO_HOST',
  3: 'TO_STACK',
  4: 'TO_OVERLAY',
  101: 'TO_ENDPOINT',
  5: 'FROM_ENDPOINT',
  6: 'FROM_PROXY',
  7: 'FROM_HOST',
  8: 'FROM_STACK',
  9: 'FROM_OVERLAY',
  10: 'FROM_NETWORK',
  11: 'TO_NETWORK',
  12: 'FROM_CRYPTO',
  13: 'TO_CRYPTO',
};

/** `flow.TraceReason` without TRACE_REASON_UNKNOWN (0). */
export const TRACE_REASON_BY_NUMBER: Readonly<Record<number, string>> = {
  1: 'NEW',
  2: 'ESTABLISHED',
  3: 'REPLY',
  4: 'RELATED',
  5: 'REOPENED',
  6: 'SRV6_ENCAP',
  7: 'SRV6_DECAP',
  8: 'ENCRYPT_OVERLAY',
};

/** `flow.L7FlowType` without UNKNOWN_L7_TYPE (0). */
export const L7_TYPE_BY_NUMBER: Readonly<Record<number, string>> = { 1: 'REQUEST', 2: 'RESPONSE', 3: 'SAMPLE' };

/** `flow.IPVersion` without IP_NOT_USED (0). */
export const IP_VERSION_BY_NUMBER: Readonly<Record<number, string>> = { 1: 'IPv4', 2: 'IPv6' };

/** `flow.LostEventSource` without UNKNOWN_LOST_EVENT_SOURCE (0). */
export const LOST_EVENT_SOURCE_BY_NUMBER: Readonly<Record<number, string>> = {
  1: 'PERF_EVENT_RING_BUFFER',
  2: 'OBSERVER_EVENTS_QUEUE',
  3: 'HUBBLE_RING_BUFFER',
};

/**
 * `flow.DropReason` without DROP_REASON_UNKNOWN (0), as of Cilium 1.19, plus 207 from the 1.20
 * pre-release protos vendored by cilium-cli.
 */
export const DROP_REASON_BY_NUMBER: Readonly<Record<number, string>> = {
  130: 'INVALID_SOURCE_MAC',
  131: 'INVALID_DESTINATION_MAC',
  132: 'INVALID_SOURCE_IP',
  133: 'POLICY_DENIED',
  134: 'INVALID_PACKET_DROPPED',
  135: 'CT_TRUNCATED_OR_INVALID_HEADER',
  136: 'CT_MISSING_TCP_ACK_FLAG',
  137: 'CT_UNKNOWN_L4_PROTOCOL',
  138: 'CT_CANNOT_CREATE_ENTRY_FROM_PACKET',
  139: 'UNSUPPORTED_L3_PROTOCOL',
  140: 'MISSED_TAIL_CALL',
  141: 'ERROR_WRITING_TO_PACKET',
  142: 'UNKNOWN_L4_PROTOCOL',
  143: 'UNKNOWN_ICMPV4_CODE',
  144: 'UNKNOWN_ICMPV4_TYPE',
  145: 'UNKNOWN_ICMPV6_CODE',
  146: 'UNKNOWN_ICMPV6_TYPE',
  147: 'ERROR_RETRIEVING_TUNNEL_KEY',
  148: 'ERROR_RETRIEVING_TUNNEL_OPTIONS',
  149: 'INVALID_GENEVE_OPTION',
  150: 'UNKNOWN_L3_TARGET_ADDRESS',
  151: 'STALE_OR_UNROUTABLE_IP',
  152: 'NO_MATCHING_LOCAL_CONTAINER_FOUND',
  153: 'ERROR_WHILE_CORRECTING_L3_CHECKSUM',
  154: 'ERROR_WHILE_CORRECTING_L4_CHECKSUM',
  155: 'CT_MAP_INSERTION_FAILED',
  156: 'INVALID_IPV6_EXTENSION_HEADER',
  157: 'IP_FRAGMENTATION_NOT_SUPPORTED',
  158: 'SERVICE_BACKEND_NOT_FOUND',
  160: 'NO_TUNNEL_OR_ENCAPSULATION_ENDPOINT',
  161: 'FAILED_TO_INSERT_INTO_PROXYMAP',
  162: 'REACHED_EDT_RATE_LIMITING_DROP_HORIZON',
  163: 'UNKNOWN_CONNECTION_TRACKING_STATE',
  164: 'LOCAL_HOST_IS_UNREACHABLE',
  165: 'NO_CONFIGURATION_AVAILABLE_TO_PERFORM_POLICY_DECISION',
  166: 'UNSUPPORTED_L2_PROTOCOL',
  167: 'NO_MAPPING_FOR_NAT_MASQUERADE',
  168: 'UNSUPPORTED_PROTOCOL_FOR_NAT_MASQUERADE',
  169: 'FIB_LOOKUP_FAILED',
  170: 'ENCAPSULATION_TRAFFIC_IS_PROHIBITED',
  171: 'INVALID_IDENTITY',
  172: 'UNKNOWN_SENDER',
  173: 'NAT_NOT_NEEDED',
  174: 'IS_A_CLUSTERIP',
  175: 'FIRST_LOGICAL_DATAGRAM_FRAGMENT_NOT_FOUND',
  176: 'FORBIDDEN_ICMPV6_MESSAGE',
  177: 'DENIED_BY_LB_SRC_RANGE_CHECK',
  178: 'SOCKET_LOOKUP_FAILED',
  179: 'SOCKET_ASSIGN_FAILED',
  180: 'PROXY_REDIRECTION_NOT_SUPPORTED_FOR_PROTOCOL',
  181: 'POLICY_DENY',
  182: 'VLAN_FILTERED',
  183: 'INVALID_VNI',
  184: 'INVALID_TC_BUFFER',
  185: 'NO_SID',
  186: 'MISSING_SRV6_STATE',
  187: 'NAT46',
  188: 'NAT64',
  189: 'AUTH_REQUIRED',
  190: 'CT_NO_MAP_FOUND',
  191: 'SNAT_NO_MAP_FOUND',
  192: 'INVALID_CLUSTER_ID',
  193: 'UNSUPPORTED_PROTOCOL_FOR_DSR_ENCAP',
  194: 'NO_EGRESS_GATEWAY',
  195: 'UNENCRYPTED_TRAFFIC',
  196: 'TTL_EXCEEDED',
  197: 'NO_NODE_ID',
  198: 'DROP_RATE_LIMITED',
  199: 'IGMP_HANDLED',
  200: 'IGMP_SUBSCRIBED',
  201: 'MULTICAST_HANDLED',
  202: 'DROP_HOST_NOT_READY',
  203: 'DROP_EP_NOT_READY',
  204: 'DROP_NO_EGRESS_IP',
  205: 'DROP_PUNT_PROXY',
  207: 'DROP_FRAG_NOT_FOUND_WORLD',
};
