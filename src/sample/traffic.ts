/**
 * @module sample/traffic — streams the plan's connections as Hubble flow lines in time order.
 *
 * Each activity spreads its connections over its window (stratified: connection k falls in the
 * k-th slice of the window). A heap merges the activities by the start of their next connection;
 * the packets of a connection (a few microseconds to about a second long) wait in a second, small
 * heap until no later connection can precede them. Memory is bounded by the number of activities,
 * never by the number of flows.
 *
 * Which flows a connection writes is defined in `plan.ts` ({@link countActivity}); this module must
 * write exactly that many, and tests check it does.
 */
import { EndpointRenderer, FlowUuids, OBS, RESERVED_ENDPOINT, SUMMARY, TCP_FLAGS, TimeFormatter, dnsAnswerSummary, dnsQuerySummary, dnsRequestL7, dnsResponseL7, healthEndpoint, q, renderFlowBody, renderLine, tcpL4, udpL4, type DropReasonName, type FlowParts, type Obs } from './hubble-json.js';
import { MinHeap, type Timed } from './heap.js';
import type { SampleCluster, SampleNode, SamplePod } from './model.js';
import { POLICY_DENIED_ATTEMPTS, type Activity, type ActivityEnd, type Plan } from './plan.js';
import { Prng } from './prng.js';

interface NextConnection extends Timed {
  readonly activity: Activity;
  readonly k: number;
}

interface PendingFlow extends Timed {
  /** The observing node's name as a JSON string literal. */
  readonly node: string;
  readonly body: string;
}

const US = 1e3;
const MS = 1e6;
const DAY_MS = 86_400_000;
const DAY_NS = DAY_MS * MS;

/** Amplitude of the daily swing of user traffic (busiest at 15:00 UTC, quietest at 03:00). */
const DIURNAL_SWING = 0.6;
const MINUTES = 1440;

/**
 * The cumulative share of a day's user traffic at each minute, for density
 * 1 + swing·cos(2π(h − 15)/24): time spread uniformly over a day is mapped through its inverse.
 */
const DIURNAL_CDF: Float64Array = (() => {
  const c = new Float64Array(MINUTES + 1);
  const f = (m: number) => m / MINUTES + (DIURNAL_SWING / (2 * Math.PI)) * (Math.sin((2 * Math.PI * (m / 60 - 15)) / 24) - Math.sin((2 * Math.PI * -15) / 24));
  for (let m = 0; m <= MINUTES; m++) c[m] = f(m);
  return c;
})();

/** Maps a time (ns since a UTC midnight) to its place in the daily curve, within the same day. */
function diurnal(tNs: number): number {
  const day = Math.floor(tNs / DAY_NS);
  const share = (tNs - day * DAY_NS) / DAY_NS;
  let lo = 0;
  let hi = MINUTES;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((DIURNAL_CDF[mid] as number) <= share) lo = mid;
    else hi = mid;
  }
  const a = DIURNAL_CDF[lo] as number;
  const b = DIURNAL_CDF[hi] as number;
  const minute = lo + (b > a ? (share - a) / (b - a) : 0);
  return day * DAY_NS + (minute / MINUTES) * DAY_NS;
}

/** One concrete end of a connection. */
interface End {
  readonly ip: string;
  readonly pod?: SamplePod;
  /** The node the end is on (pods, health endpoints) or is (node addresses). */
  readonly node?: SampleNode;
  readonly spec: ActivityEnd;
}

/**
 * The flow lines of a plan, lazily, in non-decreasing time order.
 * @param identityLabels each pod's identity labels as Hubble prints them
 */
