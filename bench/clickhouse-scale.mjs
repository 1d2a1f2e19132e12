#!/usr/bin/env node
// Benchmark (not a test): reading a large store back — the query time of `recommend` over 100,000 edges ×
// 168 hourly buckets (16.8 M merged bucket rows), from ClickHouse, beside an embedded (directory) store
// filled with the same batches in the same run.
//
//   npm run build && node bench/clickhouse-scale.mjs [--edges 100000] [--hours 168] [--per-source 100] [--url clickhouse://USER@HOST:8123/DB_PREFIX] [--timeout 1800] [--check]
//       [--fill-on-server] [--skip-dir] [--heaps default,8g]
//
// Without --url it starts a throwaway clickhouse-server (see bench/clickhouse-server.mjs). The cluster is the
// sample generator's (enough workloads for the edges), written as the YAML `--cluster` reads; the store content
// is built directly as fold state, not from flows: each of edges/per-source workloads calls per-source other
// workloads on one of their ports, and every edge has one bucket in every hour. One IngestBatch per hour, each
// carrying the cluster (so `--store` alone resolves workloads), is committed to both stores (the directory one
// configured not to compact). Then, per store, in child processes: `inventory --store S -o json` (output to
// /dev/null) and `recommend --store S --repo DIR`, with the default heap and with --max-old-space-size=8192,
// each with its wall time and peak RSS; and for ClickHouse the read query alone, run on the server (FORMAT
// Null) and streamed into node (rows parsed, nothing kept). The ClickHouse URL lifts the server's limit of a
// query to an hour (`?max_execution_time=3600`; the default is 60 s). A command that fails (out of memory, a
// timeout) is reported with its exit and the last lines of its stderr. --check (for small sizes) first
// compares both stores' inventories and counts the edges between workloads.
// Commands read a store in days (see src/store/clickhouse/edge-query.ts); the merge query is timed both in
// hours and in days. Then the ClickHouse store is compacted (`tighten compact`, the default 48 h rollup) and
// the days query and `recommend` are timed again: the shape of a store compacted on schedule.
// --fill-on-server commits the first and last hours through the store and copies the first hour's rows to the
// hours between on the server (INSERT … SELECT, through the materialized view): a full-size store in minutes
// instead of the quarter hour 168 commits of 100,000 rows take. --skip-dir leaves the directory store out.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer } from './clickhouse-server.mjs';

const dist = (p) => new URL(`../dist/${p}`, import.meta.url);
const bin = new URL('../bin/tighten.js', import.meta.url).pathname;
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const fmt = (n, d = 0) => Number(n).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const HOUR_MS = 3_600_000;
const COUNTERS = 9;

/** The synthetic cluster: the sample generator's objects as YAML, and the snapshot tighten reads from them. */
async function makeCluster(dir, workloads) {
  const { generateSample, renderClusterYaml } = await import(dist('sample/index.js'));
  const { readCluster } = await import(dist('cluster/index.js'));
  const sample = generateSample({ size: { workloads, flows: 1000, days: 1 }, seed: 1 });
  const file = join(dir, 'cluster.yaml');
  await writeFile(file, renderClusterYaml(sample.cluster));
  return { file, snapshot: await readCluster([file]) };
}

/** The edges (without buckets): source i calls the `perSource` workloads after it, each on its first port. */
function planEdges(snapshot, edges, perSource) {
  const all = snapshot.workloads.filter((w) => !w.hostNetwork);
  const sources = Math.ceil(edges / perSource);
  if (all.length <= perSource || all.length < sources) throw new Error(`the cluster has ${all.length} workloads: too few for ${edges} edges of ${perSource} per source`);
  const planned = [];
  for (let i = 0; i < sources; i++) {
    for (let k = 1; k <= perSource && planned.length < edges; k++) {
      const dst = all[(i + k) % all.length];
      planned.push({
        sourceKey: `w:${all[i].namespace}/${all[i].name}`,
        destinationKey: `w:${dst.namespace}/${dst.name}`,
        sourceIsWorkload: true,
        port: dst.containerPorts[0]?.containerPort ?? 8080,
        protocol: 'TCP',
        verdict: 'FORWARDED',
      });
    }
  }
  const used = new Set(planned.flatMap((e) => [e.sourceKey, e.destinationKey]));
  const states = all.filter((w) => used.has(`w:${w.namespace}/${w.name}`)).map((w) => ({
    namespace: w.namespace,
    name: w.name,
    kind: w.kind,
    kindRank: 0,
    labels: w.podLabels,
    ...(w.serviceAccountName !== undefined ? { serviceAccount: w.serviceAccountName } : {}),
  }));
  return { planned, workloads: states, sources };
}

