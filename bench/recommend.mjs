#!/usr/bin/env node
// Benchmark (not a test): `tighten recommend` at scale — 5,000 workloads and 100,000 edges by default.
//
//   npm run build && node bench/recommend.mjs [--workloads 5000] [--edges 100000] [--seed 7] [--write]
//
// Builds (seeded) a flow inventory the shape of a large cluster: ~140 namespaces of ~36 workloads, CoreDNS,
// Prometheus, an OpenTelemetry collector, Vault and an ingress controller; every workload asks DNS (with names),
// most send traces, call a dozen services (a fifth across namespaces), get scraped and probed by their node; some
// reach external APIs by name, a few by address only; some take traffic from the ingress controller or the world;
// a few edges were only ever dropped; every fourth namespace has a hand-written policy already. Then times each step of recommend, as the command runs them: understand
// (classes, selectors, findings), generate (baseline, per-workload policies, evidence: every edge evaluated
// against the existing policies and the baseline), plan (render every file, compare with the repository) and,
// with --write, the atomic writes into a temporary repository. Prints the time and the heap after each step, and
// the peak RSS. The target (PRODUCT.md §7, issue 6): under 10 s for 5,000 workloads and 100,000 edges.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = (p) => new URL(`../dist/${p}`, import.meta.url);
if (!existsSync(dist('policy/generate/index.js'))) {
  console.error('dist/policy/generate/index.js not found: run `npm run build` first');
  process.exit(2);
}
const { generatePolicies } = await import(dist('policy/generate/index.js').href);
const { understand } = await import(dist('understand/index.js').href);
const { DEFAULT_CONFIG } = await import(dist('config/index.js').href);
const { planRepository, applyPlan, EMPTY_STATE } = await import(dist('gitops/index.js').href);

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? Number(args[i + 1]) : fallback;
};
const WORKLOADS = opt('workloads', 5000);
const EDGES = opt('edges', 100_000);
const SEED = opt('seed', 7);
const WRITE = args.includes('--write');

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(SEED);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const chance = (p) => rand() < p;

// ---- the inventory ------------------------------------------------------------------------------------

const T0 = Date.parse('2026-11-02T00:00:00Z');
const time = (ms) => new Date(T0 + ms).toISOString();
const WINDOW_MS = 7 * 86_400_000;

const workloads = [];
const platform = {
  dns: { namespace: 'kube-system', kind: 'Deployment', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } },
  prometheus: { namespace: 'monitoring', kind: 'StatefulSet', name: 'prometheus-k8s', labels: { 'app.kubernetes.io/name': 'prometheus' } },
  otel: { namespace: 'monitoring', kind: 'Deployment', name: 'otel-collector', labels: { 'app.kubernetes.io/name': 'opentelemetry-collector' } },
  vault: { namespace: 'vault', kind: 'StatefulSet', name: 'vault', labels: { 'app.kubernetes.io/name': 'vault' } },
  ingress: { namespace: 'ingress-nginx', kind: 'Deployment', name: 'ingress-nginx-controller', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
};
for (const p of Object.values(platform)) workloads.push(p);
const perNs = 36;
const namespaces = [];
for (let n = 0; workloads.length < WORKLOADS; n++) {
  const ns = `team-${String(n).padStart(3, '0')}`;
  namespaces.push(ns);
  for (let i = 0; i < perNs && workloads.length < WORKLOADS; i++) {
    const name = `svc-${i}`;
    const kind = i % 17 === 16 ? 'CronJob' : i % 11 === 10 ? 'StatefulSet' : 'Deployment';
    const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': ns, 'pod-template-hash': 'abcde' };
    workloads.push({ namespace: ns, kind, name, labels });
    if (i % 13 === 12 && workloads.length < WORKLOADS) workloads.push({ namespace: ns, kind: 'Deployment', name: `${name}-canary`, labels: { ...labels, track: 'canary' } });
  }
}
const apps = workloads.filter((w) => w.namespace.startsWith('team-'));
const byNs = new Map();
for (const w of apps) byNs.set(w.namespace, [...(byNs.get(w.namespace) ?? []), w]);
// One peer object per workload, as the inventory builder shares them.
const refs = new Map();
const ref = (w) => {
  let r = refs.get(w);
  if (r === undefined) refs.set(w, (r = { namespace: w.namespace, kind: w.kind, name: w.name }));
  return r;
};