export function* generateFlowLines(cluster: SampleCluster, plan: Plan, identityLabels: ReadonlyMap<SamplePod, readonly string[]>, seed: number): Generator<string, void, undefined> {
  const prng = Prng.derive(seed, 'traffic');
  const times = new TimeFormatter(cluster.sinceMs);
  const uuids = new FlowUuids(seed);
  const endpoints = new EndpointRenderer(cluster.name, identityLabels);
  const nodeJson = new Map(cluster.nodes.map((n) => [n, q(`${cluster.name}/${n.name}`)]));

  const connections = new MinHeap<NextConnection>();
  const pending = new MinHeap<PendingFlow>();
  let seq = 0;
  let flowSeq = 0;

  const dayOffsetNs = (cluster.sinceMs % DAY_MS) * 1e6;
  const slot = (a: Activity, k: number): number => {
    const span = (a.endNs - a.startNs) / a.connections;
    const t = a.startNs + (k + prng.next()) * span;
    if (a.diurnal !== true) return Math.floor(t);
    // Warped within its UTC day, then kept inside the window: still non-decreasing in k.
    const warped = diurnal(t + dayOffsetNs) - dayOffsetNs;
    return Math.floor(Math.min(a.endNs, Math.max(a.startNs, warped)));
  };
  for (const a of plan.activities) {
    if (a.connections > 0) connections.push({ t: slot(a, 0), seq: seq++, activity: a, k: 0 });
  }

  const push = (t: number, node: SampleNode, parts: FlowParts) => {
    const name = nodeJson.get(node) as string;
    pending.push({ t: Math.floor(t), seq: seq++, node: name, body: renderFlowBody(parts, name) });
  };

  /** The endpoint object of an end, as `observer` reports it. */
  const endpointAt = (end: End, observer: SampleNode): string => {
    switch (end.spec.type) {
      case 'pods':
        return endpoints.pod(end.pod as SamplePod, observer);
      case 'node':
        return end.node === observer ? RESERVED_ENDPOINT.host : RESERVED_ENDPOINT['remote-node'];
      case 'host':
        return RESERVED_ENDPOINT.host;
      case 'remote-node':
        return RESERVED_ENDPOINT['remote-node'];
      case 'kube-apiserver':
        return RESERVED_ENDPOINT['kube-apiserver'];
      case 'world':
        return RESERVED_ENDPOINT.world;
      case 'health':
        return healthEndpoint(end.node as SampleNode);
    }
  };

  const pick = (pods: readonly SamplePod[], avoid?: SamplePod): SamplePod => {
    if (pods.length === 1) return pods[0] as SamplePod;
    let p = pods[Math.floor(prng.next() * pods.length)] as SamplePod;
    if (p === avoid) p = pods[(pods.indexOf(p) + 1) % pods.length] as SamplePod;
    return p;
  };

  const resolve = (spec: ActivityEnd, avoid?: SamplePod): End => {
    switch (spec.type) {
      case 'pods': {
        const pod = pick(spec.pods, avoid);
        return { ip: pod.ip, pod, node: pod.node, spec };
      }
      case 'node':
        return { ip: spec.node.ip, node: spec.node, spec };
      case 'host':
        return { ip: spec.node.routerIp, node: spec.node, spec };
      case 'remote-node':
        return { ip: spec.node.ip, node: spec.node, spec };
      case 'kube-apiserver':
        return { ip: cluster.apiserverIp, spec };
      case 'world':
        return { ip: spec.ip, spec };
      case 'health':
        return { ip: spec.node.healthIp, node: spec.node, spec };
    }
  };

  const between = (lo: number, hi: number): number => lo + prng.next() * (hi - lo);
  /** One-way delay between the ends, in ns. */
  const oneWay = (src: End, dst: End): number => {
    if (dst.spec.type === 'world' || src.spec.type === 'world') return between(4 * MS, 40 * MS);
    if (dst.spec.type === 'kube-apiserver' || src.spec.type === 'kube-apiserver') return between(0.3 * MS, 2 * MS);
    if (src.node !== undefined && src.node === dst.node) return between(15 * US, 60 * US);
    return between(150 * US, 600 * US);
  };
  const ephemeralPort = (): number => 32768 + Math.floor(prng.next() * 28232);

  /** A DNS lookup from the source pod to a CoreDNS pod; returns when the answer is back. */
  const lookup = (t: number, src: End, a: Activity): number => {
    const dns = a.dns as NonNullable<Activity['dns']>;
    const S = src.pod as SamplePod;
    const C = pick(cluster.dns.pods);
    const dst: End = { ip: C.ip, pod: C, node: C.node, spec: { type: 'pods', workload: cluster.dns, pods: cluster.dns.pods } };
    const cross = S.node !== C.node;
    const sport = ephemeralPort();
    const owd = oneWay(src, dst);
    const proxy = dns.visible ? between(30 * US, 200 * US) : 0;
    const external = !dns.query.endsWith(`.svc.${cluster.domain}.`);
    const ttl = external ? 60 : 5;
    const srcAtS = endpointAt(src, S.node);
    const dstAtS = endpointAt(dst, S.node);
    const srcAtC = endpointAt(src, C.node);
    const dstAtC = endpointAt(dst, C.node);
    const qL4 = udpL4(sport, 53);
    const aL4 = udpL4(53, sport);
    push(t, S.node, { srcIp: S.ip, dstIp: C.ip, l4: qL4, source: srcAtS, destination: dstAtS, reply: false, direction: 'EGRESS', obs: dns.visible ? OBS.TO_PROXY : cross ? OBS.TO_OVERLAY : OBS.TO_STACK, traceReason: 'NEW', summary: SUMMARY.UDP });
    if (dns.visible) {
      push(t + 0.4 * proxy, S.node, { srcIp: S.ip, dstIp: C.ip, l4: qL4, source: srcAtS, destination: dstAtS, l7: dnsRequestL7(dns.query), reply: false, direction: 'EGRESS', summary: dnsQuerySummary(dns.query) });
    }
    const t3 = t + proxy + owd;
    push(t3, C.node, { srcIp: S.ip, dstIp: C.ip, l4: qL4, source: srcAtC, destination: dstAtC, reply: false, direction: 'INGRESS', obs: OBS.TO_ENDPOINT, traceReason: 'NEW', summary: SUMMARY.UDP });
    const t4 = t3 + between(30 * US, external ? 3 * MS : 150 * US);
    push(t4, C.node, { srcIp: C.ip, dstIp: S.ip, l4: aL4, source: dstAtC, destination: srcAtC, reply: true, direction: 'INGRESS', obs: cross ? OBS.TO_OVERLAY : OBS.TO_STACK, traceReason: 'REPLY', summary: SUMMARY.UDP });
    const t5 = t4 + owd;
    if (dns.visible) {
      const latency = Math.floor(t5 - t);
      push(t5, S.node, { srcIp: C.ip, dstIp: S.ip, l4: aL4, source: dstAtS, destination: srcAtS, l7: dnsResponseL7(dns.query, dns.ips, ttl, latency), reply: true, direction: 'EGRESS', summary: dnsAnswerSummary(dns.query, dns.ips, ttl) });
    }
    const t6 = t5 + between(2 * US, 20 * US);
    push(t6, S.node, { srcIp: C.ip, dstIp: S.ip, l4: aL4, source: dstAtS, destination: srcAtS, reply: true, direction: 'EGRESS', obs: OBS.TO_ENDPOINT, traceReason: 'REPLY', summary: SUMMARY.UDP });
    return t6 + between(20 * US, 200 * US);
  };

  const connection = (a: Activity, k: number, t0: number): void => {
    const src = resolve(a.src);
    const dst = resolve(a.dst, src.pod);
    let t = t0;
    if (a.dns !== undefined && k % a.dns.every === 0) t = lookup(t, src, a);

    if (a.protocol === 'ICMPv4') return health(t, src, dst);

    const srcNode = src.pod?.node;
    const dstNode = dst.pod?.node;
    const srcOut: Obs = dstNode !== undefined && dstNode !== srcNode ? OBS.TO_OVERLAY : OBS.TO_STACK;
    const dstOut: Obs = srcNode !== undefined && srcNode !== dstNode ? OBS.TO_OVERLAY : OBS.TO_STACK;
    const sport = ephemeralPort();
    const owd = oneWay(src, dst);
    const tcp = a.protocol === 'TCP';
    const req = (flags: keyof typeof TCP_FLAGS) => (tcp ? tcpL4(sport, a.port, TCP_FLAGS[flags].json) : udpL4(sport, a.port));
    const rep = (flags: keyof typeof TCP_FLAGS) => (tcp ? tcpL4(a.port, sport, TCP_FLAGS[flags].json) : udpL4(a.port, sport));
    const summary = (flags: keyof typeof TCP_FLAGS) => (tcp ? TCP_FLAGS[flags].summary : SUMMARY.UDP);
    const named = a.dst.type === 'world' && a.dst.name !== undefined && a.dns?.visible === true ? `[${q(a.dst.name)}]` : undefined;

    const atSrc = (time: number, reply: boolean, flags: keyof typeof TCP_FLAGS, reason: 'NEW' | 'ESTABLISHED' | 'REPLY', drop?: DropReasonName) => {
      if (srcNode === undefined) return;
      const s = endpointAt(src, srcNode);
      const d = endpointAt(dst, srcNode);
      push(time, srcNode, {
        drop,
        srcIp: reply ? dst.ip : src.ip,
        dstIp: reply ? src.ip : dst.ip,
        l4: reply ? rep(flags) : req(flags),
        source: reply ? d : s,
        destination: reply ? s : d,
        sourceNames: reply ? named : undefined,
        destinationNames: reply ? undefined : named,
        reply,
        direction: 'EGRESS',
        obs: reply ? OBS.TO_ENDPOINT : srcOut,
        traceReason: reason,
        summary: summary(flags),
      });
    };
    const atDst = (time: number, reply: boolean, flags: keyof typeof TCP_FLAGS, reason: 'NEW' | 'ESTABLISHED' | 'REPLY', drop?: DropReasonName) => {
      if (dstNode === undefined) return;
      const s = endpointAt(src, dstNode);
      const d = endpointAt(dst, dstNode);
      push(time, dstNode, {
        drop,
        srcIp: reply ? dst.ip : src.ip,
        dstIp: reply ? src.ip : dst.ip,
        l4: reply ? rep(flags) : req(flags),
        source: reply ? d : s,
        destination: reply ? s : d,
        reply,
        direction: 'INGRESS',
        obs: reply ? dstOut : OBS.TO_ENDPOINT,
        traceReason: reason,
        summary: summary(flags),
      });
    };

    switch (a.outcome.type) {
      case 'source-drop':
        atSrc(t, false, 'SYN', 'NEW', a.outcome.reason);
        return;
      case 'policy-denied':
        for (let i = 0; i < POLICY_DENIED_ATTEMPTS; i++) {
          const ti = t + i * between(0.9e9, 1.1e9);
          atSrc(ti, false, 'SYN', 'NEW');
          atDst(ti + owd, false, 'SYN', 'NEW', 'POLICY_DENIED');
        }
        return;
      case 'ok':
        break;
    }
    if (!tcp) {
      atSrc(t, false, 'SYN', 'NEW');
      atDst(t + owd, false, 'SYN', 'NEW');
      const tr = t + owd + between(20 * US, 2 * MS);
      atDst(tr, true, 'SYN', 'REPLY');
      atSrc(tr + owd, true, 'SYN', 'REPLY');
      return;
    }
    const t1 = t;
    const t2 = t1 + owd;
    const t3 = t2 + between(10 * US, 80 * US);
    const t4 = t3 + owd;
    const t5 = t4 + between(20 * US, 100 * US);
    const t6 = t5 + owd;
    const t7 = t6 + between(0.2 * MS, 25 * MS);
    const t8 = t7 + owd;
    atSrc(t1, false, 'SYN', 'NEW');
    atDst(t2, false, 'SYN', 'NEW');
    atDst(t3, true, 'SYN_ACK', 'REPLY');
    atSrc(t4, true, 'SYN_ACK', 'REPLY');
    atSrc(t5, false, 'ACK_PSH', 'ESTABLISHED');
    atDst(t6, false, 'ACK_PSH', 'ESTABLISHED');
    atDst(t7, true, 'ACK_PSH', 'REPLY');
    atSrc(t8, true, 'ACK_PSH', 'REPLY');
  };

  /** Cilium's health check: an ICMP echo to the node's health endpoint and its reply, both seen on that node. */
  const health = (t: number, src: End, dst: End): void => {
    const node = dst.node as SampleNode;
    const from = endpointAt(src, node);
    const to = endpointAt(dst, node);
    push(t, node, { srcIp: src.ip, dstIp: dst.ip, l4: '{"ICMPv4":{"type":8}}', source: from, destination: to, reply: false, direction: 'INGRESS', obs: OBS.TO_ENDPOINT, traceReason: 'NEW', summary: SUMMARY.ECHO_REQUEST });
    const back = t + between(10 * US, 50 * US);
    const obs = src.spec.type === 'remote-node' ? OBS.TO_OVERLAY : OBS.TO_STACK;
    push(back, node, { srcIp: dst.ip, dstIp: src.ip, l4: '{"ICMPv4":{}}', source: to, destination: from, reply: true, direction: 'INGRESS', obs, traceReason: 'REPLY', summary: SUMMARY.ECHO_REPLY });
  };

  const render = (f: PendingFlow): string => {
    const time = times.format(f.t);
    return renderLine(time, uuids.next(flowSeq++, prng.u32()), f.body, f.node);
  };

  for (;;) {
    const next = connections.pop();
    if (next === undefined) break;
    // Packets of earlier connections that end before this one starts can go out now.
    for (let p = pending.peek(); p !== undefined && p.t <= next.t; p = pending.peek()) yield render(pending.pop() as PendingFlow);
    const a = next.activity;
    connection(a, next.k, next.t);
    if (next.k + 1 < a.connections) connections.push({ t: slot(a, next.k + 1), seq: seq++, activity: a, k: next.k + 1 });
  }
  for (let p = pending.pop(); p !== undefined; p = pending.pop()) yield render(p);
}
