import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderPolicies, type CiliumNetworkPolicy, type EgressRule, type IngressRule, type LoadedPolicy } from '../model/index.js';
import { asEnforcing } from '../simulate.js';
import { generatePolicies, ruleId, type GenerateOptions, type GenerateResult } from './index.js';
import { demoFixture, handFixture, type Fixture, type HandEdge, type HandWorkload } from './test-support/fixtures.js';
import { invalidPolicies, unexplainedDrops, unobservedAllows } from './test-support/invariants.js';

const run = (f: Fixture, options?: GenerateOptions): GenerateResult => generatePolicies(f.inventory, f.understanding, f.cluster, f.config, options);
const policyOf = (r: GenerateResult, ns: string, name: string): CiliumNetworkPolicy => {
  const p = r.perWorkload.find((x) => x.workload.namespace === ns && x.workload.name === name);
  if (p === undefined) throw new Error(`no policy for ${ns}/${name}: ${JSON.stringify(r.skipped)}`);
  return p.policy;
};
const render = (r: GenerateResult): string => renderPolicies([...r.baseline.map((b) => b.policy), ...r.perWorkload.map((p) => p.policy)]);

const SHOP: HandWorkload[] = [
  { id: 'shop/web', labels: { app: 'web', 'pod-template-hash': 'abc12' } },
  { id: 'shop/api', labels: { 'app.kubernetes.io/name': 'api', app: 'api' } },
  { id: 'data/db', labels: { app: 'db' }, kind: 'StatefulSet' },
  { id: 'kube-system/coredns', labels: { 'k8s-app': 'kube-dns' } },
  { id: 'monitoring/prometheus', labels: { 'app.kubernetes.io/name': 'prometheus' }, kind: 'StatefulSet' },
];
const SHOP_EDGES: HandEdge[] = [
  { from: 'shop/web', to: 'shop/api', port: 8080 },
  { from: 'shop/api', to: 'data/db', port: 5432 },
  { from: 'shop/web', to: 'kube-system/coredns', port: 53, protocol: 'UDP', dns: ['api.example.com', 'api.shop.svc.cluster.local'] },
  { from: 'shop/api', to: 'kube-system/coredns', port: 53, protocol: 'UDP' },
  { from: 'shop/web', to: 'ip:192.0.2.7=api.example.com,cdn.other.example', port: 443 },
  { from: 'shop/api', to: 'ip:192.0.2.9', port: 443 },
  { from: 'monitoring/prometheus', to: 'shop/api', port: 9090 },
  { from: 'monitoring/prometheus', to: 'shop/web', port: 9090 },
  { from: 'monitoring/prometheus', to: 'data/db', port: 9187 },
  { from: 'monitoring/prometheus', to: 'kube-system/coredns', port: 9153 },
  { from: 'monitoring/prometheus', to: 'monitoring/prometheus', port: 9091 },
  { from: 'monitoring/prometheus', to: 'entity:kube-apiserver', port: 6443 },
  { from: 'shop/api', to: 'entity:kube-apiserver', port: 443 },
  { from: 'entity:host', to: 'shop/web', port: 8080 },
  { from: 'entity:remote-node', to: 'shop/web', port: 8080 },
  { from: 'ip:203.0.113.10', to: 'shop/web', port: 8443 },
  { from: 'shop/web', to: 'data/db', port: 5432, verdict: 'DROPPED' },
  { from: 'shop/web', to: 'shop/api', port: 8, protocol: 'ICMPv4' },
];

