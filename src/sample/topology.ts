/**
 * @module sample/topology — builds the sample cluster from the catalog (and, for larger sizes, the
 * synthetic apps): nodes and their address plan, workloads with pods placed on nodes, CronJob runs,
 * Services with their backends, calls resolved to workloads. Identities are assigned afterwards
 * (`identity.ts`).
 *
 * Address plan: node i has InternalIP 172.18.0.10+i and pod CIDR 10.128.0.0 + i·512 /23, with
 * `cilium_host` at .1 and the health endpoint at .2 of it; long-lived pods take addresses from
 * offset 10 up, Job and debug pods from offset 300 up (reused cyclically). Service ClusterIPs are in
 * 10.96.0.0/12; external services and the upstream resolver in 192.0.2.0/24 and 198.51.100.0/24
 * (TEST-NET-1/2), internet clients in 203.0.113.0/24 (TEST-NET-3).
 */
import {
  CILIUM_IDENTITY_LABELS,
  CORE_CALLS,
  CORE_NAMESPACES,
  CORE_SERVICES,
  CORE_WORKLOADS,
  EXISTING_POLICIES,
  EXTERNAL_NAMES,
  type CallSpec,
  type NamespaceSpec,
  type ServiceSpec,
  type WorkloadSpec,
} from './catalog.js';
import { cronFireTimes } from './cron.js';
import type {
  CallSource,
  CallTarget,
  Labels,
  SampleCall,
  SampleCluster,
  SampleExternal,
  SampleNamespace,
  SampleNode,
  SamplePod,
  SampleRun,
  SampleService,
  SampleWorkload,
} from './model.js';
import { intToIp, ipAdd, ipToInt } from './net.js';
import { Prng } from './prng.js';
import { generateSynthetic } from './synthetic.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** What the topology needs to know of the requested sample. */
export interface TopologyOptions {
  readonly seed: number;
  readonly clusterName: string;
  readonly sinceMs: number;
  readonly untilMs: number;
  /** Total workloads wanted; the catalog's are always there, synthetic apps make up the rest. */
  readonly workloads: number;
  readonly nodes: number;
  readonly worldClients: number;
}

/** Number of workloads in the fixed catalog (the smallest possible sample). */
export const CORE_WORKLOAD_COUNT = CORE_WORKLOADS.length;

const POD_BASE = ipToInt('10.128.0.0');
const LONG_LIVED_OFFSET = 10;
const EPHEMERAL_OFFSET = 300;
const EPHEMERAL_SPAN = 210;

/** Per-node allocation state while pods are placed. */
interface NodeAlloc {
  nextLongLived: number;
  nextEphemeral: number;
  /** Endpoint ids: long-lived pods take 100–2047, short-lived ones cycle through 2048–4095. */
  nextEndpointId: number;
  nextEphemeralEndpointId: number;
}

