import { describe, expect, it } from 'vitest';
import type { Flow } from '../flows/index.js';
import { decodeHubbleLine } from '../flows/index.js';
import { connection, entity, flowLine, pod } from '../test-support/hubble.js';
import { InventoryBuilder, buildInventory } from './build.js';
import type { Edge, Inventory, Peer } from './model.js';
import { inferWorkload } from './resolve.js';

function flows(lines: readonly string[]): Flow[] {
  return lines.map((l) => {
    const d = decodeHubbleLine(l);
    if (d?.kind !== 'flow') throw new Error(`not a flow: ${l}`);
    return d.flow;
  });
}

const show = (p: Peer): string =>
  'namespace' in p ? `${p.namespace}/${p.kind}/${p.name}` : 'entity' in p ? `entity:${p.entity}` : 'ip' in p ? `${p.ip}[${p.names.join(',')}]` : `cidr:${p.cidr}`;
const edgeText = (e: Edge) => `${show(e.source)} -> ${show(e.destination)} ${e.port}/${e.protocol} ${e.verdict} x${e.flows}`;
const edgesOf = (inv: Inventory) => inv.edges.map(edgeText);

const frontend = pod('shop', 'frontend-7d4b9c8f6d-abcde', '10.0.1.10', { app: 'frontend', 'pod-template-hash': '7d4b9c8f6d' }, { kind: 'Deployment', name: 'frontend' });
const cart = pod('shop', 'cart-5f6d7c8b9a-xyz12', '10.0.2.20', { app: 'cart', 'pod-template-hash': '5f6d7c8b9a' }, { kind: 'Deployment', name: 'cart' });
const redis = pod('shop', 'redis-0', '10.0.2.30', { app: 'redis', 'statefulset.kubernetes.io/pod-name': 'redis-0', 'controller-revision-hash': 'redis-6b8' });
const reporter = pod('analytics', 'reporter-6c5b4a3d2e-qwert', '10.0.3.40', { app: 'reporter', 'pod-template-hash': '6c5b4a3d2e' });
const coredns = pod('kube-system', 'coredns-565d847f94-8lw7x', '10.0.0.53', { 'k8s-app': 'kube-dns', 'pod-template-hash': '565d847f94' }, { kind: 'Deployment', name: 'coredns' });
const host = entity('host', '10.0.1.1');
const world = entity('world', '203.0.113.7');
const health = entity('health', '10.0.1.2');

const T = (s: number) => `2026-11-02T10:00:${String(s).padStart(2, '0')}.000000001Z`;