const edges = new Map();
function edge(source, destination, port, protocol = 'TCP', extra = {}) {
  const key = `${JSON.stringify(source)}|${JSON.stringify(destination)}|${port}|${protocol}|${extra.verdict ?? 'FORWARDED'}`;
  if (edges.has(key)) return;
  const flows = 1 + Math.floor(rand() * 500);
  const first = Math.floor(rand() * WINDOW_MS * 0.5);
  const last = first + Math.floor(rand() * WINDOW_MS * 0.5);
  edges.set(key, {
    source,
    destination,
    port,
    protocol,
    verdict: 'FORWARDED',
    flows,
    firstSeen: time(first),
    lastSeen: time(last),
    buckets: [{ start: time(first - (first % 3_600_000)), flows, firstSeen: time(first), lastSeen: time(last) }],
    ...extra,
  });
}
const SERVICE_PORTS = [8080, 8443, 9000, 5432, 6379, 3550, 7070, 50051];
const portOf = (w) => SERVICE_PORTS[Number(w.name.replace(/\D/g, '')) % SERVICE_PORTS.length];
for (const w of apps) {
  const names = [`${w.name}.${w.namespace}.svc.cluster.local`];
  if (chance(0.1)) names.push(`api-${Math.floor(rand() * 50)}.example.com`);
  edge(ref(w), ref(platform.dns), 53, 'UDP', { l7: { dns: names } });
  if (chance(0.6)) edge(ref(w), ref(platform.otel), 4317);
  if (chance(0.1)) edge(ref(w), ref(platform.vault), 8200);
  if (chance(0.5)) edge(ref(platform.prometheus), ref(w), 9090);
  edge({ entity: 'host' }, ref(w), portOf(w));
  if (names.length > 1) edge(ref(w), { ip: `192.0.2.${Math.floor(rand() * 250) + 1}`, names: [names[1]] }, 443);
  if (chance(0.02)) edge(ref(w), { ip: `198.51.100.${Math.floor(rand() * 250) + 1}`, names: [] }, 443);
  if (chance(0.05)) edge(ref(platform.ingress), ref(w), portOf(w));
  if (chance(0.01)) edge({ ip: `203.0.113.${Math.floor(rand() * 250) + 1}`, names: [] }, ref(w), 443);
  if (chance(0.02)) edge(ref(w), { entity: 'kube-apiserver' }, 6443);
}
const calls = Math.max(0, EDGES - edges.size);
for (let i = 0; edges.size < EDGES && i < calls * 3; i++) {
  const a = pick(apps);
  const b = chance(0.8) ? pick(byNs.get(a.namespace)) : pick(apps);
  if (a === b) continue;
  edge(ref(a), ref(b), portOf(b), 'TCP', chance(0.005) ? { verdict: 'DROPPED', dropReasons: ['POLICY_DENIED'] } : {});
}

// Hand-written policies already in the cluster: every fourth namespace guards its first service's ingress.
const existing = namespaces
  .filter((_, i) => i % 4 === 0)
  .map((ns) => ({
    policy: {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'svc-0-ingress', namespace: ns },
      spec: {
        endpointSelector: { matchLabels: { 'app.kubernetes.io/name': 'svc-0' } },
        ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: String(SERVICE_PORTS[0]), protocol: 'TCP' }] }] }],
      },
    },
  }));

const until = time(WINDOW_MS);
const inventory = {
  window: { since: time(0), until, now: until },
  workloads: workloads.map((w) => ({ ...w, seenIn: { cluster: false, flows: true }, firstSeen: time(0), lastSeen: until })),
  edges: [...edges.values()],
  findings: [],
  decode: { files: [], linesRead: 0, flows: 0, skipped: 0, ignored: 0, lostEvents: 0, notEdges: {}, errors: [] },
};

// ---- the run ---------------------------------------------------------------------------------------------

const mb = (n) => `${(n / 1024 / 1024).toFixed(0)} MB`;
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const rows = [];
async function step(name, f) {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const out = await f();
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  rows.push({ name, ms, cpu: (used.user + used.system) / 1000, heap: process.memoryUsage().heapUsed });
  return out;
}

console.log(`recommend benchmark: ${inventory.workloads.length.toLocaleString('en-US')} workloads in ${namespaces.length + 4} namespaces, ${inventory.edges.length.toLocaleString('en-US')} edges (seed ${SEED})`);
global.gc?.();
const understanding = await step('understand (classes, selectors, findings)', () => understand(inventory, undefined, DEFAULT_CONFIG));
const result = await step('generate (baseline, policies, evidence)', () => generatePolicies(inventory, understanding, undefined, DEFAULT_CONFIG, { existing }));
const plan = await step('plan (render every file, compare)', () => planRepository(result, { state: EMPTY_STATE, files: new Map() }, { now: until }));
let repo;
if (WRITE) {
  repo = await mkdtemp(join(tmpdir(), 'tighten-bench-recommend-'));
  await step('write (atomic, into an empty repository)', () => applyPlan(repo, plan));
}
clearInterval(sampler);

// Wall time, and the CPU time of this process (user + system, all its threads: the GC runs partly in helper
// threads), which a busy machine disturbs less.
const total = rows.reduce((n, r) => n + r.ms, 0);
const totalCpu = rows.reduce((n, r) => n + r.cpu, 0);
const width = Math.max(...rows.map((r) => r.name.length));
const sec = (ms) => `${(ms / 1000).toFixed(2).padStart(6)} s`;
console.log(`  ${''.padEnd(width)}  ${'wall'.padStart(8)}  ${'cpu'.padStart(8)}`);
for (const r of rows) console.log(`  ${r.name.padEnd(width)}  ${sec(r.ms)}  ${sec(r.cpu)}   heap ${mb(r.heap)}`);
console.log(`  ${'total'.padEnd(width)}  ${sec(total)}  ${sec(totalCpu)}   peak RSS ${mb(peakRss)}   (target: under 10 s)`);
const s = result.summary;
console.log(
  `  → ${s.baselinePolicies} baseline + ${s.workloadPolicies.toLocaleString('en-US')} workload policies, ${s.rules.toLocaleString('en-US')} rules, ${s.peers.toLocaleString('en-US')} peers, ${s.fqdns} FQDNs, ${s.cidrFallbacks} CIDR fallbacks; ${plan.actions.length.toLocaleString('en-US')} files; ${s.covered.toLocaleString('en-US')} edge directions covered by the baseline or allow-localhost`,
);
if (repo !== undefined) {
  if (args.includes("--keep")) console.log(`  repository kept in ${repo}`);
  else await rm(repo, { recursive: true, force: true });
}
