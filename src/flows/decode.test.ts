import { describe, expect, it } from 'vitest';
import { decodeHubbleLine, decodeHubbleValue, type DecodedLine } from './decode.js';
import type { Flow, LostEvents } from './flow.js';

function flowOf(line: string): Flow {
  const d = decodeHubbleLine(line);
  if (d?.kind !== 'flow') throw new Error(`expected a flow, got ${JSON.stringify(d)}`);
  return d.flow;
}

function lostOf(line: string): LostEvents {
  const d = decodeHubbleLine(line);
  if (d?.kind !== 'lost') throw new Error(`expected lost events, got ${JSON.stringify(d)}`);
  return d.lost;
}

function errorOf(line: string): string {
  const d = decodeHubbleLine(line);
  if (d?.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(d)}`);
  return d.message;
}

/** A flow with every field tighten decodes, spelled as protojson prints it (proto names). */
const FULL = {
  flow: {
    time: '2025-03-04T05:06:07.123456789Z',
    uuid: '8f2b6c7e-2a4b-4c1d-9d3e-0f1a2b3c4d5e',
    emitter: { name: 'Hubble', version: '1.19.0' },
    verdict: 'DROPPED',
    drop_reason: 181,
    auth_type: 'DISABLED',
    ethernet: { source: 'aa:bb:cc:dd:ee:ff', destination: '11:22:33:44:55:66' },
    IP: { source: '10.0.0.1', source_xlated: '192.0.2.1', destination: '10.0.0.2', ipVersion: 'IPv4', encrypted: true },
    l4: { TCP: { source_port: 43210, destination_port: 8080, flags: { SYN: true, ACK: true } } },
    source: {
      ID: 1234,
      identity: 56789,
      cluster_name: 'prod',
      namespace: 'shop',
      labels: ['k8s:app=frontend', 'k8s:io.kubernetes.pod.namespace=shop'],
      pod_name: 'frontend-7c9d8b6f5-abcde',
      workloads: [{ name: 'frontend', kind: 'Deployment' }],
    },
    destination: { identity: 2, labels: ['reserved:world'] },
    Type: 'L7',
    node_name: 'prod/node-1',
    node_labels: ['kubernetes.io/hostname=node-1'],
    source_names: ['frontend.shop.svc.cluster.local.'],
    destination_names: ['api.github.com.', 'github.com'],
    l7: {
      type: 'RESPONSE',
      latency_ns: '1500000',
      http: {
        code: 403,
        method: 'GET',
        url: 'https://api.github.com/repos',
        protocol: 'HTTP/1.1',
        headers: [{ key: 'User-Agent', value: 'curl/8.0' }],
      },
    },
    event_type: { type: 1, sub_type: 181 },
    source_service: { name: 'frontend', namespace: 'shop' },
    destination_service: { name: 'github' },
    traffic_direction: 'EGRESS',
    policy_match_type: 2,
    trace_observation_point: 'TO_STACK',
    trace_reason: 'NEW',
    drop_reason_desc: 'POLICY_DENY',
    is_reply: false,
    interface: { index: 7, name: 'eth0' },
    proxy_port: 15001,
    Summary: 'HTTP/1.1 403 1ms (GET https://api.github.com/repos)',
    egress_allowed_by: [
      { name: 'allow-egress', namespace: 'shop', labels: ['k8s:io.cilium.k8s.policy.name=allow-egress'], revision: '6', kind: 'CiliumNetworkPolicy' },
    ],
    ingress_allowed_by: [],
    egress_denied_by: [{ name: 'deny-world', namespace: 'shop', labels: [], revision: '7', kind: 'CiliumNetworkPolicy' }],
    ingress_denied_by: [{ name: 'cluster-deny', revision: '3', kind: 'CiliumClusterwideNetworkPolicy' }],
    policy_log: ['audit-shop'],
    future_field: { anything: true },
  },
  node_name: 'prod/node-1',
  time: '2025-03-04T05:06:07.123456789Z',
};

const FULL_EXPECTED: Flow = {
  time: '2025-03-04T05:06:07.123456789Z',
  timeMs: Date.parse('2025-03-04T05:06:07.123Z'),
  uuid: '8f2b6c7e-2a4b-4c1d-9d3e-0f1a2b3c4d5e',
  verdict: 'DROPPED',
  dropReason: 181,
  dropReasonDesc: 'POLICY_DENY',
  type: 'L7',
  eventType: { type: 1, subType: 181 },
  trafficDirection: 'EGRESS',
  isReply: false,
  traceObservationPoint: 'TO_STACK',
  traceReason: 'NEW',
  nodeName: 'prod/node-1',
  ip: { source: '10.0.0.1', sourceXlated: '192.0.2.1', destination: '10.0.0.2', ipVersion: 'IPv4', encrypted: true },
  l4: { protocol: 'TCP', sourcePort: 43210, destinationPort: 8080, flags: ['SYN', 'ACK'] },
  source: {
    id: 1234,
    identity: 56789,
    clusterName: 'prod',
    namespace: 'shop',
    labels: ['k8s:app=frontend', 'k8s:io.kubernetes.pod.namespace=shop'],
    podName: 'frontend-7c9d8b6f5-abcde',
    workloads: [{ name: 'frontend', kind: 'Deployment' }],
  },
  destination: { identity: 2, labels: ['reserved:world'], workloads: [] },
  sourceNames: ['frontend.shop.svc.cluster.local'],
  destinationNames: ['api.github.com', 'github.com'],
  sourceService: { name: 'frontend', namespace: 'shop' },
  destinationService: { name: 'github' },
  l7: {
    type: 'RESPONSE',
    latencyNs: 1_500_000,
    http: {
      code: 403,
      method: 'GET',
      url: 'https://api.github.com/repos',
      protocol: 'HTTP/1.1',
      headers: [{ key: 'User-Agent', value: 'curl/8.0' }],
    },
  },
  egressAllowedBy: [
    { name: 'allow-egress', namespace: 'shop', labels: ['k8s:io.cilium.k8s.policy.name=allow-egress'], revision: '6', kind: 'CiliumNetworkPolicy' },
  ],
  ingressAllowedBy: [],
  egressDeniedBy: [{ name: 'deny-world', namespace: 'shop', labels: [], revision: '7', kind: 'CiliumNetworkPolicy' }],
  ingressDeniedBy: [{ name: 'cluster-deny', labels: [], revision: '3', kind: 'CiliumClusterwideNetworkPolicy' }],
  policyMatchType: 2,
  policyLog: ['audit-shop'],
  summary: 'HTTP/1.1 403 1ms (GET https://api.github.com/repos)',
};

/** Rewrites every snake_case key to lowerCamelCase, as protobuf's default JSON mapping would. */
function camelCaseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelCaseKeys);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), camelCaseKeys(x)]),
  );
}

describe('decodeHubbleLine: every field', () => {
  it('decodes a full protojson flow (proto names)', () => {
    expect(flowOf(JSON.stringify(FULL))).toEqual(FULL_EXPECTED);
  });

  it('decodes the same flow spelled in lowerCamelCase', () => {
    const camel = JSON.stringify(camelCaseKeys(FULL));
    expect(camel).toContain('"dropReasonDesc"');
    expect(camel).toContain('"sourcePort"');
    expect(camel).toContain('"isReply"');
    expect(flowOf(camel)).toEqual(FULL_EXPECTED);
  });

  it('decodes the same flow without the wrapper (legacy `-o json`)', () => {
    expect(flowOf(JSON.stringify(FULL.flow))).toEqual(FULL_EXPECTED);
  });

  it('decodes hand-written camelCase keys', () => {
    const f = flowOf(
      '{"flow":{"time":"2025-01-01T00:00:00Z","verdict":"FORWARDED","dropReasonDesc":"POLICY_DENIED","trafficDirection":"INGRESS","isReply":true,' +
        '"traceObservationPoint":"TO_ENDPOINT","eventType":{"type":4,"subType":3},"l4":{"UDP":{"sourcePort":5353,"destinationPort":53}},' +
        '"source":{"podName":"a","clusterName":"c1"},"destinationNames":["x.example."],"policyMatchType":3},"nodeName":"n1"}',
    );
    expect(f).toMatchObject({
      dropReasonDesc: 'POLICY_DENIED',
      trafficDirection: 'INGRESS',
      isReply: true,
      traceObservationPoint: 'TO_ENDPOINT',
      eventType: { type: 4, subType: 3 },
      l4: { protocol: 'UDP', sourcePort: 5353, destinationPort: 53 },
      source: { podName: 'a', clusterName: 'c1' },
      destinationNames: ['x.example'],
      policyMatchType: 3,
      nodeName: 'n1',
    });
  });
});

describe('decodeHubbleLine: enums', () => {
  const T = '"time":"2025-01-01T00:00:00Z"';
  it.each([
    [1, 'FORWARDED'],
    [2, 'DROPPED'],
    [3, 'ERROR'],
    [4, 'AUDIT'],
    [5, 'REDIRECTED'],
    [6, 'TRACED'],
    [7, 'TRANSLATED'],
    [0, 'VERDICT_UNKNOWN'],
    [42, '42'],
  ])('maps verdict %d to %s', (n, name) => {
    expect(flowOf(`{"flow":{${T},"verdict":${n}}}`).verdict).toBe(name);
  });

  it('maps the other numeric enums', () => {
    const f = flowOf(
      `{"flow":{${T},"verdict":2,"Type":1,"traffic_direction":2,"trace_observation_point":101,"trace_reason":3,"drop_reason_desc":133,` +
        `"IP":{"ipVersion":2},"l7":{"type":3}}}`,
    );
    expect(f).toMatchObject({
      verdict: 'DROPPED',
      type: 'L3_L4',
      trafficDirection: 'EGRESS',
      traceObservationPoint: 'TO_ENDPOINT',
      traceReason: 'REPLY',
      dropReasonDesc: 'POLICY_DENIED',
      ip: { ipVersion: 'IPv6' },
      l7: { type: 'SAMPLE' },
    });
    expect(flowOf(`{"flow":{${T},"traffic_direction":1,"drop_reason_desc":181}}`)).toMatchObject({
      trafficDirection: 'INGRESS',
      dropReasonDesc: 'POLICY_DENY',
    });
  });

  it('treats a zero enum number as omitted', () => {
    const f = flowOf(`{"flow":{${T},"Type":0,"traffic_direction":0,"trace_observation_point":0,"drop_reason_desc":0}}`);
    expect(f.type).toBeUndefined();
    expect(f.trafficDirection).toBeUndefined();
    expect(f.traceObservationPoint).toBeUndefined();
    expect(f.dropReasonDesc).toBeUndefined();
  });

  it('keeps unknown enum names and numbers as text', () => {
    const f = flowOf(`{"flow":{${T},"verdict":"QUARANTINED","drop_reason_desc":"DROP_FRAG_NOT_FOUND_WORLD","trace_observation_point":999,"Type":"L8"}}`);
    expect(f.verdict).toBe('QUARANTINED');
    expect(f.dropReasonDesc).toBe('DROP_FRAG_NOT_FOUND_WORLD');
    expect(f.traceObservationPoint).toBe('999');
    expect(f.type).toBe('L8');
    expect(flowOf(`{"flow":{${T},"drop_reason_desc":207}}`).dropReasonDesc).toBe('DROP_FRAG_NOT_FOUND_WORLD');
  });

  it('ignores a traffic direction it does not know', () => {
    expect(flowOf(`{"flow":{${T},"traffic_direction":"SIDEWAYS"}}`).trafficDirection).toBeUndefined();
  });
});

describe('decodeHubbleLine: omitted and zero values', () => {
  it('decodes a minimal flow with empty endpoints', () => {
    const f = flowOf('{"flow":{"time":"2025-01-01T00:00:00Z","source":{},"destination":{}}}');
    expect(f).toEqual({
      time: '2025-01-01T00:00:00.000000000Z',
      timeMs: Date.parse('2025-01-01T00:00:00Z'),
      verdict: 'VERDICT_UNKNOWN',
      source: { labels: [], workloads: [] },
      destination: { labels: [], workloads: [] },
      sourceNames: [],
      destinationNames: [],
      egressAllowedBy: [],
      ingressAllowedBy: [],
      egressDeniedBy: [],
      ingressDeniedBy: [],
      policyLog: [],
    });
  });

  it('gives 0 for omitted ports and ICMP type/code, and flags only when reported', () => {
    const T = '"time":"2025-01-01T00:00:00Z"';
    expect(flowOf(`{"flow":{${T},"l4":{"UDP":{}}}}`).l4).toEqual({ protocol: 'UDP', sourcePort: 0, destinationPort: 0 });
    expect(flowOf(`{"flow":{${T},"l4":{"TCP":{"destination_port":80}}}}`).l4).toEqual({
      protocol: 'TCP',
      sourcePort: 0,
      destinationPort: 80,
    });
    expect(flowOf(`{"flow":{${T},"l4":{"TCP":{"flags":{}}}}}`).l4?.flags).toEqual([]);
    expect(flowOf(`{"flow":{${T},"l4":{"TCP":{"flags":{"FIN":true,"SYN":false,"NS":true,"RST":true}}}}}`).l4?.flags).toEqual([
      'FIN',
      'RST',
      'NS',
    ]);
    expect(flowOf(`{"flow":{${T},"l4":{"ICMPv4":{}}}}`).l4).toEqual({ protocol: 'ICMPv4', icmpType: 0, icmpCode: 0 });
    expect(flowOf(`{"flow":{${T},"l4":{"ICMPv6":{"type":128,"code":0}}}}`).l4).toEqual({ protocol: 'ICMPv6', icmpType: 128, icmpCode: 0 });
    expect(flowOf(`{"flow":{${T},"l4":{"SCTP":{"source_port":1,"destination_port":2,"chunk_type":"INIT"}}}}`).l4).toEqual({
      protocol: 'SCTP',
      sourcePort: 1,
      destinationPort: 2,
    });
    expect(flowOf(`{"flow":{${T},"l4":{"VRRP":{"type":1,"vrid":2}}}}`).l4).toEqual({ protocol: 'VRRP' });
    expect(flowOf(`{"flow":{${T},"l4":{"IGMP":{"type":22,"group_address":"239.1.1.1"}}}}`).l4).toEqual({ protocol: 'IGMP' });
    expect(flowOf(`{"flow":{${T},"l4":{"QUIC":{}}}}`).l4).toBeUndefined();
  });

  it('treats explicit proto3 zero values like omitted ones', () => {
    const f = flowOf(
      '{"flow":{"time":"2025-01-01T00:00:00Z","uuid":"","drop_reason":0,"policy_match_type":0,"Summary":"",' +
        '"source":{"ID":0,"identity":0,"namespace":"","pod_name":""},"IP":{"source":"","encrypted":false},' +
        '"source_service":{"name":"","namespace":""},"egress_allowed_by":[{"name":"p","revision":"0"}]}}',
    );
    expect(f.uuid).toBeUndefined();
    expect(f.dropReason).toBeUndefined();
    expect(f.policyMatchType).toBeUndefined();
    expect(f.summary).toBeUndefined();
    expect(f.source).toEqual({ labels: [], workloads: [] });
    expect(f.ip).toEqual({});
    expect(f.sourceService).toBeUndefined();
    expect(f.egressAllowedBy).toEqual([{ name: 'p', labels: [] }]);
  });

  it('reads uint64 (and leniently uint32) values given as strings', () => {
    const f = flowOf(
      '{"flow":{"time":"2025-01-01T00:00:00Z","l4":{"TCP":{"source_port":"1234","destination_port":"443"}},' +
        '"l7":{"latency_ns":"18446744073709"},"source":{"identity":"16777217"},' +
        '"ingress_allowed_by":[{"name":"p","revision":123}]}}',
    );
    expect(f.l4).toMatchObject({ sourcePort: 1234, destinationPort: 443 });
    expect(f.l7?.latencyNs).toBe(18_446_744_073_709);
    expect(f.source.identity).toBe(16_777_217);
    expect(f.ingressAllowedBy[0]?.revision).toBe('123');
  });
});

describe('decodeHubbleLine: is_reply', () => {
  const T = '"time":"2025-01-01T00:00:00Z"';
  it('keeps is_reply false (it is a BoolValue, so false is meaningful)', () => {
    expect(flowOf(`{"flow":{${T},"is_reply":false}}`).isReply).toBe(false);
  });
  it('leaves isReply undefined when Hubble did not say', () => {
    expect(flowOf(`{"flow":{${T}}}`).isReply).toBeUndefined();
    expect(flowOf(`{"flow":{${T},"reply":false}}`).isReply).toBeUndefined();
  });
  it('falls back to the deprecated reply only when is_reply is absent', () => {
    expect(flowOf(`{"flow":{${T},"reply":true}}`).isReply).toBe(true);
    expect(flowOf(`{"flow":{${T},"reply":true,"is_reply":false}}`).isReply).toBe(false);
  });
  it('accepts BoolValue written as a message', () => {
    expect(flowOf(`{"flow":{${T},"is_reply":{"value":true}}}`).isReply).toBe(true);
    expect(flowOf(`{"flow":{${T},"is_reply":{}}}`).isReply).toBe(false);
  });
});

describe('decodeHubbleLine: names, services, L7', () => {
  const T = '"time":"2025-01-01T00:00:00Z"';
  it('strips the trailing dot of source and destination names', () => {
    const f = flowOf(`{"flow":{${T},"source_names":["a.example.com."],"destination_names":["api.github.com.","github.com","."]}}`);
    expect(f.sourceNames).toEqual(['a.example.com']);
    expect(f.destinationNames).toEqual(['api.github.com', 'github.com']);
  });

  it('keeps the DNS query as given (with its dot) and decodes the answer', () => {
    const f = flowOf(
      `{"flow":{${T},"Type":"L7","l7":{"type":"RESPONSE","latency_ns":"523000","dns":{"query":"api.github.com.","ips":["140.82.121.6","140.82.121.5"],` +
        `"ttl":60,"cnames":["github.com."],"observation_source":"proxy","rcode":0,"qtypes":["A"],"rrtypes":["A","CNAME"]}}}}`,
    );
    expect(f.l7).toEqual({
      type: 'RESPONSE',
      latencyNs: 523_000,
      dns: {
        query: 'api.github.com.',
        ips: ['140.82.121.6', '140.82.121.5'],
        ttl: 60,
        cnames: ['github.com.'],
        observationSource: 'proxy',
        qtypes: ['A'],
        rrtypes: ['A', 'CNAME'],
      },
    });
  });

  it('names other L7 protocols by their oneof name', () => {
    const f = flowOf(`{"flow":{${T},"l7":{"type":"REQUEST","latency_ns":"10","kafka":{"api_key":"produce","topic":"t"}}}}`);
    expect(f.l7).toEqual({ type: 'REQUEST', latencyNs: 10, other: 'kafka' });
  });

  it('skips malformed list entries instead of failing the flow', () => {
    const f = flowOf(`{"flow":{${T},"source":{"labels":["k8s:a=b",7,null],"workloads":[{"name":"w"},"x"]},"policy_log":"nope"}}`);
    expect(f.source.labels).toEqual(['k8s:a=b']);
    expect(f.source.workloads).toEqual([{ name: 'w', kind: '' }]);
    expect(f.policyLog).toEqual([]);
  });
});

describe('decodeHubbleLine: time and node name', () => {
  it('prefers the flow’s time and node over the wrapper’s', () => {
    const f = flowOf('{"flow":{"time":"2025-01-01T00:00:01Z","node_name":"inner"},"node_name":"outer","time":"2025-01-01T00:00:02Z"}');
    expect(f.time).toBe('2025-01-01T00:00:01.000000000Z');
    expect(f.nodeName).toBe('inner');
  });

  it('falls back to the wrapper’s time and node (field-masked exporter output)', () => {
    const f = flowOf('{"flow":{"verdict":"FORWARDED"},"node_name":"outer","time":"2025-01-01T02:00:02.5+02:00"}');
    expect(f.time).toBe('2025-01-01T00:00:02.500000000Z');
    expect(f.timeMs).toBe(Date.parse('2025-01-01T00:00:02.5Z'));
    expect(f.nodeName).toBe('outer');
  });

  it('accepts a {seconds, nanos} time', () => {
    expect(flowOf('{"flow":{"time":{"seconds":"1735689600","nanos":1}}}').time).toBe('2025-01-01T00:00:00.000000001Z');
  });

  it('rejects a flow without a usable time', () => {
    expect(errorOf('{"flow":{"verdict":"FORWARDED"},"node_name":"n"}')).toMatch(/no `time`/);
    expect(errorOf('{"flow":{"time":"yesterday","verdict":"FORWARDED"}}')).toMatch(/invalid `time` "yesterday".*RFC 3339/);
    expect(errorOf('{"flow":{"time":null}}')).toMatch(/no `time`/);
  });
});

describe('decodeHubbleLine: other records', () => {
  it('decodes lost_events with the count as a number', () => {
    expect(lostOf('{"lost_events":{"source":"PERF_EVENT_RING_BUFFER","num_events_lost":"12345","cpu":0},"node_name":"n1","time":"2025-01-01T00:00:00Z"}')).toEqual({
      source: 'PERF_EVENT_RING_BUFFER',
      numEventsLost: 12345,
      cpu: 0,
      nodeName: 'n1',
      time: '2025-01-01T00:00:00.000000000Z',
    });
    expect(lostOf('{"lostEvents":{"source":2,"numEventsLost":7,"cpu":{"value":3}}}')).toEqual({
      source: 'OBSERVER_EVENTS_QUEUE',
      numEventsLost: 7,
      cpu: 3,
    });
  });

  it.each([
    ['{"agent_event":{"type":"ENDPOINT_CREATED"},"node_name":"n","time":"2025-01-01T00:00:00Z"}', 'agent_event'],
    ['{"agentEvent":{}}', 'agent_event'],
    ['{"debug_event":{"type":"DBG_CT_VERDICT"},"time":"2025-01-01T00:00:00Z"}', 'debug_event'],
    ['{"node_status":{"state_change":"NODE_CONNECTED","node_names":["n1"]}}', 'node_status'],
    ['{"nodeStatus":{}}', 'node_status'],
  ])('ignores %s', (line, what) => {
    expect(decodeHubbleLine(line)).toEqual({ kind: 'ignored', what });
  });
});

describe('decodeHubbleLine: bad input', () => {
  it('returns undefined for blank lines', () => {
    expect(decodeHubbleLine('')).toBeUndefined();
    expect(decodeHubbleLine('   \t')).toBeUndefined();
    expect(decodeHubbleLine('\r')).toBeUndefined();
    expect(decodeHubbleLine('\ufeff')).toBeUndefined();
  });

  it('tolerates a byte-order mark, surrounding blanks and a trailing CR', () => {
    expect(decodeHubbleLine('\ufeff{"flow":{"time":"2025-01-01T00:00:00Z"}}')?.kind).toBe('flow');
    expect(decodeHubbleLine('  {"flow":{"time":"2025-01-01T00:00:00Z"}}\r')?.kind).toBe('flow');
  });

  it('says what is wrong', () => {
    expect(errorOf('hello world')).toMatch(/^not JSON: Unexpected token/);
    expect(errorOf('{"flow":{"time":"2025-01-01T00:00:00Z"}')).toMatch(/^not JSON: /);
    expect(errorOf('[1,2]')).toBe('not a Hubble flow: expected a JSON object, got an array');
    expect(errorOf('42')).toBe('not a Hubble flow: expected a JSON object, got number 42');
    expect(errorOf('{"apiVersion":"v1","kind":"Pod","metadata":{}}')).toBe(
      'not a Hubble flow: no `flow` or flow fields (keys: "apiVersion", "kind", "metadata")',
    );
    expect(errorOf('{}')).toBe('not a Hubble flow: no `flow` or flow fields (empty object)');
    expect(errorOf('{"flow":"x"}')).toMatch(/`flow` is "x", not an object/);
    expect(errorOf('{"lost_events":5}')).toMatch(/`lost_events` is number 5/);
  });

  it('keeps error messages short', () => {
    expect(errorOf(`not json ${'x'.repeat(10_000)}`).length).toBeLessThanOrEqual(200);
  });
});

describe('decodeHubbleValue', () => {
  it('decodes an already-parsed value the same way', () => {
    const d: DecodedLine = decodeHubbleValue(FULL);
    expect(d).toEqual({ kind: 'flow', flow: FULL_EXPECTED });
    expect(decodeHubbleValue(null)).toEqual({ kind: 'error', message: 'not a Hubble flow: expected a JSON object, got null' });
  });
});
