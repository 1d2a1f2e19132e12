/**
 * Real `tighten observe` processes against a real ClickHouse server: four collectors at once, a
 * stdin collector whose server is stopped and restarted while it runs, one started before its server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readCluster, type ClusterSnapshot } from '../../cluster/index.js';
import { readFlowInputs } from '../../flows/index.js';
import { InventoryBuilder, type Inventory } from '../../inventory/index.js';
import { writeSample } from '../../sample/index.js';
import { builtCli } from '../../test-support/built.js';
import { openFlowStore } from '../index.js';
import { startClickHouse, type TestServer } from './test-support/server.js';

let dir: string;
let cli: string;
let server: TestServer | undefined;
let skipReason = '';
let clusterFile: string;
let cluster: ClusterSnapshot;
let lines: string[];
let parts: string[];
const children = new Set<ChildProcess>();

async function fold(files: readonly string[]): Promise<Inventory> {
  const b = new InventoryBuilder({ cluster });
  const stats = await readFlowInputs(files, { flow: (f, at) => b.add(f, at), lost: (l) => b.addLost(l.numEventsLost) });
  return b.finish({ files: stats.files, linesRead: stats.linesRead, flows: stats.flows, skipped: stats.skipped, ignored: stats.ignored, lostEvents: stats.lostEvents, errors: stats.errors });
}

function start(args: string[], stdin: 'ignore' | 'pipe' = 'ignore') {
  const child = spawn(process.execPath, [cli, ...args], { cwd: dir, stdio: [stdin, 'pipe', 'pipe'] });
  children.add(child);
  let err = '';
  let out = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const done = new Promise<{ code: number | null; err: string; out: string }>((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      resolve({ code, err, out });
    }),
  );
  return { child, done, stderr: () => err };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-ch-procs-'));
  const started = await startClickHouse(join(dir, 'server'));
  if ('skip' in started) skipReason = started.skip;
  else server = started;
  cli = await builtCli();
  const written = await writeSample(join(dir, 'sample'), { size: 'small', seed: 11 });
  clusterFile = written.clusterFile;
  cluster = await readCluster([clusterFile]);
  lines = (await readFile(written.flowsFile, 'utf8')).split('\n').filter(Boolean);
  // Four parts of the same cluster's flows, as four nodes' collectors would see them.
  parts = [];
  for (let i = 0; i < 4; i++) {
    const f = join(dir, `node-${i}.jsonl`);
    await writeFile(f, `${lines.filter((_, n) => n % 4 === i).join('\n')}\n`);
    parts.push(f);
  }
}, 180_000);

afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
});

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('tighten observe processes on ClickHouse', () => {
  it('four collectors observing at once give the inventory of all their flows', async (ctx) => {
    if (server === undefined) return ctx.skip(`ClickHouse server not available: ${skipReason}`);
    const url = server.url('procs4');
    const runs = parts.map((f, i) => start(['observe', '--store', url, '--collector-id', `node-${i}`, '--spool', join(dir, 'spool'), '--cluster', clusterFile, '-q', f]));
    for (const r of runs) {
      const { code, err } = await r.done;
      expect(err).toBe('');
      expect(code).toBe(0);
    }
    const got = (await (await openFlowStore(url)).readInventory()).inventory;
    const want = await fold(parts);
    expect(got.edges).toEqual(want.edges);
    expect(got.decode.flows).toBe(lines.length);
  });

  it('a stdin collector whose server stops and comes back loses nothing', async (ctx) => {
    if (server === undefined) return ctx.skip(`ClickHouse server not available: ${skipReason}`);
    const url = server.url('procs_restart');
    const r = start(['observe', '--store', url, '--collector-id', 'stream', '--spool', join(dir, 'spool-stream'), '--cluster', clusterFile, '--flush-every', '1s', '-'], 'pipe');
    const half = Math.floor(lines.length / 2);
    const write = (ls: string[]) => new Promise<void>((resolve) => r.child.stdin!.write(`${ls.join('\n')}\n`, () => resolve()));
    r.child.stdin!.on('error', () => undefined);
    // The first half streams in slowly (observe commits every second while flows arrive) …
    const chunk = Math.ceil(half / 8);
    for (let i = 0; i < half; i += chunk) {
      await write(lines.slice(i, Math.min(i + chunk, half)));
      await new Promise((res) => setTimeout(res, 400));
    }
    const committed = async (): Promise<number> => (await openFlowStore(url).then((s) => s.status()).catch(() => undefined))?.segments ?? 0;
    const end = Date.now() + 20_000;
    while ((await committed()) === 0 && Date.now() < end) await new Promise((res) => setTimeout(res, 100));
    // … then the server goes away while the rest streams in, and comes back.
    expect(await committed(), r.stderr()).toBeGreaterThan(0);
    await server.stop();
    for (let i = half; i < lines.length; i += chunk) {
      await write(lines.slice(i, i + chunk));
      await new Promise((res) => setTimeout(res, 400));
    }
    // A batch cut while the server was away waits in the spool, not lost.
    const spool = join(dir, 'spool-stream');
    const waitEnd = Date.now() + 10_000;
    while ((await readdir(spool).catch(() => [])).length === 0 && Date.now() < waitEnd) await new Promise((res) => setTimeout(res, 100));
    expect((await readdir(spool)).length).toBeGreaterThan(0);
    await server.restart();
    r.child.stdin!.end();
    const { code, err } = await r.done;
    expect(err).not.toMatch(/error/i);
    expect(code).toBe(0);
    expect(await readdir(spool)).toEqual([]);
    const got = (await (await openFlowStore(url)).readInventory()).inventory;
    const all = join(dir, 'all.jsonl');
    await writeFile(all, `${lines.join('\n')}\n`);
    const want = await fold([all]);
    expect(got.edges).toEqual(want.edges);
    expect(got.decode.flows).toBe(lines.length);
  });

  it('a collector started while its server is down waits for it, then stores everything', async (ctx) => {
    if (server === undefined) return ctx.skip(`ClickHouse server not available: ${skipReason}`);
    const url = server.url('procs_late_server');
    await server.stop();
    const r = start(['observe', '--store', url, '--collector-id', 'early', '--spool', join(dir, 'spool-early'), '--cluster', clusterFile, '-q', parts[0]!]);
    const end = Date.now() + 10_000;
    while (!r.stderr().includes('retrying in') && Date.now() < end) await new Promise((res) => setTimeout(res, 100));
    expect(r.stderr()).toMatch(/warning: clickhouse:\/\/default@127\.0\.0\.1:\d+\/procs_late_server: ClickHouse cannot be reached .*; retrying in [\d.]+ s/);
    expect(r.stderr()).not.toContain('p@ss');
    await server.restart();
    const { code } = await r.done;
    expect(code).toBe(0);
    const got = (await (await openFlowStore(url)).readInventory()).inventory;
    expect(got.edges).toEqual((await fold([parts[0]!])).edges);
  });
});