describe('InventoryBuilder', () => {
  it('counts a connection seen at both ends once, and never a reply', () => {
    const inv = buildInventory(flows(connection({ time: T(1), src: frontend, dst: cart, dport: 7070, srcIsPod: true, dstIsPod: true })));
    expect(edgesOf(inv)).toEqual(['shop/Deployment/frontend -> shop/Deployment/cart 7070/TCP FORWARDED x1']);
    expect(inv.decode.notEdges).toEqual({ reply: 2 });
  });

  it('lists within- and cross-namespace edges, DNS, world egress with names and host probes exactly', () => {
    const lines = [
      ...connection({ time: T(1), src: frontend, dst: cart, dport: 7070, srcIsPod: true, dstIsPod: true }),
      ...connection({ time: T(2), src: frontend, dst: cart, dport: 7070, srcIsPod: true, dstIsPod: true }),
      ...connection({ time: T(3), src: cart, dst: redis, dport: 6379, srcIsPod: true, dstIsPod: true }),
      ...connection({ time: T(4), src: reporter, dst: cart, dport: 7070, srcIsPod: true, dstIsPod: true }),
      // DNS: L3/L4 flows plus the proxy's L7 request and response
      ...connection({ time: T(5), src: cart, dst: coredns, proto: 'UDP', dport: 53, srcIsPod: true, dstIsPod: true }),
      flowLine({ time: T(5), src: cart, dst: coredns, proto: 'UDP', dport: 53, direction: 'EGRESS', l7: { type: 'REQUEST', dns: { query: 'api.stripe.com.', qtypes: ['A'] } } }),
      flowLine({ time: T(5), src: coredns, dst: cart, proto: 'UDP', sport: 53, dport: 40000, direction: 'EGRESS', reply: true, l7: { type: 'RESPONSE', dns: { query: 'api.stripe.com.', ips: ['203.0.113.7'], rcode: 0 } } }),
      // world egress, observed only at the sender
      ...connection({ time: T(6), src: cart, dst: world, dport: 443, srcIsPod: true, dstIsPod: false }),
      // kubelet probe from the host, observed only at the receiver
      ...connection({ time: T(7), src: host, dst: frontend, dport: 8080, srcIsPod: false, dstIsPod: true }),
      // health checks are noise
      ...connection({ time: T(8), src: health, dst: frontend, dport: 4240, srcIsPod: false, dstIsPod: true }),
    ];
    const inv = buildInventory(flows(lines));
    expect(edgesOf(inv)).toEqual([
      'analytics/Deployment/reporter -> shop/Deployment/cart 7070/TCP FORWARDED x1',
      'shop/Deployment/cart -> kube-system/Deployment/coredns 53/UDP FORWARDED x1',
      'shop/Deployment/cart -> shop/StatefulSet/redis 6379/TCP FORWARDED x1',
      'shop/Deployment/cart -> 203.0.113.7[api.stripe.com] 443/TCP FORWARDED x1',
      'shop/Deployment/frontend -> shop/Deployment/cart 7070/TCP FORWARDED x2',
      'entity:host -> shop/Deployment/frontend 8080/TCP FORWARDED x1',
    ]);
    const dns = inv.edges.find((e) => e.port === 53)!;
    expect(dns.l7).toEqual({ dns: ['api.stripe.com'] });
    expect(inv.decode.notEdges.health).toBe(1);
    expect(inv.window).toEqual({ since: T(1), until: T(7), now: T(8) });
    const workloads = inv.workloads.map((w) => `${w.namespace}/${w.kind}/${w.name}`);
    expect(workloads).toEqual([
      'analytics/Deployment/reporter',
      'kube-system/Deployment/coredns',
      'shop/Deployment/cart',
      'shop/Deployment/frontend',
      'shop/StatefulSet/redis',
    ]);
    expect(inv.workloads.find((w) => w.name === 'cart')!.labels).toEqual({ app: 'cart', 'pod-template-hash': '5f6d7c8b9a' });
  });

  it('falls back to the ingress observation when the sender side was not captured', () => {
    const lines = [flowLine({ time: T(1), src: frontend, dst: cart, dport: 7070, direction: 'INGRESS' })];
    expect(edgesOf(buildInventory(flows(lines)))).toEqual(['shop/Deployment/frontend -> shop/Deployment/cart 7070/TCP FORWARDED x1']);
  });

  it('does not double count a policy-verdict event and the trace event of the same packet', () => {
    const lines = [
      flowLine({ time: T(1), src: frontend, dst: cart, dport: 7070, direction: 'EGRESS', eventType: 5 }),
      flowLine({ time: T(1), src: frontend, dst: cart, dport: 7070, direction: 'EGRESS' }),
      flowLine({ time: T(2), src: frontend, dst: cart, dport: 7070, direction: 'EGRESS' }),
    ];
    expect(edgesOf(buildInventory(flows(lines)))).toEqual(['shop/Deployment/frontend -> shop/Deployment/cart 7070/TCP FORWARDED x2']);
  });

  it('keeps drops apart with their reasons, and counts both events of a drop once', () => {
    const lines = [
      flowLine({ time: T(1), src: reporter, dst: redis, dport: 6379, direction: 'INGRESS', verdict: 'DROPPED', dropReason: 'POLICY_DENIED', eventType: 5 }),
      flowLine({ time: T(1), src: reporter, dst: redis, dport: 6379, direction: 'INGRESS', verdict: 'DROPPED', dropReason: 'POLICY_DENIED' }),
      flowLine({ time: T(2), src: reporter, dst: redis, dport: 6379, direction: 'EGRESS' }),
    ];
    const inv = buildInventory(flows(lines));
    expect(edgesOf(inv)).toEqual([
      'analytics/Deployment/reporter -> shop/StatefulSet/redis 6379/TCP DROPPED x1',
      'analytics/Deployment/reporter -> shop/StatefulSet/redis 6379/TCP FORWARDED x1',
    ]);
    expect(inv.edges[0]!.dropReasons).toEqual(['POLICY_DENIED']);
  });

  it('maps world-ipv4 to an external address and reserved identities without labels to entities', () => {
    const w4 = { ip: '198.51.100.9', json: { identity: 9, labels: ['reserved:world-ipv4'] } };
    const api = { ip: '172.18.0.2', json: { identity: 7 } };
    const lines = [
      flowLine({ time: T(1), src: frontend, dst: w4, dport: 443, direction: 'EGRESS', destinationNames: ['example.org.'] }),
      flowLine({ time: T(2), src: frontend, dst: api, dport: 6443, direction: 'EGRESS' }),
    ];
    expect(edgesOf(buildInventory(flows(lines)))).toEqual([
      'shop/Deployment/frontend -> entity:kube-apiserver 6443/TCP FORWARDED x1',
      'shop/Deployment/frontend -> 198.51.100.9[example.org] 443/TCP FORWARDED x1',
    ]);
  });

  it('reports endpoints with no Kubernetes identity instead of inventing peers', () => {
    const anon = { ip: '10.9.9.9', json: {} };
    const b = new InventoryBuilder();
    for (const f of flows([flowLine({ time: T(1), src: anon, dst: cart, dport: 7070, direction: 'INGRESS' })])) b.add(f, { file: 'f.jsonl', line: 3 });
    const inv = b.finish();
    expect(inv.edges).toEqual([]);
    expect(inv.findings[0]!.code).toBe('input-unresolved-endpoint');
    expect(inv.findings[0]!.message).toContain('f.jsonl:3');
  });

  it('applies the window and the namespace scope', () => {
    const lines = [
      ...connection({ time: T(1), src: frontend, dst: cart, dport: 7070, srcIsPod: true, dstIsPod: true }),
      ...connection({ time: T(5), src: reporter, dst: coredns, proto: 'UDP', dport: 53, srcIsPod: true, dstIsPod: true }),
    ];
    expect(edgesOf(buildInventory(flows(lines), { since: T(2) }))).toEqual(['analytics/Deployment/reporter -> kube-system/Deployment/coredns 53/UDP FORWARDED x1']);
    expect(edgesOf(buildInventory(flows(lines), { namespaces: ['shop'] }))).toEqual(['shop/Deployment/frontend -> shop/Deployment/cart 7070/TCP FORWARDED x1']);
  });

  it('maps a remote pod reported without its pod name to the workload of the same identity', () => {
    const { pod_name: _name, ...anonymous } = frontend.json;
    const remote = { ip: frontend.ip, json: anonymous };
    const lines = [
      flowLine({ time: T(1), src: remote, dst: cart, dport: 7070, direction: 'INGRESS' }),
      flowLine({ time: T(2), src: frontend, dst: cart, dport: 7070, direction: 'EGRESS' }),
      flowLine({ time: T(3), src: remote, dst: cart, dport: 7070, direction: 'INGRESS' }),
    ];
    expect(edgesOf(buildInventory(flows(lines)))).toEqual(['shop/Deployment/frontend -> shop/Deployment/cart 7070/TCP FORWARDED x1']);
  });

  it('does not count transit sightings between nodes as edges', () => {
    const line = JSON.parse(flowLine({ time: T(1), src: cart, dst: entity('remote-node', '10.0.9.1'), dport: 41000, direction: 'EGRESS' })) as { flow: Record<string, unknown> };
    delete line.flow.traffic_direction;
    line.flow.trace_observation_point = 'TO_OVERLAY';
    const inv = buildInventory(flows([JSON.stringify(line)]));
    expect(inv.edges).toEqual([]);
    expect(inv.decode.notEdges).toEqual({ transit: 1 });
  });

  it('keeps hourly buckets', () => {
    const lines = [
      flowLine({ time: '2026-11-02T10:59:59.000000000Z', src: frontend, dst: cart, dport: 7070, direction: 'EGRESS' }),
      flowLine({ time: '2026-11-02T11:00:00.000000000Z', src: frontend, dst: cart, dport: 7070, direction: 'EGRESS' }),
      flowLine({ time: '2026-11-02T11:30:00.000000000Z', src: frontend, dst: cart, dport: 7070, direction: 'EGRESS' }),
    ];
    const [edge] = buildInventory(flows(lines)).edges;
    expect(edge!.buckets.map((b) => [b.start, b.flows])).toEqual([
      ['2026-11-02T10:00:00.000Z', 1],
      ['2026-11-02T11:00:00.000Z', 2],
    ]);
    expect(edge!.firstSeen).toBe('2026-11-02T10:59:59.000000000Z');
    expect(edge!.lastSeen).toBe('2026-11-02T11:30:00.000000000Z');
  });
});

