#!/usr/bin/env node
// Benchmark (not a test): how long until the dashboard's service map is drawn, for a generated cluster of 1,000
// workloads and 10,000 edges, in headless Chromium (target: under 3 s).
//
//   npm run build && node bench/dashboard.mjs [--workloads 1000] [--edges 10000] [--runs 5]
//
// Generates Hubble flow lines (one connection per edge, workloads in namespaces of 25), recommends policies for
// half the namespaces on all but the last hour, so the map has every status (allowed, would-drop, dropped, not
// covered), then starts `tighten serve` in-process (the real pipeline: read, understand, simulate, lay out) and
// loads the map page in Chromium `--runs` times, each a fresh page load. Printed per run and as the median:
//   first render   navigation start → the map drawn on the canvas (the page marks it)
//   fetch+parse    baseline in the same page: fetching and parsing /api/map alone, nothing drawn
//   redraw         one filter change (the whole cluster → one namespace → back), drawn synchronously
// and, once: the server's load (read + understand + simulate + layout) and the layout alone, and the map's size.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? Number(args[i + 1]) : fallback;
};
const WORKLOADS = opt('workloads', 1000);
const EDGES = opt('edges', 10_000);
const RUNS = opt('runs', 5);
const CHROMIUM = '/usr/bin/chromium';
const dist = (p) => new URL(`../dist/${p}`, import.meta.url);
const ms = (n) => `${Math.round(n).toLocaleString('en-US')} ms`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (!existsSync(dist('web/index.html')) || !existsSync(dist('cli/commands/serve.js'))) {
  console.error('bench/dashboard.mjs: run npm run build first');
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  console.error(`bench/dashboard.mjs: ${CHROMIUM} is not installed (apt-get install chromium)`);
  process.exit(2);
}
const { main } = await import(dist('cli/index.js'));
const { startDashboard } = await import(dist('cli/commands/serve.js'));
const { buildMap } = await import(dist('server/views.js'));
const { chromium } = await import('playwright-core');

function quietIo(cwd) {
  const sink = new PassThrough();
  sink.resume();
  return { stdout: sink, stderr: sink, stdin: Readable.from([]), env: {}, stderrIsTTY: false, cwd };
}

/** One flow line: an egress observation of a new connection from `s` to `d`. */
function flowLine(time, s, d, port, verdict) {
  const endpoint = (w) => ({
    identity: 10_000 + w.index,
    cluster_name: 'bench',
    namespace: w.namespace,
    labels: [`k8s:app=${w.name}`, `k8s:io.kubernetes.pod.namespace=${w.namespace}`, 'k8s:io.cilium.k8s.policy.cluster=bench'],
    pod_name: `${w.name}-5d8f7c9b4-abcde`,
    workloads: [{ name: w.name, kind: 'Deployment' }],
  });
  return JSON.stringify({
    flow: {
      time,
      verdict,
      ...(verdict === 'DROPPED' ? { drop_reason_desc: 'POLICY_DENIED' } : {}),
      IP: { source: s.ip, destination: d.ip, ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 40_000 + (s.index % 20_000), destination_port: port, flags: { SYN: true } } },
      source: endpoint(s),
      destination: endpoint(d),
      Type: 'L3_L4',
      node_name: 'bench/node-1',
      traffic_direction: 'EGRESS',
      is_reply: false,
    },
  });
}

async function generate(dir) {
  const perNamespace = 25;
  const workloads = Array.from({ length: WORKLOADS }, (_, index) => ({
    index,
    namespace: `team-${String(Math.floor(index / perNamespace)).padStart(3, '0')}`,
    name: `svc-${String(index % perNamespace).padStart(2, '0')}`,
    ip: `10.${Math.floor(index / 250)}.${index % 250}.10`,
  }));
  const fanOut = Math.ceil(EDGES / WORKLOADS);
  const lines = [];
  const start = Date.parse('2026-11-02T00:00:00Z');
  for (let i = 0; i < EDGES; i++) {
    const s = workloads[i % WORKLOADS];
    const k = Math.floor(i / WORKLOADS);
    // Mostly calls inside the namespace and to its neighbours, some across the cluster.
    const d = workloads[k < fanOut - 2 ? (s.index + 1 + k * 3) % WORKLOADS : (s.index + 1 + k * 97) % WORKLOADS];
    const verdict = i % 100 === 7 ? 'DROPPED' : 'FORWARDED';
    lines.push(flowLine(new Date(start + (i % 20) * 3_600_000 + i).toISOString(), s, d, 8080, verdict));
  }
  // The last hour: new ports, not seen by recommend (would-be drops where a namespace has policies).
  for (let i = 0; i < Math.ceil(EDGES / 50); i++) {
    const s = workloads[(i * 7) % WORKLOADS];
    const d = workloads[(i * 7 + 1) % WORKLOADS];
    lines.push(flowLine(new Date(start + 23 * 3_600_000 + i).toISOString(), s, d, 9090, 'FORWARDED'));
  }
  const flows = join(dir, 'flows.jsonl');
  await writeFile(flows, `${lines.join('\n')}\n`);
  const namespaces = [...new Set(workloads.map((w) => w.namespace))].filter((_, i) => i % 2 === 0);
  const repo = join(dir, 'repo');
  const code = await main(['recommend', '--flows', flows, '--repo', repo, '--until', new Date(start + 22 * 3_600_000).toISOString(), '--namespace', namespaces.join(','), '-q'], quietIo(dir));
  if (code !== 0) throw new Error(`recommend exited ${code}`);
  return { flows, repo };
}

