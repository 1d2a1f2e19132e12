#!/usr/bin/env node
// Benchmark (not a test): `tighten simulate` end to end, phase by phase, at 1 M and 10 M flows side by side.
//
//   npm run build && node bench/simulate.mjs [--workloads 1000] [--days 7] [--sizes 1000000,10000000]
//                                            [--source auto|file|pipe] [--share 0.5]
//
// The bundled sample generator (src/sample) makes a cluster of --workloads workloads and its Hubble
// traffic. The cluster dump (cluster.yaml) and the smaller flow files are written into bench/out/ and
// reused when already there. The policy set to simulate is generated from the sample's ground truth: a
// CiliumClusterwideNetworkPolicy that isolates every endpoint both ways (deny all) plus one
// CiliumNetworkPolicy for a --share of the workloads, allowing what they were observed doing — so
// about half the traffic would be dropped, each drop with its cause and suggested fix.
//
// Each size runs `simulate` in its own child process (peak memory measured apart), through the same
// steps as `tighten simulate --as-enforced` (cli/commands/simulate.ts), timed apart:
//   decode+fold   readInventory: read the cluster dump and the flows, decode each line, fold into edges
//   compile       every compileEvaluator call (the whole set once; each policy alone, for the fixes)
//   evaluate      simulate() minus its compiles: every edge decided, fixes written for each would-drop
//   (verdicts/s   a second, cold evaluator deciding every edge once, without fixes: the evaluator alone)
//   render        the text report (what stdout would get)
// Where the flows come from is printed: a file in bench/out/, or (`pipe`) the generator streaming
// straight into the child's stdin — read by readInventory as `--flows -` — so no 17 GB file is written.
// `auto` (the default) writes a file when it is under 4 GB and the disk keeps 20 GB free, else pipes.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const dist = (p) => new URL(`../dist/${p}`, import.meta.url);
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const BYTES_PER_LINE = 1720; // measured: the generator's lines average ~1,720 bytes whatever the cluster size

if (opt('child') === 'simulate') await simulateChild();
else if (opt('child') === 'emit') await emitChild();
else await parent();

// ---- parent ------------------------------------------------------------------------------------------

