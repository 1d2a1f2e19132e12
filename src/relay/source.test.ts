/**
 * The Relay source against a real gRPC server on 127.0.0.1 that serves `observer.Observer/GetFlows`
 * as Hubble Relay does (test-support/relay-server.ts): filters, since/until, follow, stream ends,
 * restarts with resumption and deduplication, lost events and reconnection windows as gaps, fatal
 * statuses, giving up, and aborting.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeHubbleValue, formatTimestamp, type Flow, type FlowSink, type LostEvents, type SourcePosition } from '../flows/index.js';
import { InputError } from '../shared/errors.js';
import { describeGap, relayFlowSource, type RelayGap, type RelaySourceOptions } from './source.js';
import { loadOwnSchema } from './test-support/protobuf.js';
import { TestRelay, status } from './test-support/relay-server.js';

const schema = loadOwnSchema();
const T0 = Date.parse('2026-11-02T10:00:00Z');
const FAST = { backoff: { initialMs: 5, maxMs: 40, jitter: 0 }, maxAttempts: 40 } as const;

const relays: TestRelay[] = [];
afterEach(() => {
  for (const r of relays.splice(0)) r.stop();
});

async function startRelay(stored: Record<string, unknown>[] = [], onCall?: Parameters<typeof TestRelay.start>[0]['onCall']): Promise<TestRelay> {
  const relay = await TestRelay.start({ schema, ...(onCall ? { onCall } : {}) });
  for (const json of stored) relay.add(relay.encode(json));
  relays.push(relay);
  return relay;
}

function iso(ms: number, nanos = 0): string {
  const s = Math.floor(ms / 1000);
  return formatTimestamp(s, (ms - s * 1000) * 1e6 + nanos)!;
}

/** A flow from `src` to `dst` namespace at `ms` (plus `nanos`), with uuid `u-<i>`. */
function flowJson(i: number, src: string, dst: string, ms: number, nanos = 0): Record<string, unknown> {
  const time = iso(ms, nanos);
  return {
    flow: {
      time,
      uuid: `u-${i}`,
      verdict: 'FORWARDED',
      IP: { source: `10.0.0.${i % 250}`, destination: '10.0.1.1', ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 40000 + i, destination_port: 8080, flags: { SYN: true } } },
      source: { identity: 1000 + i, namespace: src, pod_name: `client-${i}`, labels: [`k8s:io.kubernetes.pod.namespace=${src}`] },
      destination: { identity: 2000, namespace: dst, pod_name: 'server-0', labels: [`k8s:io.kubernetes.pod.namespace=${dst}`] },
      Type: 'L3_L4',
      traffic_direction: 'EGRESS',
      is_reply: false,
    },
    node_name: 'prod/node-a',
    time,
  };
}

function decoded(json: Record<string, unknown>): Flow {
  const d = decodeHubbleValue(json);
  if (d.kind !== 'flow') throw new Error(`not a flow: ${d.kind}`);
  return d.flow;
}

interface Collected {
  readonly sink: FlowSink;
  readonly flows: Flow[];
  readonly positions: SourcePosition[];
  readonly lost: LostEvents[];
}

function collect(onFlow?: (flows: Flow[]) => void): Collected {
  const flows: Flow[] = [];
  const positions: SourcePosition[] = [];
  const lost: LostEvents[] = [];
  return {
    flows,
    positions,
    lost,
    sink: {
      flow: (f, at) => {
        flows.push(f);
        positions.push(at);
        onFlow?.(flows);
      },
      lost: (l) => lost.push(l),
    },
  };
}

function options(relay: TestRelay, extra: Partial<RelaySourceOptions> = {}): RelaySourceOptions {
  return { address: relay.address, ...FAST, ...extra };
}

