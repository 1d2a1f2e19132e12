import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from '../test-support/io.js';
import { main } from './index.js';

const CLUSTER = `apiVersion: v1
kind: List
items:
- { apiVersion: v1, kind: Namespace, metadata: { name: shop, labels: { team: web } } }
- { apiVersion: v1, kind: Namespace, metadata: { name: analytics } }
- apiVersion: apps/v1
  kind: Deployment
  metadata: { name: web, namespace: shop }
  spec: { selector: { matchLabels: { app: web } }, template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: c, image: i }] } } }
- apiVersion: apps/v1
  kind: Deployment
  metadata: { name: db, namespace: shop }
  spec: { selector: { matchLabels: { app: db } }, template: { metadata: { labels: { app: db } }, spec: { containers: [{ name: c, image: i, ports: [{ name: pg, containerPort: 5432 }] }] } } }
- apiVersion: apps/v1
  kind: Deployment
  metadata: { name: report, namespace: analytics }
  spec: { selector: { matchLabels: { app: report } }, template: { metadata: { labels: { app: report } }, spec: { containers: [{ name: c, image: i }] } } }
`;

const POLICIES = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: db, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: db } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: "5432", protocol: TCP }] }]
  - fromEndpoints: [{ matchLabels: { app: report } }]
    toPorts: [{ ports: [{ port: "5432", protocol: TCP }] }]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toFQDNs: [{ matchName: api.stripe.com }]
    toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
  - toEndpoints: [{ matchLabels: { app: db } }]
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-trace-'));
  await writeFile(join(dir, 'cluster.yaml'), CLUSTER);
  await writeFile(join(dir, 'policies.yaml'), POLICIES);
});

async function trace(from: string, to: string, port: string, extra: string[] = []) {
  const io = captureIo();
  const code = await main(['trace', '--from', from, '--to', to, '--port', port, '--policies', join(dir, 'policies.yaml'), '--cluster', join(dir, 'cluster.yaml'), ...extra], io);
  return { code, out: io.out(), err: io.err() };
}

describe('tighten trace', () => {
  it('names the rules that allow a connection, exit 0', async () => {
    const r = await trace('shop/web', 'shop/db', '5432/TCP');
    expect(r.code).toBe(0);
    expect(r.out).toContain('egress of the source: ALLOWED by CiliumNetworkPolicy shop/web egress[1]');
    expect(r.out).toContain('ingress of the destination: ALLOWED by CiliumNetworkPolicy shop/db ingress[0]');
    expect(r.out).toContain('verdict: ALLOWED');
  });

  it('explains a drop on the wrong port as a near miss, exit 1', async () => {
    const r = await trace('shop/web', 'shop/db', '5433');
    expect(r.code).toBe(1);
    expect(r.out).toContain("DENIED by default deny");
    expect(r.out).toContain('near miss: CiliumNetworkPolicy shop/db ingress[0] — wrong port: it allows this peer on 5432/TCP, not on 5433/TCP');
    expect(r.out).toContain("verdict: DROPPED at the destination's ingress");
  });

  it('explains namespace pinning', async () => {
    const r = await trace('analytics/report', 'shop/db', '5432/TCP');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/near miss: CiliumNetworkPolicy shop\/db ingress\[1\] — namespace pinning: .* namespace shop, but the peer is in analytics/);
  });

  it('explains a toFQDNs rule with no DNS name known for the address', async () => {
    const r = await trace('shop/web', '198.51.100.7', '443/TCP');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/near miss: CiliumNetworkPolicy shop\/web egress\[0\] — missing DNS name: .*api\.stripe\.com.*rules\.dns/);
    const byName = await trace('shop/web', 'api.stripe.com', '443/TCP');
    expect(byName.code).toBe(0);
  });

  it('prints JSON with both directions and the near misses', async () => {
    const r = await trace('shop/web', 'shop/db', '5433', ['-o', 'json']);
    const doc = JSON.parse(r.out) as { kind: string; allowed: boolean; ingress: { decision: string; nearMisses: { reason: string }[] }; egress: { decision: string } };
    expect(doc.kind).toBe('Trace');
    expect(doc.allowed).toBe(false);
    expect(doc.egress.decision).toBe('allowed');
    expect(doc.ingress.decision).toBe('denied-default');
    expect(doc.ingress.nearMisses[0]!.reason).toMatch(/^wrong port/);
  });

  it('rejects unknown endpoints and ports with exit 2', async () => {
    const r = await trace('shop/wbe', 'shop/db', '5432');
    expect(r.code).toBe(2);
    expect(r.err).toContain('Did you mean "shop/web"?');
    expect((await trace('shop/web', 'shop/db', 'http')).code).toBe(2);
    expect((await trace('entity:hots', 'shop/db', '5432')).code).toBe(2);
  });
});
