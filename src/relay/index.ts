/**
 * @module relay — Hubble Relay (the Observer gRPC API) as a flow source: `GetFlows` with follow,
 * since/until and namespace filters sent to the Relay, TLS as the hubble CLI offers it, reconnection
 * with backoff, resumption without duplicates, and gaps reported. The only public surface of
 * `src/relay/`; import from here.
 */
export { decodeFlowsResponse, decodeNodeStatus } from './decode-response.js';
export type { NodeStatus } from './decode-response.js';
export { encodeFlowsRequest, namespaceFilters, timestampFromFlowTime, timestampFromMs } from './encode-request.js';
export type { FlowFilter, FlowsRequest, ProtoTimestamp } from './encode-request.js';
export { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { RecentIds } from './recent-ids.js';
export { DEFAULT_KEEPALIVE, GET_FLOWS_METHOD, isRetryable } from './client.js';
export type { Keepalive, RelayResponse, RelayTls } from './client.js';
export { describeGap, relayFlowSource, relaySourceName } from './source.js';
export type { RelayFlowSource, RelayGap, RelaySourceOptions, RelayStats } from './source.js';
export { DEFAULT_RELAY_PORT, RELAY_FLAG_OPTIONS, parseRelayAddress, readRelayOptions } from './options.js';
export type { RelayFlags, RelayScope } from './options.js';
