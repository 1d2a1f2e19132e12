#!/usr/bin/env node
// Benchmark (not a test): how fast tighten reads Hubble JSON lines, side by side with baselines.
//
//   npm run build && node bench/decode.mjs [--size-mb 1000] [--only decode,fold,jq,parse] [--repeat 1]
//
// Generates a Hubble-shaped flow file (default ~1 GB) in bench/out/ (reused when already there at the
// same size), then runs each variant in its own child process so that peak memory (maxRSS) of one
// variant does not pollute another:
//   decode  tighten readFlowInputs with a no-op sink
//   fold    readFlowInputs into the inventory's InventoryBuilder (when dist/inventory exports it)
//   jq      `jq -c . FILE > /dev/null` (skipped when jq is missing)
//   parse   a plain JSON.parse per line in Node (chunked read, split on \n): the floor for any decoder
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = new URL('.', import.meta.url);
const distFlows = new URL('../dist/flows/index.js', import.meta.url);
const distInventory = new URL('../dist/inventory/index.js', import.meta.url);

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};

if (opt('child') !== undefined) {
  await runChild(opt('child'), opt('file'));
} else {
  await main();
}

// ---- parent ------------------------------------------------------------------------------------

async function main() {
  const sizeMb = Number(opt('size-mb', '1000'));
  if (!(sizeMb > 0)) throw new Error('--size-mb must be a positive number');
  const only = opt('only', 'decode,fold,jq,parse').split(',');
  if (!existsSync(distFlows)) {
    console.error('dist/flows/index.js not found: run `npm run build` first');
    process.exit(2);
  }
  const outDir = new URL('out/', here);
  mkdirSync(outDir, { recursive: true });
  const file = fileURLToPath(new URL(`hubble-flows-${sizeMb}mb.jsonl`, outDir));
  const marker = `${file}.complete`;
  if (existsSync(file) && existsSync(marker)) {
    console.log(`reusing ${file}`);
  } else {
    const t0 = performance.now();
    const { lines } = await generate(file, sizeMb * 1e6);
    writeFileSync(marker, `${lines}\n`);
    console.log(`generated ${file}: ${lines.toLocaleString('en-US')} lines in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const bytes = statSync(file).size;
  console.log(`file: ${(bytes / 1e6).toFixed(0)} MB; node ${process.version}; one child process per variant\n`);

  const repeat = Math.max(1, Number(opt('repeat', '1')));
  if (repeat > 1) console.log(`each variant runs ${repeat} times; the fastest run is shown (this machine may be shared)\n`);
  const rows = [];
  for (const variant of ['decode', 'fold', 'jq', 'parse']) {
    if (!only.includes(variant)) continue;
    let best;
    for (let i = 0; i < repeat; i++) {
      const r = variant === 'jq' ? await runJq(file, bytes) : await runNodeChild(variant, file);
      if (r.seconds === undefined) {
        best = r;
        break;
      }
      if (best === undefined || r.seconds < best.seconds) best = r;
    }
    rows.push(best);
  }
  printTable(rows, bytes);
}

function runNodeChild(variant, file) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', variant, '--file', file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return resolve({ variant, note: `failed (exit ${code})` });
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch (e) {
        reject(new Error(`${variant}: bad child output ${out}`, { cause: e }));
      }
    });
  });
}

async function runJq(file, bytes) {
  if (spawnSync('jq', ['--version']).error) return { variant: 'jq', note: 'skipped: jq not found' };
  const hasTime = existsSync('/usr/bin/time');
  const cmd = hasTime ? '/usr/bin/time' : 'sh';
  const cmdArgs = hasTime ? ['-f', '%M %U %S', 'sh', '-c', 'jq -c . "$1" > /dev/null', 'jq', file] : ['-c', 'jq -c . "$1" > /dev/null', 'jq', file];
  const t0 = performance.now();
  const r = await new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, err }));
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.code !== 0) return { variant: 'jq', note: `failed: ${r.err.trim().slice(0, 80)}` };
  let maxRssMb;
  let cpuSeconds;
  if (hasTime) {
    const [kb, user, sys] = r.err.trim().split('\n').pop().split(' ').map(Number);
    maxRssMb = kb / 1024;
    cpuSeconds = user + sys;
  }
  return { variant: 'jq', seconds, cpuSeconds, bytes, maxRssMb, flows: undefined };
}

function printTable(rows, bytes) {
  const header = ['variant', 'wall s', 'cpu s', 'MB/s', 'flows/s', 'peak RSS MB', 'note'];
  const lines = rows.map((r) => {
    if (r.note && r.seconds === undefined) return [r.variant, '', '', '', '', '', r.note];
    return [
      r.variant,
      r.seconds.toFixed(2),
      r.cpuSeconds === undefined ? '' : r.cpuSeconds.toFixed(2),
      (bytes / 1e6 / r.seconds).toFixed(0),
      r.flows === undefined ? '' : Math.round(r.flows / r.seconds).toLocaleString('en-US'),
      r.maxRssMb === undefined ? '' : r.maxRssMb.toFixed(0),
      r.note ?? '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const fmt = (cols) => cols.map((c, i) => (i === 0 || i === cols.length - 1 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
}

// ---- children ----------------------------------------------------------------------------------

async function runChild(variant, file) {
  const t0 = performance.now();
  let flows = 0;
  let note;
  if (variant === 'decode') {
    const { readFlowInputs } = await import(distFlows.href);
    const stats = await readFlowInputs([file], { flow() {}, lost() {} });
    flows = stats.flows;
    if (stats.skipped > 0) note = `${stats.skipped} lines skipped`;
  } else if (variant === 'fold') {
    const inventory = existsSync(distInventory) ? await import(distInventory.href) : {};
    if (typeof inventory.InventoryBuilder !== 'function') {
      process.stdout.write(`${JSON.stringify({ variant, note: 'fold: not available yet' })}\n`);
      return;
    }
    const { readFlowInputs } = await import(distFlows.href);
    const builder = new inventory.InventoryBuilder({});
    const stats = await readFlowInputs([file], {
      flow: (f, at) => builder.add(f, at),
      lost: (l) => builder.addLost?.(l.numEventsLost),
    });
    const result = builder.finish(stats);
    flows = stats.flows;
    const edges = result?.edges?.length ?? result?.edges?.size;
    if (edges !== undefined) note = `${edges.toLocaleString('en-US')} edges`;
  } else if (variant === 'parse') {
    flows = await parseOnly(file);
  } else {
    throw new Error(`unknown variant ${variant}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const ru = process.resourceUsage();
  const result = {
    variant,
    seconds,
    cpuSeconds: (ru.userCPUTime + ru.systemCPUTime) / 1e6,
    flows,
    maxRssMb: ru.maxRSS / 1024,
    note,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** The floor: chunked read, split on newlines, JSON.parse each line, nothing else. */
async function parseOnly(file) {
  let n = 0;
  let rest = '';
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024, encoding: 'utf8' })) {
    const text = rest + chunk;
    let pos = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', pos)) {
      if (nl > pos) {
        JSON.parse(text.slice(pos, nl));
        n++;
      }
      pos = nl + 1;
    }
    rest = text.slice(pos);
  }
  if (rest.trim() !== '') {
    JSON.parse(rest);
    n++;
  }
  return n;
}