/** The batch of hour `h` (0-based): every edge with one bucket, counted on both sides. */
function hourBatch(plan, snapshot, firstHour, h) {
  const hour = firstHour + h;
  const at = (ms) => new Date(hour * HOUR_MS + ms).toISOString();
  let flows = 0;
  const edges = plan.planned.map((e, i) => {
    const n = 1 + ((i * 7 + h) % 13);
    flows += 2 * n;
    const counts = new Array(COUNTERS).fill(0);
    counts[0] = n; // egress, trace
    counts[3] = n; // ingress, trace
    return { ...e, buckets: [{ hour, counts, first: at((i % 600) * 1000), last: at(3_000_000 + (i % 600) * 1000) }] };
  });
  const lastTime = at(HOUR_MS - 1);
  return {
    state: { edges, workloads: plan.workloads, namesByIp: [], pendingIdentities: [], identityWorkloads: [], notEdges: {}, unresolvedExamples: [], unresolvedCount: 0, lostEvents: 0, lastTime },
    decode: { files: [`hour-${h}.jsonl`], linesRead: flows, flows, skipped: 0, ignored: 0, lostEvents: 0, errors: [] },
    files: [{ sha256: `${'0'.repeat(56)}${h.toString(16).padStart(8, '0')}`, name: `hour-${h}.jsonl`, bytes: flows * 1000 }],
    uuids: [],
    cluster: snapshot,
  };
}

/**
 * Commits the batches to each store; returns the seconds each store's commits took. With `onServer`, the
 * ClickHouse store (the first) gets only the first and last hours' batches, and the first hour's rows are
 * copied to the hours between on the server, with their first and last seen moved along.
 */
async function fill(stores, plan, snapshot, hours, onServer) {
  const firstHour = Math.floor(Date.parse('2026-11-02T00:00:00Z') / HOUR_MS);
  const seconds = stores.map(() => 0);
  for (let h = 0; h < hours; h++) {
    const batch = hourBatch(plan, snapshot, firstHour, h);
    for (const [i, store] of stores.entries()) {
      if (onServer && i === 0 && h !== 0 && h !== hours - 1) continue;
      const t0 = performance.now();
      await store.commit(batch);
      seconds[i] += (performance.now() - t0) / 1000;
    }
    if (h % 24 === 23 || h === hours - 1) console.error(`  filled ${h + 1}/${hours} hours`);
  }
  for (const [i, store] of stores.entries()) {
    const t0 = performance.now();
    await store.flush?.();
    seconds[i] += (performance.now() - t0) / 1000;
  }
  if (onServer && hours > 2) seconds[0] += await copyHours(stores[0].location, firstHour, hours);
  return seconds;
}

/** Copies hour `first`'s edge rows to hours first+1 … first+hours-2 (a day per statement); returns the seconds taken. */
async function copyHours(location, first, hours) {
  const { ClickHouseHttp } = await import(dist('store/clickhouse/http.js'));
  const { parseClickHouseLocation } = await import(dist('store/clickhouse/location.js'));
  const http = new ClickHouseHttp(parseClickHouseLocation(location), { maxExecutionSeconds: 3600 });
  const counters = Array.from({ length: COUNTERS }, (_, i) => `c${i}`).join(', ');
  const moved = (col) => `concat(formatDateTime(toDateTime(toUInt32((hour + n) * 3600 + toUInt32(substring(${col}, 15, 2)) * 60 + toUInt32(substring(${col}, 18, 2))), 'UTC'), '%Y-%m-%dT%H:%M:%S', 'UTC'), substring(${col}, 20))`;
  const t0 = performance.now();
  for (let from = 1; from < hours - 1; from += 24) {
    const count = Math.min(24, hours - 1 - from);
    await http.query(
      `INSERT INTO edge_rows (collector, batch, src, dst, src_w, proto, port, verdict, hour, daily, hours, ${counters}, first, last)
       SELECT collector, batch, src, dst, src_w, proto, port, verdict, hour + n AS moved_hour, daily, hours, ${counters}, ${moved('first')} AS moved_first, ${moved('last')} AS moved_last
       FROM edge_rows ARRAY JOIN arrayMap(x -> x + ${from}, range(${count})) AS n WHERE hour = ${first}`,
    );
    console.error(`  copied hours ${from}–${from + count - 1} on the server`);
  }
  return (performance.now() - t0) / 1000;
}

