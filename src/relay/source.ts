/**
 * @module relay/source — Hubble Relay as a {@link FlowSource}: `GetFlows` over gRPC, filtered on the
 * Relay's side, reconnecting with backoff, resuming where it broke off, and saying where the data has
 * holes.
 *
 * - **Filtering.** The chosen namespaces become the request's whitelist (see
 *   {@link namespaceFilters}), so the Relay sends only flows from or to them.
 * - **Dead connections.** Keepalive pings find a connection that died silently, so a followed stream
 *   cannot hang forever; the broken call is then retried like any other.
 * - **Reconnecting.** A call that fails with a status that retrying can help (`UNAVAILABLE`, a reset
 *   connection, a Relay restart …) — or a followed stream that the server ends — is retried after an
 *   exponential, jittered delay ({@link backoffDelay}); the count starts again once a response
 *   arrives. `UNAUTHENTICATED`, `PERMISSION_DENIED`, `INVALID_ARGUMENT` and the like fail at once.
 * - **Resuming.** The next call asks for `since` = the time of the last flow seen (the original
 *   `since` before any flow), so nothing already stored is fetched twice but the flows of that very
 *   instant; those, and any other flow among the last `dedupCapacity` delivered before the break, are
 *   dropped by their `uuid` ({@link RecentIds}). Flows without a uuid (Cilium before 1.11) cannot be
 *   told apart and are passed on.
 * - **Gaps.** Every `lost_events` record (Hubble or Cilium could not deliver events), every node
 *   Relay reports unavailable (`node_status`: its flows are not in the stream), and every
 *   reconnection window (from the break to the first response of the new stream: flows of that
 *   window may have been overwritten in Hubble's ring buffer) is a {@link RelayGap}, reported
 *   through `onGap` as it happens and listed in the final {@link RelayStats}. Nothing is papered over.
 *
 * Time, randomness and waiting are injectable, so the tests drive reconnections deterministically.
 */
import { formatTimestamp, parseTimestamp, type DecodeIssue, type DecodeWarning, type FlowSink, type FlowSource, type LostEvents, type SourcePosition } from '../flows/index.js';
import { InputError, assertNever } from '../shared/errors.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { isRetryable, openFlowsCall, statusName, type FlowsCall, type Keepalive, type RelayResponse, type RelayTls } from './client.js';
import { namespaceFilters, timestampFromFlowTime, type FlowsRequest, type ProtoTimestamp } from './encode-request.js';
import { RecentIds } from './recent-ids.js';

/** Where the data has a hole. Times are RFC 3339 (UTC). */
export type RelayGap =
  | {
      /** Hubble or Cilium reported events it could not deliver (a `lost_events` response). */
      readonly kind: 'lost-events';
      /** `PERF_EVENT_RING_BUFFER`, `OBSERVER_EVENTS_QUEUE` or `HUBBLE_RING_BUFFER`; undefined when not said. */
      readonly source: string | undefined;
      readonly count: number;
      readonly nodeName: string | undefined;
      /** When the record was sent. */
      readonly time: string | undefined;
      /** First and last lost event, where Hubble says. */
      readonly first: string | undefined;
      readonly last: string | undefined;
    }
  | {
      /** Relay could not reach these nodes (`NODE_UNAVAILABLE`, `NODE_ERROR`): their flows are not in the stream. */
      readonly kind: 'nodes-unavailable';
      readonly state: string;
      readonly nodeNames: readonly string[];
      /** Relay's explanation, e.g. a connection error. */
      readonly message: string | undefined;
      /** When Relay said so. */
      readonly time: string | undefined;
    }
  | {
      /** The stream broke and was re-established: flows in between may be missing. */
      readonly kind: 'reconnect';
      /** Wall-clock time of the break. */
      readonly from: string;
      /**
       * Wall-clock time the new stream delivered its first response (or ended cleanly). A Relay that
       * accepts calls but sends nothing keeps the window open: it errs on the side of a longer gap.
       */
      readonly to: string;
      /** The `since` the new stream asked for: the time of the last flow seen before the break. */
      readonly resumedFrom: string | undefined;
      /** Calls made to get back (1 when the first retry worked). */
      readonly attempts: number;
      /** Why the stream broke, e.g. `UNAVAILABLE: Connection dropped`. */
      readonly reason: string;
    };