describe('requests and what comes back', () => {
  it('sends the namespace whitelist, since and until; the Relay filters; run resolves when the stream ends', async () => {
    const ring = Array.from({ length: 30 }, (_, i) =>
      flowJson(i, i % 3 === 2 ? 'other' : 'shop', i % 3 === 0 ? 'shop' : i % 3 === 1 ? 'kube-system' : 'other', T0 + i * 1000),
    );
    const relay = await startRelay(ring);
    const got = collect();
    const stats = await relayFlowSource(
      options(relay, { namespaces: ['shop', 'kube-system', 'shop'], since: iso(T0 + 5000, 250), until: iso(T0 + 20_000) }),
    ).run(got.sink);

    expect(relay.requests).toEqual([
      {
        whitelist: [{ source_pod: ['kube-system/', 'shop/'] }, { destination_pod: ['kube-system/', 'shop/'] }],
        since: { seconds: String((T0 + 5000) / 1000), nanos: 250 },
        until: { seconds: String((T0 + 20_000) / 1000) },
      },
    ]);
    const expected = ring.filter((_, i) => i >= 6 && i <= 20 && i % 3 !== 2).map(decoded);
    expect(got.flows).toEqual(expected);
    expect(got.positions[0]).toEqual({ file: `relay ${relay.address}`, line: 1 });
    expect(stats).toMatchObject({
      files: [`relay ${relay.address}`],
      linesRead: expected.length,
      flows: expected.length,
      skipped: 0,
      duplicates: 0,
      reconnects: 0,
      gaps: [],
    });
    const bytes = relay.ring.filter((_, i) => i >= 6 && i <= 20 && i % 3 !== 2).reduce((n, r) => n + r.bytes.length, 0);
    expect(stats.bytesRead).toBe(bytes);
    expect(stats.bytesDecoded).toBe(bytes);
  });

  it('without namespaces sends no filter; `number` asks for the last N flows', async () => {
    const ring = Array.from({ length: 10 }, (_, i) => flowJson(i, 'a', 'b', T0 + i));
    const relay = await startRelay(ring);
    const got = collect();
    await relayFlowSource(options(relay, { number: 3 })).run(got.sink);
    expect(relay.requests).toEqual([{ number: '3' }]);
    expect(got.flows.map((f) => f.uuid)).toEqual(['u-7', 'u-8', 'u-9']);
  });

  it('follow: the stored flows, then new ones as the Relay sees them, until aborted', async () => {
    const relay = await startRelay(Array.from({ length: 5 }, (_, i) => flowJson(i, 'shop', 'shop', T0 + i * 10)));
    const controller = new AbortController();
    const got = collect((flows) => {
      if (flows.length === 5) setImmediate(() => relay.add(...[5, 6, 7].map((i) => relay.encode(flowJson(i, 'shop', 'shop', T0 + i * 10)))));
      if (flows.length === 8) controller.abort(new Error('enough'));
    });
    await expect(relayFlowSource(options(relay, { follow: true, namespaces: ['shop'] })).run(got.sink, controller.signal)).rejects.toThrow('enough');
    expect(relay.requests).toHaveLength(1);
    expect(relay.requests[0]).toMatchObject({ follow: true });
    expect(got.flows.map((f) => f.uuid)).toEqual(['u-0', 'u-1', 'u-2', 'u-3', 'u-4', 'u-5', 'u-6', 'u-7']);
  });

  it('follow with until: the stream the Relay ends at `until` ends the read', async () => {
    const relay = await startRelay([], (call, r) => {
      call.write(r.encode(flowJson(1, 'a', 'b', T0)).bytes);
      call.end();
      return true;
    });
    const stats = await relayFlowSource(options(relay, { follow: true, until: iso(T0 + 60_000) })).run(collect().sink);
    expect(stats).toMatchObject({ flows: 1, reconnects: 0 });
    expect(relay.requests).toEqual([{ follow: true, until: { seconds: String((T0 + 60_000) / 1000) } }]);
  });

  it('an already aborted signal rejects before any call', async () => {
    const relay = await startRelay();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(relayFlowSource(options(relay)).run(collect().sink, controller.signal)).rejects.toThrow('stop');
    expect(relay.requests).toHaveLength(0);
  });

  it('counts node_status as ignored and undecodable responses as skipped, naming the response', async () => {
    const relay = await startRelay([], (call) => {
      call.write(Buffer.from([0x0a, 0x05, 0x01])); // a flow whose length runs past the end
      call.write(relay.encode({ node_status: { state_change: 'NODE_CONNECTED', node_names: ['n1'] } }).bytes);
      call.write(relay.encode(flowJson(1, 'a', 'b', T0)).bytes);
      call.write(relay.encode({ flow: { verdict: 'FORWARDED' } }).bytes); // no time anywhere
      call.end();
      return true;
    });
    const got = collect();
    const stats = await relayFlowSource(options(relay)).run(got.sink);
    expect(stats).toMatchObject({ linesRead: 4, flows: 1, ignored: 1, skipped: 2 });
    expect(stats.errors).toEqual([
      { file: `relay ${relay.address}`, line: 1, message: expect.stringContaining('not a GetFlowsResponse') },
      { file: `relay ${relay.address}`, line: 4, message: expect.stringContaining('no `time`') },
    ]);
    expect(got.positions).toEqual([{ file: `relay ${relay.address}`, line: 3 }]);
  });

  it('a sink that throws stops the read with its error', async () => {
    const relay = await startRelay([flowJson(1, 'a', 'b', T0), flowJson(2, 'a', 'b', T0 + 1)]);
    const boom = new Error('sink full');
    const sink: FlowSink = {
      flow: () => {
        throw boom;
      },
    };
    await expect(relayFlowSource(options(relay)).run(sink)).rejects.toBe(boom);
  });
});

