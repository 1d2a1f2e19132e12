#!/usr/bin/env node
// Benchmark (not a test): the flow store's ingest, side by side with baselines, in one run.
//
//   npm run build && node bench/store.mjs [--flows 2000000] [--workloads 1000] [--days 7] [--big-flows 10000000] [--dir /tmp/x]
//
// On one generated Hubble file (the bundled sample generator: --workloads workloads, --flows flows over --days days):
//   observe FILE        `tighten observe` into an empty store (hash, decode, fold, write the segment): MB/s, flows/s, peak RSS
//   duckdb read_json    DuckDB's own JSON reader with an explicit schema + GROUP BY into hourly edges (the raw-scan baseline)
//   jq -c .             jq re-printing every line (skipped with a message when jq is not installed)
//   observe --follow    the same file appended to a followed file as fast as it can be written: sustained flows/s
// Then: the store after a simulated week (the flows cut into one file per day, observed day by day, then
// compacted with hours older than 48 h rolled up into days): its size on disk. And the peak memory of
// `observe -` folding --big-flows flows streamed from the generator (no file written).
// Files go under --dir (default: a new directory in the system temp dir), removed at the end.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = (p) => new URL(`../dist/${p}`, import.meta.url);
const bin = new URL('../bin/tighten.js', import.meta.url).pathname;
const self = new URL(import.meta.url).pathname;
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const fmt = (n, d = 0) => Number(n).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });


/** Child: writes the sample's lines to --out (or stdout), the cluster to --cluster-out, optionally one file per day. */
async function generate() {
  const { generateSample, renderClusterYaml } = await import(dist('sample/index.js'));
  const sample = generateSample({ size: { workloads: Number(opt('workloads')), flows: Number(opt('flows')), days: Number(opt('days')) }, seed: 1 });
  if (opt('cluster-out')) await writeFile(opt('cluster-out'), renderClusterYaml(sample.cluster));
  const byDay = opt('days-dir');
  const streams = new Map();
  const single = opt('out') ? createWriteStream(opt('out'), { highWaterMark: 4 << 20 }) : process.stdout;
  for (const line of sample.flowLines()) {
    let out = single;
    if (byDay) {
      const day = /"time":"(\d{4}-\d\d-\d\d)/.exec(line)[1];
      out = streams.get(day);
      if (!out) streams.set(day, (out = createWriteStream(join(byDay, `${day}.jsonl`), { highWaterMark: 4 << 20 })));
    }
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  for (const s of [...streams.values(), ...(single === process.stdout ? [] : [single])]) {
    s.end();
    await once(s, 'close');
  }
}

/** Child: runs the CLI in-process and reports its peak RSS on stderr. */
async function cli() {
  const { main } = await import(dist('cli/index.js'));
  const rest = args.slice(args.indexOf('--') + 1);
  const code = await main(rest);
  process.stderr.write(`\nBENCH ${JSON.stringify({ code, maxRssKb: process.resourceUsage().maxRSS })}\n`);
  process.exitCode = code;
}

function run(argv, { stdin, env, onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(argv[0], argv.slice(1), { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    p.stdout.on('data', (c) => (out.length < 1e6 ? (out += c) : undefined));
    p.stderr.on('data', (c) => (err += c));
    if (stdin) stdin(p);
    onSpawn?.(p);
    p.on('error', reject);
    p.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      const m = /BENCH (\{.*\})/.exec(err);
      if (code !== 0) return reject(new Error(`${argv.join(' ')} exited ${code}: ${err.slice(-2000)}`));
      resolve({ seconds, out, err, ...(m ? JSON.parse(m[1]) : {}) });
    });
  });
}

const tighten = (...a) => [process.execPath, self, '--child', 'cli', '--', ...a];

async function storeBytes(dir) {
  const { openStore } = await import(dist('store/index.js'));
  return (await (await openStore(dir)).status()).bytes;
}