/** What a Relay read saw: the file reader's statistics plus reconnections and gaps. */
export interface RelayStats {
  /** `[name]`: the source's description stands for the file names. */
  readonly files: readonly string[];
  /** GetFlows responses received, duplicates included (the "lines" of this source). */
  readonly linesRead: number;
  /** Flows delivered to the sink (duplicates not counted). */
  readonly flows: number;
  /** Responses that did not decode (malformed bytes, a flow without a usable time). */
  readonly skipped: number;
  /** `node_status` responses (the unavailable nodes among them are gaps as well). */
  readonly ignored: number;
  readonly lostEventRecords: number;
  readonly lostEvents: number;
  /** Bytes of the response messages received (protobuf, without gRPC framing). */
  readonly bytesRead: number;
  /** The same as {@link bytesRead}: there is no compression layer of tighten's own. */
  readonly bytesDecoded: number;
  /** The first few undecodable responses; `line` is the response's number. */
  readonly errors: readonly DecodeIssue[];
  /** Always empty: a Relay read has nothing to warn about that is not a gap or an error. */
  readonly warnings: readonly DecodeWarning[];
  /** Flows dropped because their uuid had been delivered already (resumed streams). */
  readonly duplicates: number;
  /** Streams re-established after a break. */
  readonly reconnects: number;
  /** Every gap, in order (up to `maxReportedGaps`; all are counted in the fields above). */
  readonly gaps: readonly RelayGap[];
}

/** A {@link FlowSource} whose `run` resolves with {@link RelayStats}. */
export interface RelayFlowSource extends FlowSource {
  run(sink: FlowSink, signal?: AbortSignal): Promise<RelayStats>;
}

