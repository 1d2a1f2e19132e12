#!/usr/bin/env node
// Benchmark (not a test): the ClickHouse store — ingest with 1, 2 and 4 concurrent collectors, and the
// time of reading the inventory back for recommend, beside the embedded store on the same flows.
//
//   npm run build && node bench/clickhouse.mjs [--flows 1000000] [--workloads 500] [--days 2] [--collectors 1,2,4] [--url clickhouse://USER@HOST:8123/DB_PREFIX]
//
// Without --url it starts a throwaway clickhouse-server (on 127.0.0.1, free ports, data in a temporary
// directory) and stops it at the end. The flows are one generated cluster's, cut into four files as
// four nodes' collectors would see them; with N collectors, each `tighten observe` process ingests
// 4/N of the files, all N at once, into a fresh database. Figures: wall time and flows/s of the whole
// ingest, edge buckets stored, and `recommend --store` wall time from ClickHouse and from a directory.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './clickhouse-server.mjs';

const dist = (p) => new URL(`../dist/${p}`, import.meta.url);
const bin = new URL('../bin/tighten.js', import.meta.url).pathname;
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const fmt = (n, d = 0) => Number(n).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

function run(argv) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (err += c));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${argv.slice(2, 4).join(' ')} exited ${code}: ${err.slice(-2000)}`));
      resolve({ seconds: (performance.now() - t0) / 1000, out, err });
    });
  });
}

const tighten = (...a) => [process.execPath, bin, ...a];

async function main() {
  if (!existsSync(dist('store/index.js'))) {
    console.error('dist/ not found: run `npm run build` first');
    process.exit(2);
  }
  const flows = Number(opt('flows', '1000000'));
  const workloads = Number(opt('workloads', '500'));
  const days = Number(opt('days', '2'));
  const dir = await mkdtemp(join(tmpdir(), 'tighten-bench-ch-'));
  const server = opt('url') ? { prefix: opt('url'), version: '(given)', stop: async () => {} } : await startServer(join(dir, 'server'));
  try {
    const { generateSample, renderClusterYaml } = await import(dist('sample/index.js'));
    const sample = generateSample({ size: { workloads, flows, days }, seed: 1 });
    const clusterFile = join(dir, 'cluster.yaml');
    await writeFile(clusterFile, renderClusterYaml(sample.cluster));
    const files = [0, 1, 2, 3].map((i) => join(dir, `node-${i}.jsonl`));
    const streams = files.map((f) => createWriteStream(f, { highWaterMark: 4 << 20 }));
    let n = 0;
    for (const line of sample.flowLines()) {
      const s = streams[n++ % 4];
      if (!s.write(`${line}\n`)) await once(s, 'drain');
    }
    for (const s of streams) {
      s.end();
      await once(s, 'close');
    }
    console.log(`sample: ${fmt(workloads)} workloads, ${fmt(n)} flows over ${days} days in 4 files; ClickHouse ${server.version}; node ${process.version}\n`);
    const rows = [];
    const database = (k) => `${server.prefix}bench_${process.pid}_${k}`;
    const counts = opt('collectors', '1,2,4').split(',').map(Number);
    for (const k of counts) {
      const url = database(k);
      const share = (i) => files.filter((_, f) => f % k === i);
      const t0 = performance.now();
      await Promise.all(Array.from({ length: k }, (_, i) => run(tighten('observe', '--store', url, '--collector-id', `c${i}`, '--spool', join(dir, 'spool'), '--cluster', clusterFile, '-q', ...share(i)))));
      const seconds = (performance.now() - t0) / 1000;
      const status = JSON.parse((await run(tighten('observe', '--store', url, '--collector-id', 'status', files[0], '-q', '-o', 'json'))).out).store;
      rows.push([`${k} collector${k > 1 ? 's' : ''}`, seconds.toFixed(1), fmt(n / seconds), fmt(status.bucketRows), fmt(status.bytes / 1e6, 1)]);
    }
    console.log('ingest (observe processes, all at once)   seconds   flows/s   edge buckets   MB in ClickHouse');
    for (const r of rows) console.log(`${r[0].padEnd(41)} ${r[1].padStart(7)} ${r[2].padStart(9)} ${r[3].padStart(14)} ${r[4].padStart(18)}`);

    const emb = join(dir, 'store-dir');
    const e0 = await run(tighten('observe', '--store', emb, '--cluster', clusterFile, '-q', ...files));
    const rc = await run(tighten('recommend', '--store', database(counts.at(-1)), '--repo', join(dir, 'repo-ch'), '-q'));
    const rd = await run(tighten('recommend', '--store', emb, '--repo', join(dir, 'repo-dir'), '-q'));
    const ic = await run(tighten('inventory', '--store', database(counts.at(-1)), '-q', '-o', 'json'));
    const id = await run(tighten('inventory', '--store', emb, '-q', '-o', 'json'));
    console.log(`\nembedded store ingest (one observe, 4 files): ${e0.seconds.toFixed(1)} s, ${fmt(n / e0.seconds)} flows/s`);
    console.log('read back                                  ClickHouse   directory');
    console.log(`inventory --store -o json (s)              ${ic.seconds.toFixed(2).padStart(10)} ${id.seconds.toFixed(2).padStart(11)}`);
    console.log(`recommend --store (s)                      ${rc.seconds.toFixed(2).padStart(10)} ${rd.seconds.toFixed(2).padStart(11)}`);
    const a = JSON.parse(ic.out);
    const b = JSON.parse(id.out);
    const differ = Object.keys({ ...a, ...b }).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    // Concurrent collectors' batches have no order of their own: the decode summary lists their files by flow time.
    const sortedFiles = (d) => JSON.stringify({ ...d, files: [...(d?.files ?? [])].sort() });
    const orderOnly = differ.length === 1 && differ[0] === 'decode' && sortedFiles(a.decode) === sortedFiles(b.decode);
    console.log(`same inventory: ${differ.length === 0 ? 'yes' : orderOnly ? 'yes, but for the order of the decode summary\'s file list' : `no, differs in ${differ.join(', ')}`}`);
    if (process.env.BENCH_KEEP) {
      await writeFile(join(process.env.BENCH_KEEP, 'inv-ch.json'), ic.out);
      await writeFile(join(process.env.BENCH_KEEP, 'inv-dir.json'), id.out);
    }
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
