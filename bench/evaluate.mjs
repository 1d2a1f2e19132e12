#!/usr/bin/env node
// Benchmark (not a test): the fast compiled evaluator and the naive reference evaluator, side by side.
//
//   npm run build && node bench/evaluate.mjs [--policies 1000] [--connections 100000] [--reference 1000] [--seed 7] [--passes 5]
//
// Generates (seeded) a realistic policy set — many namespaces, a default-deny CNP per namespace, one CNP
// per workload (ingress from a few callers, egress to a few services and DNS, some cross-namespace through
// namespace labels, some L7, some CIDR/FQDN egress), NetworkPolicies in some namespaces, and a few CCNP
// baselines — and connections between a fixed pool of identities (repeated, as an inventory repeats
// peers): about half along the caller → callee edges the policies were generated from, the rest within
// a namespace, across namespaces, to DNS and to the world.
//
// Prints, for each evaluator: compile time and verdicts per second. The fast evaluator evaluates all
// connections; its first pass (cold: nothing resolved yet) and the best of the following passes (warm)
// are shown separately. The reference scans every policy for every connection, so it evaluates only the
// first --reference connections; its figure for all connections is extrapolated and labelled so. The two
// are compared on that subset as a sanity check (any disagreement is printed).
import { existsSync } from 'node:fs';

const dist = new URL('../dist/policy/evaluate/index.js', import.meta.url);
if (!existsSync(dist)) {
  console.error('dist/policy/evaluate/index.js not found: run `npm run build` first');
  process.exit(2);
}
const { compileEvaluator, compileReferenceEvaluator } = await import(dist.href);
if (typeof compileEvaluator !== 'function' || typeof compileReferenceEvaluator !== 'function') {
  console.error('dist/policy/evaluate/index.js must export compileEvaluator and compileReferenceEvaluator');
  process.exit(2);
}

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? Number(args[i + 1]) : fallback;
};
const POLICIES = opt('policies', 1000);
const CONNECTIONS = opt('connections', 100_000);
const REFERENCE = Math.min(opt('reference', 1000), CONNECTIONS);
const PASSES = Math.max(2, opt('passes', 5));
const SEED = opt('seed', 7);

// ---- seeded randomness -------------------------------------------------------------------------------

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
const sample = (xs, n) => {
  const copy = [...xs];
  const out = [];
  while (out.length < n && copy.length > 0) out.push(copy.splice(Math.floor(rand() * copy.length), 1)[0]);
  return out;
};

// ---- the cluster ---------------------------------------------------------------------------------------

const APPS_PER_NS = 15;
const NAMESPACES = Math.max(2, Math.round(POLICIES / 25));
const TEAMS = ['payments', 'search', 'identity', 'growth', 'platform', 'data'];
const SERVICE_PORTS = [80, 8080, 8443, 9090, 5432, 6379, 3000];
const namespaces = Array.from({ length: NAMESPACES }, (_, i) => ({ name: `ns-${String(i).padStart(2, '0')}`, team: TEAMS[i % TEAMS.length], env: i % 3 === 0 ? 'prod' : 'staging' }));
const workloads = [];
for (const ns of namespaces) {
  for (let a = 0; a < APPS_PER_NS; a++) {
    const app = `app-${String(a).padStart(2, '0')}`;
    const tier = a < 3 ? 'web' : a < 11 ? 'api' : 'db';
    const port = tier === 'web' ? 8080 : tier === 'db' ? pick([5432, 6379]) : pick(SERVICE_PORTS);
    workloads.push({ ns, app, tier, port });
  }
}