/**
 * Runs a tighten command (or `script`) in a child process (stdout to /dev/null) under /usr/bin/time -v when present;
 * resolves with its wall time, peak RSS, exit and last stderr lines, failed or not.
 */
function measure(argv, env, timeoutMs, script = bin) {
  const timeV = existsSync('/usr/bin/time');
  const command = timeV ? ['/usr/bin/time', '-v', process.execPath, script, ...argv] : [process.execPath, script, ...argv];
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p = spawn(command[0], command.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let err = '';
    p.stderr.on('data', (c) => {
      err = (err + c).slice(-200_000);
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - t0) / 1000;
      const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? NaN);
      const exit = Number(/Exit status: (\d+)/.exec(err)?.[1] ?? code ?? NaN);
      const signalled = /Command terminated by signal (\d+)/.exec(err)?.[1];
      const own = timeV ? err.slice(0, err.lastIndexOf('\tCommand being timed')) : err;
      const ok = code === 0 && signal === null;
      resolve({ ok, seconds, rssMb: rssKb / 1024, exit: signalled ? `signal ${signalled}` : signal ? `signal ${signal}` : `exit ${exit}`, tail: own.trim().split('\n').slice(-6).join('\n'), timedOut: seconds * 1000 >= timeoutMs });
    });
  });
}

/** The read query of the ClickHouse store (src/store/clickhouse/edge-query.ts), in hours and in days. */
async function readQueries(url) {
  const { ClickHouseHttp } = await import(dist('store/clickhouse/http.js'));
  const { parseClickHouseLocation } = await import(dist('store/clickhouse/location.js'));
  const { edgeBucketsSql, readEdgeView } = await import(dist('store/clickhouse/edge-query.js'));
  const view = await readEdgeView(new ClickHouseHttp(parseClickHouseLocation(url)));
  return { hours: edgeBucketsSql(view), days: edgeBucketsSql(view, { days: true }) };
}

/** The server's time of the merge query alone (FORMAT Null), and the time of streaming its rows into node. */
async function mergeFigures(url, query) {
  const { ClickHouseHttp } = await import(dist('store/clickhouse/http.js'));
  const { parseClickHouseLocation } = await import(dist('store/clickhouse/location.js'));
  const http = new ClickHouseHttp(parseClickHouseLocation(url), { maxExecutionSeconds: 3600 });
  const t0 = performance.now();
  await http.query(`${query} FORMAT Null`);
  const serverSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  let rows = 0;
  for await (const batch of http.stream(query)) rows += batch.length;
  return { serverSeconds, streamSeconds: (performance.now() - t1) / 1000, rows };
}

/** The server process's peak RSS since the last reset (Linux), MB; resets it. */
async function serverPeakMb(pid) {
  if (pid === undefined) return NaN;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  await writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => undefined);
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

/** `--check` (for small sizes): both stores give the same inventory, with every planned edge between workloads. */
async function check(chUrl, dirStore, planned) {
  const inventory = async (store) => {
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'inventory', '--store', store, '-q', '-o', 'json'], { maxBuffer: 1 << 30 });
    return JSON.parse(stdout);
  };
  const [a, b] = [await inventory(chUrl), await inventory(dirStore)];
  const betweenWorkloads = a.edges.filter((e) => 'namespace' in e.source && 'namespace' in e.destination).length;
  const same = JSON.stringify(a) === JSON.stringify(b);
  console.log(`check: ${a.edges.length} edges (${betweenWorkloads} between workloads, ${planned} planned), ${a.workloads.length} workloads; same inventory from both stores: ${same ? 'yes' : 'NO'}\n`);
}

const cell = (r) => (r.ok ? `${r.seconds.toFixed(1)} s, ${fmt(r.rssMb)} MB` : `FAILED (${r.timedOut ? 'timed out' : r.exit}) ${r.seconds.toFixed(0)} s, ${fmt(r.rssMb)} MB`);