export function buildTopology(opts: TopologyOptions): SampleCluster {
  const prng = Prng.derive(opts.seed, 'topology');
  const synthetic = generateSynthetic(
    Math.max(0, opts.workloads - CORE_WORKLOAD_COUNT),
    Prng.derive(opts.seed, 'synthetic'),
    new Set(CORE_NAMESPACES.map((n) => n.name)),
  );
  const nsSpecs = [...CORE_NAMESPACES, ...synthetic.namespaces].sort((a, b) => cmp(a.name, b.name));
  const workloadSpecs = [...CORE_WORKLOADS, ...synthetic.workloads].sort((a, b) => cmp(key(a), key(b)));
  const serviceSpecs = [...CORE_SERVICES, ...synthetic.services].sort((a, b) => cmp(key(a), key(b)));
  const callSpecs = [...CORE_CALLS, ...synthetic.calls];

  const namespaces = nsSpecs.map((spec) => buildNamespace(spec, opts, prng));
  const nodes = buildNodes(opts, prng);
  const alloc = new Map<SampleNode, NodeAlloc>(
    nodes.map((n) => [n, { nextLongLived: LONG_LIVED_OFFSET, nextEphemeral: EPHEMERAL_OFFSET, nextEndpointId: prng.int(100, 400), nextEphemeralEndpointId: 0 }]),
  );
  const placer = new Placer(nodes, alloc, prng);
  const workloads = workloadSpecs.map((spec) => buildWorkload(spec, opts, prng, placer));
  const byKey = new Map(workloads.map((w) => [`${w.namespace}/${w.name}`, w]));
  const services = buildServices(serviceSpecs, workloads, prng);
  const externals = buildExternals();
  const dns = byKey.get('kube-system/coredns');
  if (dns === undefined) throw new Error('sample catalog: kube-system/coredns is missing');
  const calls = [...resolveCalls(callSpecs, byKey, services, externals), ...platformCalls(workloads, byKey, services)];

  const cluster: SampleCluster = {
    name: opts.clusterName,
    sinceMs: opts.sinceMs,
    untilMs: opts.untilMs,
    namespaces,
    nodes,
    workloads,
    services,
    calls,
    externals,
    worldClients: worldClients(opts.worldClients, prng),
    apiserverIp: '172.18.0.2',
    upstreamDnsIp: '192.0.2.53',
    ciliumConfig: ciliumConfig(opts.clusterName),
    policies: EXISTING_POLICIES,
    dns,
    domain: 'cluster.local',
  };
  return cluster;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function key(x: { namespace: string; name: string }): string {
  return `${x.namespace}/${x.name}`;
}

function buildNamespace(spec: NamespaceSpec, opts: TopologyOptions, prng: Prng): SampleNamespace {
  const labels: Record<string, string> = { 'kubernetes.io/metadata.name': spec.name };
  if (spec.team !== undefined) labels.team = spec.team;
  return {
    name: spec.name,
    labels,
    dnsVisibility: spec.dnsVisibility,
    uid: prng.uuid(),
    createdMs: opts.sinceMs - prng.int(60, 400) * DAY_MS + prng.int(0, DAY_MS / 1000) * 1000,
  };
}

function buildNodes(opts: TopologyOptions, prng: Prng): SampleNode[] {
  const nodes: SampleNode[] = [];
  for (let i = 0; i < opts.nodes; i++) {
    const base = POD_BASE + i * 512;
    nodes.push({
      name: `${opts.clusterName}-worker${i === 0 ? '' : i + 1}`,
      index: i,
      ip: ipAdd('172.18.0.10', i),
      podCidr: `${intToIp(base)}/23`,
      routerIp: intToIp(base + 1),
      healthIp: intToIp(base + 2),
      healthEndpointId: prng.int(1, 99),
      // One node in a few still runs the previous Cilium (no `workloads` in its flows).
      oldAgent: opts.nodes >= 3 && (opts.nodes <= 5 ? i === opts.nodes - 1 : i % 8 === 7),
    });
  }
  return nodes;
}

/** Places pods on nodes and hands out addresses and endpoint ids. */
class Placer {
  private readonly nodes: readonly SampleNode[];
  private readonly alloc: Map<SampleNode, NodeAlloc>;
  private readonly prng: Prng;
  private readonly current: SampleNode[];
  private next = 0;

  constructor(nodes: readonly SampleNode[], alloc: Map<SampleNode, NodeAlloc>, prng: Prng) {
    this.nodes = nodes;
    this.alloc = alloc;
    this.prng = prng;
    this.current = nodes.filter((n) => !n.oldAgent);
    this.next = prng.int(0, nodes.length - 1);
  }

  /** A node for a long-lived pod: spread round-robin from a random start, replicas on distinct nodes. */
  longLived(): SampleNode {
    const node = this.nodes[this.next % this.nodes.length] as SampleNode;
    this.next += 1;
    return node;
  }

  /** The i-th node (DaemonSet pods: one per node). */
  nodeAt(i: number): SampleNode {
    return this.nodes[i % this.nodes.length] as SampleNode;
  }

  /** A node for a short-lived pod (Job run, debug pod): never one with the old agent. */
  shortLived(): SampleNode {
    return this.prng.pick(this.current.length > 0 ? this.current : this.nodes);
  }

  ip(node: SampleNode, ephemeral: boolean): string {
    const a = this.alloc.get(node) as NodeAlloc;
    const base = ipToInt(node.podCidr.slice(0, node.podCidr.indexOf('/')));
    if (!ephemeral) {
      if (a.nextLongLived >= EPHEMERAL_OFFSET) throw new RangeError(`node ${node.name} is full; use more nodes`);
      return intToIp(base + a.nextLongLived++);
    }
    const offset = EPHEMERAL_OFFSET + ((a.nextEphemeral - EPHEMERAL_OFFSET) % EPHEMERAL_SPAN);
    a.nextEphemeral += 1;
    return intToIp(base + offset);
  }

  endpointId(node: SampleNode, ephemeral: boolean): number {
    const a = this.alloc.get(node) as NodeAlloc;
    if (ephemeral) {
      a.nextEphemeralEndpointId = (a.nextEphemeralEndpointId + this.prng.int(1, 7)) % 2048;
      return 2048 + a.nextEphemeralEndpointId;
    }
    // At most 290 long-lived pods per node, 1–5 apart: they stay below 2048 and never repeat.
    a.nextEndpointId += this.prng.int(1, 5);
    return a.nextEndpointId;
  }
}

function buildWorkload(spec: WorkloadSpec, opts: TopologyOptions, prng: Prng, placer: Placer): SampleWorkload {
  const replicas = spec.kind === 'DaemonSet' ? opts.nodes : spec.replicas ?? 1;
  const selector = spec.kind === 'Deployment' || spec.kind === 'StatefulSet' || spec.kind === 'DaemonSet' ? spec.selector ?? spec.podLabels : undefined;
  const sessionStart = opts.sinceMs + Math.round((spec.atHours ?? 0) * HOUR_MS);
  const longLivedCreated = opts.sinceMs - prng.int(2, 90) * DAY_MS + prng.int(0, 86_399) * 1000;
  const createdMs = spec.kind === 'Job' || spec.kind === 'Pod' ? sessionStart : longLivedCreated;
  const templateHash = spec.kind === 'Deployment' ? prng.k8sSuffix(prng.int(9, 10)) : undefined;
  const workload: SampleWorkload = {
    namespace: spec.namespace,
    name: spec.name,
    kind: spec.kind,
    uid: prng.uuid(),
    labels: objectLabels(spec),
    podLabels: spec.podLabels,
    ...(selector !== undefined ? { selector } : {}),
    serviceAccount: spec.serviceAccount ?? 'default',
    image: spec.image,
    ports: (spec.ports ?? []).map((p) => ({ ...(p.name !== undefined ? { name: p.name } : {}), port: p.port, protocol: p.protocol ?? 'TCP' })),
    replicas,
    hostNetwork: spec.hostNetwork ?? false,
    ...(spec.probePort !== undefined ? { probePort: spec.probePort } : {}),
    ...(spec.metricsPort !== undefined ? { metricsPort: spec.metricsPort } : {}),
    ...(spec.schedule !== undefined ? { schedule: spec.schedule } : {}),
    ...(spec.ephemeralContainer ? { ephemeralContainer: true } : {}),
    ...(spec.kind === 'Pod' ? { sessionEndMs: sessionStart + (spec.minutes ?? 3) * MINUTE_MS } : {}),
    class: spec.class,
    ...(spec.role !== undefined ? { role: spec.role } : {}),
    ...(spec.traces ? { traces: true } : {}),
    ...(spec.secrets ? { secrets: true } : {}),
    ...(spec.apiserver ? { apiserver: true } : {}),
    createdMs,
    pods: [],
    runs: [],
    ...(templateHash !== undefined ? { templateHash, replicaSetUid: prng.uuid() } : {}),
  };
  const minutes = spec.minutes ?? 3;
  switch (spec.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
      for (let i = 0; i < replicas; i++) workload.pods.push(longLivedPod(workload, i, prng, placer));
      break;
    case 'Pod':
      workload.pods.push(makePod(workload, spec.name, { ...spec.podLabels }, placer.shortLived(), placer, prng, sessionStart, undefined, undefined));
      break;
    case 'Job':
      workload.runs.push(makeRun(workload, spec.name, opts.sinceMs + Math.round((spec.atHours ?? 1) * HOUR_MS), minutes, prng, placer));
      break;
    case 'CronJob': {
      if (spec.neverRuns || spec.schedule === undefined) break;
      // A run must finish inside the window; a run scheduled too close to its end is left out.
      const fires = cronFireTimes(spec.schedule, opts.sinceMs, opts.untilMs - (minutes + 2) * MINUTE_MS);
      for (const t of fires) workload.runs.push(makeRun(workload, `${spec.name}-${Math.floor(t / MINUTE_MS)}`, t, minutes, prng, placer));
      break;
    }
  }
  return workload;
}

/** `metadata.labels` of the workload object: its pods' stable labels (as Helm charts and kubectl do). */
function objectLabels(spec: WorkloadSpec): Labels {
  return spec.kind === 'Pod' ? spec.podLabels : spec.selector ?? spec.podLabels;
}

function longLivedPod(w: SampleWorkload, i: number, prng: Prng, placer: Placer): SamplePod {
  const node = w.kind === 'DaemonSet' ? placer.nodeAt(i) : placer.longLived();
  const started = w.createdMs + prng.int(5, 600) * 1000;
  switch (w.kind) {
    case 'Deployment': {
      const rs = `${w.name}-${w.templateHash}`;
      return makePod(w, `${rs}-${prng.k8sSuffix(5)}`, { ...w.podLabels, 'pod-template-hash': w.templateHash as string }, node, placer, prng, started, undefined, {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: rs,
        uid: w.replicaSetUid as string,
      });
    }
    case 'StatefulSet': {
      const name = `${w.name}-${i}`;
      const labels = {
        ...w.podLabels,
        'apps.kubernetes.io/pod-index': String(i),
        'controller-revision-hash': `${w.name}-${hashOf(w)}`,
        'statefulset.kubernetes.io/pod-name': name,
      };
      return makePod(w, name, labels, node, placer, prng, started, undefined, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: w.name, uid: w.uid });
    }
    default: {
      const labels = { ...w.podLabels, 'controller-revision-hash': hashOf(w), 'pod-template-generation': '1' };
      return makePod(w, `${w.name}-${prng.k8sSuffix(5)}`, labels, node, placer, prng, started, undefined, {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        name: w.name,
        uid: w.uid,
      });
    }
  }
}