// ---- generator ---------------------------------------------------------------------------------

/** A small deterministic PRNG (mulberry32), so every run generates the same file. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function generate(file, targetBytes) {
  const rand = rng(42);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
  const alnum = (n) => Array.from({ length: n }, () => 'bcdfghjklmnpqrstvwxz2456789'[Math.floor(rand() * 27)]).join('');

  const nodes = Array.from({ length: 6 }, (_, i) => `prod-eu1/ip-10-0-${i + 1}-17.eu-west-1.compute.internal`);
  const spec = {
    shop: ['frontend', 'cart', 'checkout', 'payments', 'catalog', 'search', 'recommendations', 'email'],
    data: ['postgres', 'redis', 'kafka', 'elasticsearch'],
    monitoring: ['prometheus', 'grafana', 'alertmanager'],
    'kube-system': ['coredns', 'metrics-server'],
    'ingress-nginx': ['ingress-nginx-controller'],
  };
  let identity = 20000;
  let ip = 0;
  let epId = 100;
  const workloads = {};
  for (const [ns, apps] of Object.entries(spec)) {
    for (const app of apps) {
      const id = identity++;
      const rs = alnum(10);
      const labels = [
        `k8s:app.kubernetes.io/name=${app}`,
        `k8s:app.kubernetes.io/part-of=${ns === 'shop' ? 'webshop' : ns}`,
        `k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=${ns}`,
        'k8s:io.cilium.k8s.policy.cluster=prod-eu1',
        `k8s:io.cilium.k8s.policy.serviceaccount=${app}`,
        `k8s:io.kubernetes.pod.namespace=${ns}`,
        ...(app === 'coredns' ? ['k8s:k8s-app=kube-dns'] : []),
      ];
      const pods = Array.from({ length: 2 + Math.floor(rand() * 3) }, () => ({
        name: `${app}-${rs}-${alnum(5)}`,
        ip: `10.244.${Math.floor(ip / 250)}.${(ip++ % 250) + 2}`,
        node: pick(nodes),
        ep: epId++,
      }));
      workloads[`${ns}/${app}`] = { ns, app, id, labels, pods, kind: app === 'postgres' || app === 'kafka' ? 'StatefulSet' : 'Deployment' };
    }
  }
  const W = (k) => workloads[k];
  const internal = [
    ['ingress-nginx/ingress-nginx-controller', 'shop/frontend', 8080],
    ['shop/frontend', 'shop/cart', 7070],
    ['shop/frontend', 'shop/catalog', 3550],
    ['shop/frontend', 'shop/search', 9200],
    ['shop/frontend', 'shop/recommendations', 8080],
    ['shop/frontend', 'shop/checkout', 5050],
    ['shop/checkout', 'shop/payments', 50051],
    ['shop/checkout', 'shop/email', 8080],
    ['shop/checkout', 'data/kafka', 9092],
    ['shop/cart', 'data/redis', 6379],
    ['shop/catalog', 'data/postgres', 5432],
    ['shop/payments', 'data/postgres', 5432],
    ['shop/search', 'data/elasticsearch', 9200],
    ['monitoring/prometheus', 'shop/frontend', 9090],
    ['monitoring/prometheus', 'shop/cart', 9090],
    ['monitoring/prometheus', 'data/postgres', 9187],
    ['monitoring/prometheus', 'kube-system/metrics-server', 4443],
    ['monitoring/grafana', 'monitoring/prometheus', 9090],
    ['monitoring/prometheus', 'monitoring/alertmanager', 9093],
  ];
  const external = [
    ['shop/payments', 'api.stripe.com', '54.187.174.169', 443],
    ['shop/email', 'smtp.sendgrid.net', '167.89.123.58', 587],
    ['shop/recommendations', 'storage.googleapis.com', '142.250.185.91', 443],
    ['monitoring/alertmanager', 'hooks.slack.com', '54.230.18.33', 443],
    ['shop/frontend', 'cdn.jsdelivr.net', '151.101.1.229', 443],
  ];
  const world = { identity: 2, labels: ['reserved:world'] };
  const host = { identity: 1, labels: ['reserved:host'] };
  const remoteNode = { identity: 6, labels: ['reserved:remote-node'] };
  const endpoint = (w, pod, local) => ({
    ...(local ? { ID: pod.ep } : {}),
    identity: w.id,
    cluster_name: 'prod-eu1',
    namespace: w.ns,
    labels: w.labels,
    pod_name: pod.name,
    workloads: [{ name: w.app, kind: w.kind }],
  });

  let ns = Date.UTC(2026, 0, 5) * 1e6; // nanoseconds since epoch, as a float (precision is not the point)
  let secondsBase = Math.floor(ns / 1e9);
  const timeOf = () => {
    ns += 20_000 + Math.floor(rand() * 200_000);
    const sec = Math.floor(ns / 1e9);
    if (sec !== secondsBase) secondsBase = sec;
    const frac = String(Math.floor(ns % 1e9)).padStart(9, '0');
    return `${new Date(sec * 1000).toISOString().slice(0, 19)}.${frac}Z`;
  };
  const flags = [{ SYN: true }, { SYN: true, ACK: true }, { ACK: true }, { PSH: true, ACK: true }, { FIN: true, ACK: true }];
  const line = (flow) => {
    const time = timeOf();
    return JSON.stringify({ flow: { time, uuid: `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`, ...flow }, node_name: flow.node_name, time });
  };

  const tcpPair = (src, srcPod, dst, dstPod, sport, dport, verdict = 'FORWARDED', destinationNames = undefined) => {
    const out = [];
    const f = pick(flags);
    const summary = `TCP Flags: ${Object.keys(f).join(', ')}`;
    const base = { verdict, ethernet: { source: '4e:1f:2a:0b:9c:11', destination: 'a6:3d:55:0e:71:f2' }, Type: 'L3_L4' };
    // egress, observed at the source's node
    out.push(
      line({
        ...base,
        IP: { source: srcPod.ip, destination: dstPod.ip ?? dstPod, ipVersion: 'IPv4' },
        l4: { TCP: { source_port: sport, destination_port: dport, flags: f } },
        source: src.pod ? endpoint(src.w, srcPod, true) : src,
        destination: dst.pod ? endpoint(dst.w, dstPod, false) : dst,
        ...(destinationNames ? { destination_names: destinationNames } : {}),
        node_name: srcPod.node ?? pick(nodes),
        event_type: { type: 4, sub_type: 3 },
        traffic_direction: 'EGRESS',
        trace_observation_point: pick(['TO_STACK', 'TO_OVERLAY']),
        is_reply: false,
        Summary: summary,
        ...(verdict === 'DROPPED' ? { drop_reason: 133, drop_reason_desc: 'POLICY_DENIED', event_type: { type: 1, sub_type: 133 } } : {}),
      }),
    );
    if (verdict === 'DROPPED') return out;
    // ingress, observed at the destination's node
    if (dst.pod) {
      out.push(
        line({
          ...base,
          IP: { source: srcPod.ip ?? srcPod, destination: dstPod.ip, ipVersion: 'IPv4' },
          l4: { TCP: { source_port: sport, destination_port: dport, flags: f } },
          source: src.pod ? endpoint(src.w, srcPod, false) : src,
          destination: endpoint(dst.w, dstPod, true),
          node_name: dstPod.node,
          event_type: { type: 4 },
          traffic_direction: 'INGRESS',
          trace_observation_point: 'TO_ENDPOINT',
          is_reply: false,
          Summary: summary,
        }),
      );
    }
    // the reply
    out.push(
      line({
        ...base,
        IP: { source: dstPod.ip ?? dstPod, destination: srcPod.ip ?? srcPod, ipVersion: 'IPv4' },
        l4: { TCP: { source_port: dport, destination_port: sport, flags: { ACK: true } } },
        source: dst.pod ? endpoint(dst.w, dstPod, true) : dst,
        destination: src.pod ? endpoint(src.w, srcPod, false) : src,
        node_name: dstPod.node ?? srcPod.node,
        reply: true,
        event_type: { type: 4, sub_type: 3 },
        traffic_direction: 'INGRESS',
        trace_observation_point: 'TO_STACK',
        is_reply: true,
        Summary: 'TCP Flags: ACK',
      }),
    );
    return out;
  };

  const dnsFlows = (w, pod, name, addr) => {
    const dnsW = W('kube-system/coredns');
    const dnsPod = pick(dnsW.pods);
    const sport = 32768 + Math.floor(rand() * 28000);
    const query = `${name}.`;
    const common = {
      verdict: 'FORWARDED',
      Type: 'L7',
      node_name: pod.node,
      event_type: { type: 129 },
      traffic_direction: 'EGRESS',
    };
    return [
      line({
        ...common,
        IP: { source: pod.ip, destination: dnsPod.ip, ipVersion: 'IPv4' },
        l4: { UDP: { source_port: sport, destination_port: 53 } },
        source: endpoint(w, pod, true),
        destination: endpoint(dnsW, dnsPod, false),
        l7: { type: 'REQUEST', dns: { query, observation_source: 'proxy', qtypes: ['A'] } },
        is_reply: false,
        Summary: `DNS Query ${query} A`,
      }),
      line({
        ...common,
        IP: { source: dnsPod.ip, destination: pod.ip, ipVersion: 'IPv4' },
        l4: { UDP: { source_port: 53, destination_port: sport } },
        source: endpoint(dnsW, dnsPod, false),
        destination: endpoint(w, pod, true),
        l7: {
          type: 'RESPONSE',
          latency_ns: String(200_000 + Math.floor(rand() * 3_000_000)),
          dns: { query, ips: [addr], ttl: 30, observation_source: 'proxy', qtypes: ['A'], rrtypes: ['A'] },
        },
        reply: true,
        is_reply: true,
        Summary: `DNS Answer "${addr}" TTL: 30 (Proxy ${query} A)`,
      }),
    ];
  };

  const out = createWriteStream(file);
  let written = 0;
  let lines = 0;
  let batch = [];
  let batchBytes = 0;
  const flush = async () => {
    const text = batch.join('\n') + '\n';
    batch = [];
    batchBytes = 0;
    written += Buffer.byteLength(text);
    if (!out.write(text)) await new Promise((r) => out.once('drain', r));
  };
  const emit = (list) => {
    for (const l of list) {
      batch.push(l);
      batchBytes += l.length + 1;
      lines++;
    }
  };
  let lastReport = 0;
  while (written + batchBytes < targetBytes) {
    const r = rand();
    if (r < 0.62) {
      const [s, d, port] = pick(internal);
      const sw = W(s);
      const dw = W(d);
      const verdict = rand() < 0.01 ? 'DROPPED' : 'FORWARDED';
      emit(tcpPair({ pod: true, w: sw }, pick(sw.pods), { pod: true, w: dw }, pick(dw.pods), 32768 + Math.floor(rand() * 28000), port, verdict));
    } else if (r < 0.74) {
      const [s, name, addr, port] = pick(external);
      const sw = W(s);
      const pod = pick(sw.pods);
      emit(dnsFlows(sw, pod, name, addr));
      const ext = rand() < 0.5 ? world : { identity: 16777217 + Math.floor(rand() * 20), labels: ['reserved:world', `cidr:${addr}/32`, `fqdn:${name}`] };
      // The DNS proxy taught the source's endpoint the name, so its egress flow carries destination_names.
      emit(tcpPair({ pod: true, w: sw }, pod, ext, { ip: addr, node: pod.node }, 32768 + Math.floor(rand() * 28000), port, 'FORWARDED', [name]));
    } else if (r < 0.9) {
      // kubelet probes from the host
      const w = pick(Object.values(workloads));
      const pod = pick(w.pods);
      emit(tcpPair(host, { ip: '10.0.1.17', node: pod.node }, { pod: true, w }, pod, 40000 + Math.floor(rand() * 20000), 8080));
    } else if (r < 0.97) {
      // remote-node health traffic
      const w = pick(Object.values(workloads));
      const pod = pick(w.pods);
      emit(tcpPair(remoteNode, { ip: '10.0.2.17', node: pick(nodes) }, { pod: true, w }, pod, 40000 + Math.floor(rand() * 20000), 4240));
    } else {
      // a policy verdict in audit mode: would have been denied
      const [s, d, port] = pick(internal);
      const sw = W(s);
      const dw = W(d);
      const sp = pick(sw.pods);
      const dp = pick(dw.pods);
      emit([
        line({
          verdict: 'AUDIT',
          IP: { source: sp.ip, destination: dp.ip, ipVersion: 'IPv4' },
          l4: { TCP: { source_port: 40000 + Math.floor(rand() * 20000), destination_port: port, flags: { SYN: true } } },
          source: endpoint(sw, sp, false),
          destination: endpoint(dw, dp, true),
          Type: 'L3_L4',
          node_name: dp.node,
          event_type: { type: 5 },
          traffic_direction: 'INGRESS',
          is_reply: false,
          Summary: 'TCP Flags: SYN',
        }),
      ]);
    }
    if (batchBytes > 4e6) await flush();
    if (written - lastReport > 100e6) {
      lastReport = written;
      process.stderr.write(`  generating: ${(written / 1e6).toFixed(0)} MB\r`);
    }
  }
  if (batch.length > 0) await flush();
  await new Promise((resolve, reject) => out.end((e) => (e ? reject(e) : resolve())));
  process.stderr.write('\n');
  return { lines };
}
