/**
 * @module relay/test-support/relay-server — a real gRPC server on 127.0.0.1 that serves
 * `observer.Observer/GetFlows` the way Hubble Relay does, over a stored ring of flows: it decodes the
 * request with protobufjs (independently of tighten's encoder), applies `since`/`until`/`number` and
 * the whitelist's `source_pod`/`destination_pod` filters, sends the matching flows encoded by
 * protobufjs, and with `follow` keeps the stream open for flows added later. Tests script
 * restarts, lost events, errors and stream ends around it.
 */
import {
  Metadata,
  Server,
  ServerCredentials,
  status,
  type ServerWritableStream,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { parseTimestamp } from '../../flows/index.js';
import { decodeToObject, encodeJson, type Schema } from './protobuf.js';

/** A stored response: its protojson form (for the filters) and its bytes. */
export interface StoredResponse {
  readonly json: Record<string, unknown>;
  readonly bytes: Buffer;
}

/** The request as protobufjs decodes it (proto field names, longs as strings). */
export type DecodedRequest = Record<string, unknown>;

/** What a handler may do with one call besides the default behaviour. */
export interface CallControl {
  readonly request: DecodedRequest;
  /** Sends one response (already encoded). */
  write(bytes: Uint8Array): void;
  /** Ends the call with OK. */
  end(): void;
  /** Ends the call with an error status. */
  fail(code: number, details: string): void;
  /** Sends the response headers now (before any message). */
  sendMetadata(): void;
  /** Whether the client cancelled or the call has ended. */
  readonly closed: boolean;
}

export interface TestRelayOptions {
  readonly schema: Schema;
  /** Port to listen on; 0 picks a free one (use the previous port to "restart" the Relay). */
  readonly port?: number;
  /** TLS: server credentials; omitted: plain text. */
  readonly credentials?: ServerCredentials;
  /**
   * Takes over a call. Return true when handled; false to get the default (stored flows through the
   * request's filters, then end, or stay open with `follow`).
   */
  readonly onCall?: (call: CallControl, relay: TestRelay) => boolean;
}

const SERVICE: ServiceDefinition = {
  GetFlows: {
    path: '/observer.Observer/GetFlows',
    requestStream: false,
    responseStream: true,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
    originalName: 'getFlows',
  },
};

/** A fake Hubble Relay; see the module comment. */
export class TestRelay {
  readonly schema: Schema;
  /** Every request received, decoded, in order. */
  readonly requests: DecodedRequest[] = [];
  /** Calls currently open with `follow`. */
  private readonly followers = new Set<{ call: ServerWritableStream<Buffer, Buffer>; request: DecodedRequest }>();
  private readonly stored: StoredResponse[];
  private server: Server | undefined;
  port = 0;

  private constructor(schema: Schema, stored: StoredResponse[]) {
    this.schema = schema;
    this.stored = stored;
  }

  /** Starts a Relay holding `stored` (shared, not copied: a restarted Relay keeps its ring). */
  static async start(options: TestRelayOptions, stored: StoredResponse[] = []): Promise<TestRelay> {
    const relay = new TestRelay(options.schema, stored);
    await relay.listen(options);
    return relay;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Encodes a protojson `GetFlowsResponse` with this Relay's schema. */
  encode(json: Record<string, unknown>): StoredResponse {
    return { json, bytes: Buffer.from(encodeJson(this.schema.response, json)) };
  }

  /** Stores responses and sends those matching each open follower. */
  add(...responses: StoredResponse[]): void {
    for (const r of responses) {
      this.stored.push(r);
      for (const f of this.followers) if (matches(r.json, f.request)) f.call.write(r.bytes);
    }
  }

  /** The stored ring (for building expectations). */
  get ring(): readonly StoredResponse[] {
    return this.stored;
  }

  /** Stops at once: open calls are cut off, as when a Relay pod dies. */
  stop(): void {
    this.followers.clear();
    this.server?.forceShutdown();
    this.server = undefined;
  }

  /** Starts again on the same port with the same ring (a restarted Relay). */
  async restart(options: Omit<TestRelayOptions, 'schema' | 'port'> = {}): Promise<void> {
    this.stop();
    await this.listen({ schema: this.schema, port: this.port, ...options });
  }

  private async listen(options: TestRelayOptions): Promise<void> {
    const server = new Server();
    const impl: UntypedServiceImplementation = {
      GetFlows: (call: ServerWritableStream<Buffer, Buffer>) => this.handle(call, options),
    };
    server.addService(SERVICE, impl);
    this.port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${options.port ?? 0}`, options.credentials ?? ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      );
    });
    this.server = server;
  }

  private handle(call: ServerWritableStream<Buffer, Buffer>, options: TestRelayOptions): void {
    const request = decodeToObject(this.schema.request, call.request);
    this.requests.push(request);
    let closed = false;
    const entry = { call, request };
    call.on('cancelled', () => {
      closed = true;
      this.followers.delete(entry);
    });
    const control: CallControl = {
      request,
      write: (bytes) => {
        if (!closed) call.write(Buffer.from(bytes));
      },
      end: () => {
        closed = true;
        this.followers.delete(entry);
        call.end();
      },
      fail: (code, details) => {
        closed = true;
        this.followers.delete(entry);
        call.emit('error', { code, details, metadata: undefined });
      },
      sendMetadata: () => call.sendMetadata(new Metadata()),
      get closed() {
        return closed;
      },
    };
    if (options.onCall?.(control, this) === true) return;
    let list = this.stored.filter((r) => matches(r.json, request));
    const number = Number(request.number ?? 0);
    if (number > 0) list = request.first === true ? list.slice(0, number) : list.slice(-number);
    for (const r of list) call.write(r.bytes);
    if (request.follow === true) this.followers.add(entry);
    else control.end();
  }
}

/** Hubble's semantics for the parts of a request the fake Relay honours. */
export function matches(json: Record<string, unknown>, request: DecodedRequest): boolean {
  const flow = json.flow as Record<string, unknown> | undefined;
  if (flow === undefined) return true; // lost_events and node_status always pass
  const time = parseTimestamp(String(flow.time ?? json.time));
  const since = request.since as { seconds?: string; nanos?: number } | undefined;
  const until = request.until as { seconds?: string; nanos?: number } | undefined;
  if (time !== undefined && since !== undefined && compare(time.iso, since) < 0) return false;
  if (time !== undefined && until !== undefined && compare(time.iso, until) > 0) return false;
  const whitelist = (request.whitelist as Record<string, unknown>[] | undefined) ?? [];
  if (whitelist.length > 0 && !whitelist.some((f) => filterMatches(f, flow))) return false;
  const blacklist = (request.blacklist as Record<string, unknown>[] | undefined) ?? [];
  return !blacklist.some((f) => filterMatches(f, flow));
}

function filterMatches(filter: Record<string, unknown>, flow: Record<string, unknown>): boolean {
  const pod = (endpoint: unknown, patterns: unknown): boolean => {
    const list = patterns as string[] | undefined;
    if (list === undefined || list.length === 0) return true;
    const e = (endpoint ?? {}) as { namespace?: string; pod_name?: string };
    return list.some((p) => {
      const slash = p.indexOf('/');
      const ns = slash < 0 ? undefined : p.slice(0, slash);
      const prefix = slash < 0 ? p : p.slice(slash + 1);
      return (ns === undefined || ns === '' || e.namespace === ns) && (e.pod_name ?? '').startsWith(prefix);
    });
  };
  return pod(flow.source, filter.source_pod) && pod(flow.destination, filter.destination_pod);
}

/** Compares a normalised RFC 3339 time with a decoded Timestamp. */
function compare(iso: string, ts: { seconds?: string; nanos?: number }): number {
  const t = parseTimestamp(iso)!;
  const seconds = Math.floor(t.ms / 1000);
  const nanos = Number(iso.slice(20, 29));
  const s = Number(ts.seconds ?? 0);
  const n = ts.nanos ?? 0;
  return seconds !== s ? seconds - s : nanos - n;
}

export { status };
