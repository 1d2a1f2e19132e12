/**
 * The real Hubble samples of the shared reference folder fold into exactly these edges. Each list was
 * checked flow by flow: replies (is_reply/reply, SYN-ACK), health checks, and transit sightings
 * between nodes (TO_OVERLAY without a direction, already masqueraded) are not edges; a remote pod
 * reported without its pod name is mapped through its identity to the workload seen with it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeHubbleLine } from '../flows/index.js';
import type { Flow } from '../flows/index.js';
import { buildInventory } from './build.js';
import type { Edge, Peer } from './model.js';

const dir = fileURLToPath(new URL('../../../shared/reference/cilium/', import.meta.url));
const present = existsSync(dir);
if (!present) console.warn(`skipping real Hubble samples: ${dir} is absent`);

function edgesOf(file: string): string[] {
  const flows: Flow[] = [];
  for (const line of readFileSync(`${dir}${file}`, 'utf8').split('\n')) {
    const d = decodeHubbleLine(line);
    if (d?.kind === 'flow') flows.push(d.flow);
  }
  return buildInventory(flows).edges.map(edgeText);
}
const show = (p: Peer): string =>
  'namespace' in p ? `${p.namespace}/${p.kind}/${p.name}` : 'entity' in p ? `entity:${p.entity}` : 'ip' in p ? `${p.ip}[${p.names.join(',')}]` : `cidr:${p.cidr}`;
const edgeText = (e: Edge) => `${show(e.source)} -> ${show(e.destination)} ${e.port}/${e.protocol} ${e.verdict} x${e.flows}`;

describe.skipIf(!present)('real Hubble samples', () => {
  it('10 flows of an Istio cluster', () => {
    expect(edgesOf('hubble-flows--hubble-otel-basic-sample-10-flows.jsonl')).toEqual([
      'istio-system/Deployment/istio-telemetry -> istio-system/Deployment/istio-galley 9901/TCP FORWARDED x1',
      'istio-system/Deployment/prometheus -> bookinfo/Deployment/reviews-v1 15090/TCP FORWARDED x1',
      'kube-system/Deployment/event-exporter-gke -> 35.246.31.234[] 443/TCP FORWARDED x1',
      'entity:host -> bookinfo/Deployment/reviews-v1 15020/TCP FORWARDED x1',
      'entity:host -> kube-system/Deployment/kube-dns 10054/TCP FORWARDED x1',
    ]);
  });

  it('400 TCP flows of bookinfo', () => {
    expect(edgesOf('hubble-flows--hubble-otel-basic-sample-400-tcp-flows.jsonl')).toEqual([
      'bookinfo/Deployment/productpage-v1 -> bookinfo/Deployment/details-v1 9080/TCP FORWARDED x37',
      'bookinfo/Deployment/productpage-v1 -> bookinfo/Deployment/reviews-v1 9080/TCP FORWARDED x8',
      'bookinfo/Deployment/productpage-v1 -> bookinfo/Deployment/reviews-v2 9080/TCP FORWARDED x18',
      'bookinfo/Deployment/productpage-v1 -> bookinfo/Deployment/reviews-v3 9080/TCP FORWARDED x11',
      'bookinfo/Deployment/ratings-v1 -> bookinfo/Deployment/productpage-v1 9080/TCP FORWARDED x37',
      'bookinfo/Deployment/reviews-v2 -> bookinfo/Deployment/ratings-v1 9080/TCP FORWARDED x5',
      'bookinfo/Deployment/reviews-v3 -> bookinfo/Deployment/ratings-v1 9080/TCP FORWARDED x5',
      'kube-system/DaemonSet/otelcol-hubble-collector -> jaeger/Deployment/jaeger-default 14250/TCP FORWARDED x2',
      'kube-system/DaemonSet/otelcol-hubble-collector -> entity:host 4244/TCP FORWARDED x1',
      'entity:host -> jaeger/Deployment/jaeger-default 14269/TCP FORWARDED x5',
    ]);
  });

  it('400 UDP flows: DNS to CoreDNS, with the names asked', () => {
    expect(edgesOf('hubble-flows--hubble-otel-basic-sample-400-udp-flows.jsonl')).toEqual([
      'bookinfo/Deployment/productpage-v1 -> kube-system/Deployment/coredns 53/UDP FORWARDED x48',
      'bookinfo/Deployment/ratings-v1 -> kube-system/Deployment/coredns 53/UDP FORWARDED x26',
    ]);
  });

  it('400 ICMP flows are all health checks', () => {
    expect(edgesOf('hubble-flows--hubble-otel-basic-sample-400-icmpv4-flows.jsonl')).toEqual([]);
  });

  it('L7 DNS and HTTP flows', () => {
    expect(edgesOf('hubble-flows--hubble-otel-basic-sample-5-dns-flows.jsonl')).toEqual([
      'kube-system/DaemonSet/node-local-dns -> kube-system/Deployment/kube-dns 53/TCP FORWARDED x3',
    ]);
    expect(edgesOf('hubble-flows--hubble-otel-basic-sample-5-http-flows.jsonl')).toEqual([
      'istio-system/Deployment/prometheus -> kube-system/Deployment/kube-dns 10054/TCP FORWARDED x1',
      'istio-system/Deployment/prometheus -> kube-system/DaemonSet/node-local-dns 9253/TCP FORWARDED x1',
      'istio-system/Deployment/prometheus -> 10.128.0.4[] 9990/TCP FORWARDED x1',
    ]);
  });

  it('the exporter field-mask sample: a policy drop between a bare pod and a Deployment', () => {
    expect(edgesOf('hubble-export--cilium-docs-export-rst-fieldmask.jsonl')).toEqual([
      'default/Pod/xwing -> default/Deployment/deathstar 80/TCP DROPPED x1',
    ]);
  });

  it('the printer goldens carry only health-check traffic', () => {
    expect(edgesOf('hubble-observe-jsonpb--cilium-printer-test-golden.jsonl')).toEqual([]);
    expect(edgesOf('hubble-observe-json-legacy--cilium-printer-test-golden.jsonl')).toEqual([]);
  });
});