/** A stable per-workload revision hash (same for every pod of the workload). */
function hashOf(w: SampleWorkload): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let h = 0;
  for (let i = 0; i < w.uid.length; i++) h = (Math.imul(h, 31) + w.uid.charCodeAt(i)) >>> 0;
  let s = '';
  for (let i = 0; i < 10; i++) {
    s += alphabet[h % alphabet.length];
    h = Math.floor(h / alphabet.length) + Math.imul(h, 7) + i;
    h >>>= 0;
  }
  return s;
}

function makeRun(w: SampleWorkload, jobName: string, scheduledMs: number, minutes: number, prng: Prng, placer: Placer): SampleRun {
  const jobUid = prng.uuid();
  const startMs = scheduledMs + prng.int(2_000, 6_000);
  const endMs = startMs + Math.round(minutes * MINUTE_MS * (0.8 + prng.next() * 0.3));
  const labels: Record<string, string> = {
    ...w.podLabels,
    'batch.kubernetes.io/controller-uid': jobUid,
    'batch.kubernetes.io/job-name': jobName,
    'controller-uid': jobUid,
    'job-name': jobName,
  };
  const node = placer.shortLived();
  const pod = makePod(w, `${jobName}-${prng.k8sSuffix(5)}`, labels, node, placer, prng, startMs, endMs, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    name: jobName,
    uid: jobUid,
  });
  return { jobName, jobUid, scheduledMs, startMs, endMs, pod };
}

