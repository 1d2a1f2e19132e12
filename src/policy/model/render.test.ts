import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { decodePolicies } from './decode.js';
import { renderPolicies, renderPolicy } from './render.js';
import type { CiliumClusterwideNetworkPolicy, CiliumNetworkPolicy, NetworkPolicy, Policy } from './types.js';

const web: CiliumNetworkPolicy = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { namespace: 'shop', name: 'web', labels: { 'app.kubernetes.io/managed-by': 'tighten' } },
  spec: {
    egress: [{ toPorts: [{ ports: [{ protocol: 'TCP', port: '5432' }] }], toEndpoints: [{ matchLabels: { app: 'db' } }] }],
    endpointSelector: { matchLabels: { app: 'web' } },
  },
};
const dns: CiliumClusterwideNetworkPolicy = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumClusterwideNetworkPolicy',
  metadata: { name: 'dns' },
  spec: { endpointSelector: {}, enableDefaultDeny: { egress: false, ingress: false }, egress: [{ toEntities: ['cluster'] }] },
};
const deny: NetworkPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'deny', namespace: 'shop' },
  spec: { podSelector: {}, policyTypes: ['Ingress'] },
};
const api: CiliumNetworkPolicy = { ...web, metadata: { name: 'api', namespace: 'shop' } };
const other: CiliumNetworkPolicy = { ...web, metadata: { name: 'web', namespace: 'a-first' } };

describe('renderPolicy', () => {
  test('Kubernetes order at the top and in metadata, sorted keys elsewhere, kubectl-style lists', () => {
    expect(renderPolicy(web)).toBe(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
  labels:
    app.kubernetes.io/managed-by: tighten
spec:
  egress:
  - toEndpoints:
    - matchLabels:
        app: db
    toPorts:
    - ports:
      - port: "5432"
        protocol: TCP
  endpointSelector:
    matchLabels:
      app: web
`);
  });

  test('keeps empty lists and meaningful empty objects; drops undefined and void empty objects', () => {
    const p: CiliumNetworkPolicy = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'e', namespace: 'dev', labels: {}, annotations: undefined as unknown as Record<string, string> },
      spec: {
        endpointSelector: { matchLabels: {} },
        enableDefaultDeny: {},
        ingress: [],
        egress: [{ toEndpoints: [], toPorts: [{ ports: [{ port: '80' }], rules: {} }] }, {}, { toEndpoints: [{}] }],
        description: undefined as unknown as string,
      },
    };
    expect(renderPolicy(p)).toBe(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: e
  namespace: dev
spec:
  egress:
  - toEndpoints: []
    toPorts:
    - ports:
      - port: "80"
  - {}
  - toEndpoints:
    - {}
  endpointSelector: {}
  ingress: []
`);
  });

  test('quotes strings that YAML 1.1 (kubectl) or 1.2 would read as something else', () => {
    const p: CiliumNetworkPolicy = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'q', namespace: 'n' },
      spec: {
        endpointSelector: { matchLabels: { enabled: 'yes', legacy: 'on', n: 'no', oct: '0o17', date: '2024-01-01', plain: 'web', empty: '', 'reserved:host': '' } },
        egress: [{ toFQDNs: [{ matchPattern: '*.example.com' }] }],
      },
    };
    const out = renderPolicy(p);
    expect(out).toContain('enabled: "yes"');
    expect(out).toContain('legacy: "on"');
    expect(out).toContain('"n": "no"');
    expect(out).toContain('oct: "0o17"');
    expect(out).toContain('date: "2024-01-01"');
    expect(out).toContain('plain: web');
    expect(out).toContain('empty: ""');
    expect(out).toContain('reserved:host: ""');
    expect(out).toContain('- matchPattern: "*.example.com"');
    expect(parse(out, { version: '1.1' })).toEqual(parse(out, { version: '1.2' }));
    expect(parse(out)).toEqual(JSON.parse(JSON.stringify(p)));
  });

  test('never folds long lines', () => {
    const description = 'x '.repeat(200).trim();
    const out = renderPolicy({ ...web, spec: { ...web.spec!, description } });
    expect(out).toContain(`description: ${description}\n`);
  });
});