function podEndpoint(w) {
  return {
    labels: [
      `k8s:app=${w.app}`,
      `k8s:tier=${w.tier}`,
      `k8s:io.kubernetes.pod.namespace=${w.ns.name}`,
      `k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=${w.ns.name}`,
      `k8s:io.cilium.k8s.namespace.labels.team=${w.ns.team}`,
      `k8s:io.cilium.k8s.namespace.labels.env=${w.ns.env}`,
      `k8s:io.cilium.k8s.policy.serviceaccount=${w.app}`,
      'k8s:io.cilium.k8s.policy.cluster=default',
    ],
    ip: `10.${Math.floor(workloads.indexOf(w) / 250)}.${workloads.indexOf(w) % 250}.10`,
    namedPorts: { http: { port: w.port, protocol: 'TCP' }, metrics: { port: 9090, protocol: 'TCP' } },
  };
}
for (const w of workloads) w.endpoint = podEndpoint(w);
const kubeDns = {
  labels: ['k8s:k8s-app=kube-dns', 'k8s:io.kubernetes.pod.namespace=kube-system', 'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=kube-system', 'k8s:io.cilium.k8s.policy.cluster=default'],
  ip: '10.250.0.10',
};
const externals = Array.from({ length: 40 }, (_, i) => ({
  labels: ['reserved:world'],
  ip: `${pick([52, 34, 104, 151])}.${i}.${Math.floor(rand() * 255)}.${1 + Math.floor(rand() * 250)}`,
  names: [pick(['api.stripe.com', 'hooks.slack.com', 's3.amazonaws.com', 'api.github.com', `svc${i}.example.com`])],
}));
const HOST = { labels: ['reserved:host'] };

// ---- policies ------------------------------------------------------------------------------------------

const cnp = (name, namespace, spec) => ({ policy: { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec } });
const dnsEgress = {
  toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
  toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }], rules: { dns: [{ matchPattern: '*' }] } }],
};
const policies = [];
/** Who calls whom on which port, as the generated policies allow it: most generated traffic follows these. */
const edges = [];
const baselines = [
  { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'baseline-dns' }, spec: { endpointSelector: {}, egress: [dnsEgress] } },
  { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'baseline-metadata-deny' }, spec: { endpointSelector: {}, egressDeny: [{ toCIDR: ['169.254.169.254/32'] }] } },
  {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumClusterwideNetworkPolicy',
    metadata: { name: 'baseline-monitoring' },
    spec: { endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'monitoring' } }], toPorts: [{ ports: [{ port: 'metrics', protocol: 'TCP' }] }] }] },
  },
  { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'baseline-health' }, spec: { endpointSelector: { matchLabels: { 'reserved:health': '' } }, ingress: [{ fromEntities: ['remote-node', 'host'] }], egress: [{ toEntities: ['remote-node', 'host'] }] } },
];
for (const b of baselines) policies.push({ policy: b });