function makePod(
  w: SampleWorkload,
  name: string,
  labels: Labels,
  node: SampleNode,
  placer: Placer,
  prng: Prng,
  startMs: number,
  endMs: number | undefined,
  owner: SamplePod['owner'],
): SamplePod {
  const ephemeral = w.kind === 'Job' || w.kind === 'CronJob' || w.kind === 'Pod';
  return {
    name,
    namespace: w.namespace,
    uid: prng.uuid(),
    workload: w,
    node,
    ip: w.hostNetwork ? node.ip : placer.ip(node, ephemeral),
    labels,
    ...(owner !== undefined ? { owner } : {}),
    identity: 0,
    endpointId: w.hostNetwork ? 0 : placer.endpointId(node, ephemeral),
    startMs,
    ...(endMs !== undefined ? { endMs } : {}),
  };
}

function buildServices(specs: readonly ServiceSpec[], workloads: readonly SampleWorkload[], prng: Prng): SampleService[] {
  const taken = new Set(specs.flatMap((s) => (s.clusterIP !== undefined ? [s.clusterIP] : [])));
  const first = ipToInt('10.96.1.0');
  const span = ipToInt('10.111.255.254') - first;
  const byNamespace = new Map<string, SampleWorkload[]>();
  for (const w of workloads) {
    const list = byNamespace.get(w.namespace);
    if (list === undefined) byNamespace.set(w.namespace, [w]);
    else list.push(w);
  }
  return specs.map((spec) => {
    let clusterIP = spec.clusterIP;
    while (clusterIP === undefined || (spec.clusterIP === undefined && taken.has(clusterIP))) {
      clusterIP = intToIp(first + (prng.u32() % span));
    }
    taken.add(clusterIP);
    const candidates = byNamespace.get(spec.namespace) ?? [];
    const backends = spec.selector === undefined ? [] : candidates.filter((w) => !w.hostNetwork && w.pods.length > 0 && w.kind !== 'Pod' && matches(spec.selector as Labels, w.podLabels));
    const total = backends.reduce((n, w) => n + w.replicas, 0);
    return {
      namespace: spec.namespace,
      name: spec.name,
      uid: prng.uuid(),
      labels: spec.selector ?? {},
      ...(spec.selector !== undefined ? { selector: spec.selector } : {}),
      ports: spec.ports.map((p) => ({ ...(p.name !== undefined ? { name: p.name } : {}), port: p.port, targetPort: p.targetPort ?? p.port, protocol: p.protocol ?? 'TCP' })),
      clusterIP,
      type: spec.type ?? 'ClusterIP',
      backends: backends.map((w) => ({ workload: w, share: w.replicas / total })),
    };
  });
}