async function main() {
  if (!existsSync(dist('store/index.js'))) {
    console.error('dist/ not found: run `npm run build` first');
    process.exit(2);
  }
  const edges = Number(opt('edges', '100000'));
  const hours = Number(opt('hours', '168'));
  const perSource = Number(opt('per-source', '100'));
  const timeoutMs = Number(opt('timeout', '1800')) * 1000;
  const dir = await mkdtemp(join(tmpdir(), 'tighten-bench-ch-scale-'));
  const server = opt('url') ? { prefix: opt('url'), version: '(given)', stop: async () => {} } : await startServer(join(dir, 'server'));
  try {
    const { openFlowStore } = await import(dist('store/index.js'));
    const skipDir = args.includes('--skip-dir');
    const heaps = opt('heaps', 'default,8g').split(',').map((h) => (h === '8g' ? ['8 GB heap', { NODE_OPTIONS: '--max-old-space-size=8192' }] : ['default heap', {}]));
    const cluster = await makeCluster(dir, Math.max(Math.ceil((edges / perSource) * 1.1), perSource * 2));
    const plan = planEdges(cluster.snapshot, edges, perSource);
    console.log(`store: ${fmt(plan.planned.length)} edges (${fmt(plan.sources)} sources × ${perSource} destinations) × ${hours} hourly buckets = ${fmt(plan.planned.length * hours)} bucket rows; ${fmt(cluster.snapshot.workloads.length)} workloads in the cluster; ClickHouse ${server.version}; node ${process.version}\n`);
    const chUrl = `${server.prefix}bench_scale_${process.pid}?max_execution_time=3600`;
    const dirStore = join(dir, 'store-dir');
    const stores = [await openFlowStore(chUrl, { create: true, spoolDir: join(dir, 'spool') })];
    if (!skipDir) {
      stores.push(await openFlowStore(dirStore, { create: true }));
      await stores[1].configure({ compactAfterSegments: 100_000 });
    }
    const [chFill, dirFill] = await fill(stores, plan, cluster.snapshot, hours, args.includes('--fill-on-server'));
    const stored = await Promise.all(stores.map((st) => st.status()));
    await serverPeakMb(server.pid);
    if (args.includes('--check')) {
      if (skipDir || args.includes('--fill-on-server')) console.log('check skipped: it needs the directory store, and hours filled through the store (not --fill-on-server)\n');
      else await check(chUrl, dirStore, plan.planned.length);
    }

    const rows = [
      ['', 'ClickHouse', skipDir ? '' : 'directory'],
      ['fill (s)', chFill.toFixed(1), dirFill?.toFixed(1) ?? ''],
      ['stored bucket rows / MB', `${fmt(stored[0].bucketRows)} / ${fmt(stored[0].bytes / 1e6)}`, stored[1] ? `${fmt(stored[1].bucketRows)} / ${fmt(stored[1].bytes / 1e6)}` : ''],
    ];
    const report = (name, a, b = '') => {
      console.error(`  ${name}: ${a}${b ? ` | ${b}` : ''}`);
      rows.push([name, a, b]);
    };
    /** The read queries alone, then the CLI commands, on the store as it is now. */
    const phase = async (label, withDir) => {
      const queries = await readQueries(chUrl);
      for (const [granularity, query] of Object.entries(queries)) {
        const merge = await mergeFigures(chUrl, query);
        report(`${label}read query in ${granularity}: server, FORMAT Null / streamed into node (s)`, `${merge.serverSeconds.toFixed(1)} / ${merge.streamSeconds.toFixed(1)} (${fmt(merge.rows)} rows; server peak ${fmt(await serverPeakMb(server.pid))} MB)`);
      }
      for (const [command, argv] of [['inventory -o json', (st) => ['inventory', '--store', st, '-q', '-o', 'json']], ['recommend', (st, k) => ['recommend', '--store', st, '--repo', join(dir, `repo-${k}`), '-q']]]) {
        for (const [heap, env] of heaps) {
          const a = await measure(argv(chUrl, `ch-${rows.length}`), env, timeoutMs);
          const b = withDir ? await measure(argv(dirStore, `dir-${rows.length}`), env, timeoutMs) : undefined;
          report(`${label}${command}, ${heap} (wall, peak RSS)`, cell(a), b ? cell(b) : '');
          for (const [which, r] of [['ClickHouse', a], ['directory', b]]) if (r && !r.ok) console.log(`${label}${command}, ${heap} (${which}): ${r.timedOut ? 'timed out, ' : ''}${r.exit}; last stderr lines:\n${r.tail.replace(/^/gm, '  ')}`);
        }
      }
    };
    await phase('', !skipDir);
    const compact = await measure(['compact', '--store', chUrl], {}, timeoutMs);
    const after = await stores[0].status();
    report('tighten compact (default: days older than 48 h rolled up) (wall, peak RSS)', `${cell(compact)}; ${fmt(after.bucketRows)} bucket rows, ${fmt(after.bytes / 1e6)} MB after`);
    if (!compact.ok) console.log(`compact: ${compact.exit}\n${compact.tail}`);
    await phase('compacted: ', false);

    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
    console.log(rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[0]) : String(c).padStart(widths[i]))).join('   ')).join('\n'));
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