async function parent() {
  if (!existsSync(dist('cli/sources.js')) || !existsSync(dist('policy/simulate.js'))) {
    console.error('dist/ not found: run `npm run build` first');
    process.exit(2);
  }
  const workloads = Number(opt('workloads', '1000'));
  const days = Number(opt('days', '7'));
  const share = Number(opt('share', '0.5'));
  const sizes = opt('sizes', '1000000,10000000').split(',').map(Number);
  const sourceMode = opt('source', 'auto');
  const outDir = fileURLToPath(new URL(`out/simulate-${workloads}w-${days}d/`, import.meta.url));
  mkdirSync(outDir, { recursive: true });

  const { generateSample, renderClusterYaml } = await import(dist('sample/index.js'));
  const { decodeClusterDocuments, isVolatileLabelKey } = await import(dist('cluster/index.js'));
  const { identityContext } = await import(dist('policy/endpoints.js'));
  const { renderPolicies } = await import(dist('policy/model/index.js'));

  // The cluster and the policy set, from the smallest size's sample (the topology does not depend on the flow count).
  const clusterFile = `${outDir}cluster.yaml`;
  const policiesFile = `${outDir}policies.yaml`;
  const sample = generateSample({ size: { workloads, flows: Math.min(...sizes), days }, seed: 1 });
  if (!existsSync(clusterFile)) writeFileSync(clusterFile, renderClusterYaml(sample.cluster));
  const cluster = decodeClusterDocuments(sample.cluster.map((object, i) => ({ source: `sample#${i + 1}`, object })));
  const policies = policySet(cluster, sample.truth.edges, share, { identityContext, isVolatileLabelKey });
  writeFileSync(policiesFile, renderPolicies(policies));
  const free = statfsSync(outDir);
  const freeGb = (free.bavail * free.bsize) / 1e9;
  console.log(
    `sample: ${fmt(cluster.workloads.length)} workloads in ${fmt(cluster.namespaces.length)} namespaces, ${days} days; ` +
      `policies: 1 deny-all CCNP + ${fmt(policies.length - 1)} CNPs (${Math.round(share * 100)}% of the workloads); ` +
      `disk: ${fmt(freeGb)} GB free in bench/out; node ${process.version}\n`,
  );

  const rows = [];
  for (const flows of sizes) {
    const fileBytes = flows * BYTES_PER_LINE;
    const source = sourceMode === 'file' || sourceMode === 'pipe' ? sourceMode : fileBytes < 4e9 && freeGb - fileBytes / 1e9 > 20 ? 'file' : 'pipe';
    let r;
    if (source === 'file') {
      const flowsFile = `${outDir}flows-${flows}.jsonl`;
      if (existsSync(`${flowsFile}.complete`)) console.error(`  reusing ${flowsFile}`);
      else {
        const t0 = performance.now();
        const n = await runEmit({ workloads, flows, days }, flowsFile);
        writeFileSync(`${flowsFile}.complete`, `${n}\n`);
        console.error(`  generated ${flowsFile}: ${fmt(n)} lines, ${fmt(statSync(flowsFile).size / 1e6)} MB in ${fmt((performance.now() - t0) / 1000, 1)} s`);
      }
      r = await runSimulate([flowsFile], clusterFile, policiesFile);
      r.source = `file (${fmt(statSync(flowsFile).size / 1e9, 1)} GB)`;
    } else {
      r = await runSimulate(['-'], clusterFile, policiesFile, { workloads, flows, days });
      r.source = 'pipe from the generator';
    }
    rows.push({ flows, ...r });
    console.error(`  done: ${fmt(flows)} flows`);
  }

  const header = ['flows asked', 'source', 'lines read', 'edges', 'decode+fold s', 'lines/s', 'compile s', 'evaluate s', 'verdicts/s cold', 'warm', 'render s', 'eval/decode', 'would drop', 'peak RSS MB'];
  const table = [
    header,
    ...rows.map((r) => [
      fmt(r.flows),
      r.source,
      fmt(r.lines),
      fmt(r.edges),
      fmt(r.decode, 1),
      fmt(r.lines / r.decode),
      fmt(r.compile, 2),
      fmt(r.evaluate, 2),
      fmt(r.verdictCount / r.verdicts),
      fmt(r.verdictCount / r.warmVerdicts),
      fmt(r.render, 2),
      `${fmt((100 * r.evaluate) / r.decode, 2)}%`,
      `${fmt(r.wouldDropEdges)} edges`,
      fmt(r.maxRssKb / 1024),
    ]),
  ];
  const widths = header.map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
  console.log(table.map((row) => row.map((c, i) => (i <= 1 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ')).join('\n'));
  console.log(`\ncompile: ${fmt(rows[0]?.compiles ?? 0)} compileEvaluator calls per run (the set once, each policy alone for the fixes).`);
  console.log('evaluate: simulate() minus its compiles — every edge decided, and a fix (the policy that selects the workload, the rule as YAML) written for each would-drop.');
  console.log('verdicts/s: a second evaluator over the same set deciding every edge without the fixes — cold (first pass: identities and pairs resolved) and warm (second pass: cached).');
  console.log('a pipe source streams the generator into the child: its decode+fold time then includes waiting for the generator (a second process).');
}

/** Deny-all CCNP plus, for `share` of the workloads (every other one, by name), a CNP allowing their observed edges. */
function policySet(cluster, edges, share, { identityContext, isVolatileLabelKey }) {
  const ctx = identityContext(cluster);
  const byKey = new Map(cluster.workloads.map((w) => [`${w.namespace}/${w.name}`, w]));
  const selectorOf = (p) => {
    const w = 'namespace' in p ? byKey.get(`${p.namespace}/${p.name}`) : undefined;
    if (w === undefined) return undefined;
    const labels = Object.entries(w.podLabels).filter(([k]) => !isVolatileLabelKey(k) && ctx.labelFilter.isRelevant(k, 'k8s'));
    return labels.length > 0 ? Object.fromEntries(labels) : undefined;
  };
  const keys = [...byKey.keys()].sort();
  const chosen = new Set(keys.filter((_, i) => i % Math.max(1, Math.round(1 / share)) === 0));
  const l4 = (e) =>
    e.protocol === 'ICMPv4' || e.protocol === 'ICMPv6'
      ? { icmps: [{ fields: [{ family: e.protocol === 'ICMPv6' ? 'IPv6' : 'IPv4', type: e.port }] }] }
      : { toPorts: [{ ports: [{ port: String(e.port), protocol: e.protocol }] }] };
  const rules = new Map();
  const entry = (p) => {
    const key = 'namespace' in p ? `${p.namespace}/${p.name}` : undefined;
    const selector = key && chosen.has(key) ? selectorOf(p) : undefined;
    if (selector === undefined) return undefined;
    if (!rules.has(key)) rules.set(key, { namespace: p.namespace, name: p.name, selector, ingress: [], egress: [] });
    return rules.get(key);
  };
  for (const e of edges) {
    if (e.verdict !== 'FORWARDED' || !['TCP', 'UDP', 'SCTP', 'ICMPv4', 'ICMPv6'].includes(e.protocol)) continue;
    const peerRule = (p, dir) => {
      if ('namespace' in p) {
        const sel = selectorOf(p);
        return sel ? { [dir === 'egress' ? 'toEndpoints' : 'fromEndpoints']: [{ matchLabels: { ...sel, 'k8s:io.kubernetes.pod.namespace': p.namespace } }] } : undefined;
      }
      if ('entity' in p) return { [dir === 'egress' ? 'toEntities' : 'fromEntities']: [p.entity] };
      if ('ip' in p && dir === 'egress' && p.names.length > 0) return { toFQDNs: p.names.map((matchName) => ({ matchName })) };
      if ('ip' in p) return { [dir === 'egress' ? 'toCIDR' : 'fromCIDR']: [`${p.ip}/${p.ip.includes(':') ? 128 : 32}`] };
      return { [dir === 'egress' ? 'toCIDR' : 'fromCIDR']: [p.cidr] };
    };
    const out = entry(e.source);
    const toPeer = out && peerRule(e.destination, 'egress');
    if (toPeer) out.egress.push({ ...toPeer, ...l4(e) });
    const into = entry(e.destination);
    const fromPeer = into && peerRule(e.source, 'ingress');
    if (fromPeer) into.ingress.push({ ...fromPeer, ...l4(e) });
  }
  const denyAll = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'deny-all' }, spec: { endpointSelector: {}, ingress: [{}], egress: [{}] } };
  return [
    denyAll,
    ...[...rules.values()].map((r) => ({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: r.name, namespace: r.namespace },
      spec: { endpointSelector: { matchLabels: r.selector }, ...(r.ingress.length ? { ingress: r.ingress } : {}), ...(r.egress.length ? { egress: r.egress } : {}) },
    })),
  ];
}

/** Runs the generator in a child, into `file` (or into `into`, a writable stdin, when no file). Resolves with the line count. */
function runEmit(o, file, into) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', 'emit', '--workloads', String(o.workloads), '--flows', String(o.flows), '--days', String(o.days), ...(file ? ['--file', file] : [])], {
      stdio: ['ignore', into ? 'pipe' : 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (c) => (err += c));
    if (into) p.stdout.pipe(into);
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(Number(err.trim().split('\n').pop())) : reject(new Error(`generator exited ${code}: ${err}`))));
  });
}

