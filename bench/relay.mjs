#!/usr/bin/env node
// Benchmark (not a test): how fast tighten decodes Hubble Relay's binary GetFlowsResponse messages,
// side by side with the JSON path, and end to end through gRPC.
//
//   npm run build && node bench/relay.mjs [--flows 200000] [--repeat 3] [--only decode,json,grpc]
//
// The flows are the sample generator's (500 workloads over 3 days: TCP/UDP/ICMP, DNS with answers,
// HTTP, drops, replies, health checks), encoded once with protobufjs from src/relay/observer.proto.
//   decode  decodeFlowsResponse over the encoded messages (one core, nothing else running)
//   json    JSON.parse + decodeHubbleValue over the same flows as `hubble observe -o json` lines
//   grpc    relayFlowSource reading them from a gRPC server in a child process (non-follow), counting;
//           flows/s of wall time, and flows per CPU-second of the client process alone
// Each variant runs `--repeat` times; the fastest run is shown (the machine may be shared).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const dist = (p) => new URL(`../dist/${p}`, import.meta.url);
const PROTO = fileURLToPath(new URL('../src/relay/observer.proto', import.meta.url));

if (!existsSync(dist('relay/index.js'))) {
  console.error('dist/relay/index.js not found: run `npm run build` first');
  process.exit(2);
}
const { decodeFlowsResponse, relayFlowSource } = await import(dist('relay/index.js').href);
const { decodeHubbleValue, parseTimestamp } = await import(dist('flows/index.js').href);
const { generateSample } = await import(dist('sample/index.js').href);
const protobuf = (await import('protobufjs')).default;

const flowCount = Number(opt('flows', '200000'));
const repeat = Math.max(1, Number(opt('repeat', '3')));

if (opt('child') === 'server') await serve();
else await main();

/** The sample's JSON lines and their protobuf encodings (deterministic: the same in parent and child). */
function corpus() {
  const sample = generateSample({ size: { workloads: 500, flows: flowCount, days: 3, nodes: 12 }, seed: 1 });
  const lines = [];
  for (const line of sample.flowLines()) {
    lines.push(line);
    if (lines.length >= flowCount) break;
  }
  const root = new protobuf.Root();
  root.loadSync(PROTO, { keepCase: true });
  root.resolveAll();
  const type = root.lookupType('observer.GetFlowsResponse');
  const messages = lines.map((l) => Buffer.from(type.encode(type.fromObject(fromProtoJson(type, JSON.parse(l)))).finish()));
  return { lines, messages };
}

async function main() {
  const only = opt('only', 'decode,json,grpc').split(',');
  const t0 = performance.now();
  const { lines, messages } = corpus();
  const jsonBytes = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  const pbBytes = messages.reduce((n, m) => n + m.length, 0);
  console.log(
    `${lines.length.toLocaleString('en-US')} sample flows prepared in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
      `JSON ${(jsonBytes / lines.length).toFixed(0)} B/flow, protobuf ${(pbBytes / messages.length).toFixed(0)} B/flow; node ${process.version}\n`,
  );
  const rows = [];
  if (only.includes('decode')) {
    rows.push(best('decode (protobuf → Flow)', () => {
      let flows = 0;
      for (const m of messages) if (decodeFlowsResponse(m).kind === 'flow') flows++;
      return flows;
    }));
  }
  if (only.includes('json')) {
    rows.push(best('JSON.parse + decodeHubbleValue', () => {
      let flows = 0;
      for (const l of lines) if (decodeHubbleValue(JSON.parse(l)).kind === 'flow') flows++;
      return flows;
    }));
  }
  if (only.includes('grpc')) rows.push(await grpcEndToEnd(messages.length));
  printTable(rows);
}

function best(variant, fn) {
  let result;
  for (let i = 0; i < repeat; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const flows = fn();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const r = { variant, flows, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
    if (result === undefined || r.seconds < result.seconds) result = r;
  }
  return result;
}

async function grpcEndToEnd(expected) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', 'server', '--flows', String(flowCount)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /listening on (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    let result;
    for (let i = 0; i < repeat; i++) {
      let flows = 0;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const stats = await relayFlowSource({ address: `127.0.0.1:${port}`, maxAttempts: 3 }).run({ flow: () => void flows++ });
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      if (flows !== expected || stats.flows !== expected) throw new Error(`grpc: got ${flows} flows, expected ${expected}`);
      const r = { variant: 'gRPC end to end (relayFlowSource)', flows, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, note: 'server in a child process' };
      if (result === undefined || r.seconds < result.seconds) result = r;
    }
    return result;
  } finally {
    child.kill();
  }
}

async function serve() {
  const { Server, ServerCredentials } = await import('@grpc/grpc-js');
  const { messages } = corpus();
  const server = new Server();
  const id = (b) => b;
  server.addService(
    {
      GetFlows: {
        path: '/observer.Observer/GetFlows',
        requestStream: false,
        responseStream: true,
        requestSerialize: id,
        requestDeserialize: id,
        responseSerialize: id,
        responseDeserialize: id,
      },
    },
    {
      GetFlows: async (call) => {
        for (const m of messages) {
          if (!call.write(m)) await new Promise((resolve) => call.once('drain', resolve));
        }
        call.end();
      },
    },
  );
  const port = await new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  console.log(`listening on ${port}`);
  process.on('SIGTERM', () => server.forceShutdown());
}

/** protojson → protobufjs objects: RFC 3339 timestamps and bare wrapper values (as in the tests' encoder). */
function fromProtoJson(type, json) {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return json;
  const out = {};
  for (const [key, value] of Object.entries(json)) {
    const field = type.fields[key];
    if (field === undefined) continue;
    field.resolve();
    const convert = (v) => {
      const rt = field.resolvedType;
      if (!(rt instanceof protobuf.Type)) return v;
      if (rt.fullName === '.google.protobuf.Timestamp' && typeof v === 'string') {
        const t = parseTimestamp(v);
        return { seconds: Math.floor(t.ms / 1000), nanos: Number(t.iso.slice(20, 29)) };
      }
      if (rt.fullName.startsWith('.google.protobuf.') && rt.fullName.endsWith('Value') && (typeof v !== 'object' || v === null)) return { value: v };
      return fromProtoJson(rt, v);
    };
    out[field.name] = field.repeated && Array.isArray(value) ? value.map(convert) : convert(value);
  }
  return out;
}

function printTable(rows) {
  const header = ['variant', 'flows', 'wall s', 'cpu s', 'flows/s', 'flows/cpu-s', 'note'];
  const lines = rows.map((r) => [
    r.variant,
    r.flows.toLocaleString('en-US'),
    r.seconds.toFixed(2),
    r.cpuSeconds.toFixed(2),
    Math.round(r.flows / r.seconds).toLocaleString('en-US'),
    Math.round(r.flows / r.cpuSeconds).toLocaleString('en-US'),
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const fmt = (cols) => cols.map((c, i) => (i === 0 || i === cols.length - 1 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
}