describe('renderPolicies', () => {
  test('sorts by kind, namespace and name; separates documents with ---; one trailing newline', () => {
    const out = renderPolicies([web, deny, dns, api, other]);
    const docs = out.split('---\n').map((d) => parse(d) as Policy);
    expect(docs.map((d) => `${d.kind} ${d.metadata.namespace ?? ''}/${d.metadata.name}`)).toEqual([
      'CiliumClusterwideNetworkPolicy /dns',
      'CiliumNetworkPolicy a-first/web',
      'CiliumNetworkPolicy shop/api',
      'CiliumNetworkPolicy shop/web',
      'NetworkPolicy shop/deny',
    ]);
    expect(out.endsWith('\n')).toBe(true);
    expect(out.endsWith('\n\n')).toBe(false);
    expect(out.startsWith('---')).toBe(false);
  });

  test('is deterministic: any input order gives the same bytes', () => {
    const all = [web, deny, dns, api, other];
    const expected = renderPolicies(all);
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 20; round++) {
      const shuffled = [...all].sort(() => random() - 0.5);
      // Key order inside the objects must not matter either.
      const reordered = shuffled.map((p) => JSON.parse(JSON.stringify(p, Object.keys(flatKeys(p)).reverse())) as Policy);
      expect(renderPolicies(shuffled)).toBe(expected);
      expect(renderPolicies(reordered)).toBe(expected);
    }
  });

  test('no policies give the empty string', () => {
    expect(renderPolicies([])).toBe('');
  });
});

describe('round trip', () => {
  test('decode → render → decode is the identity, including [] versus omitted', () => {
    const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: rt, namespace: n, annotations: {note: "80"}}
specs:
- endpointSelector: {matchExpressions: [{key: "k8s:app", operator: In, values: [a, b]}]}
  ingress: []
  ingressDeny: [{fromEntities: [world]}]
  egress:
  - toEndpoints: []
    toPorts: [{ports: [{port: 53, protocol: UDP}], rules: {dns: [{matchPattern: "*"}]}}]
  - toPorts: [{ports: [{port: "443", protocol: TCP}], serverNames: [api.example.com]}]
  - icmps: [{fields: [{type: 8}, {type: EchoRequest, family: IPv6}]}]
  - {}
- nodeSelector: {}
  enableDefaultDeny: {ingress: false}
  egress: [{toCIDRSet: [{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: n}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress: [{}]
  egress: [{to: [], ports: [{port: 53}, {port: dns, protocol: UDP}]}]
`;
    const first = decodePolicies(text, 'rt.yaml').policies.map((p) => p.policy);
    const rendered = renderPolicies(first);
    const second = decodePolicies(rendered, 'rendered.yaml').policies.map((p) => p.policy);
    expect(second).toEqual(first);
    expect(renderPolicies(second)).toBe(rendered);
    const egress = (second[0] as CiliumNetworkPolicy).specs![0]!.egress!;
    expect(egress[0]!.toEndpoints).toEqual([]);
    expect('toEndpoints' in egress[1]!).toBe(false);
    expect((second[1] as NetworkPolicy).spec.egress![0]!.to).toEqual([]);
    expect('from' in (second[1] as NetworkPolicy).spec.ingress![0]!).toBe(false);
  });
});

/** Every key of a nested value (for JSON.stringify's key list, which also fixes the output order). */
function flatKeys(v: unknown, out: Record<string, true> = {}): Record<string, true> {
  if (Array.isArray(v)) v.forEach((x) => flatKeys(x, out));
  else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      out[k] = true;
      flatKeys(x, out);
    }
  }
  return out;
}