function runSimulate(flows, clusterFile, policiesFile, pipe) {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--max-old-space-size=8192', fileURLToPath(import.meta.url), '--child', 'simulate', '--cluster', clusterFile, '--policies', policiesFile, ...flows.flatMap((f) => ['--flows', f])],
      { stdio: [pipe ? 'pipe' : 'ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    p.on('error', reject);
    const emitted = pipe ? runEmit(pipe, undefined, p.stdin) : Promise.resolve(0);
    emitted.catch(reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`simulate child exited ${code}`))));
  });
}

// ---- children ------------------------------------------------------------------------------------------

/** Writes the sample's flow lines to --file, or to stdout; prints the line count on stderr. */
async function emitChild() {
  const { generateSample } = await import(dist('sample/index.js'));
  const sample = generateSample({ size: { workloads: Number(opt('workloads')), flows: Number(opt('flows')), days: Number(opt('days')) }, seed: 1 });
  const { createWriteStream } = await import('node:fs');
  const out = opt('file') ? createWriteStream(opt('file'), { highWaterMark: 8 << 20 }) : process.stdout;
  const CHUNK = 4 << 20;
  let buf = Buffer.allocUnsafe(CHUNK);
  let used = 0;
  let n = 0;
  const flush = async () => {
    if (used === 0) return;
    const full = buf.subarray(0, used);
    buf = Buffer.allocUnsafe(CHUNK);
    used = 0;
    if (!out.write(full)) await new Promise((r) => out.once('drain', r));
  };
  for (const line of sample.flowLines()) {
    if (used + line.length * 3 + 1 > CHUNK) await flush();
    used += buf.write(line, used, 'utf8');
    buf[used++] = 10;
    n++;
  }
  await flush();
  await new Promise((r) => out.end(r));
  process.stderr.write(`${n}\n`);
}

