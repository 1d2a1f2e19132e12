/**
 * Real Hubble output from `shared/reference/cilium/` (cilium printer goldens, the exporter docs,
 * hubble-otel captures). The folder lives next to the repository, not in it; without it these
 * tests are skipped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeHubbleLine, type DecodedLine } from './decode.js';
import type { Flow } from './flow.js';

const SAMPLES = new URL('../../../shared/reference/cilium/', import.meta.url);
const present = existsSync(SAMPLES);
if (!present) {
  console.warn(`flows: skipping real-sample tests, ${fileURLToPath(SAMPLES)} is absent`);
}

function decodeFile(name: string): DecodedLine[] {
  const text = readFileSync(new URL(name, SAMPLES), 'utf8');
  return text.split('\n').flatMap((line) => {
    const d = decodeHubbleLine(line);
    return d === undefined ? [] : [d];
  });
}

function flowsOf(name: string): Flow[] {
  return decodeFile(name).flatMap((d) => (d.kind === 'flow' ? [d.flow] : []));
}

const GOLDEN_FLOW = {
  time: '1970-01-01T00:20:34.567800000Z',
  timeMs: 1_234_567,
  verdict: 'DROPPED',
  type: 'L3_L4',
  eventType: { type: 1, subType: 133 },
  isReply: false,
  nodeName: 'k8s1',
  ip: { source: '1.1.1.1', destination: '2.2.2.2' },
  l4: { protocol: 'TCP', sourcePort: 31793, destinationPort: 8080 },
  source: { identity: 4, labels: [], workloads: [] },
  destination: { identity: 12345, labels: [], workloads: [] },
  sourceNames: [],
  destinationNames: [],
  egressAllowedBy: [],
  ingressAllowedBy: [],
  egressDeniedBy: [],
  ingressDeniedBy: [],
  policyLog: [],
  summary: 'TCP Flags: SYN',
};

describe.skipIf(!present)('real Hubble samples', () => {
  const files = present ? readdirSync(SAMPLES).filter((f) => f.endsWith('.jsonl')).sort() : [];

  it('has samples to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(9);
  });

  it.each(files)('%s decodes without errors', (name) => {
    const decoded = decodeFile(name);
    expect(decoded.length).toBeGreaterThan(0);
    expect(decoded.filter((d) => d.kind === 'error')).toEqual([]);
    for (const d of decoded) {
      if (d.kind !== 'flow') continue;
      expect(d.flow.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      expect(Number.isFinite(d.flow.timeMs)).toBe(true);
    }
  });

  it('printer golden, jsonpb: wrapped flows, a Kafka L7 flow and lost events', () => {
    const decoded = decodeFile('hubble-observe-jsonpb--cilium-printer-test-golden.jsonl');
    expect(decoded.map((d) => d.kind)).toEqual(['flow', 'flow', 'flow', 'lost', 'lost']);
    expect(decoded[0]).toEqual({ kind: 'flow', flow: GOLDEN_FLOW });
    const kafka = decoded[1]?.kind === 'flow' ? decoded[1].flow : undefined;
    expect(kafka?.type).toBe('L7');
    expect(kafka?.l7).toEqual({ type: 'REQUEST', latencyNs: 10, other: 'kafka' });
    expect(decoded[3]).toEqual({
      kind: 'lost',
      lost: { source: 'HUBBLE_RING_BUFFER', numEventsLost: 1, cpu: 5, nodeName: 'node-name', time: '1970-01-01T00:20:34.567800000Z' },
    });
    expect(decoded[4]).toEqual({
      kind: 'lost',
      lost: {
        source: 'HUBBLE_RING_BUFFER',
        numEventsLost: 1,
        cpu: 5,
        time: '1970-01-01T00:20:34.567800000Z',
        first: '1970-01-01T00:20:30.567800000Z',
        last: '1970-01-01T00:20:38.567800000Z',
      },
    });
  });

  it('printer golden, legacy json: the bare flow decodes to the same flow as the wrapped one', () => {
    expect(flowsOf('hubble-observe-json-legacy--cilium-printer-test-golden.jsonl')).toEqual([GOLDEN_FLOW]);
  });

  it('exporter with a field mask: what is there, and empty endpoints', () => {
    const [icmp, tcp] = flowsOf('hubble-export--cilium-docs-export-rst-fieldmask.jsonl');
    expect(icmp).toMatchObject({
      time: '2023-08-21T12:12:13.517394084Z',
      verdict: 'DROPPED',
      dropReasonDesc: 'INVALID_SOURCE_IP',
      nodeName: 'kind-kind/kind-worker',
      ip: { source: 'fe80::64d8:8aff:fe72:fc14', destination: 'ff02::2', ipVersion: 'IPv6' },
      l4: { protocol: 'ICMPv6', icmpType: 133, icmpCode: 0 },
      source: { labels: [], workloads: [] },
    });
    expect(icmp?.type).toBeUndefined();
    expect(icmp?.trafficDirection).toBeUndefined();
    expect(tcp).toMatchObject({
      verdict: 'DROPPED',
      dropReasonDesc: 'POLICY_DENIED',
      l4: { protocol: 'TCP', sourcePort: 44916, destinationPort: 80, flags: ['SYN'] },
      source: { namespace: 'default', podName: 'xwing', labels: [] },
      destination: { namespace: 'default', podName: 'deathstar-7848d6c4d5-th9v2' },
    });
    expect(tcp?.source.identity).toBeUndefined();
  });

  it('DNS sample: queries keep their trailing dot; answers carry rcode and TTL', () => {
    const flows = flowsOf('hubble-flows--hubble-otel-basic-sample-5-dns-flows.jsonl');
    expect(flows).toHaveLength(5);
    const [request, response] = flows;
    expect(request).toMatchObject({
      type: 'L7',
      trafficDirection: 'EGRESS',
      isReply: false,
      l4: { protocol: 'TCP', destinationPort: 53 },
      source: { podName: 'node-local-dns-88zrp', namespace: 'kube-system', identity: 1563, id: 1747 },
      l7: {
        type: 'REQUEST',
        dns: { query: 'istiod-istio-1611.istio-system.svc.istio-system.svc.cluster.local.', observationSource: 'proxy', qtypes: ['A'], ips: [] },
      },
    });
    expect(response).toMatchObject({
      isReply: true,
      l7: { type: 'RESPONSE', dns: { ttl: 4294967295, rcode: 3 } },
    });
  });

  it('HTTP sample: method, url, protocol, code and headers', () => {
    const flows = flowsOf('hubble-flows--hubble-otel-basic-sample-5-http-flows.jsonl');
    expect(flows[0]).toMatchObject({
      type: 'L7',
      destination: { identity: 2, labels: ['reserved:world'] },
      l7: {
        type: 'REQUEST',
        http: { method: 'GET', url: 'http://10.128.0.4:9990/metrics', protocol: 'HTTP/1.1' },
      },
    });
    expect(flows[0]?.l7?.http?.headers).toContainEqual({ key: 'User-Agent', value: 'Prometheus/2.15.1' });
    const responses = flows.filter((f) => f.l7?.type === 'RESPONSE');
    expect(responses.map((f) => f.l7?.http?.code)).toEqual([503, 503]);
  });

  it('ICMP sample: echo request and reply, is_reply and the deprecated reply', () => {
    const flows = flowsOf('hubble-flows--hubble-otel-basic-sample-400-icmpv4-flows.jsonl');
    expect(flows).toHaveLength(18);
    expect(flows[0]).toMatchObject({
      time: '2021-11-10T10:41:26.095336300Z',
      l4: { protocol: 'ICMPv4', icmpType: 8, icmpCode: 0 },
      isReply: false,
      source: { identity: 1, labels: ['reserved:host'] },
      destination: { id: 132, identity: 4, labels: ['reserved:health'] },
      traceObservationPoint: 'TO_ENDPOINT',
    });
    expect(flows[1]).toMatchObject({
      time: '2021-11-10T10:41:26.095357000Z',
      l4: { protocol: 'ICMPv4', icmpType: 0, icmpCode: 0 },
      isReply: true,
    });
    // neither is_reply nor reply: unknown, not false
    expect(flows[2]?.isReply).toBeUndefined();
    expect(flows[2]?.traceObservationPoint).toBe('TO_OVERLAY');
  });

  it('10-flows sample: only the deprecated `reply`, read as isReply', () => {
    const flows = flowsOf('hubble-flows--hubble-otel-basic-sample-10-flows.jsonl');
    expect(flows[0]).toMatchObject({ isReply: true, l4: { flags: ['FIN', 'ACK'] } });
    expect(flows[1]?.isReply).toBeUndefined();
  });

  it('UDP and TCP captures: policy verdicts, REDIRECTED, policy_match_type', () => {
    const udp = flowsOf('hubble-flows--hubble-otel-basic-sample-400-udp-flows.jsonl');
    const tcp = flowsOf('hubble-flows--hubble-otel-basic-sample-400-tcp-flows.jsonl');
    expect(udp).toHaveLength(400);
    expect(tcp).toHaveLength(400);
    expect(udp[0]).toMatchObject({
      verdict: 'REDIRECTED',
      eventType: { type: 5, subType: 0 },
      policyMatchType: 2,
      l4: { protocol: 'UDP', sourcePort: 54314, destinationPort: 53 },
      destination: { namespace: 'kube-system', podName: 'coredns-558bd4d5db-w2m67', identity: 48342 },
    });
    const answers = udp.filter((f) => (f.l7?.dns?.ips.length ?? 0) > 0);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers[0]?.l7?.dns?.ips).toEqual(['10.245.218.54']);
    expect(tcp.some((f) => f.l7?.http?.method !== undefined)).toBe(true);
  });

  it('normalised times compare as strings exactly as timeMs does (the captures mix 6- and 9-digit fractions)', () => {
    const all = files.flatMap((name) => flowsOf(name));
    expect(all.length).toBeGreaterThan(800);
    for (let i = 1; i < all.length; i++) {
      const a = all[i - 1]!;
      const b = all[i]!;
      if (a.timeMs < b.timeMs) expect(a.time < b.time).toBe(true);
      if (a.timeMs > b.timeMs) expect(a.time > b.time).toBe(true);
    }
  });
});
