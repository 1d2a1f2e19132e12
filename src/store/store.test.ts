import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCluster, type ClusterSnapshot } from '../cluster/index.js';
import { PassThrough } from 'node:stream';
import { decodeHubbleLine, readFlowInputs } from '../flows/index.js';
import { InventoryBuilder, bucketHours, type Inventory, type InventoryOptions } from '../inventory/index.js';
import { writeSample } from '../sample/index.js';
import { FlowIngest, StoreError, ingestInputs, openStore } from './index.js';

let dir: string;
let flowsFile: string;
let cluster: ClusterSnapshot;
let lines: string[];
/** The sample's flows cut into one file per day, in order. */
let days: string[];

/** The reference: the flows folded straight from files, as `--flows` does. */
async function foldFiles(files: readonly string[], options: InventoryOptions = {}): Promise<Inventory> {
  const b = new InventoryBuilder({ cluster, ...options });
  const stats = await readFlowInputs(files, { flow: (f, at) => b.add(f, at), lost: (l) => b.addLost(l.numEventsLost) });
  return b.finish({ files: stats.files, linesRead: stats.linesRead, flows: stats.flows, skipped: stats.skipped, ignored: stats.ignored, lostEvents: stats.lostEvents, errors: stats.errors });
}

const storeDir = async (name: string): Promise<string> => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-store-'));
  const written = await writeSample(join(dir, 'sample'));
  flowsFile = written.flowsFile;
  cluster = await readCluster([written.clusterFile]);
  lines = (await readFile(flowsFile, 'utf8')).split('\n').filter(Boolean);
  const byDay = new Map<string, string[]>();
  for (const l of lines) {
    const day = /"time":"(\d{4}-\d\d-\d\d)/.exec(l)![1]!;
    (byDay.get(day) ?? byDay.set(day, []).get(day)!).push(l);
  }
  days = [];
  for (const [day, ls] of [...byDay].sort()) {
    const f = join(dir, `flows-${day}.jsonl`);
    await writeFile(f, `${ls.join('\n')}\n`);
    days.push(f);
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('embedded store', () => {
  it('reads back the same inventory as folding the same files, and re-feeding a file changes nothing', async () => {
    const store = await openStore(await storeDir('one'), { create: true });
    const first = await ingestInputs(store, [flowsFile], { cluster });
    expect(first.inputs).toEqual([{ name: flowsFile, stored: 'now' }]);
    expect(first.flows).toBe(lines.length);
    const expected = await foldFiles([flowsFile]);
    const got = await store.readInventory();
    expect(got.inventory).toEqual(expected);
    expect(got.cluster).toEqual(cluster);

    const manifest = await readFile(join(store.location, 'manifest.json'), 'utf8');
    const again = await ingestInputs(store, [flowsFile, flowsFile], { cluster });
    expect(again.inputs.map((i) => i.stored)).toEqual(['already', 'already']);
    expect(await readFile(join(store.location, 'manifest.json'), 'utf8')).toBe(manifest);
    expect((await store.readInventory()).inventory).toEqual(expected);
  });

  it('gives the same inventory from daily files ingested one by one, before and after compaction', async () => {
    expect(days.length).toBeGreaterThan(1);
    const store = await openStore(await storeDir('daily'), { create: true });
    for (const f of days) await ingestInputs(store, [f], { cluster });
    expect((await store.status()).segments).toBe(days.length);
    const expected = await foldFiles(days);
    expect((await store.readInventory()).inventory).toEqual(expected);
    // A window and a namespace scope at read time, as --since/--namespace give them.
    const scoped = { namespaces: ['billing'], sinceMs: 86_400_000 };
    const scopedGot = (await store.readInventory(scoped)).inventory;
    const scopedWant = await foldFiles(days, scoped);
    expect(scopedGot.edges).toEqual(scopedWant.edges);
    expect(scopedGot.workloads).toEqual(scopedWant.workloads);

    // Read in days (DuckDB rolls them up): the same inventory but for coarser bucket lists with the same hours.
    const inDays = (await store.readInventory({ daysSuffice: true })).inventory;
    const withoutBuckets = (inv: Inventory) => ({ ...inv, edges: inv.edges.map((e) => ({ ...e, buckets: [] })) });
    expect(withoutBuckets(inDays)).toEqual(withoutBuckets(expected));
    const hoursIn = (inv: Inventory) => inv.edges.map((e) => e.buckets.flatMap(bucketHours).sort());
    expect(hoursIn(inDays)).toEqual(hoursIn(expected));
    expect(inDays.edges.every((e) => e.buckets.every((b) => b.hours !== undefined))).toBe(true);

    await store.configure({ rollupAfterHours: 10_000 });
    await store.compact();
    expect((await store.status()).segments).toBe(1);
    expect((await readdir(join(store.location, 'segments'))).sort()).toEqual(['seg-00000004.json', 'seg-00000004.parquet']);
    expect((await store.readInventory()).inventory).toEqual(expected);

    // Rolling hours up into days keeps every edge's flow count, in fewer buckets.
    await store.configure({ rollupAfterHours: 12 });
    await store.compact();
    const rolled = (await store.readInventory()).inventory;
    expect(rolled.edges.map((e) => [e.source, e.destination, e.port, e.flows])).toEqual(expected.edges.map((e) => [e.source, e.destination, e.port, e.flows]));
    const buckets = (inv: Inventory) => inv.edges.reduce((n, e) => n + e.buckets.length, 0);
    expect(buckets(rolled)).toBeLessThan(buckets(expected));
    const hoursOf = (inv: Inventory) =>
      inv.edges.map((e) => e.buckets.flatMap((b) => (b.hours === undefined ? [b.start] : Array.from({ length: 24 }, (_, h) => h).filter((h) => b.hours! & (1 << h)).map((h) => new Date(Date.parse(b.start) + h * 3_600_000).toISOString()))).sort());
    expect(hoursOf(rolled)).toEqual(hoursOf(expected));
    // Re-feeding a daily file after compaction is still recognised.
    expect((await ingestInputs(store, [days[0]!], { cluster })).inputs[0]!.stored).toBe('already');

    // Retention drops what is older than it.
    await store.configure({ retentionHours: 24 });
    await store.compact();
    const kept = (await store.readInventory()).inventory;
    const last = Date.parse(expected.window.until!);
    expect(kept.edges.length).toBeGreaterThan(0);
    expect(kept.edges.every((e) => Date.parse(e.lastSeen) >= Math.floor((last - 24 * 3_600_000) / 86_400_000) * 86_400_000)).toBe(true);
    expect(kept.edges.length).toBeLessThan(expected.edges.length);
  });

  it('drops flows whose uuid is already stored, and counts the rest', async () => {
    const store = await openStore(await storeDir('uuids'), { create: true });
    const half = Math.floor(lines.length / 2);
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    await writeFile(a, `${lines.slice(0, half + 100).join('\n')}\n`);
    await writeFile(b, `${lines.slice(half).join('\n')}\n`); // overlaps a by 100 flows
    await store.configure({ uuidHorizonSeconds: 7 * 86_400 });
    await ingestInputs(store, [a], { cluster });
    const second = await ingestInputs(store, [b], { cluster });
    expect(second.duplicates).toBe(100);
    const got = (await store.readInventory()).inventory;
    const want = await foldFiles([flowsFile]);
    expect(got.edges).toEqual(want.edges);
    expect(got.workloads).toEqual(want.workloads);
  });

  it('a followed file keeps no uuids in the store (it resumes at its offset), yet drops repeats within the run', () => {
    const flows = lines.slice(0, 50).map((l) => decodeHubbleLine(l)).flatMap((d) => (d?.kind === 'flow' && d.flow.uuid !== undefined ? [d.flow] : []));
    expect(flows.length).toBeGreaterThan(10);
    for (const storeUuids of [true, false]) {
      const ingest = new FlowIngest({ cluster, storeUuids, horizonMs: 30 * 86_400_000 });
      for (const f of flows) expect(ingest.add(f)).toBe(true);
      const first = ingest.takeBatch({ files: [], linesRead: 0, flows: flows.length, skipped: 0, ignored: 0, lostEvents: 0, errors: [] });
      expect(first.uuids.length).toBe(storeUuids ? flows.length : 0);
      for (const f of flows) expect(ingest.add(f)).toBe(false);
      expect(ingest.duplicates).toBe(flows.length);
    }
  });

  it('commits standard input in batches while reading, and what was read when interrupted', async () => {
    const store = await openStore(await storeDir('stdin'), { create: true });
    const stdin = new PassThrough();
    const stop = new AbortController();
    const run = ingestInputs(store, ['-'], { cluster, stdin, signal: stop.signal, flushMs: 0 });
    const part = lines.slice(0, 3000);
    stdin.write(`${part.join('\n')}\n`);
    const until = Date.now() + 30_000;
    while ((await store.status()).flows < 2048 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect((await store.status()).flows).toBeGreaterThanOrEqual(1024); // flushed while stdin is still open
    stop.abort(new Error('interrupted'));
    stdin.write('{"flow":'); // a line cut short: not stored
    const summary = await run;
    expect(summary.flows).toBe(3000);
    const got = (await store.readInventory()).inventory;
    const b = new InventoryBuilder({ cluster });
    for (const l of part) {
      const d = decodeHubbleLine(l);
      if (d?.kind === 'flow') b.add(d.flow);
    }
    expect(got.edges).toEqual(b.finish().edges);
    await expect(ingestInputs(store, ['-', flowsFile], { cluster })).rejects.toThrow(/cannot be observed together with files/);
  });

  it('keeps only edges touching --namespace at ingest', async () => {
    const store = await openStore(await storeDir('ns'), { create: true });
    await ingestInputs(store, [flowsFile], { cluster, namespaces: ['billing'] });
    const got = (await store.readInventory()).inventory;
    const want = await foldFiles([flowsFile], { namespaces: ['billing'] });
    expect(got.edges).toEqual(want.edges);
    expect(got.edges.length).toBeGreaterThan(0);
    expect(got.edges.every((e) => ('namespace' in e.source && e.source.namespace === 'billing') || ('namespace' in e.destination && e.destination.namespace === 'billing'))).toBe(true);
  });

  it('names the file when the manifest or a segment is corrupt, and when there is no store', async () => {
    const location = await storeDir('corrupt');
    const store = await openStore(location, { create: true });
    await ingestInputs(store, [days[0]!], { cluster });
    const manifest = join(location, 'manifest.json');
    const good = await readFile(manifest, 'utf8');
    await writeFile(manifest, good.slice(0, 40));
    await expect(store.readInventory()).rejects.toThrow(/manifest\.json: corrupt store manifest, not JSON/);
    await writeFile(manifest, good);
    const segment = join(location, 'segments', 'seg-00000001.json');
    await writeFile(segment, '{"format":"x"}');
    await expect(store.readInventory()).rejects.toThrow(/seg-00000001\.json: not a tighten store segment/);
    await writeFile(join(location, 'segments', 'seg-00000001.parquet'), 'not parquet');
    await rm(segment);
    await expect(store.readInventory()).rejects.toBeInstanceOf(StoreError);
    await expect(openStore(join(dir, 'nowhere'))).rejects.toThrow(/no flow store here; fill one first with `tighten observe --store/);
  });
});