/** `tighten simulate --as-enforced` through its own steps, each timed; prints the figures as JSON. */
async function simulateChild() {
  const { readInventory } = await import(dist('cli/sources.js'));
  const { readConfig } = await import(dist('config/index.js'));
  const { evaluateOptionsOf } = await import(dist('cli/commands/trace.js'));
  const { compileEvaluator } = await import(dist('policy/evaluate/index.js'));
  const { identityContext } = await import(dist('policy/endpoints.js'));
  const { decodePolicyObject, readPolicies, sanitizePolicies } = await import(dist('policy/model/index.js'));
  const { asEnforcing, simulate } = await import(dist('policy/simulate.js'));
  const { peerEndpoint } = await import(dist('policy/endpoints.js'));
  const { renderSimulation } = await import(dist('report/simulation.js'));
  const flows = args.flatMap((a, i) => (a === '--flows' ? [args[i + 1]] : []));
  const devNull = new Writable({ write: (_c, _e, cb) => cb() });
  const io = { stdout: devNull, stderr: process.stderr, stdin: process.stdin, env: process.env, stderrIsTTY: false, cwd: process.cwd() };

  let t = performance.now();
  const config = await readConfig(process.cwd());
  const { inventory, cluster } = await readInventory({ flows, cluster: [opt('cluster')], namespaces: [], window: {}, progress: false }, io);
  const decode = (performance.now() - t) / 1000;

  t = performance.now();
  const options = evaluateOptionsOf(cluster, undefined);
  const existing = sanitizePolicies((cluster?.policies ?? []).map((p) => decodePolicyObject(p.object, { file: p.source })));
  const candidate = sanitizePolicies(await readPolicies([opt('policies')]));
  const readPolicySeconds = (performance.now() - t) / 1000;

  let compile = 0;
  let compiles = 0;
  const timedCompile = (policies, o) => {
    const t0 = performance.now();
    const e = compileEvaluator(policies, o);
    compile += (performance.now() - t0) / 1000;
    compiles++;
    return e;
  };
  t = performance.now();
  const report = simulate(
    { inventory, existing: existing.policies, candidate: candidate.policies, identities: identityContext(cluster), options, asEnforced: true, labelPriority: config.labels.priority },
    timedCompile,
  );
  const evaluate = (performance.now() - t) / 1000 - compile;

  // The verdicts alone, without the fixes: a fresh evaluator over the same set decides every edge once (cold).
  const identities = identityContext(cluster);
  const labelsOf = new Map(inventory.workloads.map((w) => [`${w.namespace}/${w.name}`, w.labels]));
  const endpoints = new Map();
  const endpointOf = (peer) => {
    const key = JSON.stringify(peer);
    let e = endpoints.get(key);
    if (e === undefined) endpoints.set(key, (e = peerEndpoint(peer, identities, (ns, name) => labelsOf.get(`${ns}/${name}`))));
    return e;
  };
  const connections = inventory.edges
    .filter((e) => ['TCP', 'UDP', 'SCTP', 'ICMPv4', 'ICMPv6'].includes(e.protocol))
    .map((e) => ({ source: endpointOf(e.source), destination: endpointOf(e.destination), protocol: e.protocol, port: e.port }));
  const fresh = compileEvaluator([...existing.policies, ...candidate.policies.map(asEnforcing)], { clusterName: identities.clusterName, ...options });
  t = performance.now();
  let allowed = 0;
  for (const c of connections) if (fresh.evaluate(c).allowed) allowed++;
  const verdicts = (performance.now() - t) / 1000;
  t = performance.now();
  for (const c of connections) fresh.evaluate(c);
  const warmVerdicts = (performance.now() - t) / 1000;

  t = performance.now();
  const { output } = renderSimulation(report, 'text');
  const render = (performance.now() - t) / 1000;
  devNull.write(output);

  process.stdout.write(
    JSON.stringify({
      lines: inventory.decode.linesRead,
      edges: inventory.edges.length,
      wouldDropEdges: report.totals.wouldDropEdges,
      decode,
      readPolicies: readPolicySeconds,
      compile,
      compiles,
      evaluate,
      verdicts,
      warmVerdicts,
      verdictCount: connections.length,
      allowed,
      render,
      outputBytes: Buffer.byteLength(output),
      maxRssKb: process.resourceUsage().maxRSS,
    }),
  );
}
