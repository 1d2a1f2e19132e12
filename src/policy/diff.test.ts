import { describe, expect, it } from 'vitest';
import { decodeClusterDocuments, isVolatileLabelKey, type ClusterSnapshot, type Workload } from '../cluster/index.js';
import { decodeHubbleLine } from '../flows/index.js';
import { InventoryBuilder, type Peer } from '../inventory/index.js';
import { generateSample } from '../sample/index.js';
import { compileEvaluator, compileReferenceEvaluator, type ConnectionProtocol } from './evaluate/index.js';
import { diffPolicySets, isEmptyDiff, peerKey, type DiffOptions, type DiffUniverse, type PairChange, type PolicyDiff } from './diff.js';
import { buildDiffUniverse } from './diff-universe.js';
import { identityContext } from './endpoints.js';
import { decodePolicyObject, sanitizePolicies, type CiliumNetworkPolicy, type EgressRule, type IngressRule, type LoadedPolicy, type Rule } from './model/index.js';

// ---- a hand-made cluster -------------------------------------------------------------------------------

function deployment(namespace: string, name: string, labels: Record<string, string>, ports: { name?: string; containerPort: number; protocol?: string }[] = []) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name, image: 'x', ports }] } } },
  };
}
const namespace = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } });

const CLUSTER = decodeClusterDocuments(
  [
    namespace('shop'),
    namespace('data'),
    namespace('other'),
    deployment('shop', 'web', { app: 'web' }, [{ name: 'http', containerPort: 8080 }]),
    deployment('shop', 'api', { app: 'api' }, [{ name: 'grpc', containerPort: 9000 }]),
    deployment('data', 'db', { app: 'db' }, [{ containerPort: 5432 }]),
    deployment('shop', 'worker', { app: 'worker' }),
    deployment('other', 'api', { app: 'api' }, [{ name: 'grpc', containerPort: 9000 }]),
    deployment('other', 'worker', { app: 'worker' }),
  ].map((object, i) => ({ source: `cluster#${i + 1}`, object })),
);

const cnp = (ns: string, name: string, spec: Rule): LoadedPolicy => ({
  policy: { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: ns }, spec } satisfies CiliumNetworkPolicy,
});
const specOf = (p: LoadedPolicy): Rule => (p.policy as CiliumNetworkPolicy).spec!;
const tcp = (...ports: string[]) => [{ ports: ports.map((port) => ({ port, protocol: 'TCP' as const })) }];

const API_INGRESS = cnp('shop', 'api', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: tcp('9000') }] });
const WEB_EGRESS = cnp('shop', 'web', {
  endpointSelector: { matchLabels: { app: 'web' } },
  egress: [
    { toEntities: ['world'], toPorts: tcp('443') },
    { toEndpoints: [{ matchLabels: { app: 'api' } }], toPorts: tcp('9000') },
  ],
});
const DB_INGRESS = cnp('data', 'db', {
  endpointSelector: { matchLabels: { app: 'db' } },
  ingress: [{ fromEndpoints: [{ matchLabels: { app: 'api', 'k8s:io.kubernetes.pod.namespace': 'shop' } }], toPorts: tcp('5432') }],
});
const A: readonly LoadedPolicy[] = [API_INGRESS, WEB_EGRESS, DB_INGRESS];

function universeOf(cluster: ClusterSnapshot, policies: readonly LoadedPolicy[], extra: Partial<DiffUniverse> = {}): DiffUniverse {
  const identities = identityContext(cluster);
  const { endpoints, observed } = buildDiffUniverse({ cluster, identities, policies });
  return { endpoints, ...(observed ? { observed } : {}), options: { clusterName: identities.clusterName }, ...extra };
}

function diff(a: readonly LoadedPolicy[], b: readonly LoadedPolicy[], universe = universeOf(CLUSTER, [...a, ...b]), options: DiffOptions = {}, compile = compileEvaluator): PolicyDiff {
  return diffPolicySets({ source: 'A', policies: a }, { source: 'B', policies: b }, universe, compile, options);
}