async function parent() {
  if (!existsSync(dist('store/index.js'))) {
    console.error('dist/ not found: run `npm run build` first');
    process.exit(2);
  }
  const flows = Number(opt('flows', '2000000'));
  const workloads = Number(opt('workloads', '1000'));
  const days = Number(opt('days', '7'));
  const bigFlows = Number(opt('big-flows', '10000000'));
  const dir = opt('dir') ?? (await mkdtemp(join(tmpdir(), 'tighten-bench-store-')));
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'flows.jsonl');
  const clusterFile = join(dir, 'cluster.yaml');
  const daysDir = join(dir, 'days');
  await mkdir(daysDir, { recursive: true });
  console.log(`sample: ${fmt(workloads)} workloads, ${fmt(flows)} flows over ${days} days; node ${process.version}`);
  try {
    const gen = (extra) => run([process.execPath, self, '--child', 'generate', '--workloads', String(workloads), '--flows', String(flows), '--days', String(days), ...extra]);
    await gen(['--out', file, '--cluster-out', clusterFile]);
    await gen(['--days-dir', daysDir]);
    const bytes = (await stat(file)).size;
    console.log(`file: ${fmt(bytes / 1e6)} MB\n`);
    const rows = [];
    const row = (name, seconds, n, extra = '') => rows.push([name, seconds.toFixed(1), fmt(bytes / 1e6 / seconds), fmt(n / seconds), extra]);

    // 1. observe FILE into an empty store.
    const s1 = join(dir, 'store-file');
    const r1 = await run(tighten('observe', '--store', s1, file, '--cluster', clusterFile, '-q', '-o', 'json'));
    const doc = JSON.parse(r1.out);
    row('observe FILE', r1.seconds, doc.flows, `peak RSS ${fmt(r1.maxRssKb / 1024)} MB, store ${fmt(doc.store.bytes / 1e6, 1)} MB`);

    // 2. DuckDB's raw JSON scan with an explicit schema, GROUP BY into hourly edges.
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const ep = 'STRUCT(namespace VARCHAR, pod_name VARCHAR, labels VARCHAR[])';
    const columns = `{flow: 'STRUCT(time VARCHAR, verdict VARCHAR, traffic_direction VARCHAR, is_reply BOOLEAN, source ${ep}, destination ${ep}, l4 STRUCT("TCP" STRUCT(destination_port INTEGER), "UDP" STRUCT(destination_port INTEGER)))'}`;
    const t2 = performance.now();
    const res = await c.runAndReadAll(`SELECT count(*) AS edges, sum(n) AS flows FROM (
        SELECT flow.source.namespace, flow.source.pod_name, flow.destination.namespace, flow.destination.pod_name,
               coalesce(flow.l4."TCP".destination_port, flow.l4."UDP".destination_port) AS port, flow.verdict,
               substr(flow.time, 1, 13) AS hour, count(*) AS n
        FROM read_json('${file}', format = 'newline_delimited', columns = ${columns})
        WHERE NOT coalesce(flow.is_reply, false)
        GROUP BY ALL)`);
    const secs2 = (performance.now() - t2) / 1000;
    const [edges2, flows2] = res.getRowsJS()[0];
    row('duckdb read_json + GROUP BY', secs2, flows, `${fmt(Number(edges2))} hourly groups of ${fmt(Number(flows2))} flows`);
    c.closeSync();
    db.closeSync();

    // 3. jq.
    try {
      const r3 = await run(['sh', '-c', `jq -c . '${file}' > /dev/null`]);
      row('jq -c .', r3.seconds, flows);
    } catch (e) {
      rows.push(['jq -c .', '–', '–', '–', `skipped: ${String(e.message).includes('not found') ? 'jq is not installed' : e.message.slice(0, 80)}`]);
    }

    // 4. observe --follow, the file appended as fast as it can be written.
    const s4 = join(dir, 'store-follow');
    const live = join(dir, 'live.log');
    await writeFile(live, '');
    let followerProcess;
    const follower = run(tighten('observe', '--store', s4, '--follow', live, '--cluster', clusterFile, '--flush-every', '5s', '-q', '-o', 'json'), {
      onSpawn: (p) => (followerProcess = p),
    }).catch((e) => e);
    const t4 = performance.now();
    const src = await open(file, 'r');
    const buf = Buffer.allocUnsafe(4 << 20);
    for (let pos = 0; ; ) {
      const { bytesRead } = await src.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      await appendFile(live, buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
    await src.close();
    let stored = 0;
    while (stored < doc.flows) {
      await new Promise((r) => setTimeout(r, 200));
      const text = await readFile(join(s4, 'manifest.json'), 'utf8').catch(() => '{"segments":[]}');
      stored = JSON.parse(text).segments.reduce((n, s) => n + s.flows, 0);
    }
    const secs4 = (performance.now() - t4) / 1000;
    followerProcess.kill('SIGTERM');
    const f = await follower;
    row('observe --follow (sustained)', secs4, stored, `peak RSS ${f.maxRssKb ? fmt(f.maxRssKb / 1024) : '?'} MB, store ${fmt((await storeBytes(s4)) / 1e6, 1)} MB`);

    const header = ['ingest of the same file', 'seconds', 'MB/s', 'flows/s', ''];
    const table = [header, ...rows];
    const widths = header.map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
    for (const r of table) console.log(r.map((cell, i) => (i === 0 || i === 4 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  '));

    // 5. A week in daily files, then compacted.
    const s5 = join(dir, 'store-week');
    const { readdir } = await import('node:fs/promises');
    const dayFiles = (await readdir(daysDir)).sort().map((n) => join(daysDir, n));
    for (const d of dayFiles) await run(tighten('observe', '--store', s5, d, '--cluster', clusterFile, '-q'));
    const before = await storeBytes(s5);
    const { openStore } = await import(dist('store/index.js'));
    const week = await openStore(s5);
    await week.compact();
    const st = await week.status();
    console.log(`\nweek in ${dayFiles.length} daily files: store ${fmt(before / 1e6, 1)} MB in ${dayFiles.length} segments; compacted (hours older than 48 h as days): ${fmt(st.bytes / 1e6, 1)} MB, ${fmt(st.bucketRows)} bucket rows`);

    // 6. Peak memory folding --big-flows flows from stdin.
    const s6 = join(dir, 'store-big');
    const r6 = await run(tighten('observe', '--store', s6, '-', '--cluster', clusterFile, '-q', '-o', 'json'), {
      stdin: (p) => {
        const g = spawn(process.execPath, [self, '--child', 'generate', '--workloads', String(workloads), '--flows', String(bigFlows), '--days', String(days)], { stdio: ['ignore', 'pipe', 'inherit'] });
        g.stdout.pipe(p.stdin);
      },
    });
    const d6 = JSON.parse(r6.out);
    console.log(`observe - of ${fmt(d6.flows)} flows streamed from the generator: ${r6.seconds.toFixed(0)} s (with generation), peak RSS ${fmt(r6.maxRssKb / 1024)} MB, ${d6.commits} commits, store ${fmt(d6.store.bytes / 1e6, 1)} MB`);
  } finally {
    if (opt('keep') === undefined) await rm(dir, { recursive: true, force: true });
  }
}

if (opt('child') === 'generate') await generate();
else if (opt('child') === 'cli') await cli();
else await parent();
