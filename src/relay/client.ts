/**
 * @module relay/client — one `observer.Observer/GetFlows` call over gRPC (`@grpc/grpc-js`), plain or
 * TLS, with tighten's own request encoder and response decoder in place of generated code: the
 * request goes out as the bytes of {@link encodeFlowsRequest}, and each response Buffer goes straight
 * into {@link decodeFlowsResponse}. The I/O shell of the Relay source.
 */
import { Client, credentials, status, type ChannelCredentials, type ChannelOptions, type ClientReadableStream } from '@grpc/grpc-js';
import type { DecodedLine } from '../flows/index.js';
import { decodeFlowsResponse, decodeNodeStatus, type NodeStatus } from './decode-response.js';
import { encodeFlowsRequest, type FlowsRequest } from './encode-request.js';

/** The gRPC method path; the service name is the proto package plus the service. */
export const GET_FLOWS_METHOD = '/observer.Observer/GetFlows';

/**
 * TLS towards the Relay, as the hubble CLI's `--tls*` flags set it. PEM contents, not paths: reading
 * the files is the caller's business (see `options.ts`).
 */
export interface RelayTls {
  /** CA certificates to trust (concatenated PEM); omitted: the system's roots. */
  readonly ca?: Buffer;
  /** Client certificate chain (PEM) for mutual TLS; needs {@link key}. */
  readonly cert?: Buffer;
  /** Client private key (PEM); needs {@link cert}. */
  readonly key?: Buffer;
  /**
   * The name the server certificate must carry, when it differs from the address's host (Relay's
   * certificates name `*.hubble-relay.cilium.io`). Also sent as the TLS SNI and the :authority.
   */
  readonly serverName?: string;
  /** Accept any server certificate. Only for testing: the connection is encrypted but not authenticated. @default false */
  readonly allowInsecure?: boolean;
}

/** gRPC status codes after which retrying cannot help: the request or the credentials are wrong. */
const FATAL_CODES: ReadonlySet<number> = new Set([
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.ALREADY_EXISTS,
  status.PERMISSION_DENIED,
  status.FAILED_PRECONDITION,
  status.OUT_OF_RANGE,
  status.UNIMPLEMENTED,
  status.UNAUTHENTICATED,
]);

/** Whether a failed call is worth retrying (the Relay or the network is down, busy or restarting). */
export function isRetryable(code: number | undefined): boolean {
  return code === undefined || !FATAL_CODES.has(code);
}

/** The name of a gRPC status code (`UNAVAILABLE`), or its number. */
export function statusName(code: number | undefined): string {
  if (code === undefined) return 'no status';
  const entry = Object.entries(status).find(([, v]) => v === code);
  return entry ? entry[0] : String(code);
}

function channelCredentials(tls: RelayTls | undefined): ChannelCredentials {
  if (tls === undefined) return credentials.createInsecure();
  return credentials.createSsl(
    tls.ca ?? null,
    tls.key ?? null,
    tls.cert ?? null,
    tls.allowInsecure === true ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {},
  );
}

/** Keepalive pings, which find a connection that died without a word (a vanished node, a dropped NAT entry). */
export interface Keepalive {
  /** Ping after this long without traffic. */
  readonly intervalMs: number;
  /** A ping unanswered this long breaks the connection (and so the call, which is then retried). */
  readonly timeoutMs: number;
}

/**
 * Every 5 min 10 s, answered within 20 s: gRPC servers (Relay is one, in Go) reject clients that
 * ping more often than every 5 minutes unless configured otherwise.
 */
export const DEFAULT_KEEPALIVE: Keepalive = { intervalMs: 310_000, timeoutMs: 20_000 };

/**
 * One response as the call hands it over: what the JSON reader would make of it, except that a
 * `node_status` keeps its content (Relay's word on which nodes are missing from the stream).
 */
export type RelayResponse = DecodedLine | { readonly kind: 'node-status'; readonly status: NodeStatus };

/** An open GetFlows call and the client (channel) that carries it. */
export interface FlowsCall {
  readonly stream: ClientReadableStream<RelayResponse>;
  /** Cancels the call (if still running) and closes the channel. */
  close(): void;
}

/**
 * Starts a GetFlows call on a fresh channel. Each call gets its own channel and connection (a
 * local subchannel pool), so a reconnection attempt really dials again instead of waiting on a
 * shared connection's own backoff.
 *
 * @param received - its `bytes` grows by the size of every response message as it is decoded.
 */
export function openFlowsCall(
  address: string,
  tls: RelayTls | undefined,
  request: FlowsRequest,
  received: { bytes: number },
  keepalive: Keepalive = DEFAULT_KEEPALIVE,
): FlowsCall {
  const options: ChannelOptions = {
    'grpc.use_local_subchannel_pool': 1,
    'grpc.keepalive_time_ms': keepalive.intervalMs,
    'grpc.keepalive_timeout_ms': keepalive.timeoutMs,
  };
  if (tls?.serverName !== undefined) {
    options['grpc.ssl_target_name_override'] = tls.serverName;
    options['grpc.default_authority'] = tls.serverName;
  }
  const client = new Client(address, channelCredentials(tls), options);
  const bytes = Buffer.from(encodeFlowsRequest(request));
  const stream = client.makeServerStreamRequest<FlowsRequest, RelayResponse>(
    GET_FLOWS_METHOD,
    () => bytes,
    (message: Buffer): RelayResponse => {
      received.bytes += message.length;
      const d = decodeFlowsResponse(message);
      if (d.kind !== 'ignored' || d.what !== 'node_status') return d;
      const status = decodeNodeStatus(message);
      return status === undefined ? d : { kind: 'node-status', status };
    },
    request,
  );
  return {
    stream,
    close: () => {
      stream.cancel();
      client.close();
    },
  };
}