describe('gaps', () => {
  it('lost_events responses are gaps: reported as they come, counted, and passed to the sink', async () => {
    const lostJson = {
      lost_events: { source: 'HUBBLE_RING_BUFFER', num_events_lost: '1234', cpu: 0, first: '2026-11-02T09:59:00Z', last: '2026-11-02T09:59:59.5Z' },
      node_name: 'prod/node-a',
      time: '2026-11-02T10:00:01Z',
    };
    const relay = await startRelay([flowJson(1, 'a', 'b', T0), lostJson, { lost_events: { source: 'PERF_EVENT_RING_BUFFER', num_events_lost: '7', cpu: 3 } }, flowJson(2, 'a', 'b', T0 + 5)]);
    const gaps: RelayGap[] = [];
    const got = collect();
    const stats = await relayFlowSource(options(relay, { onGap: (g) => gaps.push(g) })).run(got.sink);
    const first: RelayGap = {
      kind: 'lost-events',
      source: 'HUBBLE_RING_BUFFER',
      count: 1234,
      nodeName: 'prod/node-a',
      time: '2026-11-02T10:00:01.000000000Z',
      first: '2026-11-02T09:59:00.000000000Z',
      last: '2026-11-02T09:59:59.500000000Z',
    };
    expect(gaps).toEqual([first, { kind: 'lost-events', source: 'PERF_EVENT_RING_BUFFER', count: 7, nodeName: undefined, time: undefined, first: undefined, last: undefined }]);
    expect(stats.gaps).toEqual(gaps);
    expect(stats).toMatchObject({ flows: 2, lostEventRecords: 2, lostEvents: 1241 });
    expect(got.lost).toHaveLength(2);
    expect(got.lost[0]).toMatchObject({ numEventsLost: 1234, cpu: 0 });
    expect(gaps.map(describeGap)).toEqual([
      'lost 1,234 events (HUBBLE_RING_BUFFER) on prod/node-a between 2026-11-02T09:59:00.000000000Z and 2026-11-02T09:59:59.500000000Z: Hubble could not deliver them, so the data has a hole there',
      'lost 7 events (PERF_EVENT_RING_BUFFER): Hubble could not deliver them, so the data has a hole there',
    ]);
  });

  it('nodes Relay reports unavailable are gaps; connected nodes are not', async () => {
    const relay = await startRelay([
      { node_status: { state_change: 'NODE_CONNECTED', node_names: ['prod/node-a'] }, time: '2026-11-02T10:00:00Z' },
      { node_status: { state_change: 'NODE_UNAVAILABLE', node_names: ['prod/node-b', 'prod/node-c'], message: 'connection refused' }, time: '2026-11-02T10:00:00.5Z' },
      flowJson(1, 'a', 'b', T0),
      { node_status: { state_change: 'NODE_ERROR', node_names: ['prod/node-d'] } },
    ]);
    const gaps: RelayGap[] = [];
    const stats = await relayFlowSource(options(relay, { onGap: (g) => gaps.push(g) })).run(collect().sink);
    expect(gaps).toEqual([
      { kind: 'nodes-unavailable', state: 'NODE_UNAVAILABLE', nodeNames: ['prod/node-b', 'prod/node-c'], message: 'connection refused', time: '2026-11-02T10:00:00.500000000Z' },
      { kind: 'nodes-unavailable', state: 'NODE_ERROR', nodeNames: ['prod/node-d'], message: undefined, time: undefined },
    ]);
    expect(stats).toMatchObject({ flows: 1, ignored: 3 });
    expect(gaps.map(describeGap)).toEqual([
      'prod/node-b, prod/node-c unavailable (connection refused) at 2026-11-02T10:00:00.500000000Z: Relay sends none of their flows',
      'prod/node-d failed: Relay sends none of their flows',
    ]);
  });

  it.each([false, true])('a Relay restart mid-stream (follow %s): reconnects, resumes at the last flow, drops repeats, reports the window', async (follow) => {
    // Flows 9 and 10 share an instant: the resumed stream must send 10, and sends 9 again.
    const ring = Array.from({ length: 20 }, (_, i) => flowJson(i, 'shop', 'web', T0 + (i === 10 ? 9 : i) * 1000, 123));
    let restarted: Promise<void> | undefined;
    const relay = await startRelay(ring, (call, r) => {
      if (r.requests.length > 1) return false;
      for (const s of r.ring.slice(0, 10)) call.write(s.bytes); // and the call stays open
      return true;
    });
    let wall = Date.parse('2026-11-02T12:00:00Z');
    const gaps: RelayGap[] = [];
    const retries: number[] = [];
    const controller = new AbortController();
    const got = collect((flows) => {
      // The Relay dies once the client has the first 10 flows (the 10th, u-9, is the resume point).
      if (flows.length === 10 && restarted === undefined) restarted = relay.restart();
      if (follow && flows.length === 20) controller.abort(new Error('done'));
    });
    const source = relayFlowSource(
      options(relay, {
        follow,
        namespaces: ['shop'],
        now: () => (wall += 1000),
        onGap: (g) => gaps.push(g),
        onRetry: (r) => retries.push(r.attempt),
      }),
    );
    const run = source.run(got.sink, controller.signal);
    if (follow) await expect(run).rejects.toThrow('done');
    else await expect(run).resolves.toMatchObject({ flows: 20, duplicates: 1, reconnects: 1 });
    await restarted;

    expect(got.flows.map((f) => f.uuid)).toEqual(ring.map((_, i) => `u-${i}`));
    expect(new Set(got.flows.map((f) => f.uuid)).size).toBe(20);
    expect(relay.requests.length).toBeGreaterThanOrEqual(2);
    // Every retry resumes at the last flow seen before the break, to the nanosecond.
    for (const r of relay.requests.slice(1)) expect(r.since).toEqual({ seconds: String((T0 + 9000) / 1000), nanos: 123 });
    expect(relay.requests.at(-1)).toMatchObject({ whitelist: [{ source_pod: ['shop/'] }, { destination_pod: ['shop/'] }] });
    expect(retries[0]).toBe(1);
    expect(gaps).toHaveLength(1);
    const gap = gaps[0]!;
    expect(gap).toMatchObject({ kind: 'reconnect', resumedFrom: iso(T0 + 9000, 123), attempts: relay.requests.length - 1 });
    if (gap.kind !== 'reconnect') throw new Error('unreachable');
    expect(gap.from < gap.to).toBe(true);
    expect(gap.from).toMatch(/^2026-11-02T12:00:\d\d\.000000000Z$/);
    expect(gap.reason).toMatch(/^[A-Z_]+: /);
    expect(describeGap(gap)).toBe(
      `stream broken from ${gap.from} to ${gap.to} (${gap.reason}); reconnected after ${gap.attempts} attempt${gap.attempts === 1 ? '' : 's'} and resumed at ${iso(T0 + 9000, 123)}: flows Hubble dropped from its buffer meanwhile are missing`,
    );
  });

  it('a Relay that ignores `since` and sends everything again: every repeat is dropped', async () => {
    const ring = Array.from({ length: 8 }, (_, i) => flowJson(i, 'a', 'b', T0 + i * 1000));
    const relay = await startRelay(ring, (call, r) => {
      const first = r.requests.length === 1;
      for (const s of r.ring.slice(0, first ? 5 : 8)) call.write(s.bytes);
      if (first) setTimeout(() => call.fail(status.UNAVAILABLE, 'node went away'), 20);
      else call.end();
      return true;
    });
    const got = collect();
    const stats = await relayFlowSource(options(relay)).run(got.sink);
    expect(got.flows.map((f) => f.uuid)).toEqual(ring.map((_, i) => `u-${i}`));
    expect(stats).toMatchObject({ flows: 8, duplicates: 5, reconnects: 1, linesRead: 13 });
    expect(stats.gaps).toMatchObject([{ kind: 'reconnect', reason: 'UNAVAILABLE: node went away', attempts: 1 }]);
  });

  it('a followed stream that the server ends is resumed like a broken one', async () => {
    const ring = Array.from({ length: 6 }, (_, i) => flowJson(i, 'a', 'b', T0 + i * 1000));
    const relay = await startRelay(ring, (call, r) => {
      if (r.requests.length > 1) return false;
      for (const s of r.ring.slice(0, 3)) call.write(s.bytes);
      call.end();
      return true;
    });
    const controller = new AbortController();
    const gaps: RelayGap[] = [];
    const got = collect((flows) => {
      if (flows.length === 6) controller.abort(new Error('done'));
    });
    await expect(relayFlowSource(options(relay, { follow: true, onGap: (g) => gaps.push(g) })).run(got.sink, controller.signal)).rejects.toThrow('done');
    expect(got.flows.map((f) => f.uuid)).toEqual(['u-0', 'u-1', 'u-2', 'u-3', 'u-4', 'u-5']);
    expect(relay.requests[1]).toMatchObject({ follow: true, since: { seconds: String((T0 + 2000) / 1000) } });
    expect(gaps).toMatchObject([{ kind: 'reconnect', reason: 'the server ended the followed stream', resumedFrom: iso(T0 + 2000) }]);
  });
});

