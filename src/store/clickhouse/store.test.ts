/**
 * The ClickHouse store against a real ClickHouse server (Debian's clickhouse-server, started here on
 * 127.0.0.1 with its own data directory): the same inventory as the embedded store, collectors that
 * commit concurrently and retry, a server stopped and restarted mid-run, an older schema migrated.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCluster, type ClusterSnapshot } from '../../cluster/index.js';
import { main } from '../../cli/index.js';
import { readFlowInputs } from '../../flows/index.js';
import { writeSample } from '../../sample/index.js';
import { captureIo } from '../../test-support/io.js';
import { bucketHours, type Inventory } from '../../inventory/index.js';
import type { IngestBatch } from '../flow-store.js';
import { FlowIngest, StoreError, ingestInputs, openFlowStore, openStore } from '../index.js';
import { edgeBucketsSql, readEdgeView, type EdgeWindow } from './edge-query.js';
import { ClickHouseHttp } from './http.js';
import { parseClickHouseLocation } from './location.js';
import { SCHEMA_VERSION, migrate } from './schema.js';
import { sqlString } from './sql.js';
import { ClickHouseStore, batchId, batchRows, openClickHouseStore } from './store.js';
import { TEST_PASSWORD, startClickHouse, type TestServer } from './test-support/server.js';

let dir: string;
let server: TestServer | undefined;
let skipReason = '';
let cluster: ClusterSnapshot;
let clusterFile: string;
let flowsFile: string;
/** The sample's flows cut into one file per day, in order. */
let days: string[];
let databases = 0;

