import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOwnSchema } from '../relay/test-support/protobuf.js';
import { TestRelay } from '../relay/test-support/relay-server.js';
import { writeSample } from '../sample/write.js';
import { captureIo } from '../test-support/io.js';
import { observeCommand } from './commands/observe.js';
import { main } from './index.js';

let dir: string;
let flows: string;
let cluster: string;
let lines: Record<string, unknown>[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-observe-relay-'));
  const written = await writeSample(join(dir, 'sample'), { size: 'small', seed: 5 });
  flows = written.flowsFile;
  cluster = written.clusterFile;
  lines = (await readFile(flows, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function inventoryOf(store: string): Promise<{ edges: unknown; workloads: unknown; flows: number }> {
  const io = captureIo('', dir);
  expect(await main(['inventory', '--store', store, '-o', 'json'], io)).toBe(0);
  const doc = JSON.parse(io.out()) as { edges: unknown; workloads: unknown; decode: { flows: number } };
  return { edges: doc.edges, workloads: doc.workloads, flows: doc.decode.flows };
}

const observe = (store: string, extra: Partial<Parameters<typeof observeCommand>[0]>, io = captureIo('', dir)) =>
  observeCommand({ store, inputs: [], cluster: [cluster], namespaces: [], settings: {}, output: 'json', quiet: true, ...extra }, io);

describe('tighten observe --relay', () => {
  it('the flows a Relay serves give the store the inventory the same flows give from the file', async () => {
    const relay = await TestRelay.start({ schema: loadOwnSchema() });
    try {
      for (const l of lines) relay.add(relay.encode(l));
      expect(await observe(join(dir, 'from-relay'), { relay: { relay: relay.address, last: '1000000' } })).toBe(0);
      expect(relay.requests[0]!.follow).toBeFalsy();
      expect(await observe(join(dir, 'from-file'), { inputs: [flows] })).toBe(0);
      const a = await inventoryOf(join(dir, 'from-relay'));
      const b = await inventoryOf(join(dir, 'from-file'));
      expect(a.edges).toEqual(b.edges);
      expect(a.workloads).toEqual(b.workloads);
      expect(a.flows).toBe(b.flows);
    } finally {
      relay.stop();
    }
  });

  it('follows across a Relay restart: nothing lost, nothing counted twice, the reconnect window reported', async () => {
    const relay = await TestRelay.start({ schema: loadOwnSchema() });
    const store = join(dir, 'followed');
    const io = captureIo('', dir);
    const stop = new AbortController();
    try {
      const half = Math.floor(lines.length / 2);
      const done = observe(store, { relay: { relay: relay.address }, flushMs: 200, signal: stop.signal, quiet: false, output: 'text' }, io);
      for (let i = 0; i < 100 && relay.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(relay.requests[0]!.follow).toBe(true);
      relay.add(...lines.slice(0, half).map((l) => relay.encode(l)));
      await new Promise((r) => setTimeout(r, 500));
      await relay.restart();
      relay.add(...lines.slice(half).map((l) => relay.encode(l)));
      for (let i = 0; i < 200 && relay.requests.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      expect(relay.requests.length).toBeGreaterThanOrEqual(2);
      // The resumed call asks from the last flow seen.
      expect(relay.requests.at(-1)!.since).toBeDefined();
      await new Promise((r) => setTimeout(r, 1000));
      stop.abort();
      expect(await done).toBe(0);
      expect(io.err()).toMatch(/gap: /);
      expect(await observe(join(dir, 'followed-file'), { inputs: [flows] })).toBe(0);
      const a = await inventoryOf(store);
      const b = await inventoryOf(join(dir, 'followed-file'));
      expect(a.edges).toEqual(b.edges);
      expect(a.flows).toBe(b.flows);

      // Started again on the same store, it asks from the newest flow stored, and counts nothing twice.
      const again = new AbortController();
      const resumed = observe(store, { relay: { relay: relay.address }, flushMs: 200, signal: again.signal });
      const before = relay.requests.length;
      for (let i = 0; i < 100 && relay.requests.length === before; i++) await new Promise((r) => setTimeout(r, 50));
      expect(relay.requests.at(-1)!.since).toBeDefined();
      await new Promise((r) => setTimeout(r, 500));
      again.abort();
      expect(await resumed).toBe(0);
      expect((await inventoryOf(store)).edges).toEqual(b.edges);
    } finally {
      relay.stop();
    }
  });

  it('one source per run', async () => {
    const io = captureIo('', dir);
    expect(await main(['observe', '--store', join(dir, 'x'), flows, '--relay', '127.0.0.1:1'], io)).toBe(2);
    expect(io.err()).toMatch(/one source per run/);
  });
});