function matches(selector: Labels, labels: Labels): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Addresses of the external names: TEST-NET-1 from .10, then TEST-NET-2; .53 is the upstream resolver. */
function buildExternals(): SampleExternal[] {
  let next = 0;
  const pool = (i: number): string => (i < 200 ? ipAdd('192.0.2.60', i) : ipAdd('198.51.100.10', i - 200));
  return EXTERNAL_NAMES.map((e) => ({ name: e.name, ips: Array.from({ length: e.ips }, () => pool(next++)) }));
}

function worldClients(count: number, prng: Prng): string[] {
  const picked = new Set<number>();
  while (picked.size < Math.min(count, 250)) picked.add(prng.int(2, 252));
  return [...picked].sort((a, b) => a - b).map((n) => `203.0.113.${n}`);
}

function ciliumConfig(clusterName: string): Record<string, string> {
  return {
    'cluster-name': clusterName,
    'cluster-id': '0',
    'enable-policy': 'default',
    'enable-hubble': 'true',
    'hubble-listen-address': ':4244',
    'policy-audit-mode': 'false',
    'enable-l7-proxy': 'true',
    'enable-non-default-deny-policies': 'true',
    'identity-allocation-mode': 'crd',
    'kube-proxy-replacement': 'true',
    'routing-mode': 'tunnel',
    'tunnel-protocol': 'vxlan',
    'monitor-aggregation': 'medium',
    labels: CILIUM_IDENTITY_LABELS,
  };
}

function resolveCalls(
  specs: readonly CallSpec[],
  byKey: ReadonlyMap<string, SampleWorkload>,
  services: readonly SampleService[],
  externals: readonly SampleExternal[],
): SampleCall[] {
  const svcByKey = new Map(services.map((s) => [`${s.namespace}/${s.name}`, s]));
  const extByName = new Map(externals.map((e) => [e.name, e]));
  const workload = (ref: string, spec: CallSpec): SampleWorkload => {
    const w = byKey.get(ref);
    if (w === undefined) throw new Error(`sample catalog: call ${spec.from} → ${spec.to} names unknown workload '${ref}'`);
    return w;
  };
  const calls: SampleCall[] = [];
  for (const spec of specs) {
    let source: CallSource;
    if (spec.from === '@world') source = { type: 'world' };
    else if (spec.from === '@kube-apiserver') source = { type: 'kube-apiserver' };
    else if (spec.from === '@remote-node') source = { type: 'remote-node' };
    else source = { type: 'workload', workload: workload(spec.from, spec) };

    let target: CallTarget;
    let port = spec.port;
    if (spec.to === '@kube-apiserver') target = { type: 'kube-apiserver' };
    else if (spec.to === '@kubelet') target = { type: 'kubelet' };
    else if (spec.to.startsWith('dns:')) {
      const external = extByName.get(spec.to.slice(4));
      if (external === undefined) throw new Error(`sample catalog: unknown external name in ${spec.to}`);
      target = { type: 'external', external };
    } else if (spec.to.startsWith('ip:')) target = { type: 'external-ip', ip: spec.to.slice(3) };
    else if (spec.to.startsWith('svc:')) {
      const service = svcByKey.get(spec.to.slice(4));
      if (service === undefined) throw new Error(`sample catalog: unknown Service in ${spec.to}`);
      const sp = service.ports.find((p) => p.port === spec.port);
      if (sp === undefined) throw new Error(`sample catalog: Service ${spec.to} has no port ${spec.port}`);
      port = sp.targetPort;
      // One call per backend, with the backend's share of the rate.
      for (const [i, b] of service.backends.entries()) {
        const fixed = spec.fixed === undefined ? undefined : splitFixed(spec.fixed, service.backends.map((x) => x.share))[i] as number;
        if (fixed === 0) continue;
        calls.push({
          source,
          target: { type: 'workload', workload: b.workload, service },
          port,
          protocol: spec.protocol ?? 'TCP',
          weight: (spec.weight ?? 1) * b.share,
          outcome: spec.outcome ?? { type: 'ok' },
          ...(fixed !== undefined ? { fixedConnections: fixed } : {}),
        } as SampleCall);
      }
      continue;
    } else {
      const w = workload(spec.to, spec);
      target = w.hostNetwork ? { type: 'node-daemon', workload: w } : { type: 'workload', workload: w };
    }
    calls.push({
      source,
      target,
      port,
      protocol: spec.protocol ?? 'TCP',
      weight: spec.weight ?? 1,
      outcome: spec.outcome ?? { type: 'ok' },
      ...(spec.fixed !== undefined ? { fixedConnections: spec.fixed } : {}),
    } as SampleCall);
  }
  return calls;
}