describe('dead connections', () => {
  it('a connection that goes silent is found by keepalive pings, and the followed stream resumes', async () => {
    const relay = await startRelay(Array.from({ length: 3 }, (_, i) => flowJson(i, 'a', 'b', T0 + i * 1000)));
    const proxy = await freezingProxy(relay.port);
    try {
      const controller = new AbortController();
      const gaps: RelayGap[] = [];
      const got = collect((flows) => {
        if (flows.length === 3) {
          // The network stops delivering anything, both ways, without closing: no RST, no FIN.
          proxy.freeze();
          relay.add(...[3, 4].map((i) => relay.encode(flowJson(i, 'a', 'b', T0 + i * 1000))));
        }
        if (flows.length === 5) controller.abort(new Error('done'));
      });
      const run = relayFlowSource({
        address: `127.0.0.1:${proxy.port}`,
        follow: true,
        keepalive: { intervalMs: 200, timeoutMs: 500 },
        backoff: { initialMs: 5, jitter: 0 },
        onGap: (g) => gaps.push(g),
      }).run(got.sink, controller.signal);
      await expect(run).rejects.toThrow('done');
      expect(got.flows.map((f) => f.uuid)).toEqual(['u-0', 'u-1', 'u-2', 'u-3', 'u-4']);
      expect(relay.requests.at(-1)).toMatchObject({ follow: true, since: { seconds: String((T0 + 2000) / 1000) } });
      expect(gaps).toMatchObject([{ kind: 'reconnect', resumedFrom: iso(T0 + 2000) }]);
    } finally {
      proxy.close();
    }
  });
});