/** Options of {@link relayFlowSource}. */
export interface RelaySourceOptions {
  /** The Relay (or a Hubble agent) as `HOST:PORT`, `[IPv6]:PORT`. */
  readonly address: string;
  /** TLS settings; omitted: plain text (Relay's default on 4245 inside the cluster). */
  readonly tls?: RelayTls;
  /**
   * Keep streaming new flows; `run` then ends only by `signal`, a fatal error, or — with `until` —
   * when the Relay ends the stream. @default false
   */
  readonly follow?: boolean;
  /** Flows observed at or after this RFC 3339 time. Omitted with `follow`: from now on. */
  readonly since?: string;
  /** Flows observed at or before this RFC 3339 time. */
  readonly until?: string;
  /** Without since/until: only the last `number` flows (Hubble's `--last`). */
  readonly number?: number;
  /** Only flows from or to these namespaces; empty or omitted: every flow. */
  readonly namespaces?: readonly string[];
  readonly backoff?: BackoffOptions;
  /** Keepalive pings on the connection. @default every 5 min 10 s, 20 s to answer (`DEFAULT_KEEPALIVE`) */
  readonly keepalive?: Keepalive;
  /**
   * Consecutive failed calls (without a single response) before giving up with an {@link InputError}.
   * @default Infinity with `follow`, 5 without
   */
  readonly maxAttempts?: number;
  /** How many of the latest flow uuids are remembered to drop what a resumed stream repeats. @default 65536 */
  readonly dedupCapacity?: number;
  /** How many skipped responses are listed in `errors` (all are counted). @default 5 */
  readonly maxReportedErrors?: number;
  /** How many gaps are kept in {@link RelayStats.gaps} (all are reported through `onGap`). @default 1000 */
  readonly maxReportedGaps?: number;
  /** Told of every gap as it happens. */
  readonly onGap?: (gap: RelayGap) => void;
  /** Told of every failed call before the wait for the next one (for a warning on stderr). */
  readonly onRetry?: (retry: { readonly attempt: number; readonly delayMs: number; readonly reason: string }) => void;
  /** Wall clock in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Random numbers in [0, 1) for the jitter. @default Math.random */
  readonly random?: () => number;
  /** Waits `ms`, rejecting with `signal.reason` when aborted. @default a timer */
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

const DEFAULT_DEDUP = 65_536;

/** The display name of a Relay source: `relay HOST:PORT`. */
export function relaySourceName(address: string): string {
  return `relay ${address}`;
}

/**
 * Hubble Relay (or one agent's Hubble server) as a flow source. See the module comment for
 * filtering, reconnection, resumption and gaps.
 *
 * `run` resolves with the statistics when a stream without `follow` ends; it rejects with
 * `signal.reason` when aborted, and with an {@link InputError} naming the address when the Relay
 * refuses the request or cannot be reached `maxAttempts` times in a row.
 */
export function relayFlowSource(options: RelaySourceOptions): RelayFlowSource {
  const name = relaySourceName(options.address);
  return { name, run: (sink, signal) => runRelay(options, name, sink, signal) };
}

type CallOutcome =
  | { readonly kind: 'ended' }
  | { readonly kind: 'failed'; readonly code: number | undefined; readonly reason: string };

async function runRelay(o: RelaySourceOptions, name: string, sink: FlowSink, signal: AbortSignal | undefined): Promise<RelayStats> {
  signal?.throwIfAborted();
  const now = o.now ?? Date.now;
  const random = o.random ?? Math.random;
  const sleep = o.sleep ?? abortableSleep;
  const follow = o.follow === true;
  const maxAttempts = o.maxAttempts ?? (follow ? Infinity : 5);
  const maxErrors = o.maxReportedErrors ?? 5;
  const maxGaps = o.maxReportedGaps ?? 1000;
  const recent = new RecentIds(o.dedupCapacity ?? DEFAULT_DEDUP);
  const whitelist = namespaceFilters(o.namespaces ?? []);
  const since = o.since === undefined ? undefined : parseTime('since', o.since);
  const sinceIso = o.since === undefined ? undefined : parseTimestamp(o.since)?.iso;
  const until = o.until === undefined ? undefined : parseTime('until', o.until);

  const c = { linesRead: 0, flows: 0, skipped: 0, ignored: 0, lostEventRecords: 0, lostEvents: 0, duplicates: 0, reconnects: 0 };
  const received = { bytes: 0 };
  const errors: DecodeIssue[] = [];
  const gaps: RelayGap[] = [];
  const gap = (g: RelayGap): void => {
    if (gaps.length < maxGaps) gaps.push(g);
    o.onGap?.(g);
  };

  let lastFlow: { readonly iso: string; readonly ms: number } | undefined;
  /** Set while the stream is broken: when and why, and how many calls have been made since. */
  let outage: { from: number; reason: string; attempts: number; resumedFrom: string | undefined } | undefined;
  let failures = 0;

  const onResponse = (d: RelayResponse): void => {
    // Only a response proves the Relay works: one that takes calls and breaks them before sending
    // anything still counts towards maxAttempts.
    failures = 0;
    c.linesRead++;
    const at: SourcePosition = { file: name, line: c.linesRead };
    switch (d.kind) {
      case 'flow': {
        const uuid = d.flow.uuid;
        if (uuid !== undefined && recent.isRepeat(uuid)) {
          c.duplicates++;
          return;
        }
        c.flows++;
        if (lastFlow === undefined || d.flow.timeMs > lastFlow.ms || (d.flow.timeMs === lastFlow.ms && d.flow.time > lastFlow.iso)) {
          lastFlow = { iso: d.flow.time, ms: d.flow.timeMs };
        }
        sink.flow(d.flow, at);
        return;
      }
      case 'lost':
        c.lostEventRecords++;
        c.lostEvents += d.lost.numEventsLost;
        sink.lost?.(d.lost, at);
        gap(lostGap(d.lost));
        return;
      case 'ignored':
        c.ignored++;
        return;
      case 'node-status': {
        c.ignored++;
        const { state, nodeNames, message, time } = d.status;
        if (state === 'NODE_UNAVAILABLE' || state === 'NODE_ERROR') gap({ kind: 'nodes-unavailable', state, nodeNames, message, time });
        return;
      }
      case 'error':
        c.skipped++;
        if (errors.length < maxErrors) errors.push({ file: name, line: c.linesRead, message: d.message });
        return;
    }
  };

  const established = (): void => {
    if (outage === undefined) return;
    c.reconnects++;
    gap({
      kind: 'reconnect',
      from: iso(outage.from),
      to: iso(now()),
      resumedFrom: outage.resumedFrom,
      attempts: outage.attempts,
      reason: outage.reason,
    });
    outage = undefined;
  };

  for (;;) {
    signal?.throwIfAborted();
    const resumeAt = lastFlow === undefined ? since : timestampFromFlowTime(lastFlow.iso, lastFlow.ms);
    const request: FlowsRequest = {
      // `number` picks the last N of the stored flows; once flows have been seen, `since` takes over.
      ...(lastFlow === undefined && since === undefined && until === undefined && o.number !== undefined ? { number: o.number } : {}),
      follow,
      whitelist,
      ...(resumeAt !== undefined ? { since: resumeAt } : {}),
      ...(until !== undefined ? { until } : {}),
    };
    if (outage !== undefined) outage.attempts++;
    const outcome = await callOnce(o, request, received, onResponse, established, signal);
    if (outcome.kind === 'ended') {
      established();
      // Without follow the stream ends when the stored flows are sent; with `until`, when it is passed.
      if (!follow || until !== undefined) {
        return {
          files: [name],
          ...c,
          bytesRead: received.bytes,
          bytesDecoded: received.bytes,
          errors,
          warnings: [],
          gaps,
        };
      }
    }
    // A failed call, or a followed stream the server ended: reconnect.
    const reason = outcome.kind === 'failed' ? outcome.reason : 'the server ended the followed stream';
    if (outcome.kind === 'failed' && !isRetryable(outcome.code)) {
      throw new InputError(`${name}: ${reason}${hint(outcome.code)}`, { file: name });
    }
    failures++;
    if (failures >= maxAttempts) {
      throw new InputError(
        `${name}: gave up after ${failures} failed attempt${failures === 1 ? '' : 's'} in a row: ${reason}; ${
          /certificate|ssl|tls|altname/i.test(reason)
            ? 'check the TLS flags (--tls-ca-cert-files, --tls-server-name, --tls-client-cert-file, --tls-client-key-file)'
            : 'is the Relay running and reachable (e.g. `cilium hubble port-forward`)?'
        }`,
        { file: name },
      );
    }
    if (outage === undefined) {
      outage = { from: now(), reason, attempts: 0, resumedFrom: lastFlow?.iso ?? sinceIso };
      recent.resume(); // flows seen so far may come again
    }
    const delayMs = backoffDelay(failures, o.backoff ?? {}, random);
    o.onRetry?.({ attempt: failures, delayMs, reason });
    await sleep(delayMs, signal);
  }
}

/** Runs one call to its end, feeding responses to `onResponse`; resolves how it ended. */
function callOnce(
  o: RelaySourceOptions,
  request: FlowsRequest,
  received: { bytes: number },
  onResponse: (d: RelayResponse) => void,
  established: () => void,
  signal: AbortSignal | undefined,
): Promise<CallOutcome> {
  return new Promise<CallOutcome>((resolve, reject) => {
    let call: FlowsCall;
    try {
      call = openFlowsCall(o.address, o.tls, request, received, o.keepalive);
    } catch (e) {
      reject(new InputError(`${relaySourceName(o.address)}: cannot connect: ${e instanceof Error ? e.message : String(e)}`, { file: relaySourceName(o.address) }, { cause: e }));
      return;
    }
    let settled = false;
    let first = true;
    const finish = (outcome: CallOutcome | { kind: 'threw'; error: unknown }): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      call.close();
      if (outcome.kind === 'threw') reject(outcome.error);
      else resolve(outcome);
    };
    const onAbort = (): void => finish({ kind: 'threw', error: signal?.reason });
    signal?.addEventListener('abort', onAbort, { once: true });

    call.stream.on('data', (d: RelayResponse) => {
      if (settled) return;
      if (first) {
        first = false;
        established();
      }
      try {
        onResponse(d);
      } catch (e) {
        finish({ kind: 'threw', error: e }); // a sink that throws stops the read, unchanged
      }
    });
    // grpc-js pushes every message, then the end of the stream, then emits 'error' (unless OK) and
    // 'status' synchronously; 'end' follows on the next tick, once every message has been handed out.
    let outcome: CallOutcome | undefined;
    call.stream.on('error', (e: Error & { code?: number; details?: string }) => {
      outcome ??= { kind: 'failed', code: e.code, reason: `${statusName(e.code)}: ${e.details || e.message}` };
    });
    call.stream.on('status', (s: { code: number }) => {
      if (s.code === 0) outcome ??= { kind: 'ended' };
    });
    call.stream.on('end', () => {
      finish(outcome ?? { kind: 'failed', code: undefined, reason: 'the stream ended without a status' });
    });
  });
}

