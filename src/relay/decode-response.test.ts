/**
 * Conformance of the binary decoder with the JSON decoder: every Hubble record — the real samples
 * beside the repository, tighten's own fixtures, and the sample generator's traffic — encoded to
 * protobuf by protobufjs (from tighten's own `observer.proto`, and from Cilium's reference protos
 * when present), then decoded by `decodeFlowsResponse`, must equal `decodeHubbleValue` of the JSON.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHubbleValue, type DecodedLine } from '../flows/index.js';
import { generateSample } from '../sample/index.js';
import { decodeFlowsResponse, decodeNodeStatus } from './decode-response.js';
import { REFERENCE_PRESENT, encodeJson, loadOwnSchema, loadReferenceSchema, type Schema } from './test-support/protobuf.js';

const SAMPLES = new URL('../../../shared/reference/cilium/', import.meta.url);
const samplesPresent = existsSync(SAMPLES);
if (!samplesPresent) console.warn(`relay: skipping real-sample conformance, ${fileURLToPath(SAMPLES)} is absent`);
if (!REFERENCE_PRESENT) console.warn('relay: skipping conformance against the reference protos, they are absent');

const FIXTURES = fileURLToPath(new URL('./test-support/fixtures.jsonl', import.meta.url));

function jsonLines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const sampleFiles = samplesPresent
  ? readdirSync(SAMPLES)
      .filter((f) => /^(hubble-observe-jsonpb--|hubble-flows--).*\.jsonl$/.test(f))
      .sort()
  : [];

const schemas: Schema[] = [loadOwnSchema(), ...(REFERENCE_PRESENT ? [loadReferenceSchema()] : [])];

/** Encodes and decodes every value; returns how many of each kind were checked. */
function checkAll(schema: Schema, values: readonly Record<string, unknown>[], type = schema.response): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const [i, json] of values.entries()) {
    const expected = decodeHubbleValue(json);
    const actual = decodeFlowsResponse(encodeJson(type, json));
    expect(actual, `record ${i + 1}: ${JSON.stringify(json).slice(0, 160)}`).toEqual(expected);
    kinds[actual.kind] = (kinds[actual.kind] ?? 0) + 1;
  }
  return kinds;
}

describe.each(schemas.map((s) => [s.name, s] as const))('binary = JSON, encoded with %s', (_name, schema) => {
  it.skipIf(!samplesPresent).each(sampleFiles)('real sample %s', (file) => {
    const values = jsonLines(fileURLToPath(new URL(file, SAMPLES)));
    const kinds = checkAll(schema, values);
    expect(kinds.error).toBeUndefined();
    expect((kinds.flow ?? 0) + (kinds.lost ?? 0)).toBe(values.length);
  });

  it('own fixtures: L7 DNS and HTTP, drops, policy verdicts, IPv6, ICMP, SCTP/VRRP/IGMP, lost events, node status', () => {
    const values = jsonLines(FIXTURES);
    const kinds = checkAll(schema, values);
    expect(kinds).toEqual({ flow: 25, lost: 3, ignored: 1 });
  });

  it('the sample generator traffic (6,000 flows of a realistic cluster)', () => {
    const values = [...generateSample({ size: 'small', seed: 7 }).flowLines()].map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(values.length).toBeGreaterThan(5000);
    const kinds = checkAll(schema, values);
    expect(kinds.flow).toBeGreaterThan(5000);
    expect(kinds.error).toBeUndefined();
  });
});

describe.skipIf(!REFERENCE_PRESENT || !samplesPresent)('exporter records (ExportEvent) from the reference protos', () => {
  it('agent and debug events are ignored, flows decode, as in the JSON reader', () => {
    const schema = loadReferenceSchema();
    const values = jsonLines(fileURLToPath(new URL('hubble-export--cilium-docs-export-rst-fieldmask.jsonl', SAMPLES)));
    const kinds = checkAll(schema, values, schema.exportEvent);
    expect(kinds.flow).toBeGreaterThan(0);
  });
  it('an agent_event and a debug_event', () => {
    const schema = loadReferenceSchema();
    const agent = { agent_event: { type: 'AGENT_STARTED', agent_start: { time: '2026-11-02T10:00:00Z' } }, node_name: 'n', time: '2026-11-02T10:00:00Z' };
    const debug = { debug_event: { type: 'DBG_CT_LOOKUP', message: 'x' }, time: '2026-11-02T10:00:00Z' };
    expect(checkAll(schema, [agent, debug], schema.exportEvent)).toEqual({ ignored: 2 });
  });
});