describe('inferWorkload', () => {
  it('reads controller naming conventions', () => {
    expect(inferWorkload('web-5d9c7b8f4-abcde', ['k8s:pod-template-hash=5d9c7b8f4'])).toEqual({ kind: 'Deployment', name: 'web' });
    expect(inferWorkload('db-2', ['k8s:statefulset.kubernetes.io/pod-name=db-2'])).toEqual({ kind: 'StatefulSet', name: 'db' });
    expect(inferWorkload('agent-x7k2p', ['k8s:controller-revision-hash=abc', 'k8s:pod-template-generation=1'])).toEqual({ kind: 'DaemonSet', name: 'agent' });
    expect(inferWorkload('report-29384756-q1w2e', ['k8s:job-name=report-29384756'])).toEqual({ kind: 'CronJob', name: 'report' });
    expect(inferWorkload('migrate-abcde', ['k8s:job-name=migrate'])).toEqual({ kind: 'Job', name: 'migrate' });
    expect(inferWorkload('debug', ['k8s:run=debug'])).toEqual({ kind: 'Pod', name: 'debug' });
  });
});

describe('inferWorkload without controller labels', () => {
  it('recognises generated Deployment and DaemonSet pod names, and leaves plain names alone', () => {
    expect(inferWorkload('reviews-v1-545db77b95-s6jb8', [])).toEqual({ kind: 'Deployment', name: 'reviews-v1' });
    expect(inferWorkload('node-local-dns-88zrp', [])).toEqual({ kind: 'DaemonSet', name: 'node-local-dns' });
    expect(inferWorkload('nightly-invoice-29894460-x7k2p', [])).toEqual({ kind: 'CronJob', name: 'nightly-invoice' });
    expect(inferWorkload('my-debug-shell', [])).toEqual({ kind: 'Pod', name: 'my-debug-shell' });
    expect(inferWorkload('xwing', [])).toEqual({ kind: 'Pod', name: 'xwing' });
  });
});