describe('generatePolicies on a hand-made shop', () => {
  const f = handFixture(SHOP, SHOP_EDGES);
  const r = run(f);

  it('rolls out the application namespaces, not kube-system, and leaves platform services to the baseline', () => {
    expect(r.namespaces).toEqual(['data', 'shop']);
    expect(r.perWorkload.map((p) => `${p.workload.namespace}/${p.workload.name}`)).toEqual(['data/db', 'shop/api', 'shop/web']);
    expect(r.skipped).toEqual([]);
  });

  it('writes the baseline: DNS first, with the L7 DNS rule, never isolating', () => {
    expect(r.baseline.map((b) => b.concern)).toEqual(['dns', 'metrics', 'kube-apiserver']);
    const dns = r.baseline[0]!.policy;
    expect(dns.metadata.name).toBe('tighten-baseline-dns');
    expect(dns.spec!.enableDefaultDeny).toEqual({ ingress: false, egress: false });
    expect(dns.spec!.endpointSelector).toEqual({ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['data', 'shop'] }] });
    expect(dns.spec!.egress).toEqual([
      {
        toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }],
        toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }],
      },
    ]);
    const metrics = r.baseline[1]!.policy;
    expect(metrics.specs!.map((s) => [s.endpointSelector, s.ingress])).toEqual([
      [
        { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'data' } },
        [{ fromEndpoints: [{ matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'k8s:io.kubernetes.pod.namespace': 'monitoring' } }], toPorts: [{ ports: [{ port: '9187', protocol: 'TCP' }] }] }],
      ],
      [
        { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop' } },
        [{ fromEndpoints: [{ matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'k8s:io.kubernetes.pod.namespace': 'monitoring' } }], toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }] }] }],
      ],
    ]);
    expect(r.baseline[2]!.policy.spec).toMatchObject({
      endpointSelector: { matchExpressions: [{ values: ['shop'] }] },
      egress: [{ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }],
    });
  });

  it('one policy per workload: exact ports, intra- and cross-namespace peers apart, the namespace named across', () => {
    const web = policyOf(r, 'shop', 'web');
    expect(web.metadata).toEqual({ name: 'web', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'tighten' } });
    expect(web.spec!.endpointSelector).toEqual({ matchLabels: { app: 'web' } });
    expect(web.spec!.egress).toEqual<EgressRule[]>([
      { toEndpoints: [{ matchLabels: { 'app.kubernetes.io/name': 'api' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] },
      { toEndpoints: [{ matchLabels: { 'app.kubernetes.io/name': 'api' } }], icmps: [{ fields: [{ family: 'IPv4', type: 8 }] }] },
      { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    ]);
    // The host's probes pass by allow-localhost; remote nodes and the world need rules.
    expect(web.spec!.ingress).toEqual<IngressRule[]>([
      { fromEntities: ['remote-node'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] },
      { fromEntities: ['world'], toPorts: [{ ports: [{ port: '8443', protocol: 'TCP' }] }] },
    ]);
    const api = policyOf(r, 'shop', 'api');
    expect(api.spec!.egress).toEqual<EgressRule[]>([
      { toEndpoints: [{ matchLabels: { app: 'db', 'k8s:io.kubernetes.pod.namespace': 'data' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] },
      { toCIDR: ['192.0.2.9/32'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    ]);
    const db = policyOf(r, 'data', 'db');
    expect(db.spec!.ingress).toEqual<IngressRule[]>([
      { fromEndpoints: [{ matchLabels: { 'app.kubernetes.io/name': 'api', 'k8s:io.kubernetes.pod.namespace': 'shop' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] },
    ]);
    expect(db.spec!.egress).toEqual([{}]);
  });

  it('keeps only the names the workload asked for, flags the CIDR fallback, and says toFQDNs needs the baseline DNS rule', () => {
    const fqdn = r.evidence.rules.find((x) => x.peers.includes('api.example.com'))!;
    expect(fqdn.notes!.join(' ')).toContain('tighten-baseline-dns');
    const cidr = r.evidence.rules.find((x) => x.peers.includes('192.0.2.9/32'))!;
    expect(cidr.notes!.join(' ')).toContain('waiting for DNS visibility');
    expect(r.summary.cidrFallbacks).toBe(1);
    expect(r.findings.map((x) => x.code)).toContain('recommend-cidr-fallback');
  });

  it('no rule for traffic only ever dropped', () => {
    expect(JSON.stringify(policyOf(r, 'shop', 'web').spec!.egress)).not.toContain('5432');
    expect(r.evidence.dropped.map((d) => `${d.edge.port}`)).toEqual(['5432']);
  });

  it('evidence: a stable, unique id per rule element, kept out of the policy', () => {
    const ids = r.evidence.rules.map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^r-[0-9a-f]{12}$/);
    expect(render(r)).not.toMatch(/r-[0-9a-f]{12}|description/);
    const toApi = r.evidence.rules.find((x) => x.policy.name === 'web' && x.section === 'egress' && x.index === 0)!;
    expect(toApi).toMatchObject({ peers: ['shop/Deployment/api'], ports: ['8080/TCP'], edges: 1, flows: 3 });
    // Adding unrelated traffic keeps every existing rule's id.
    const more = run(handFixture(SHOP, [...SHOP_EDGES, { from: 'shop/api', to: 'shop/web', port: 9000 }]));
    const before = new Set(ids);
    expect(more.evidence.rules.filter((x) => !before.has(x.id)).map((x) => `${x.policy.name} ${x.section} ${x.peers.join()}`)).toEqual([
      'api egress shop/Deployment/web',
      'web ingress shop/Deployment/api',
    ]);
  });

  it('is valid: validatePolicy and the CRD schemas accept every policy', () => {
    expect(invalidPolicies(r)).toEqual([]);
  });

  it('"as enforced" leaves the baseline as it is: it never isolates', () => {
    for (const b of r.baseline) expect(asEnforcing({ policy: b.policy })).toEqual({ policy: b.policy });
    expect(asEnforcing({ policy: policyOf(r, 'shop', 'web') })).toEqual({ policy: policyOf(r, 'shop', 'web') });
  });

  it('is sound and tight', () => {
    expect(unexplainedDrops(f, r)).toEqual([]);
    expect(unobservedAllows(f, r)).toEqual([]);
  });

  it('is deterministic: the same input in any order gives the same bytes', () => {
    const shuffled = handFixture([...SHOP].reverse(), [...SHOP_EDGES].reverse());
    expect(render(run(shuffled))).toBe(render(r));
    expect(JSON.stringify(run(shuffled).evidence.rules)).toBe(JSON.stringify(r.evidence.rules));
  });

  it('honours the rollout namespaces given', () => {
    const only = run(f, { namespaces: ['data'] });
    expect(only.perWorkload.map((p) => p.workload.name)).toEqual(['db']);
    expect(only.baseline[0]!.policy.spec!.endpointSelector!.matchExpressions![0]!.values).toEqual(['data']);
  });

  it('writes a configured FQDN pattern instead of the names it covers', () => {
    const patterned = run(f, { fqdnPatterns: ['*.example.com'] });
    expect(JSON.stringify(policyOf(patterned, 'shop', 'web').spec!.egress)).toContain('"matchPattern":"*.example.com"');
    expect(invalidPolicies(patterned)).toEqual([]);
  });
});

describe('selectors and what gets no policy', () => {
  const ws: HandWorkload[] = [
    { id: 'shop/catalog', labels: { app: 'catalog' } },
    { id: 'shop/catalog-canary', labels: { app: 'catalog', track: 'canary' } },
    { id: 'shop/front', labels: { app: 'front' } },
    { id: 'web/a', labels: { app: 'site' } },
    { id: 'web/b', labels: { app: 'site' } },
    { id: 'shop/batch', labels: { 'job-name': 'batch-123', 'controller-uid': 'x' }, kind: 'Job' },
    { id: 'shop/report', labels: { app: 'report' }, kind: 'CronJob' },
    { id: 'shop/netshoot', labels: { run: 'netshoot' }, kind: 'Pod' },
  ];
  const es: HandEdge[] = [
    { from: 'shop/front', to: 'shop/catalog', port: 3550 },
    { from: 'shop/front', to: 'shop/catalog-canary', port: 3550 },
    { from: 'web/a', to: 'shop/front', port: 80 },
    { from: 'shop/batch', to: 'shop/catalog', port: 3550 },
    { from: 'shop/report', to: 'shop/catalog', port: 3550 },
    { from: 'shop/netshoot', to: 'shop/front', port: 80 },
  ];
  const f = handFixture(ws, es);
  const r = run(f);

  it('tells a canary apart by track, and its sibling by track DoesNotExist', () => {
    expect(policyOf(r, 'shop', 'catalog').spec!.endpointSelector).toEqual({ matchLabels: { app: 'catalog' }, matchExpressions: [{ key: 'track', operator: 'DoesNotExist' }] });
    expect(policyOf(r, 'shop', 'catalog-canary').spec!.endpointSelector).toEqual({ matchLabels: { app: 'catalog', track: 'canary' } });
    expect(policyOf(r, 'shop', 'front').spec!.egress).toEqual([
      {
        toEndpoints: [{ matchExpressions: [{ key: 'track', operator: 'DoesNotExist' }], matchLabels: { app: 'catalog' } }, { matchLabels: { app: 'catalog', track: 'canary' } }],
        toPorts: [{ ports: [{ port: '3550', protocol: 'TCP' }] }],
      },
    ]);
  });

  it('CronJobs get their own policy; workloads without a usable selector and debug pods get none, with a finding', () => {
    expect(policyOf(r, 'shop', 'report').spec!.egress).toHaveLength(1);
    expect(r.skipped.map((s) => `${s.workload.name}:${s.code}`)).toEqual(['batch:no-selector', 'netshoot:debug', 'a:no-selector', 'b:no-selector']);
    expect(r.findings.filter((x) => x.code === 'recommend-no-policy').map((x) => ('name' in x.subject ? x.subject.name : ''))).toEqual(['batch', 'a', 'b']);
    // The traffic those cannot be named in stays out, and says why.
    expect(r.evidence.notAllowed.map((n) => `${'name' in n.edge.source ? n.edge.source.name : ''} ${n.direction}`).sort()).toEqual([
      'a ingress',
      'batch ingress',
      'netshoot ingress',
    ]);
    expect(unexplainedDrops(f, r)).toEqual([]);
    expect(unobservedAllows(f, r)).toEqual([]);
    expect(invalidPolicies(r)).toEqual([]);
  });
});

describe('existing policies are respected', () => {
  const ws: HandWorkload[] = [
    { id: 'shop/front', labels: { app: 'front' } },
    { id: 'shop/catalog', labels: { app: 'catalog' } },
    { id: 'other/reader', labels: { app: 'reader' } },
  ];
  const es: HandEdge[] = [
    { from: 'shop/front', to: 'shop/catalog', port: 3550 },
    { from: 'other/reader', to: 'shop/catalog', port: 3550 },
  ];
  const existing: LoadedPolicy = {
    policy: {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'catalog-ingress', namespace: 'shop' },
      spec: {
        endpointSelector: { matchLabels: { app: 'catalog' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'front' } }], toPorts: [{ ports: [{ port: '3550', protocol: 'TCP' }] }] }],
      },
    },
  };
  const f = handFixture(ws, es);
  const r = run(f, { existing: [existing] });

  it('what they allow is noted, not written again; what they drop gets no rule', () => {
    const catalog = policyOf(r, 'shop', 'catalog');
    expect(catalog.spec!.ingress).toEqual([{}]);
    expect(r.evidence.covered.find((c) => c.direction === 'ingress')!.reason).toContain('CiliumNetworkPolicy shop/catalog-ingress ingress[0]');
    expect(r.evidence.dropped.map((d) => ('name' in d.edge.source ? d.edge.source.name : ''))).toEqual(['reader']);
    expect(JSON.stringify(policyOf(r, 'other', 'reader').spec!.egress)).not.toContain('3550');
    expect(unexplainedDrops(f, r, [existing])).toEqual([]);
    expect(unobservedAllows(f, r, [existing])).toEqual([]);
  });

  it("tighten's own earlier policies are not taken for existing ones", () => {
    const own: LoadedPolicy = { policy: { ...policyOf(run(f), 'shop', 'catalog') } };
    expect(render(run(f, { existing: [own] }))).toBe(render(run(f)));
  });
});

describe('the demo cluster', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: valid, sound, tight and deterministic`, () => {
      const f = demoFixture(seed);
      const r = run(f);
      expect(r.perWorkload.length).toBeGreaterThan(15);
      expect(invalidPolicies(r)).toEqual([]);
      expect(unexplainedDrops(f, r)).toEqual([]);
      expect(unobservedAllows(f, r)).toEqual([]);
      expect(render(run(f))).toBe(render(r));
      // Rule ids are the hash of the element as written (the composed canonical text is the canonical JSON).
      for (const p of [...r.perWorkload, ...r.baseline]) {
        const specs = p.policy.spec ? [p.policy.spec] : p.policy.specs!;
        for (const x of p.rules) {
          const rule = specs[x.spec]!;
          const element = rule[x.section]![x.index];
          expect(x.id).toBe(ruleId({ kind: p.policy.kind, ...(p.policy.metadata.namespace ? { namespace: p.policy.metadata.namespace } : {}), name: p.policy.metadata.name, subject: rule.endpointSelector, section: x.section, element }));
        }
      }
      // What a Cilium engineer checks in review: every cross-namespace peer names its namespace, every selector is
      // on stable labels, platform services are not repeated per workload.
      for (const p of r.perWorkload) {
        const ns = p.policy.metadata.namespace;
        const sections = [...(p.policy.spec!.ingress ?? []).map((x) => x.fromEndpoints ?? []), ...(p.policy.spec!.egress ?? []).map((x) => x.toEndpoints ?? [])];
        for (const sel of sections.flat()) {
          const keys = Object.keys(sel.matchLabels ?? {});
          expect(keys.some((k) => /hash|controller-uid|job-name|pod-name|batch\.kubernetes\.io/.test(k))).toBe(false);
          const other = sel.matchLabels?.['k8s:io.kubernetes.pod.namespace'];
          if (other !== undefined) expect(other).not.toBe(ns);
        }
        expect(JSON.stringify(p.policy)).not.toMatch(/kube-dns|opentelemetry-collector|"vault"/);
      }
    });
  }
});

describe('property: random inventories', () => {
  const NS = ['a', 'b'] as const;
  const workloadArb = fc.record({ ns: fc.constantFrom(...NS), app: fc.constantFrom('w1', 'w2', 'w3', 'w4'), track: fc.option(fc.constant('canary'), { nil: undefined }) });
  const peerArb = (ids: readonly string[]) => fc.oneof(fc.constantFrom(...ids), fc.constantFrom('entity:world', 'entity:remote-node', 'entity:kube-apiserver', 'entity:host', 'ip:192.0.2.5=x.example.com', 'ip:192.0.2.6', 'ip:203.0.113.1'));
  it('generated sets are valid, sound and tight', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(workloadArb, { minLength: 2, maxLength: 6, selector: (w) => `${w.ns}/${w.app}${w.track ?? ''}` }).chain((ws) => {
          const hand: HandWorkload[] = ws.map((w) => ({ id: `${w.ns}/${w.app}${w.track ? '-canary' : ''}`, labels: { app: w.app, ...(w.track ? { track: w.track } : {}) } }));
          const ids = hand.map((h) => h.id);
          const edgeArb = fc.record({
            from: peerArb(ids),
            to: peerArb(ids),
            port: fc.constantFrom(53, 80, 443, 8080),
            protocol: fc.constantFrom('TCP' as const, 'TCP' as const, 'UDP' as const),
            verdict: fc.constantFrom('FORWARDED' as const, 'FORWARDED' as const, 'DROPPED' as const),
          });
          return fc.tuple(fc.constant(hand), fc.array(edgeArb, { maxLength: 14 }));
        }),
        ([hand, edges]) => {
          const usable = edges.filter((e) => !(e.from.includes(':') && e.to.includes(':')));
          const f = handFixture(hand, usable);
          const r = run(f);
          expect(invalidPolicies(r)).toEqual([]);
          expect(unexplainedDrops(f, r)).toEqual([]);
          expect(unobservedAllows(f, r)).toEqual([]);
        },
      ),
      { seed: 42, numRuns: 150 },
    );
  });
});