/** A TCP proxy to `port` whose current connections can be frozen: bytes stop flowing, sockets stay open. */
async function freezingProxy(port: number): Promise<{ port: number; freeze(): void; close(): void }> {
  const pairs: { client: Socket; upstream: Socket }[] = [];
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    client.pipe(upstream);
    upstream.pipe(client);
    const onError = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', onError);
    upstream.on('error', onError);
    pairs.push({ client, upstream });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    freeze: () => {
      for (const { client, upstream } of pairs.splice(0)) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
        frozen.push(client, upstream);
      }
    },
    close: () => {
      for (const s of frozen.splice(0)) s.destroy();
      for (const { client, upstream } of pairs.splice(0)) {
        client.destroy();
        upstream.destroy();
      }
      server.close();
    },
  };
}
const frozen: Socket[] = [];

describe('failures', () => {
  it('a status retrying cannot fix fails at once, with a hint', async () => {
    const relay = await startRelay([], (call) => {
      call.fail(status.UNAUTHENTICATED, 'client certificate required');
      return true;
    });
    const run = relayFlowSource(options(relay, { follow: true })).run(collect().sink);
    await expect(run).rejects.toBeInstanceOf(InputError);
    await expect(run).rejects.toThrow(/UNAUTHENTICATED: client certificate required; check --tls-client-cert-file/);
    expect(relay.requests).toHaveLength(1);
  });

  it('a Relay that takes calls but breaks them before any response gives up after maxAttempts too', async () => {
    const relay = await startRelay([], (call) => {
      call.sendMetadata();
      setTimeout(() => call.fail(status.UNAVAILABLE, 'no connected nodes'), 5);
      return true;
    });
    const gaps: RelayGap[] = [];
    const run = relayFlowSource(options(relay, { maxAttempts: 3, onGap: (g) => gaps.push(g) })).run(collect().sink);
    await expect(run).rejects.toThrow(/gave up after 3 failed attempts in a row: UNAVAILABLE: no connected nodes/);
    expect(relay.requests).toHaveLength(3);
    expect(gaps).toEqual([]);
  });

  it('an unreachable Relay: retries with the backoff delays, then gives up naming the address', async () => {
    const relay = await startRelay();
    relay.stop();
    const delays: number[] = [];
    const slept: number[] = [];
    const run = relayFlowSource({
      address: relay.address,
      maxAttempts: 4,
      backoff: { initialMs: 100, multiplier: 3, maxMs: 500, jitter: 0.5 },
      random: () => 0.75, // +25 %
      sleep: async (ms) => {
        slept.push(ms);
      },
      onRetry: (r) => delays.push(r.delayMs),
    }).run(collect().sink);
    await expect(run).rejects.toThrow(new RegExp(`relay ${relay.address}: gave up after 4 failed attempts in a row: UNAVAILABLE`));
    expect(delays).toEqual([125, 375, 500]);
    expect(slept).toEqual(delays);
  });

  it('aborting during the wait between attempts rejects at once with the reason', async () => {
    const relay = await startRelay();
    relay.stop();
    const controller = new AbortController();
    const started = Date.now();
    const run = relayFlowSource({
      address: relay.address,
      follow: true,
      backoff: { initialMs: 60_000 },
      onRetry: () => controller.abort(new Error('user pressed ^C')),
    }).run(collect().sink, controller.signal);
    await expect(run).rejects.toThrow('user pressed ^C');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('conformance through gRPC', () => {
  const SAMPLES = new URL('../../../shared/reference/cilium/', import.meta.url);
  const fixtures = fileURLToPath(new URL('./test-support/fixtures.jsonl', import.meta.url));
  const files = [
    fixtures,
    ...(existsSync(SAMPLES)
      ? readdirSync(SAMPLES)
          .filter((f) => /^(hubble-observe-jsonpb--|hubble-flows--).*\.jsonl$/.test(f))
          .sort()
          .map((f) => fileURLToPath(new URL(f, SAMPLES)))
      : []),
  ];

  it(`every record of ${files.length} files arrives as the JSON decoder reads it`, async () => {
    const values = files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    );
    const relay = await startRelay(values);
    const got = collect();
    const stats = await relayFlowSource(options(relay)).run(got.sink);
    const seen = new Set<string>();
    const expectedFlows: Flow[] = [];
    const expectedLost: LostEvents[] = [];
    let duplicates = 0;
    for (const v of values) {
      const d = decodeHubbleValue(v);
      if (d.kind === 'flow') {
        if (d.flow.uuid !== undefined && seen.has(d.flow.uuid)) duplicates++;
        else expectedFlows.push(d.flow);
        if (d.flow.uuid !== undefined) seen.add(d.flow.uuid);
      } else if (d.kind === 'lost') expectedLost.push(d.lost);
    }
    expect(got.flows).toEqual(expectedFlows);
    expect(got.lost).toEqual(expectedLost);
    expect(stats).toMatchObject({ linesRead: values.length, flows: expectedFlows.length, duplicates, skipped: 0, ignored: 1 });
  });
});
