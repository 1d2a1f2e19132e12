import { describe, expect, it } from 'vitest';
import { encodeFlowsRequest, namespaceFilters, timestampFromFlowTime, timestampFromMs, type FlowsRequest } from './encode-request.js';
import { REFERENCE_PRESENT, decodeToObject, loadOwnSchema, loadReferenceSchema } from './test-support/protobuf.js';

const schemas = [loadOwnSchema(), ...(REFERENCE_PRESENT ? [loadReferenceSchema()] : [])];

describe('namespaceFilters', () => {
  it('selects flows from or to any chosen namespace: one source_pod and one destination_pod filter, OR-ed', () => {
    expect(namespaceFilters(['shop', 'billing', 'shop'])).toEqual([{ sourcePod: ['billing/', 'shop/'] }, { destinationPod: ['billing/', 'shop/'] }]);
  });
  it('no namespaces, no filter', () => {
    expect(namespaceFilters([])).toEqual([]);
  });
});

describe('timestamps', () => {
  it('keeps nanoseconds from a flow time and handles times before 1970', () => {
    expect(timestampFromFlowTime('2026-11-02T10:00:00.123456789Z', Date.parse('2026-11-02T10:00:00.123Z'))).toEqual({ seconds: 1_793_613_600, nanos: 123_456_789 });
    expect(timestampFromMs(-500)).toEqual({ seconds: -1, nanos: 500_000_000 });
  });
});

describe.each(schemas.map((s) => [s.name, s] as const))('encodeFlowsRequest, read back with protobufjs from %s', (_name, schema) => {
  const read = (req: FlowsRequest): Record<string, unknown> => decodeToObject(schema.request, encodeFlowsRequest(req));

  it('an empty request is empty bytes', () => {
    expect(encodeFlowsRequest({})).toEqual(new Uint8Array(0));
    expect(read({})).toEqual({});
  });

  it('follow, since, until and the namespace whitelist', () => {
    const req: FlowsRequest = {
      follow: true,
      whitelist: namespaceFilters(['kube-system', 'shop']),
      since: { seconds: 1_793_613_600, nanos: 123_456_789 },
      until: { seconds: 1_893_613_600, nanos: 0 },
    };
    expect(read(req)).toEqual({
      follow: true,
      whitelist: [{ source_pod: ['kube-system/', 'shop/'] }, { destination_pod: ['kube-system/', 'shop/'] }],
      since: { seconds: '1793613600', nanos: 123_456_789 },
      until: { seconds: '1893613600' },
    });
  });

  it('number, first, a blacklist with verdicts (packed enums), labels, nodes and uuids, and a time before 1970', () => {
    const req: FlowsRequest = {
      number: 20,
      first: true,
      blacklist: [{ verdict: [2, 4], sourceLabel: ['k8s:app=ünï'], destinationLabel: ['reserved:health'], nodeName: ['prod/*'], uuid: ['a', 'b'] }],
      since: { seconds: -1, nanos: 500_000_000 },
    };
    expect(read(req)).toEqual({
      number: '20',
      first: true,
      blacklist: [{ verdict: ['DROPPED', 'AUDIT'], source_label: ['k8s:app=ünï'], destination_label: ['reserved:health'], node_name: ['prod/*'], uuid: ['a', 'b'] }],
      since: { seconds: '-1', nanos: 500_000_000 },
    });
  });
});