const knpNamespaces = new Set(namespaces.filter((_, i) => i % 4 === 3).map((n) => n.name));
for (const ns of namespaces) {
  if (policies.length >= POLICIES) break;
  policies.push(cnp('default-deny', ns.name, { endpointSelector: {}, ingress: [{}], egress: [{}] }));
  const here = workloads.filter((w) => w.ns === ns);
  // The call graph first (web → api → db, a few callees each); each workload's policy then allows its
  // callers in and its callees out, so the edges are allowed at both ends.
  const nsEdges = here.flatMap((w) =>
    sample(here.filter((x) => x !== w && (w.tier === 'web' ? x.tier === 'api' : x.tier !== 'web')), 1 + Math.floor(rand() * 3)).map((to) => ({ from: w, to })),
  );
  edges.push(...nsEdges);
  for (const w of here) {
    if (policies.length >= POLICIES) break;
    const callers = nsEdges.filter((e) => e.to === w).map((e) => e.from);
    if (callers.length === 0) callers.push(pick(here.filter((x) => x !== w)));
    const callees = nsEdges.filter((e) => e.from === w).map((e) => e.to);
    if (knpNamespaces.has(ns.name)) {
      policies.push({
        policy: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: w.app, namespace: ns.name },
          spec: {
            podSelector: { matchLabels: { app: w.app } },
            policyTypes: ['Ingress', 'Egress'],
            ingress: [{ from: callers.map((c) => ({ podSelector: { matchLabels: { app: c.app } } })), ports: [{ port: w.port, protocol: 'TCP' }] }],
            egress: [
              ...callees.map((c) => ({ to: [{ podSelector: { matchLabels: { app: c.app } } }], ports: [{ port: c.port, protocol: 'TCP' }] })),
              { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }] },
            ],
          },
        },
      });
      continue;
    }
    const ingress = [
      {
        fromEndpoints: callers.map((c) => ({ matchLabels: { app: c.app } })),
        toPorts: [{ ports: [{ port: String(w.port), protocol: 'TCP' }], ...(w.tier === 'web' && chance(0.3) ? { rules: { http: [{ method: 'GET' }, { method: 'POST', path: '/api/.*' }] } } : {}) }],
      },
    ];
    if (w.tier === 'web' && chance(0.5)) {
      ingress.push({ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.namespace.labels.team': pick(TEAMS), tier: 'web' } }], toPorts: [{ ports: [{ port: String(w.port), protocol: 'TCP' }] }] });
    }
    if (w.tier === 'web' && chance(0.2)) ingress.push({ fromEntities: ['world'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] });
    const egress = [...callees.map((c) => ({ toEndpoints: [{ matchLabels: { app: c.app } }], toPorts: [{ ports: [{ port: String(c.port), protocol: 'TCP' }] }] })), dnsEgress];
    if (chance(0.3)) egress.push({ toFQDNs: [{ matchName: pick(['api.stripe.com', 'hooks.slack.com', 'api.github.com']) }, { matchPattern: '*.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] });
    if (chance(0.2)) egress.push({ toCIDRSet: [{ cidr: '52.0.0.0/8', except: ['52.1.0.0/16'] }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] });
    const spec = { endpointSelector: { matchLabels: { app: w.app } }, ingress, egress };
    if (chance(0.05)) spec.ingressDeny = [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.namespace.labels.env': 'staging' } }] }];
    policies.push(cnp(w.app, ns.name, spec));
  }
}
while (policies.length < POLICIES) {
  const w = pick(workloads);
  policies.push(cnp(`extra-${policies.length}`, w.ns.name, { endpointSelector: { matchLabels: { tier: w.tier } }, ingress: [{ fromEndpoints: [{ matchLabels: { tier: 'web' } }], toPorts: [{ ports: [{ port: String(w.port), protocol: 'TCP' }] }] }] }));
}

// ---- connections ---------------------------------------------------------------------------------------

const byNs = new Map(namespaces.map((n) => [n.name, workloads.filter((w) => w.ns === n)]));
const connections = [];
for (let i = 0; i < CONNECTIONS; i++) {
  const src = pick(workloads);
  const r = rand();
  let destination;
  let port;
  let protocol = 'TCP';
  if (r < 0.55 && edges.length > 0) {
    const e = pick(edges);
    connections.push({ source: e.from.endpoint, destination: e.to.endpoint, protocol: 'TCP', port: e.to.port });
    continue;
  } else if (r < 0.7) {
    const d = pick(byNs.get(src.ns.name));
    destination = d.endpoint;
    port = chance(0.85) ? d.port : pick(SERVICE_PORTS);
  } else if (r < 0.82) {
    const d = pick(workloads);
    destination = d.endpoint;
    port = chance(0.7) ? d.port : 9090;
  } else if (r < 0.92) {
    destination = pick(externals);
    port = chance(0.9) ? 443 : 80;
  } else if (r < 0.97) {
    destination = kubeDns;
    port = 53;
    protocol = 'UDP';
  } else {
    connections.push({ source: chance(0.5) ? HOST : pick(externals), destination: src.endpoint, protocol: 'TCP', port: src.port });
    continue;
  }
  connections.push({ source: src.endpoint, destination, protocol, port });
}

// ---- run -------------------------------------------------------------------------------------------------

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const kinds = policies.reduce((m, p) => m.set(p.policy.kind, (m.get(p.policy.kind) ?? 0) + 1), new Map());
const identities = new Set(connections.flatMap((c) => [c.source, c.destination])).size;
console.log(`node ${process.version}; seed ${SEED}`);
console.log(`policies: ${policies.length} (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}) over ${NAMESPACES} namespaces`);
console.log(`connections: ${fmt(connections.length)} between ${identities} distinct identities\n`);

function timeCompile(compile) {
  const t0 = performance.now();
  const evaluator = compile(policies);
  return { evaluator, ms: performance.now() - t0 };
}

function run(evaluator, conns) {
  let allowed = 0;
  const t0 = performance.now();
  for (let i = 0; i < conns.length; i++) if (evaluator.evaluate(conns[i]).allowed) allowed++;
  return { seconds: (performance.now() - t0) / 1000, allowed };
}

const fast = timeCompile(compileEvaluator);
const cold = run(fast.evaluator, connections);
let warm;
for (let p = 1; p < PASSES; p++) {
  const r = run(fast.evaluator, connections);
  if (warm === undefined || r.seconds < warm.seconds) warm = r;
}

const reference = timeCompile(compileReferenceEvaluator);
const subset = connections.slice(0, REFERENCE);
const ref = run(reference.evaluator, subset);

// Sanity: both evaluators on the reference subset.
const refs = (d) => d.by.map((r) => `${r.kind}/${r.namespace ?? ''}/${r.name}/${r.spec}/${r.section}/${r.index}`).sort();
const key = (v) =>
  JSON.stringify([v.egress.decision, !!v.egress.needsL7Check, refs(v.egress), v.ingress.decision, !!v.ingress.needsL7Check, refs(v.ingress), v.allowed]);
let disagreements = 0;
let example;
for (const c of subset) {
  const a = fast.evaluator.evaluate(c);
  const b = reference.evaluator.evaluate(c);
  if (key(a) !== key(b)) {
    disagreements++;
    example ??= { connection: c, fast: a, reference: b };
  }
}

const rows = [
  ['evaluator', 'compile', 'connections', 'seconds', 'verdicts/s', 'allowed'],
  ['fast (cold, 1st pass)', `${fast.ms.toFixed(1)} ms`, fmt(connections.length), cold.seconds.toFixed(3), fmt(connections.length / cold.seconds), `${((100 * cold.allowed) / connections.length).toFixed(1)}%`],
  [`fast (warm, best of ${PASSES - 1})`, '', fmt(connections.length), warm.seconds.toFixed(3), fmt(connections.length / warm.seconds), `${((100 * warm.allowed) / connections.length).toFixed(1)}%`],
  ['reference (measured)', `${reference.ms.toFixed(1)} ms`, fmt(subset.length), ref.seconds.toFixed(3), fmt(subset.length / ref.seconds), `${((100 * ref.allowed) / subset.length).toFixed(1)}%`],
  [`reference (extrapolated to ${fmt(connections.length)})`, '', fmt(connections.length), ((ref.seconds * connections.length) / subset.length).toFixed(1), fmt(subset.length / ref.seconds), ''],
];
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
console.log(`\nfast vs reference, warm: ${(ref.seconds / subset.length / (warm.seconds / connections.length)).toFixed(0)}x per verdict`);
console.log(`target >= 5,000,000 verdicts/s (fast): ${connections.length / warm.seconds >= 5e6 ? 'met' : 'NOT met'} warm, ${connections.length / cold.seconds >= 5e6 ? 'met' : 'not met'} cold`);
console.log(`sanity: fast and reference disagree on ${disagreements} of ${fmt(subset.length)} connections${disagreements > 0 ? `; first: ${JSON.stringify(example)}` : ''}`);
