#!/usr/bin/env node
// Benchmark (not a test): `watch`'s sustained rate on one core — decode, slice, fold, evaluate, attribute —
// side by side with decode + fold alone (what `inventory` does with the same lines), in one run.
//
//   npm run build && node bench/watch.mjs [--workloads 500] [--flows 1000000] [--slice-ms 1000]
//
// The sample generator makes a cluster of --workloads workloads and its traffic; tighten recommends a
// policy set for it and every namespace is put at audit, so each slice is replayed as if enforced (the most
// work watch does per flow). The flows are generated into memory first (not timed), then fed line by line:
//   baseline   decodeHubbleLine + InventoryBuilder.add, one builder for everything
//   watch      decodeHubbleLine + WatchSession.add, a slice every --slice-flows flows (a live stream of that
//              many flows/s, cut once a second; default 50,000) or --slice-ms of flow time (default: a day, i.e.
//              by count only — the sample's time is compressed)
// Target: watch ≥ 100,000 flows/s.
import { existsSync } from 'node:fs';

const dist = (p) => new URL(`../dist/${p}`, import.meta.url);
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
if (!existsSync(dist('watch/session.js'))) {
  console.error('dist/ not found: run `npm run build` first');
  process.exit(2);
}
const workloads = Number(opt('workloads', '500'));
const flowCount = Number(opt('flows', '1000000'));
const sliceMs = Number(opt('slice-ms', '86400000'));
/** Flows per slice: a live stream at this many flows/s, cut once a second. */
const sliceFlows = Number(opt('slice-flows', '50000'));

const { generateSample } = await import(dist('sample/index.js'));
const { decodeClusterDocuments } = await import(dist('cluster/index.js'));
const { decodeHubbleLine } = await import(dist('flows/index.js'));
const { InventoryBuilder } = await import(dist('inventory/index.js'));
const { understand } = await import(dist('understand/index.js'));
const { generatePolicies } = await import(dist('policy/generate/index.js'));
const { atStage } = await import(dist('gitops/index.js'));
const { compileEvaluator } = await import(dist('policy/evaluate/index.js'));
const { identityContext } = await import(dist('policy/endpoints.js'));
const { evaluateOptionsOf } = await import(dist('policy/cluster-options.js'));
const { DEFAULT_CONFIG } = await import(dist('config/index.js')).catch(() => ({}));
const { readConfig } = await import(dist('config/index.js'));
const { WatchSession } = await import(dist('watch/session.js'));
const { DEFAULT_TRACKER_CONFIG } = await import(dist('watch/tracker.js'));

console.log(`watch bench: ${fmt(workloads)} workloads, ${fmt(flowCount)} flows, slices of ${fmt(sliceFlows)} flows or ${fmt(sliceMs)} ms of flow time`);
const sample = generateSample({ size: { workloads, flows: flowCount, days: 1 }, seed: 7 });
const cluster = decodeClusterDocuments(sample.cluster.map((object, i) => ({ object, source: `cluster/${i}` })));
const lines = [];
for (const line of sample.flowLines()) lines.push(line);
const bytes = lines.reduce((n, l) => n + l.length + 1, 0);
console.log(`  generated ${fmt(lines.length)} lines (${fmt(bytes / 1e6, 1)} MB) in memory`);

// The recommended set, every namespace at audit.
const config = DEFAULT_CONFIG ?? (await readConfig('/nonexistent-tighten-bench'));
const all = new InventoryBuilder({ cluster });
for (const l of lines) {
  const d = decodeHubbleLine(l);
  if (d?.kind === 'flow') all.add(d.flow);
}
const inventory = all.finish();
const understanding = understand(inventory, cluster, config);
const generated = generatePolicies(inventory, understanding, cluster, config, { existing: [], fqdnPatterns: [] });
const applied = [...generated.baseline.map((b) => b.policy), ...generated.perWorkload.map((p) => atStage(p.policy, 'audit'))].map((policy) => ({ policy }));
const positions = new Map(generated.namespaces.map((ns) => [ns, { ingress: 'audit', egress: 'audit' }]));
console.log(`  policy set: ${fmt(applied.length)} policies over ${fmt(positions.size)} namespaces at audit`);

function baseline() {
  const t = performance.now();
  const b = new InventoryBuilder({ cluster });
  for (const l of lines) {
    const d = decodeHubbleLine(l);
    if (d?.kind === 'flow') b.add(d.flow);
  }
  b.finish();
  return performance.now() - t;
}

function watch() {
  const session = new WatchSession({
    cluster,
    existing: [],
    identities: identityContext(cluster),
    evaluate: evaluateOptionsOf(cluster, undefined),
    labelPriority: config.labels.priority,
    tracker: DEFAULT_TRACKER_CONFIG,
    namespaces: [],
    compile: compileEvaluator,
  });
  const t0 = performance.now();
  session.setRollout({ positions, applied, appliedNamespaces: [...positions.keys()] });
  const compileMs = performance.now() - t0;
  const t = performance.now();
  let start = NaN;
  let slices = 0;
  let events = 0;
  for (const l of lines) {
    const d = decodeHubbleLine(l);
    if (d?.kind !== 'flow') continue;
    const at = Date.parse(d.flow.time);
    if (Number.isNaN(start)) start = at;
    session.add(d.flow);
    if (session.buffered >= sliceFlows || at - start >= sliceMs) {
      events += session.slice(at).events.length;
      slices++;
      start = NaN;
    }
  }
  events += session.slice(Date.now()).events.length;
  return { ms: performance.now() - t, compileMs, slices: slices + 1, events };
}

const rounds = Number(opt('rounds', '2'));
for (let r = 1; r <= rounds; r++) {
  const b = baseline();
  const w = watch();
  console.log(
    `  round ${r}: baseline decode+fold ${fmt(lines.length / (b / 1000))} flows/s (${fmt(b)} ms) | watch ${fmt(lines.length / (w.ms / 1000))} flows/s (${fmt(w.ms)} ms, ${fmt(w.slices)} slices, ${fmt(w.events)} events reported; compile ${fmt(w.compileMs)} ms once) — watch/baseline ${fmt(w.ms / b, 2)}×`,
  );
}
const mem = process.memoryUsage();
console.log(`  peak RSS so far ${fmt(mem.rss / 1e6)} MB`);
