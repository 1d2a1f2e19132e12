#!/usr/bin/env node
// Benchmark (not a test): does the inventory's memory grow with edges, not with flows?
//
//   npm run build && node bench/inventory-scale.mjs [--workloads 5000] [--flows 10000000] [--days 7]
//
// Streams the bundled sample generator's Hubble lines (the `large` demo cluster by default: 5,000
// workloads, 10 M flows over 7 days) straight into the decoder and the InventoryBuilder, in one child
// process per variant so peak memory (maxRSS) is measured apart:
//   generate       the generator alone (the floor: what producing the lines costs)
//   fold N/10      generate + decode + fold a tenth of the flows over the same cluster
//   fold N         generate + decode + fold all of them
// `inventory heap MB` is the live heap the folded inventory holds after a full GC (the builder and its
// result, over what the generator and the decoded cluster already held). If memory is bounded by edges
// (and their hourly buckets), it does not grow tenfold when the flows do.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const fmt = (n) => (n === undefined ? '–' : n.toLocaleString('en-US'));
const dist = (p) => new URL(`../dist/${p}`, import.meta.url);
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};

if (opt('child') !== undefined) await child(opt('child'));
else await parent();

async function parent() {
  if (!existsSync(dist('inventory/index.js'))) {
    console.error('dist/ not found: run `npm run build` first');
    process.exit(2);
  }
  const workloads = Number(opt('workloads', '5000'));
  const flows = Number(opt('flows', '10000000'));
  const days = Number(opt('days', '7'));
  console.log(`sample: ${workloads.toLocaleString('en-US')} workloads, up to ${flows.toLocaleString('en-US')} flows over ${days} days; node ${process.version}\n`);
  const variants = [
    ['generate', flows],
    ['fold', Math.round(flows / 10)],
    ['fold', flows],
  ];
  const rows = [];
  for (const [mode, n] of variants) {
    const r = await run(mode, { workloads, flows: n, days });
    rows.push({ variant: `${mode} ${n.toLocaleString('en-US')}`, ...r });
    console.error(`  done: ${mode} ${n}`);
  }
  const header = ['variant', 'seconds', 'lines/s', 'edges', 'buckets', 'workloads', 'peak RSS MB', 'inventory heap MB'];
  const table = [header, ...rows.map((r) => [r.variant, r.seconds.toFixed(1), Math.round(r.lines / r.seconds).toLocaleString('en-US'), fmt(r.edges), fmt(r.buckets), fmt(r.workloads), (r.maxRssKb / 1024).toFixed(0), r.heapMb === undefined ? '–' : r.heapMb.toFixed(0)])];
  const widths = header.map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
  console.log('');
  for (const row of table) console.log(row.map((c, i) => String(c).padStart(i === 0 ? 0 : widths[i]).padEnd(i === 0 ? widths[0] : 0)).join('  '));
}


function run(mode, o) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--max-old-space-size=8192', '--expose-gc', new URL(import.meta.url).pathname, '--child', mode, '--workloads', String(o.workloads), '--flows', String(o.flows), '--days', String(o.days)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${mode} exited ${code}`))));
  });
}

async function child(mode) {
  const { generateSample } = await import(dist('sample/index.js'));
  const { decodeHubbleLine } = await import(dist('flows/index.js'));
  const { InventoryBuilder } = await import(dist('inventory/index.js'));
  const { decodeClusterDocuments } = await import(dist('cluster/index.js'));
  const sample = generateSample({
    size: { workloads: Number(opt('workloads')), flows: Number(opt('flows')), days: Number(opt('days')), nodes: 120 },
    seed: 1,
  });
  const t0 = performance.now();
  let lines = 0;
  const result = {};
  if (mode === 'generate') {
    for (const line of sample.flowLines()) lines += line.length > 0 ? 1 : 0;
  } else {
    const cluster = decodeClusterDocuments(sample.cluster.map((object, i) => ({ source: `sample#${i + 1}`, object })));
    let builder = new InventoryBuilder({ cluster });
    for (const line of sample.flowLines()) {
      lines++;
      const d = decodeHubbleLine(line);
      if (d?.kind === 'flow') builder.add(d.flow);
    }
    let inv = builder.finish();
    result.edges = inv.edges.length;
    result.buckets = inv.edges.reduce((s, e) => s + e.buckets.length, 0);
    result.workloads = inv.workloads.length;
    globalThis.gc?.();
    const withInventory = process.memoryUsage().heapUsed;
    builder = inv = undefined;
    globalThis.gc?.();
    result.heapMb = (withInventory - process.memoryUsage().heapUsed) / 1e6;
  }
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ ...result, lines, seconds, maxRssKb: process.resourceUsage().maxRSS }));
}