/**
 * One line for a gap, for a warning on stderr: what is missing, where and when.
 * e.g. `lost 1,234 events (HUBBLE_RING_BUFFER) on prod/node-a between 2026-11-02T09:59:00.000000000Z and …`.
 */
export function describeGap(gap: RelayGap): string {
  switch (gap.kind) {
    case 'lost-events': {
      const what = `lost ${gap.count.toLocaleString('en-US')} event${gap.count === 1 ? '' : 's'}${gap.source ? ` (${gap.source})` : ''}`;
      const where = gap.nodeName ? ` on ${gap.nodeName}` : '';
      const when = gap.first && gap.last ? ` between ${gap.first} and ${gap.last}` : gap.time ? ` at ${gap.time}` : '';
      return `${what}${where}${when}: Hubble could not deliver them, so the data has a hole there`;
    }
    case 'nodes-unavailable':
      return (
        `${gap.nodeNames.length > 0 ? gap.nodeNames.join(', ') : 'some nodes'} ${gap.state === 'NODE_ERROR' ? 'failed' : 'unavailable'}` +
        `${gap.message ? ` (${gap.message})` : ''}${gap.time ? ` at ${gap.time}` : ''}: Relay sends none of their flows`
      );
    case 'reconnect':
      return (
        `stream broken from ${gap.from} to ${gap.to} (${gap.reason}); reconnected after ${gap.attempts} attempt${gap.attempts === 1 ? '' : 's'}` +
        (gap.resumedFrom ? ` and resumed at ${gap.resumedFrom}` : '') +
        ': flows Hubble dropped from its buffer meanwhile are missing'
      );
    default:
      return assertNever(gap);
  }
}

function lostGap(l: LostEvents): RelayGap {
  return { kind: 'lost-events', source: l.source, count: l.numEventsLost, nodeName: l.nodeName, time: l.time, first: l.first, last: l.last };
}

function hint(code: number | undefined): string {
  switch (code) {
    case 16: // UNAUTHENTICATED
    case 7: // PERMISSION_DENIED
      return '; check --tls-client-cert-file and --tls-client-key-file';
    case 12: // UNIMPLEMENTED
      return '; is this address a Hubble Relay or Hubble server (port 4245 for Relay)?';
    default:
      return '';
  }
}

function parseTime(option: string, text: string): ProtoTimestamp {
  const t = parseTimestamp(text);
  if (t === undefined) throw new InputError(`${option} ${JSON.stringify(text)} is not an RFC 3339 time (e.g. 2026-11-02T00:00:00Z)`);
  return timestampFromFlowTime(t.iso, t.ms);
}

/** Epoch milliseconds as RFC 3339 with nine fractional digits, as tighten prints times. */
function iso(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return formatTimestamp(seconds, Math.round((ms - seconds * 1000) * 1e6)) ?? new Date(ms).toISOString();
}

function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