const dir = await mkdtemp(join(tmpdir(), 'tighten-bench-dashboard-'));
let dashboard;
let context;
let profile;
try {
  process.stderr.write(`generating ${WORKLOADS.toLocaleString('en-US')} workloads, ${EDGES.toLocaleString('en-US')} edges and recommending …\n`);
  const { flows, repo } = await generate(dir);
  let t = performance.now();
  dashboard = await startDashboard({ flows: [flows], cluster: [], window: {}, repo, listen: '127.0.0.1:0', log: false }, quietIo(dir));
  const load = performance.now() - t;
  const map = await (await fetch(new URL('/api/map', dashboard.url))).json();
  const bytes = JSON.stringify(map).length;

  profile = await mkdtemp(join(tmpdir(), 'tighten-bench-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const page = await context.newPage();
    await page.goto(new URL('/#/map', dashboard.url).toString());
    await page.waitForSelector('body[data-map-rendered]', { timeout: 60_000 });
    const firstRender = Number(await page.getAttribute('body', 'data-map-rendered'));
    const fetchParse = await page.evaluate(async () => {
      const t0 = performance.now();
      await (await fetch('/api/map')).json();
      return performance.now() - t0;
    });
    const redraw = await page.evaluate(() => {
      const select = document.getElementById('map-namespace');
      const change = (v) => {
        select.value = v;
        select.dispatchEvent(new Event('change'));
      };
      const t0 = performance.now();
      change('team-000');
      change('');
      return (performance.now() - t0) / 2;
    });
    const drawn = Number(await page.getAttribute('#map-canvas', 'data-edges'));
    if (drawn !== map.edges.length) throw new Error(`the page drew ${drawn} edges of ${map.edges.length}`);
    runs.push({ firstRender, fetchParse, redraw });
    await page.close();
  }
  const layoutRuns = [];
  const { readDashboardData } = await import(dist('server/data.js'));
  const d = await readDashboardData({ flows: [flows], cluster: [], window: {}, repo }, quietIo(dir));
  for (let i = 0; i < 3; i++) {
    t = performance.now();
    buildMap(d.context.inventory, d.context.understanding, d.context.simulation);
    layoutRuns.push(performance.now() - t);
  }

  const statuses = Object.entries(map.totals).map(([s, n]) => `${n.toLocaleString('en-US')} ${s}`).join(', ');
  console.log(`dashboard map: ${map.nodes.length.toLocaleString('en-US')} nodes (${WORKLOADS.toLocaleString('en-US')} workloads), ${map.edges.length.toLocaleString('en-US')} edges (${statuses}), ${map.groups.length} groups; /api/map ${(bytes / 1e6).toFixed(1)} MB`);
  console.log(`server: load (read + understand + simulate + lay out) ${ms(load)}; map document with layout ${ms(median(layoutRuns))}`);
  console.log('');
  console.log('run  first render  fetch+parse (baseline)  redraw');
  runs.forEach((r, i) => console.log(`${String(i + 1).padStart(3)}  ${ms(r.firstRender).padStart(12)}  ${ms(r.fetchParse).padStart(22)}  ${ms(r.redraw).padStart(6)}`));
  const med = median(runs.map((r) => r.firstRender));
  console.log(`median first render ${ms(med)} (target < 3,000 ms: ${med < 3000 ? 'met' : 'NOT met'}); fetch+parse ${ms(median(runs.map((r) => r.fetchParse)))}; redraw ${ms(median(runs.map((r) => r.redraw)))}`);
} finally {
  await context?.close();
  if (profile !== undefined) await rm(profile, { recursive: true, force: true });
  await dashboard?.close();
  await rm(dir, { recursive: true, force: true });
}