describe('decodeFlowsResponse on its own', () => {
  const schema = loadOwnSchema();
  const fixtures = jsonLines(FIXTURES);
  const first = fixtures[0]!;
  const bytes = encodeJson(schema.response, first);

  it('decodes the first fixture field by field', () => {
    const d = decodeFlowsResponse(bytes);
    expect(d.kind).toBe('flow');
    const f = (d as Extract<DecodedLine, { kind: 'flow' }>).flow;
    expect(f).toMatchObject({
      time: '2026-11-02T10:00:00.123456789Z',
      timeMs: Date.parse('2026-11-02T10:00:00.123Z'),
      uuid: '6f1c1a0e-0001-4c1e-9d6b-000000000001',
      verdict: 'FORWARDED',
      trafficDirection: 'EGRESS',
      isReply: false,
      traceObservationPoint: 'FROM_ENDPOINT',
      traceReason: 'NEW',
      nodeName: 'prod/node-a',
      l4: { protocol: 'TCP', sourcePort: 43512, destinationPort: 5432, flags: ['SYN'] },
      source: { id: 812, identity: 51234, clusterName: 'prod', namespace: 'shop', podName: 'web-7d9f8c6b5-x2k4q', workloads: [{ name: 'web', kind: 'Deployment' }] },
    });
  });

  it('skips fields it does not know, of every wire type, at every level', () => {
    // Unknown fields before and after the known ones: varint, fixed64, length-delimited (with
    // nested bytes that look like tags), fixed32, and a large field number.
    const junk = Buffer.concat([
      tag(999, 0), Buffer.from([0x96, 0x01]), // varint 150
      tag(1000, 1), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]), // fixed64 (field 1000 is node_name only in the response)
      tag(1002, 2), Buffer.from([4, 0x0a, 0x02, 0x08, 0x01]), // bytes that look like tags
      tag(1003, 5), Buffer.from([9, 9, 9, 9]), // fixed32
      tag(536_870_911, 2), Buffer.from([1, 0]), // the largest field number
    ]);
    const head = Buffer.concat([tag(999, 0), Buffer.from([0x96, 0x01])]);
    const flowBytes = encodeJson(schema.root.lookupType('observer.Flow'), first.flow);
    const flow = Buffer.concat([junk, flowBytes, junk]);
    const response = Buffer.concat([head, tag(1, 2), varint(flow.length), flow, encodeJson(schema.response, { node_name: first.node_name, time: first.time }), junk]);
    expect(decodeFlowsResponse(response)).toEqual(decodeFlowsResponse(bytes));
  });

  it('labels: a run split by another field, and one identity whose labels change', () => {
    const str = (field: number, text: string): Buffer => Buffer.concat([tag(field, 2), varint(Buffer.byteLength(text)), Buffer.from(text)]);
    const message = (field: number, body: Buffer): Buffer => Buffer.concat([tag(field, 2), varint(body.length), body]);
    const response = (labelFields: Buffer[]): Uint8Array => {
      const endpoint = Buffer.concat([tag(2, 0), varint(77), ...labelFields]);
      const time = Buffer.concat([tag(1, 0), varint(1_793_613_600)]);
      return message(1, Buffer.concat([message(1, time), message(8, endpoint)]));
    };
    const labelsOf = (bytes: Uint8Array): readonly string[] => {
      const d = decodeFlowsResponse(bytes);
      if (d.kind !== 'flow') throw new Error(d.kind);
      return d.flow.source.labels;
    };
    const split = response([str(4, 'k8s:a=1'), str(5, 'pod-1'), str(4, 'k8s:b=2'), str(4, 'k8s:c=3')]);
    const first = labelsOf(split);
    expect(first).toEqual(['k8s:a=1', 'k8s:b=2', 'k8s:c=3']);
    expect(labelsOf(split)).toEqual(['k8s:a=1', 'k8s:b=2', 'k8s:c=3']);
    const changed = response([str(4, 'k8s:a=1'), str(4, 'k8s:x=9')]);
    expect(labelsOf(changed)).toEqual(['k8s:a=1', 'k8s:x=9']);
    expect(labelsOf(changed)).toEqual(['k8s:a=1', 'k8s:x=9']); // now from the cache
    expect(labelsOf(response([str(4, 'k8s:a=1'), str(4, 'k8s:x=8')]))).toEqual(['k8s:a=1', 'k8s:x=8']); // same length, other bytes
    expect(labelsOf(response([str(4, 'k8s:a=1')]))).toEqual(['k8s:a=1']);
    expect(first).toEqual(['k8s:a=1', 'k8s:b=2', 'k8s:c=3']); // earlier results are untouched
    // A run whose length prefix runs past the endpoint is malformed, not a shorter list.
    const broken = Buffer.concat([tag(2, 0), varint(77), tag(4, 2), varint(50), Buffer.from('k8s:a=1')]);
    expect(decodeFlowsResponse(message(1, Buffer.concat([message(1, Buffer.concat([tag(1, 0), varint(1)])), message(8, broken)]))).kind).toBe('error');
  });

  it('decodeNodeStatus reads what decodeFlowsResponse only counts', () => {
    const json = { node_status: { state_change: 'NODE_UNAVAILABLE', node_names: ['a', 'b'], message: 'dial tcp: i/o timeout' }, node_name: 'x', time: '2026-11-02T10:00:00Z' };
    const bytes = encodeJson(schema.response, json);
    expect(decodeFlowsResponse(bytes)).toEqual({ kind: 'ignored', what: 'node_status' });
    expect(decodeNodeStatus(bytes)).toEqual({ state: 'NODE_UNAVAILABLE', nodeNames: ['a', 'b'], message: 'dial tcp: i/o timeout', time: '2026-11-02T10:00:00.000000000Z' });
    expect(decodeNodeStatus(encodeJson(schema.response, { node_status: {} }))).toEqual({ state: undefined, nodeNames: [], message: undefined, time: undefined });
    expect(decodeNodeStatus(encodeJson(schema.response, fixtures[0]!))).toBeUndefined();
    expect(decodeNodeStatus(Uint8Array.from([0x12, 0x05, 0x08]))).toBeUndefined();
  });

  it('takes the time and node of the response when the flow has none', () => {
    const d = decodeFlowsResponse(encodeJson(schema.response, { flow: { verdict: 'DROPPED' }, node_name: 'c/n', time: '2026-01-02T03:04:05.5+01:00' }));
    expect(d).toMatchObject({ kind: 'flow', flow: { time: '2026-01-02T02:04:05.500000000Z', nodeName: 'c/n', verdict: 'DROPPED' } });
  });

  it('a flow without any time is an error, as in JSON', () => {
    const json = { flow: { verdict: 'DROPPED' } };
    const d = decodeFlowsResponse(encodeJson(schema.response, json));
    expect(d).toEqual(decodeHubbleValue(json));
    expect(d.kind).toBe('error');
  });

  it('an empty response, or one with only a node name, is not a Hubble record', () => {
    expect(decodeFlowsResponse(new Uint8Array(0))).toMatchObject({ kind: 'error', message: expect.stringContaining('no flow') });
    expect(decodeFlowsResponse(encodeJson(schema.response, { node_name: 'x' })).kind).toBe('error');
  });

  it('every truncation inside the flow is an error, never an exception or a wrong flow', () => {
    const whole = encodeJson(schema.response, fixtures[6]!); // a DNS response with nested lists
    expect(whole[0]).toBe(0x0a); // the flow comes first
    const flowEnd = 1 + varint(readVarint(whole, 1)).length + readVarint(whole, 1);
    for (let n = 1; n < flowEnd; n++) {
      const d = decodeFlowsResponse(whole.subarray(0, n));
      expect(d.kind, `prefix of ${n} bytes`).not.toBe('flow');
    }
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        const d = decodeFlowsResponse(b);
        return ['flow', 'lost', 'ignored', 'error'].includes(d.kind);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on mutations of real responses', () => {
    const corpus = fixtures.map((f) => encodeJson(schema.response, f));
    fc.assert(
      fc.property(fc.nat(corpus.length - 1), fc.nat(), fc.integer({ min: 0, max: 255 }), (i, at, value) => {
        const b = Uint8Array.from(corpus[i]!);
        b[at % b.length] = value;
        const d = decodeFlowsResponse(b);
        return ['flow', 'lost', 'ignored', 'error'].includes(d.kind);
      }),
      { numRuns: 3000 },
    );
  });
});

function tag(field: number, wireType: number): Buffer {
  return varint(field * 8 + wireType);
}

function readVarint(b: Uint8Array, at: number): number {
  let v = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = b[at++]!;
    v += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return v;
  }
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Buffer.from(out);
}