const peerText = (p: PairChange['source']) => peerKey(p).slice(2).replace(' ', '/');
const portsText = (c: PairChange) => c.ports.map((r) => `${r.from === r.to ? r.from : `${r.from}-${r.to}`}/${r.protocol}`).join(',');
/** `src → dst becomes ports [direction: old → new by …]` */
function summary(d: PolicyDiff): string[] {
  return d.changes.map(
    (c) =>
      `${peerText(c.source)} → ${peerText(c.destination)} ${c.becomes} ${portsText(c)} ${c.directions
        .map((x) => `${x.direction}:${x.old.decision}→${x.new.decision}${x.new.by.length ? `(${x.new.by.map((r) => `${r.name}.${r.section}[${r.index}]`).join(' ')})` : ''}`)
        .join(' ')}`,
  );
}

/** diff(B, A) as diff(A, B) should predict it: the same pairs and ports, becomes flipped, old and new swapped. */
function reversed(d: PolicyDiff): unknown[] {
  return d.changes.map((c) => ({ ...c, becomes: c.becomes === 'allowed' ? 'denied' : 'allowed', directions: c.directions.map((x) => ({ direction: x.direction, old: x.new, new: x.old })) }));
}
/** JSON with sorted keys, so objects built in different orders compare equal. */
const sortedJson = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(sortedJson).join(',')}]`
    : v !== null && typeof v === 'object'
      ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${sortedJson((v as Record<string, unknown>)[k])}`).join(',')}}`
      : JSON.stringify(v);
const canonicalChanges = (cs: readonly unknown[]) => cs.map(sortedJson).sort();

describe('diffPolicySets on a hand-made cluster', () => {
  it('diff A A is empty', () => {
    const d = diff(A, A);
    expect(isEmptyDiff(d)).toBe(true);
    expect(d.policies).toEqual([]);
    expect(d.universe.touched).toBe(0);
    expect(d.universe.pairsEvaluated).toBe(0);
  });

  it('a copy of A from other files, in another order, is still A', () => {
    const copy = [...A].reverse().map((p) => ({ ...structuredClone(p), source: { file: 'elsewhere.yaml' } }));
    expect(isEmptyDiff(diff(A, copy))).toBe(true);
  });

  it('adding a rule makes exactly its pairs allowed, on exactly its port', () => {
    const B = [cnp('shop', 'api', { ...specOf(API_INGRESS), ingress: [...specOf(API_INGRESS).ingress!, { fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'data' } }], toPorts: tcp('9000') }] }), WEB_EGRESS, DB_INGRESS];
    const d = diff(A, B);
    expect(summary(d)).toEqual(['data/db → shop/api allowed 9000/TCP ingress:denied-default→allowed(api.ingress[1])']);
    expect(d.policies).toEqual([{ kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'api', change: 'modified' }]);
    expect(d.totals).toMatchObject({ becomesAllowed: 1, becomesDenied: 0 });
  });

  it('a deny rule makes pairs denied, naming the deny', () => {
    const deny = cnp('shop', 'no-web-to-api', { endpointSelector: { matchLabels: { app: 'api' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] });
    const d = diff(A, [...A, deny]);
    expect(summary(d)).toEqual(['shop/web → shop/api denied 9000/TCP ingress:allowed→denied-rule(no-web-to-api.ingressDeny[0])']);
    expect(d.policies).toEqual([{ kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'no-web-to-api', change: 'added' }]);
  });

  const withApiIngress = (rule: IngressRule) => [cnp('shop', 'api', { ...specOf(API_INGRESS), ingress: [...specOf(API_INGRESS).ingress!, rule] }), WEB_EGRESS, DB_INGRESS];

  it('a peer selector pinned to the policy namespace only affects that namespace', () => {
    // shop/worker and other/worker both carry app=worker; neither is isolated at egress.
    const pinned = diff(A, withApiIngress({ fromEndpoints: [{ matchLabels: { app: 'worker' } }], toPorts: tcp('9000') }));
    expect(summary(pinned)).toEqual(['shop/worker → shop/api allowed 9000/TCP ingress:denied-default→allowed(api.ingress[1])']);
    const other = diff(A, withApiIngress({ fromEndpoints: [{ matchLabels: { app: 'worker', 'k8s:io.kubernetes.pod.namespace': 'other' } }], toPorts: tcp('9000') }));
    expect(summary(other)).toEqual(['other/worker → shop/api allowed 9000/TCP ingress:denied-default→allowed(api.ingress[1])']);
  });

  it('merges ports into ranges and resolves named ports against the destination', () => {
    const d = diff(A, withApiIngress({ fromEndpoints: [{ matchLabels: { app: 'worker' } }], toPorts: [{ ports: [{ port: '8000', endPort: 8100, protocol: 'TCP' }, { port: 'grpc', protocol: 'TCP' }, { port: '8101', protocol: 'TCP' }] }] }));
    expect(summary(d)).toEqual(['shop/worker → shop/api allowed 8000-8101/TCP,9000/TCP ingress:denied-default→allowed(api.ingress[1])']);
  });

  it('reports an L3-only change over every protocol and port', () => {
    const d = diff(A, withApiIngress({ fromEndpoints: [{ matchLabels: { app: 'worker' } }] }));
    expect(summary(d)).toEqual(['shop/worker → shop/api allowed 1-65535/TCP,1-65535/UDP,1-65535/SCTP,0-255/ICMPv4,0-255/ICMPv6 ingress:denied-default→allowed(api.ingress[1])']);
  });

  it('a removed policy opens what it isolated', () => {
    const d = diff(A, [API_INGRESS, DB_INGRESS]);
    expect(d.policies).toEqual([{ kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'web', change: 'removed' }]);
    expect(d.changes.length).toBeGreaterThan(0);
    expect(d.changes.every((c) => c.becomes === 'allowed' && peerText(c.source) === 'shop/web')).toBe(true);
    expect(d.changes.every((c) => c.directions.every((x) => x.direction === 'egress' && x.old.decision === 'denied-default' && x.new.decision === 'not-isolated'))).toBe(true);
    // web → other/api was denied on every port (web's egress allowed only shop/api); now it is not isolated.
    expect(summary(d)).toContain('shop/web → other/api allowed 1-65535/TCP,1-65535/UDP,1-65535/SCTP,0-255/ICMPv4,0-255/ICMPv6 egress:denied-default→not-isolated');
  });

  it('diff A B is the exact reverse of diff B A', () => {
    const B = [cnp('shop', 'api', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{}], toPorts: tcp('9000', '9090') }], ingressDeny: [{ fromEntities: ['world'] }] }), DB_INGRESS];
    const ab = diff(A, B);
    const ba = diff(B, A);
    expect(ab.changes.length).toBeGreaterThan(0);
    expect(canonicalChanges(ba.changes)).toEqual(canonicalChanges(reversed(ab)));
  });

  it('keeps the cluster\'s policies on both sides, unless a set names them', () => {
    const isolateDb = cnp('data', 'db', { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{}] });
    const other = cnp('other', 'api', { endpointSelector: {}, ingress: [{}] });
    const universe = universeOf(CLUSTER, A, { existing: [isolateDb, other] });
    const d = diff(A, A, universe);
    expect(d.existing).toEqual({ kept: 1, replaced: 1 });
    expect(isEmptyDiff(d)).toBe(true);
    // Deleting data/db from the set deletes the cluster's copy too: db is open again.
    const opened = diff(A, [API_INGRESS, WEB_EGRESS], universe);
    expect(opened.changes.length).toBeGreaterThan(0);
    expect(opened.changes.every((c) => peerText(c.destination) === 'data/db' && c.becomes === 'allowed')).toBe(true);
    // other/api stays isolated by the cluster's policy on both sides.
    expect(opened.changes.some((c) => peerText(c.destination) === 'other/api')).toBe(false);
  });

  it('scopes to namespaces: pairs with a workload of them at either end', () => {
    const B: LoadedPolicy[] = [];
    const all = diff(A, B);
    const data = diff(A, B, universeOf(CLUSTER, A, { namespaces: ['data'] }));
    expect(data.changes.length).toBeGreaterThan(0);
    expect(data.changes.every((c) => [c.source, c.destination].some((p) => 'namespace' in p && p.namespace === 'data'))).toBe(true);
    expect(canonicalChanges(data.changes)).toEqual(canonicalChanges(all.changes.filter((c) => [c.source, c.destination].some((p) => 'namespace' in p && p.namespace === 'data'))));
  });

  it('gives the same diff with the reference evaluator (no portSegments: ports split where any policy names one)', () => {
    const B = [cnp('shop', 'api', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '9000', endPort: 9010 }] }] }] }), WEB_EGRESS];
    const fast = diff(A, B);
    const reference = diff(A, B, undefined, {}, compileReferenceEvaluator);
    expect(fast.changes.length).toBeGreaterThan(0);
    expect(canonicalChanges(reference.changes)).toEqual(canonicalChanges(fast.changes));
  });

  it('includes the CIDRs and DNS names the policies write', () => {
    const B = [...A.filter((p) => p !== WEB_EGRESS), cnp('shop', 'web', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toFQDNs: [{ matchName: 'api.example.com' }], toPorts: tcp('443') }, { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }], toPorts: tcp('443') }, specOf(WEB_EGRESS).egress![1]!] })];
    const d = diff(A, B);
    // world (no address) loses 443; the name and 10.0.0.0/8 keep it through the new rules; 10.1.0.0/16 loses it.
    expect(summary(d)).toEqual([
      'shop/web → world denied 443/TCP egress:allowed→denied-default',
      'shop/web → 10.1.0.0/16 denied 443/TCP egress:allowed→denied-default',
    ]);
  });
});

// ---- observed edges --------------------------------------------------------------------------------------

describe('observed edges', () => {
  it('lists the observed edges whose verdict changes, most flows first', async () => {
    const { connection, pod } = await import('../test-support/hubble.js');
    const web = pod('shop', 'web-6d5c4b3a2f-aaaaa', '10.0.1.10', { app: 'web', 'pod-template-hash': '6d5c4b3a2f' });
    const api = pod('shop', 'api-7f6e5d4c3b-bbbbb', '10.0.1.20', { app: 'api', 'pod-template-hash': '7f6e5d4c3b' });
    const lines = [
      ...connection({ time: '2026-11-02T10:00:01Z', src: web, dst: api, dport: 9000, srcIsPod: true, dstIsPod: true }),
      ...connection({ time: '2026-11-02T10:00:02Z', src: web, dst: api, dport: 8080, srcIsPod: true, dstIsPod: true }),
      ...connection({ time: '2026-11-02T10:00:03Z', src: web, dst: api, dport: 8080, srcIsPod: true, dstIsPod: true }),
    ];
    const builder = new InventoryBuilder({ cluster: CLUSTER });
    for (const l of lines) {
      const f = decodeHubbleLine(l);
      if (f?.kind === 'flow') builder.add(f.flow);
    }
    const inventory = builder.finish();
    const identities = identityContext(CLUSTER);
    const { endpoints, observed } = buildDiffUniverse({ cluster: CLUSTER, inventory, identities, policies: A });
    const d = diffPolicySets({ source: 'none', policies: [] }, { source: 'A', policies: A }, { endpoints, observed: observed!, options: {} }, compileEvaluator);
    expect(d.observed!.map((o) => `${o.edge.port} x${o.edge.flows} ${o.becomes}`)).toEqual(['8080 x2 denied']);
    expect(d.totals).toMatchObject({ observedEdges: 1, observedFlows: 2 });
  });
});

// ---- generated clusters ----------------------------------------------------------------------------------

/** A per-workload CNP set allowing what the sample's truth says was observed (a rough `recommend`). */
function policiesFromTruth(cluster: ClusterSnapshot, edges: readonly { source: Peer; destination: Peer; port: number; protocol: string; verdict: string }[]): { policies: LoadedPolicy[]; selectable: (p: Peer) => boolean } {
  const ctx = identityContext(cluster);
  const workloads = new Map(cluster.workloads.map((w) => [`${w.namespace}/${w.name}`, w]));
  const selectorOf = (w: Workload | undefined): Record<string, string> | undefined => {
    if (w === undefined) return undefined;
    const labels = Object.entries(w.podLabels).filter(([k]) => !isVolatileLabelKey(k) && ctx.labelFilter.isRelevant(k, 'k8s'));
    return labels.length > 0 ? Object.fromEntries(labels) : undefined;
  };
  const ports = (e: { port: number; protocol: string }) =>
    e.protocol === 'ICMPv4' || e.protocol === 'ICMPv6'
      ? { icmps: [{ fields: [{ family: e.protocol === 'ICMPv6' ? ('IPv6' as const) : ('IPv4' as const), type: e.port }] }] }
      : { toPorts: [{ ports: [{ port: String(e.port), protocol: e.protocol as 'TCP' | 'UDP' | 'SCTP' }] }] };
  const rules = new Map<string, { ns: string; name: string; selector: Record<string, string>; ingress: IngressRule[]; egress: EgressRule[] }>();
  const entry = (p: Peer) => {
    if (!('namespace' in p)) return undefined;
    const selector = selectorOf(workloads.get(`${p.namespace}/${p.name}`));
    if (selector === undefined) return undefined;
    const key = `${p.namespace}/${p.name}`;
    let r = rules.get(key);
    if (r === undefined) rules.set(key, (r = { ns: p.namespace, name: p.name, selector, ingress: [], egress: [] }));
    return r;
  };
  for (const e of edges) {
    if (e.verdict !== 'FORWARDED' || !['TCP', 'UDP', 'ICMPv4', 'ICMPv6'].includes(e.protocol)) continue;
    const out = entry(e.source);
    const d = e.destination;
    if (out) {
      if ('namespace' in d) {
        const sel = selectorOf(workloads.get(`${d.namespace}/${d.name}`));
        if (sel) out.egress.push({ toEndpoints: [{ matchLabels: { ...sel, 'k8s:io.kubernetes.pod.namespace': d.namespace } }], ...ports(e) });
      } else if ('entity' in d) out.egress.push({ toEntities: [d.entity as 'world'], ...ports(e) });
      else if ('ip' in d) out.egress.push(d.names.length > 0 ? { toFQDNs: d.names.map((matchName) => ({ matchName })), ...ports(e) } : { toCIDR: [`${d.ip}/32`], ...ports(e) });
    }
    const into = entry(d);
    const s = e.source;
    if (into) {
      if ('namespace' in s) {
        const sel = selectorOf(workloads.get(`${s.namespace}/${s.name}`));
        if (sel) into.ingress.push({ fromEndpoints: [{ matchLabels: { ...sel, 'k8s:io.kubernetes.pod.namespace': s.namespace } }], ...ports(e) });
      } else if ('entity' in s) into.ingress.push({ fromEntities: [s.entity as 'world'], ...ports(e) });
      else if ('ip' in s) into.ingress.push({ fromCIDR: [`${s.ip}/32`], ...ports(e) });
    }
  }
  const policies = [...rules.values()].map((r) =>
    cnp(r.ns, r.name, { endpointSelector: { matchLabels: r.selector }, ...(r.ingress.length ? { ingress: r.ingress } : {}), ...(r.egress.length ? { egress: r.egress } : {}) }),
  );
  return { policies, selectable: (p) => !('namespace' in p) || selectorOf(workloads.get(`${p.namespace}/${p.name}`)) !== undefined };
}

/** Seeded variations of a policy set: drop a policy, open one to all ports, add a deny, pin a rule to another namespace. */
function mutate(policies: readonly LoadedPolicy[], seed: number): LoadedPolicy[] {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const out = policies.map((p) => structuredClone(p)) as { policy: CiliumNetworkPolicy }[];
  const pick = () => Math.floor(rand() * out.length);
  out.splice(pick(), 1);
  const open = out[pick()]!.policy;
  (open as { spec: Rule }).spec = { ...open.spec!, ingress: (open.spec!.ingress ?? []).map(({ toPorts: _p, icmps: _i, ...rest }) => rest) };
  const denied = out[pick()]!.policy;
  (denied as { spec: Rule }).spec = { ...denied.spec!, egressDeny: [{ toEntities: ['world'], toPorts: tcp('443') }, { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }] }] };
  const ranged = out[pick()]!.policy;
  (ranged as { spec: Rule }).spec = { ...ranged.spec!, egress: [...(ranged.spec!.egress ?? []), { toEndpoints: [{}], toPorts: [{ ports: [{ port: '8000', endPort: 8100 }] }] }] };
  return out;
}

const SAMPLES = [
  ['small, seed 1', { size: 'small', seed: 1 }],
  ['small, seed 7', { size: 'small', seed: 7 }],
  ['120 workloads, seed 3', { size: { workloads: 120, flows: 20_000, days: 1 }, seed: 3 }],
] as const;

describe.each(SAMPLES)('diffPolicySets on a generated cluster (%s)', (_name, options) => {
  const sample = generateSample(options);
  const cluster = decodeClusterDocuments(sample.cluster.map((object, i) => ({ source: `sample#${i + 1}`, object })));
  const builder = new InventoryBuilder({ cluster });
  for (const line of sample.flowLines()) {
    const d = decodeHubbleLine(line);
    if (d?.kind === 'flow') builder.add(d.flow);
  }
  const inventory = builder.finish();
  const identities = identityContext(cluster);
  const existing = sanitizePolicies(cluster.policies.map((p) => decodePolicyObject(p.object, { file: p.source }))).policies;
  const generated = policiesFromTruth(cluster, sample.truth.edges);
  const A = sanitizePolicies(generated.policies).policies;
  const variants = [1, 2, 3].map((seed) => sanitizePolicies(mutate(A, seed)).policies);
  const { endpoints, observed } = buildDiffUniverse({ cluster, inventory, identities, policies: [...A, ...variants.flat(), ...existing] });
  const universe: DiffUniverse = { endpoints, observed: observed!, existing, options: { clusterName: identities.clusterName } };
  const run = (a: readonly LoadedPolicy[], b: readonly LoadedPolicy[], opts: DiffOptions = {}) => diffPolicySets({ source: 'a', policies: a }, { source: 'b', policies: b }, universe, compileEvaluator, opts);

  it('generates a policy set that allows every observed forwarded edge between selectable workloads (the diff from nothing drops none)', () => {
    expect(A.length).toBeGreaterThan(10);
    const d = run([], A);
    const dropped = (d.observed ?? []).filter(
      (o) => o.becomes === 'denied' && o.edge.verdict === 'FORWARDED' && 'namespace' in o.edge.source && 'namespace' in o.edge.destination && generated.selectable(o.edge.source) && generated.selectable(o.edge.destination),
    );
    expect(dropped.map((o) => `${peerKey(o.edge.source)} → ${peerKey(o.edge.destination)} ${o.edge.port}`)).toEqual([]);
  });

  it('diff A A is empty', () => {
    const d = run(A, A);
    expect(isEmptyDiff(d)).toBe(true);
    expect(d.universe.pairsEvaluated).toBe(0);
  });

  it.each([1, 2, 3])('diff A B is the exact reverse of diff B A (variant %i), and pruning loses nothing', (seed) => {
    const B = variants[seed - 1]!;
    const ab = run(A, B);
    const ba = run(B, A);
    expect(ab.changes.length).toBeGreaterThan(0);
    expect(canonicalChanges(ba.changes)).toEqual(canonicalChanges(reversed(ab)));
    expect(ab.universe.pairsEvaluated).toBeLessThan(ab.universe.pairs);
    const unpruned = run(A, B, { prune: false });
    expect(unpruned.universe.pairsEvaluated).toBeGreaterThan(ab.universe.pairsEvaluated);
    expect(canonicalChanges(unpruned.changes)).toEqual(canonicalChanges(ab.changes));
    expect(canonicalChanges(unpruned.observed ?? [])).toEqual(canonicalChanges(ab.observed ?? []));
  });

  it('from nothing to A and back: pruning loses nothing, and ports are exact against a brute-force check', () => {
    const d = run([], A);
    const unpruned = run([], A, { prune: false });
    expect(canonicalChanges(unpruned.changes)).toEqual(canonicalChanges(d.changes));
    // Brute force on a few changed pairs: every port of every range changes, the ports around do not.
    const before = compileEvaluator(existing, universe.options);
    const after = compileEvaluator([...existing, ...A], universe.options);
    const byKey = new Map(endpoints.map((e) => [peerKey(e.peer), e.endpoint]));
    for (const c of d.changes.filter((_, i) => i % 25 === 0)) {
      const source = byKey.get(peerKey(c.source))!;
      const destination = byKey.get(peerKey(c.destination))!;
      for (const r of c.ports) {
        for (const port of [r.from, r.to, Math.floor((r.from + r.to) / 2)]) {
          const connection = { source, destination, protocol: r.protocol as ConnectionProtocol, port };
          expect(after.evaluate(connection).allowed).toBe(c.becomes === 'allowed');
          expect(before.evaluate(connection).allowed).toBe(c.becomes !== 'allowed');
        }
      }
    }
  });
});
