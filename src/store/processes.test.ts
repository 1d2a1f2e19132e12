/**
 * Real processes against one store: `kill -9` in the middle of an ingest, a writer and readers at
 * once, a long-running `observe --follow` beside one-off ingests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { appendFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readCluster, type ClusterSnapshot } from '../cluster/index.js';
import { readFlowInputs } from '../flows/index.js';
import { InventoryBuilder, type Inventory } from '../inventory/index.js';
import { generateSample, renderClusterYaml } from '../sample/index.js';
import { builtCli } from '../test-support/built.js';
import { openStore } from './index.js';

let dir: string;
let cli: string;
let clusterFile: string;
let cluster: ClusterSnapshot;
let small: string[];
let big: string;
const children = new Set<ChildProcess>();

async function fold(files: readonly string[]): Promise<Inventory> {
  const b = new InventoryBuilder({ cluster });
  const stats = await readFlowInputs(files, { flow: (f, at) => b.add(f, at), lost: (l) => b.addLost(l.numEventsLost) });
  return b.finish({ files: stats.files, linesRead: stats.linesRead, flows: stats.flows, skipped: stats.skipped, ignored: stats.ignored, lostEvents: stats.lostEvents, errors: stats.errors });
}

function start(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string; out: string }>; stderr: () => string } {
  const child = spawn(process.execPath, [cli, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let err = '';
  let out = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string; out: string }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, err, out });
    }),
  );
  return { child, done, stderr: () => err };
}

const until = async (cond: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

beforeAll(async () => {
  cli = await builtCli();
  dir = await mkdtemp(join(tmpdir(), 'tighten-procs-'));
  const sample = generateSample({ size: { workloads: 200, flows: 250_000, days: 2 }, seed: 5 });
  clusterFile = join(dir, 'cluster.yaml');
  await writeFile(clusterFile, renderClusterYaml(sample.cluster));
  cluster = await readCluster([clusterFile]);
  // The first 20,000 lines as ten small files, the rest as one big file.
  big = join(dir, 'big.jsonl');
  const out = createWriteStream(big);
  small = [];
  let part: string[] = [];
  let n = 0;
  for (const line of sample.flowLines()) {
    if (n < 20_000) {
      part.push(line);
      if (part.length === 2000) {
        const f = join(dir, `small-${small.length}.jsonl`);
        await writeFile(f, `${part.join('\n')}\n`);
        small.push(f);
        part = [];
      }
    } else if (!out.write(`${line}\n`)) await once(out, 'drain');
    n++;
  }
  out.end();
  await once(out, 'close');
}, 120_000);

afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('store across processes', () => {
  it('kill -9 during an ingest leaves the store exactly as before it; the ingest run again counts everything once', async () => {
    const location = join(dir, 'crash');
    const first = await start(['observe', '--store', location, small[0]!, '--cluster', clusterFile, '-q']).done;
    expect(first.code).toBe(0);
    const store = await openStore(location);
    const manifest = await readFile(join(location, 'manifest.json'), 'utf8');
    const before = (await store.readInventory()).inventory;

    // Kill at several points: while hashing or reading, and later (possibly while committing).
    let killedMidway = 0;
    for (const delay of [150, 600, 1200, 2000, 3000]) {
      const run = start(['observe', '--store', location, big, '-q']);
      await new Promise((r) => setTimeout(r, delay));
      run.child.kill('SIGKILL');
      const end = await run.done;
      if (end.code === 0) break; // finished before the kill: nothing left to test at this delay
      expect(end.signal).toBe('SIGKILL');
      killedMidway++;
      expect(await readFile(join(location, 'manifest.json'), 'utf8')).toBe(manifest);
      expect((await store.readInventory()).inventory).toEqual(before);
    }
    expect(killedMidway).toBeGreaterThan(0);

    // Run again to the end (taking over a lock a killed writer may have left): everything, once.
    const again = await start(['observe', '--store', location, big, '-q']).done;
    expect(again.err).toBe('');
    expect(again.code).toBe(0);
    expect((await store.readInventory()).inventory).toEqual(await fold([small[0]!, big]));
    const rerun = await start(['observe', '--store', location, big, small[0]!, '-q']).done;
    expect(rerun.out).toContain('nothing new to store');
  }, 300_000);

  it('a writer and a reader at once: every read succeeds and sees whole commits, through compactions', async () => {
    const location = join(dir, 'concurrent');
    const store = await openStore(location, { create: true });
    await store.configure({ compactAfterSegments: 3 });
    const script = `for f in ${small.slice(0, 8).map((f) => `'${f}'`).join(' ')}; do '${process.execPath}' '${cli}' observe --store '${location}' "$f" --cluster '${clusterFile}' -q >/dev/null || exit 1; done`;
    const writer = spawn('sh', ['-c', script], { stdio: 'ignore' });
    children.add(writer);
    const writerDone = new Promise<number | null>((resolve) => writer.on('exit', (code) => resolve(code)));
    let writing = true;
    void writerDone.then(() => (writing = false));

    // The reader is a real process too; each of its reads must exit 0 with a flow count that is a
    // sum of whole files (2,000 decoded flows each) and never goes down.
    const counts: number[] = [];
    await until(async () => (await readdir(location)).includes('manifest.json'));
    while (writing) {
      const r = await start(['inventory', '--store', location, '-q', '-o', 'json']).done;
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const flows = JSON.parse(r.out).decode.flows as number;
      expect(flows % 2000).toBe(0);
      counts.push(flows);
    }
    expect(await writerDone).toBe(0);
    expect(counts.length).toBeGreaterThan(1);
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);
    const status = await store.status();
    expect(status.segments).toBeLessThanOrEqual(3);
    expect((await store.readInventory()).inventory.edges).toEqual((await fold(small.slice(0, 8))).edges);
  }, 300_000);

  it('observe --follow beside one-off ingests: tails across rotation and truncation, commits on TERM, resumes at its offset', async () => {
    const location = join(dir, 'follow');
    const live = join(dir, 'hubble-export.log');
    const chunk = async (i: number) => (await readFile(small[i]!, 'utf8'));
    await writeFile(live, await chunk(1));
    const follower = start(['observe', '--store', location, '--follow', live, '--cluster', clusterFile, '--flush-every', '1s']);
    const manifestFlows = async () => {
      const text = await readFile(join(location, 'manifest.json'), 'utf8').catch(() => '{"segments":[]}');
      return (JSON.parse(text).segments as { flows: number }[]).reduce((n, s) => n + s.flows, 0);
    };
    await until(async () => (await manifestFlows()) >= 2000);
    // A one-off ingest while the follower runs: both commit.
    expect((await start(['observe', '--store', location, small[0]!, '-q']).done).code).toBe(0);
    await appendFile(live, await chunk(2));
    await until(async () => (await manifestFlows()) >= 6000);
    // Rotation: the exporter renames the file and starts a new one.
    await appendFile(live, await chunk(3));
    const { rename } = await import('node:fs/promises');
    await rename(live, `${live}.1`);
    await writeFile(live, await chunk(4));
    await until(async () => (await manifestFlows()) >= 10_000);
    // Truncation in place (copytruncate), then new lines.
    await writeFile(live, await chunk(5));
    await until(async () => (await manifestFlows()) >= 12_000);
    follower.child.kill('SIGTERM');
    const end = await follower.done;
    expect(end.code).toBe(0);
    expect(end.err).toMatch(/observe: [\d,]+ flows \([\d,]+\/s\), [\d,]+ edges pending, lag [\d.,]+s, 0 lost events, 0 skipped lines, 0 duplicates, \d+ commits/);

    // Restarted, it resumes at the committed offset: lines added meanwhile count, earlier ones do not count again.
    await appendFile(live, await chunk(6));
    const again = start(['observe', '--store', location, '--follow', live, '-q', '--flush-every', '1s']);
    await until(async () => (await manifestFlows()) >= 14_000);
    again.child.kill('SIGTERM');
    expect((await again.done).code).toBe(0);
    expect(await manifestFlows()).toBe(14_000);
    const store = await openStore(location);
    const got = (await store.readInventory()).inventory;
    const want = await fold([0, 1, 2, 3, 4, 5, 6].map((i) => small[i]!));
    expect(got.edges).toEqual(want.edges);
    expect(got.workloads).toEqual(want.workloads);
  }, 300_000);
});