/** Splits `n` into integer parts proportional to `shares` (largest remainder). */
export function splitFixed(n: number, shares: readonly number[]): number[] {
  const total = shares.reduce((a, b) => a + b, 0);
  const exact = shares.map((s) => (total > 0 ? (n * s) / total : 0));
  const out = exact.map(Math.floor);
  let left = n - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    out[i] = (out[i] as number) + 1;
    left -= 1;
  }
  return out;
}

/** The platform's own traffic: probes, scrapes, traces, secrets, API server watches. */
function platformCalls(workloads: readonly SampleWorkload[], byKey: ReadonlyMap<string, SampleWorkload>, services: readonly SampleService[]): SampleCall[] {
  const prometheus = byKey.get('monitoring/prometheus-k8s');
  const otel = services.find((s) => s.namespace === 'monitoring' && s.name === 'otel-collector');
  const vault = services.find((s) => s.namespace === 'vault' && s.name === 'vault');
  if (prometheus === undefined || otel === undefined || vault === undefined) throw new Error('sample catalog: platform services are missing');
  const ok = { type: 'ok' } as const;
  const calls: SampleCall[] = [
    { source: { type: 'workload', workload: prometheus }, target: { type: 'kubelet' }, port: 10250, protocol: 'TCP', weight: 4, outcome: ok },
  ];
  for (const w of workloads) {
    if (w.pods.length === 0 || w.kind === 'Pod') continue;
    if (w.probePort !== undefined && !w.hostNetwork) calls.push({ source: { type: 'host' }, target: { type: 'workload', workload: w }, port: w.probePort, protocol: 'TCP', weight: 12, outcome: ok });
    if (w.metricsPort !== undefined && w !== prometheus) {
      calls.push({
        source: { type: 'workload', workload: prometheus },
        target: w.hostNetwork ? { type: 'node-daemon', workload: w } : { type: 'workload', workload: w },
        port: w.metricsPort,
        protocol: 'TCP',
        weight: 4,
        outcome: ok,
      });
    }
    for (const b of otel.backends) {
      if (w.traces) calls.push({ source: { type: 'workload', workload: w }, target: { type: 'workload', workload: b.workload, service: otel }, port: 4317, protocol: 'TCP', weight: 6 * b.share, outcome: ok });
    }
    for (const b of vault.backends) {
      if (w.secrets) calls.push({ source: { type: 'workload', workload: w }, target: { type: 'workload', workload: b.workload, service: vault }, port: 8200, protocol: 'TCP', weight: 1 * b.share, outcome: ok });
    }
    if (w.apiserver) calls.push({ source: { type: 'workload', workload: w }, target: { type: 'kube-apiserver' }, port: 6443, protocol: 'TCP', weight: 3, outcome: ok });
  }
  return calls;
}