const newDb = (): string => server!.url(`t${++databases}`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-ch-'));
  const started = await startClickHouse(join(dir, 'server'));
  if ('skip' in started) skipReason = started.skip;
  else server = started;
  const written = await writeSample(join(dir, 'sample'), { size: 'small', seed: 3 });
  flowsFile = written.flowsFile;
  clusterFile = written.clusterFile;
  cluster = await readCluster([clusterFile]);
  const lines = (await readFile(flowsFile, 'utf8')).split('\n').filter(Boolean);
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
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Skips (with the reason) when no ClickHouse server could be started here. */
function needsServer(ctx: { skip: (note?: string) => void }): void {
  if (server === undefined) ctx.skip(`ClickHouse server not available: ${skipReason}`);
}

/** A CA, a server certificate for localhost and a client certificate, made with openssl; the reason when it cannot. */
async function makeCertificates(into: string): Promise<string | undefined> {
  await mkdir(into, { recursive: true });
  const openssl = (args: string[]) => promisify(execFile)('openssl', args, { cwd: into });
  try {
    await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=tighten-test-ca']);
    await writeFile(join(into, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    for (const [name, cn, ext] of [['server', 'localhost', ['-extfile', 'san.ext']], ['client', 'collector', []]] as const) {
      await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
      await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', ...ext]);
    }
    return undefined;
  } catch (e) {
    return `openssl could not make test certificates: ${(e as Error).message.split('\n')[0]}`;
  }
}

async function embeddedInventory(name: string, files: readonly string[]) {
  const store = await openStore(join(dir, name), { create: true });
  await ingestInputs(store, files, { cluster });
  return (await store.readInventory()).inventory;
}

/** Batches of the day files' flows, one per day, as a collector would cut them. */
async function dayBatches(): Promise<IngestBatch[]> {
  const ingest = new FlowIngest({ cluster });
  const out: IngestBatch[] = [];
  for (const f of days) {
    const stats = await readFlowInputs([f], { flow: (flow, at) => ingest.add(flow, at), lost: (l) => ingest.addLost(l.numEventsLost) });
    out.push(ingest.takeBatch({ files: stats.files, linesRead: stats.linesRead, flows: stats.flows, skipped: stats.skipped, ignored: stats.ignored, lostEvents: stats.lostEvents, errors: stats.errors }));
  }
  return out;
}

async function run(args: string[]) {
  const io = captureIo('', dir);
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

async function tree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out[relative(root, p)] = await readFile(p, 'utf8');
    }
  };
  await walk(root);
  return out;
}

describe('ClickHouse store (real server)', () => {
  it('escapes literals so the server reads back exactly the string written', async (ctx) => {
    needsServer(ctx);
    const http = new ClickHouseHttp(parseClickHouseLocation(server!.url('default')));
    const nasty = ["it's", 'back\\slash', "\\'", 'tab\there\nnewline\r', "x' OR '1'='1", 'ünï ✓', '\0nul'];
    for (const s of nasty) {
      const [[got]] = (await http.rows(`SELECT ${sqlString(s)}`)) as [[string]];
      expect(got, JSON.stringify(s)).toBe(s);
    }
  });

  it('four collectors committing concurrently give the same inventory as one embedded store fed everything; recommend is byte-identical', async (ctx) => {
    needsServer(ctx);
    expect(days.length).toBeGreaterThanOrEqual(2);
    const url = newDb();
    const collectors = await Promise.all([0, 1, 2, 3].map((i) => openFlowStore(url, { create: true, collectorId: `node-${i}`, spoolDir: join(dir, 'spool') })));
    // Each collector ingests every fourth day file, all at once.
    await Promise.all(collectors.map((store, i) => ingestInputs(store, days.filter((_, d) => d % 4 === i), { cluster })));
    const reader = await openFlowStore(url);
    const got = await reader.readInventory();
    const expected = await embeddedInventory('emb-all', days);
    expect(got.inventory).toEqual(expected);
    expect(got.cluster).toEqual(cluster);
    const status = await reader.status();
    expect(status.segments).toBe(days.length);
    expect(status.files).toBe(days.length);
    expect(status.flows).toBe(expected.decode.flows);
    // The same files again, from another collector: already stored, nothing added.
    const again = await ingestInputs(collectors[0]!, days, { cluster });
    expect(again.inputs.every((i) => i.stored === 'already')).toBe(true);
    expect((await reader.readInventory()).inventory).toEqual(expected);

    const a = await run(['recommend', '--store', join(dir, 'emb-all'), '--repo', 'repo-dir', '-q']);
    const b = await run(['recommend', '--store', url, '--repo', 'repo-ch', '-q']);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(b.out.replaceAll('repo-ch', 'repo-dir')).toBe(a.out);
    expect(await tree(join(dir, 'repo-ch'))).toEqual(await tree(join(dir, 'repo-dir')));
    expect(Object.keys(await tree(join(dir, 'repo-ch'))).length).toBeGreaterThan(0);
  });

  it('observe --store clickhouse://… --collector-id commits through the CLI, and inventory reads it back', async (ctx) => {
    needsServer(ctx);
    const url = newDb();
    const o = await run(['observe', '--store', url, '--collector-id', 'cli-1', '--spool', join(dir, 'spool-cli'), flowsFile, '--cluster', clusterFile, '-q']);
    expect(o.err).toBe('');
    expect(o.code).toBe(0);
    expect(o.out).not.toContain('p@ss');
    const a = await run(['inventory', '--flows', flowsFile, '--cluster', clusterFile, '-q', '-o', 'json']);
    const b = await run(['inventory', '--store', url, '-q', '-o', 'json']);
    expect(b.code).toBe(a.code);
    expect(b.out).toBe(a.out);
    // Commands read the store in days; what they print depends on no hourly bucket.
    const repo = join(dir, 'repo-cli');
    expect((await run(['recommend', '--flows', flowsFile, '--cluster', clusterFile, '--repo', repo, '-q'])).code).toBe(0);
    for (const args of [['simulate', '--repo', repo, '--as-enforced', '-o', 'json'], ['plan', '--repo', repo, '-o', 'json'], ['inventory', '--namespace', 'billing', '--since', '30h', '-o', 'json']]) {
      const fromFlows = await run([...args, '--flows', flowsFile, '--cluster', clusterFile, '-q']);
      const fromStore = await run([...args, '--store', url, '-q']);
      expect(fromStore.out, args.join(' ')).toBe(fromFlows.out);
      expect(fromStore.code).toBe(fromFlows.code);
    }
    // Compacted by the CLI: old hours become days; the inventory (without its buckets, and without a
    // window, which then cuts rolled-up days whole) is the same.
    const c = await run(['compact', '--store', url, '--rollup-after', '12h']);
    expect(c.err).toBe('');
    expect(c.out).toMatch(/^compacted: days rolled up once 12 hours old/);
    expect(c.out).not.toContain('p@ss');
    expect((await run(['inventory', '--store', url, '-q', '-o', 'json'])).out).toBe(a.out);
  });

  it('a batch retried, whole or after a failure half-way, is not counted twice', async (ctx) => {
    needsServer(ctx);
    const url = newDb();
    const batches = await dayBatches();
    const store = await openClickHouseStore(url, { create: true, collectorId: 'retry', spoolDir: join(dir, 'spool-retry') });
    await store.commit(batches[0]!);
    await store.commit(batches[0]!);
    // Another client of the same collector (a restarted process) retries it too.
    const restarted = await openClickHouseStore(url, { collectorId: 'retry', spoolDir: join(dir, 'spool-retry') });
    await restarted.commit(batches[0]!);
    // A commit that died after inserting the edge rows of batch 1, before its ledger row: the retry completes it.
    const http = new ClickHouseHttp(parseClickHouseLocation(url));
    const id = batchId(batches[1]!);
    const [, edgeRows] = batchRows('retry', id, batches[1]!).parts[0]!;
    expect(edgeRows.length).toBeGreaterThan(0);
    await http.insert('edge_rows', edgeRows);
    await restarted.commit(batches[1]!);
    await store.commit(batches[1]!);
    const [[ledger]] = (await http.rows('SELECT count() FROM batches')) as [[string]];
    expect(Number(ledger)).toBe(2);
    const got = (await store.readInventory()).inventory;
    expect(got).toEqual(await embeddedInventory('emb-retry', days.slice(0, 2)));
    // Without the ledger the counts would have doubled: the same flows under another collector id do.
    const other = await openClickHouseStore(url, { collectorId: 'other', spoolDir: join(dir, 'spool-retry') });
    await other.commit({ ...batches[0]!, files: [] });
    const doubled = (await store.readInventory()).inventory;
    expect(doubled.edges.reduce((n, e) => n + e.flows, 0)).toBeGreaterThan(got.edges.reduce((n, e) => n + e.flows, 0));
  });

  it('loses nothing when the server is stopped and restarted mid-run: commits are spooled and retried in the background, the spool of a dead collector is committed at its next start', async (ctx) => {
    needsServer(ctx);
    const url = newDb();
    const spool = join(dir, 'spool-restart');
    const batches = await dayBatches();
    const store = await openClickHouseStore(url, { create: true, collectorId: 'c1', spoolDir: spool });
    await store.commit(batches[0]!);
    await server!.stop();
    // A commit while the server is down returns at once, its batch spooled on disk and retried in the background.
    let returned = false;
    const pending = store.commit(batches[1]!).then(() => (returned = true));
    await new Promise((r) => setTimeout(r, 700));
    expect(returned).toBe(true);
    expect((await readdir(spool)).length).toBe(1);
    // A collector that gives up (it dies) leaves its batch in the spool.
    const impatient = await openClickHouseStore(url, { collectorId: 'c2', spoolDir: spool, retryForMs: 300 }).catch((e: unknown) => e);
    expect(impatient).toBeInstanceOf(StoreError);
    expect((impatient as Error).message).toContain('cannot be reached');
    expect((impatient as Error).message).not.toContain('p@ss');
    const giveUp = new ClickHouseStore(new ClickHouseHttp(parseClickHouseLocation(url)), { collectorId: 'c2', spoolDir: spool, retryForMs: 300 });
    await giveUp.commit(batches[2] ?? batches[1]!);
    await expect(giveUp.flush()).rejects.toThrow(/cannot be reached/);
    expect((await readdir(spool)).length).toBe(2);
    await server!.restart();
    await pending;
    await store.flush();
    // c2 starts again: its spooled batch is committed when it opens the store to write.
    await openFlowStore(url, { create: true, collectorId: 'c2', spoolDir: spool });
    expect(await readdir(spool)).toEqual([]);
    const used = batches.length > 2 ? days.slice(0, 3) : days.slice(0, 2);
    expect((await store.readInventory()).inventory).toEqual(await embeddedInventory('emb-restart', used));
  });

  it('migrates a schema from an older tighten, and refuses one from a newer tighten', async (ctx) => {
    needsServer(ctx);
    const url = newDb();
    const location = parseClickHouseLocation(url);
    const http = new ClickHouseHttp(location);
    await http.query(`CREATE DATABASE ${location.database}`, { database: false });
    await migrate(http, 0, 1);
    const v1 = await http.rows(`SELECT name FROM system.tables WHERE database = currentDatabase() AND name = 'settings'`);
    expect(v1).toEqual([]);
    // A version-1 store with a batch in it (version 1 wrote batches as now; it had no settings table).
    const [first] = await dayBatches();
    await new ClickHouseStore(http, { collectorId: 'old', spoolDir: join(dir, 'spool-migrate') }).commit(first!);
    const store = await openClickHouseStore(url);
    expect((await store.readInventory()).inventory).toEqual(await embeddedInventory('emb-migrate', days.slice(0, 1)));
    expect(await http.rows('SELECT max(version) FROM schema_version')).toEqual([[String(SCHEMA_VERSION)]]);
    expect((await store.configure({ retentionHours: 100 })).retentionHours).toBe(100);
    expect((await store.status()).settings.retentionHours).toBe(100);
    await http.insert('schema_version', [{ version: SCHEMA_VERSION + 1, applied_ms: 0 }]);
    await expect(openClickHouseStore(url)).rejects.toThrow(/newer than this tighten/);
  });

  it('compaction rolls days up and drops them past retention as the embedded store does, late batches included, one compaction at a time', async (ctx) => {
    needsServer(ctx);
    const url = newDb();
    const http = new ClickHouseHttp(parseClickHouseLocation(url));
    // Day 0 arrives in two halves: the second half only after day 0 was rolled up (a late collector, a backfill).
    const lines = (await readFile(days[0]!, 'utf8')).split('\n').filter(Boolean);
    const half = Math.floor(lines.length / 2);
    const early = join(dir, 'day0-early.jsonl');
    const late = join(dir, 'day0-late.jsonl');
    await writeFile(early, `${lines.slice(0, half).join('\n')}\n`);
    await writeFile(late, `${lines.slice(half).join('\n')}\n`);
    const first = [early, ...days.slice(1)];
    const ch = await openClickHouseStore(url, { create: true, collectorId: 'compact', spoolDir: join(dir, 'spool-compact') });
    const emb = await openStore(join(dir, 'emb-compact'), { create: true });
    for (const store of [ch, emb]) {
      await store.configure({ rollupAfterHours: 12 });
      for (const f of first) await ingestInputs(store, [f], { cluster });
    }
    const before = (await ch.readInventory()).inventory;
    expect(before).toEqual((await emb.readInventory()).inventory);
    const hourly = before.edges.reduce((n, e) => n + e.buckets.length, 0);

    // Two compactions at once: one holds the lease, the other is refused and changes nothing.
    const rival = await openClickHouseStore(url, { collectorId: 'rival', spoolDir: join(dir, 'spool-compact') });
    const results = await Promise.allSettled([ch.compact(), rival.compact()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([expect.stringMatching(/a compaction by (compact|rival) runs since/)]);
    await emb.compact();
    const rolled = (await ch.readInventory()).inventory;
    expect(rolled).toEqual((await emb.readInventory()).inventory);
    expect(rolled.edges.reduce((n, e) => n + e.buckets.length, 0)).toBeLessThan(hourly);
    expect(rolled.edges.map((e) => e.flows)).toEqual(before.edges.map((e) => e.flows));
    // Rolled-up days are read from their rollup only: their hourly partitions and covered raw rows are gone.
    const [[rolledDays]] = (await http.rows('SELECT count() FROM rollups')) as [[string]];
    expect(Number(rolledDays)).toBeGreaterThan(0);
    expect(await http.rows('SELECT count() FROM edge_buckets WHERE intDiv(hour, 24) IN (SELECT day FROM rollups)')).toEqual([['0']]);
    expect(await http.rows('SELECT count() FROM edge_rows WHERE intDiv(hour, 24) IN (SELECT day FROM rollups)')).toEqual([['0']]);
    // Compacting again changes nothing; neither do the rows of a rollup that died before its ledger row.
    await http.query(`INSERT INTO edge_days (rollup, src, dst, src_w, proto, port, verdict, hour, daily, hours, c0, first, last) SELECT 'died', src, dst, src_w, proto, port, verdict, hour, daily, hours, c0 + 1000, first, last FROM edge_days`);
    expect((await ch.readInventory()).inventory).toEqual(rolled);
    await ch.compact();
    expect((await ch.readInventory()).inventory).toEqual(rolled);
    expect(await http.rows(`SELECT count() FROM edge_days WHERE rollup = 'died'`)).toEqual([['0']]);

    // The late half of day 0: read beside the rolled-up day, then rolled into it, as in the embedded store.
    for (const store of [ch, emb]) await ingestInputs(store, [late], { cluster });
    // Files are listed in flow-time order here (collectors commit in any order), in ingest order there.
    const filesSorted = (inv: Inventory): Inventory => ({ ...inv, decode: { ...inv.decode, files: [...inv.decode.files].sort() } });
    const withLate = filesSorted((await ch.readInventory()).inventory);
    expect(withLate).toEqual(filesSorted((await emb.readInventory()).inventory));
    await ch.compact();
    await emb.compact();
    const lateRolled = filesSorted((await ch.readInventory()).inventory);
    expect(lateRolled).toEqual(filesSorted((await emb.readInventory()).inventory));
    expect(lateRolled.edges.map((e) => e.flows)).toEqual(withLate.edges.map((e) => e.flows));

    // Retention: whole days past it go.
    for (const store of [ch, emb]) {
      await store.configure({ retentionHours: 24 });
      await store.compact();
    }
    const kept = filesSorted((await ch.readInventory()).inventory);
    expect(kept).toEqual(filesSorted((await emb.readInventory()).inventory));
    expect(kept.edges.length).toBeGreaterThan(0);
    expect(kept.edges.length).toBeLessThan(lateRolled.edges.length);
    const lastHour = Math.floor(Date.parse((await ch.status()).lastTime!) / 3_600_000);
    const dropBefore = Math.floor((lastHour - 24) / 24) * 24;
    for (const table of ['edge_buckets', 'edge_days', 'edge_rows']) {
      const [[oldest]] = (await http.rows(`SELECT min(hour) FROM ${table}`)) as [[string]];
      if (oldest !== '0') expect(Number(oldest)).toBeGreaterThanOrEqual(dropBefore);
    }
  });

  it('applies --since/--until and a relative --since on the server, with the same inventory as the embedded store, scoped or not, compacted or not, in hours or in days', async (ctx) => {
    needsServer(ctx);
    const url = newDb();
    const http = new ClickHouseHttp(parseClickHouseLocation(url));
    const ch = await openClickHouseStore(url, { create: true, collectorId: 'window', spoolDir: join(dir, 'spool-window') });
    const emb = await openStore(join(dir, 'emb-window'), { create: true });
    for (const store of [ch, emb]) {
      await store.configure({ rollupAfterHours: 24 });
      for (const f of days) await ingestInputs(store, [f], { cluster });
    }
    const all = (await emb.readInventory()).inventory;
    const t0 = Date.parse(all.window.since!);
    const t1 = Date.parse(all.window.until!);
    const at = (f: number) => new Date(t0 + (t1 - t0) * f).toISOString();
    const windows = [
      { since: at(0.4) },
      { until: at(0.6) },
      { since: at(0.3), until: at(0.7) },
      { sinceMs: 30 * 3_600_000 },
      { sinceMs: 20 * 3_600_000, until: at(0.9), namespaces: ['billing'] },
      { sinceMs: 10 * 3_600_000, now: at(0.5) },
      { since: at(0.2), namespaces: ['billing', 'boutique'] },
    ];
    const rowsRead = async (window: EdgeWindow) => Number((await http.rows(`SELECT count() FROM (${edgeBucketsSql(await readEdgeView(http), window)})`))[0]![0]);
    for (const compacted of [false, true]) {
      if (compacted) for (const store of [ch, emb]) await store.compact();
      for (const w of windows) {
        const got = (await ch.readInventory(w)).inventory;
        const want = (await emb.readInventory(w)).inventory;
        expect(got, `${JSON.stringify(w)}${compacted ? ', compacted' : ''}`).toEqual(want);
        // Read in days: the same inventory but for coarser bucket lists with the same hours of traffic.
        const days = (await ch.readInventory({ ...w, daysSuffice: true })).inventory;
        const hoursOf = (inv: Inventory) => inv.edges.map((e) => e.buckets.flatMap(bucketHours).sort());
        expect(hoursOf(days), `${JSON.stringify(w)} in days`).toEqual(hoursOf(want));
        const withoutBuckets = (inv: Inventory) => ({ ...inv, edges: inv.edges.map((e) => ({ ...e, buckets: [] })) });
        expect(withoutBuckets(days)).toEqual(withoutBuckets(want));
      }
      const buckets = (inv: Inventory) => inv.edges.reduce((n, e) => n + e.buckets.length, 0);
      const inDays = (await ch.readInventory({ daysSuffice: true })).inventory;
      expect(buckets(inDays)).toBeLessThan(buckets((await ch.readInventory()).inventory));
      // Without a window both stores roll up in days, the same way (the embedded one in DuckDB).
      expect(inDays).toEqual((await emb.readInventory({ daysSuffice: true })).inventory);
      expect(await rowsRead({ since: at(0.5) })).toBeLessThan(await rowsRead({}));
    }
  });

  it('speaks HTTPS with a private CA and a client certificate (?secure=1&ca=…&cert=…&key=…), and refuses without them', async (ctx) => {
    needsServer(ctx);
    const tls = join(dir, 'tls');
    const made = await makeCertificates(tls);
    if (made !== undefined) return ctx.skip(made);
    const read = (f: string) => readFile(join(tls, f));
    // A TLS front for the test server that asks for a client certificate signed by the same CA.
    const proxy = createHttpsServer({ key: await read('server.key'), cert: await read('server.pem'), ca: await read('ca.pem'), requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const upstream = httpRequest({ host: '127.0.0.1', port: server!.httpPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const port = (proxy.address() as AddressInfo).port;
      const base = server!.url('t_tls').replace(/@127\.0\.0\.1:\d+\//, `@localhost:${port}/`);
      const files = `ca=${join(tls, 'ca.pem')}&cert=${join(tls, 'client.pem')}&key=${join(tls, 'client.key')}`;
      const o = await run(['observe', '--store', `${base}?secure=1&${files}`, '--collector-id', 'tls', '--spool', join(dir, 'spool-tls'), days[0]!, '--cluster', clusterFile, '-q']);
      expect(o.err).toBe('');
      expect(o.code).toBe(0);
      const a = await run(['inventory', '--flows', days[0]!, '--cluster', clusterFile, '-q', '-o', 'json']);
      expect((await run(['inventory', '--store', `${base}?secure=1&${files}`, '-q', '-o', 'json'])).out).toBe(a.out);
      // Without the client certificate the TLS front hangs up; without the CA the server is not trusted.
      for (const query of [`?secure=1&ca=${join(tls, 'ca.pem')}`, '?secure=1']) {
        const r = await run(['inventory', '--store', `${base}${query}`, '-q']);
        expect(r.code, query).toBe(2);
        expect(r.err).toMatch(/ClickHouse cannot be reached/);
        expect(r.err).not.toContain('p@ss');
      }
      const missing = await run(['inventory', '--store', `${base}?secure=1&ca=${join(tls, 'nothing.pem')}`, '-q']);
      expect(missing.err).toMatch(/nothing\.pem: cannot read the TLS file of clickhouse:\/\/default@localhost/);
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('names the store, not the password, when the server refuses or the store is missing', async (ctx) => {
    needsServer(ctx);
    const wrong = `clickhouse://default:wrong-secret@127.0.0.1:${server!.httpPort}/nothing`;
    await expect(openFlowStore(wrong)).rejects.toThrow(/clickhouse:\/\/default@127\.0\.0\.1:\d+\/nothing: ClickHouse refused .*check the user and password/);
    await expect(openFlowStore(wrong)).rejects.not.toThrow(/wrong-secret/);
    await expect(openFlowStore(server!.url('missing_db'))).rejects.toThrow(/no flow store here/);
    // The password from the environment when the URL has none.
    const bare = `clickhouse://127.0.0.1:${server!.httpPort}/default`;
    await expect(openFlowStore(bare, { env: {} })).rejects.toThrow(/check the user and password/);
    await expect(openFlowStore(bare, { env: { TIGHTEN_CLICKHOUSE_PASSWORD: TEST_PASSWORD } })).rejects.toThrow(/no tighten tables in default/);
    const r = await run(['inventory', '--store', server!.url('missing_db'), '-q']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no flow store here');
    expect(r.err).not.toContain('w\'rd');
  });
});
