import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { decodeClusterDocuments } from '../cluster/index.js';
import { DEFAULT_CONFIG } from '../config/index.js';
import { decodeHubbleLine } from '../flows/index.js';
import { InventoryBuilder, buildInventory, type Inventory } from '../inventory/index.js';
import { generateSample } from '../sample/index.js';
import { connection, flowLine, pod } from '../test-support/hubble.js';
import { compileEvaluator } from './evaluate/index.js';
import { identityContext } from './endpoints.js';
import type { CiliumClusterwideNetworkPolicy, CiliumNetworkPolicy, EgressRule, IngressRule, LoadedPolicy } from './model/index.js';
import { asEnforcing, simulate, type SimulationInput, type SimulationReport } from './simulate.js';

const DENY_ALL: LoadedPolicy = {
  policy: {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumClusterwideNetworkPolicy',
    metadata: { name: 'isolate-everything' },
    spec: { endpointSelector: {}, ingress: [{}], egress: [{}] },
  } satisfies CiliumClusterwideNetworkPolicy,
};

function run(inventory: Inventory, candidate: readonly LoadedPolicy[], cluster = decodeClusterDocuments([]), asEnforced = false): SimulationReport {
  const input: SimulationInput = {
    inventory,
    existing: [],
    candidate,
    identities: identityContext(cluster),
    options: {},
    asEnforced,
    labelPriority: DEFAULT_CONFIG.labels.priority,
  };
  return simulate(input, compileEvaluator);
}

/** One CiliumNetworkPolicy per subject workload, made of the suggested rules of every would-drop. */
function policiesFromSuggestions(report: SimulationReport, selectorOf: (ns: string, name: string) => Record<string, string>): LoadedPolicy[] {
  const rules = new Map<string, { ns: string; name: string; ingress: IngressRule[]; egress: EgressRule[] }>();
  for (const e of report.evaluations) {
    for (const s of e.suggestions) {
      const subject = s.direction === 'ingress' ? e.edge.destination : e.edge.source;
      if (!('namespace' in subject)) continue;
      const key = `${subject.namespace}/${subject.name}`;
      const entry = rules.get(key) ?? { ns: subject.namespace, name: subject.name, ingress: [], egress: [] };
      rules.set(key, entry);
      if (s.yaml === undefined) continue;
      const [element] = parse(s.yaml) as [IngressRule & EgressRule];
      (s.direction === 'ingress' ? entry.ingress : entry.egress).push(element);
    }
  }
  return [...rules.values()].map(({ ns, name, ingress, egress }) => ({
    policy: {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name, namespace: ns },
      spec: { endpointSelector: { matchLabels: selectorOf(ns, name) }, ...(ingress.length ? { ingress } : {}), ...(egress.length ? { egress } : {}) },
    } satisfies CiliumNetworkPolicy,
  }));
}

describe('simulate', () => {
  const web = pod('shop', 'web-6d5c4b3a2f-aaaaa', '10.0.1.10', { app: 'web', 'pod-template-hash': '6d5c4b3a2f' });
  const api = pod('shop', 'api-7f6e5d4c3b-bbbbb', '10.0.1.20', { app: 'api', 'pod-template-hash': '7f6e5d4c3b' });
  const db = pod('data', 'db-0', '10.0.2.30', { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0' });
  const lines = [
    ...connection({ time: '2026-11-02T10:00:01Z', src: web, dst: api, dport: 8080, srcIsPod: true, dstIsPod: true }),
    ...connection({ time: '2026-11-02T10:00:02Z', src: api, dst: db, dport: 5432, srcIsPod: true, dstIsPod: true }),
    ...connection({ time: '2026-11-02T10:00:03Z', src: api, dst: db, dport: 5432, srcIsPod: true, dstIsPod: true }),
  ];
  const inventory = buildInventory(lines.flatMap((l) => {
    const d = decodeHubbleLine(l);
    return d?.kind === 'flow' ? [d.flow] : [];
  }));
  const byApp = (_ns: string, name: string) => ({ app: name });

  it('drops nothing without policies, and everything under isolation, each with a suggested rule', () => {
    expect(run(inventory, []).totals).toMatchObject({ edges: 2, wouldDropEdges: 0, notIsolatedFlows: 3 });
    const isolated = run(inventory, [DENY_ALL]);
    expect(isolated.totals).toMatchObject({ wouldDropEdges: 2, wouldDropFlows: 3 });
    const toDb = isolated.evaluations.find((e) => e.edge.port === 5432)!;
    expect(toDb.verdict!.ingress.decision).toBe('denied-default');
    expect(toDb.suggestions.map((s) => s.direction)).toEqual(['egress', 'ingress']);
    expect(parse(toDb.suggestions[1]!.yaml!)).toEqual([
      { fromEndpoints: [{ matchLabels: { app: 'api', 'k8s:io.kubernetes.pod.namespace': 'shop' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] },
    ]);
  });

  it('invariant: the rules it suggests, applied, drop nothing observed (soundness)', () => {
    const isolated = run(inventory, [DENY_ALL]);
    const fixed = run(inventory, [DENY_ALL, ...policiesFromSuggestions(isolated, byApp)]);
    expect(fixed.totals.wouldDropEdges).toBe(0);
    expect(fixed.totals.allowedFlows).toBe(3);
  });

  it('invariant: removing one rule drops exactly the edges that rule carried', () => {
    const policies = policiesFromSuggestions(run(inventory, [DENY_ALL]), byApp);
    for (const [i, p] of policies.entries()) {
      const cnp = p.policy as CiliumNetworkPolicy;
      for (const section of ['ingress', 'egress'] as const) {
        for (let k = 0; k < (cnp.spec?.[section]?.length ?? 0); k++) {
          const without: CiliumNetworkPolicy = { ...cnp, spec: { ...cnp.spec, [section]: cnp.spec![section]!.filter((_, j) => j !== k) } };
          const carried = run(inventory, [DENY_ALL, ...policies]).evaluations.filter((e) => {
            const refs = e.verdict![section].by;
            return refs.some((r) => r.name === cnp.metadata.name && r.namespace === cnp.metadata.namespace && r.section === section && r.index === k);
          });
          const report = run(inventory, [DENY_ALL, ...policies.map((q, j) => (j === i ? { policy: without } : q))]);
          const dropped = report.evaluations.filter((e) => e.wouldDrop).map((e) => e.edge);
          expect(dropped).toEqual(carried.map((e) => e.edge));
        }
      }
    }
  });

  it('a connection its destination already drops by policy is not a would-drop', () => {
    const denied = [
      flowLine({ time: '2026-11-02T10:00:05Z', src: web, dst: db, dport: 5432, direction: 'EGRESS' }),
      flowLine({ time: '2026-11-02T10:00:05Z', src: web, dst: db, dport: 5432, direction: 'INGRESS', verdict: 'DROPPED', dropReason: 'POLICY_DENIED' }),
    ];
    const inv = buildInventory(denied.flatMap((l) => {
      const d = decodeHubbleLine(l);
      return d?.kind === 'flow' ? [d.flow] : [];
    }));
    expect(inv.edges.map((e) => e.verdict)).toEqual(['DROPPED', 'FORWARDED']);
    const report = run(inv, [DENY_ALL]);
    expect(report.totals).toMatchObject({ wouldDropEdges: 0, observedDroppedFlows: 1 });
  });

  it('the same connection forwarded in hours when it was not dropped (after a rollback) is a would-drop', () => {
    const lines = [
      flowLine({ time: '2026-11-02T10:00:05Z', src: web, dst: db, dport: 5432, direction: 'EGRESS' }),
      flowLine({ time: '2026-11-02T10:00:05Z', src: web, dst: db, dport: 5432, direction: 'INGRESS', verdict: 'DROPPED', dropReason: 'POLICY_DENIED' }),
      // An hour later, rolled back: it goes through.
      flowLine({ time: '2026-11-02T11:30:00Z', src: web, dst: db, dport: 5432, direction: 'EGRESS' }),
    ];
    const inv = buildInventory(lines.flatMap((l) => {
      const d = decodeHubbleLine(l);
      return d?.kind === 'flow' ? [d.flow] : [];
    }));
    expect(run(inv, [DENY_ALL]).totals).toMatchObject({ wouldDropEdges: 1, observedDroppedFlows: 1 });
  });

  it('as enforced, an audit-stage policy (enableDefaultDeny false) shows its would-be drops', () => {
    const audit: LoadedPolicy = {
      policy: {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { name: 'db', namespace: 'data' },
        spec: { endpointSelector: { matchLabels: { app: 'db' } }, enableDefaultDeny: { ingress: false, egress: false }, ingress: [{ fromEntities: ['host'] }] },
      },
    };
    expect(run(inventory, [audit]).totals.wouldDropEdges).toBe(0);
    const enforced = run(inventory, [audit], undefined, true);
    expect(enforced.totals.wouldDropEdges).toBe(1);
    expect((asEnforcing(audit).policy as CiliumNetworkPolicy).spec!.enableDefaultDeny).toBeUndefined();
  });

  it('invariant on the demo cluster: suggestions for every isolated workload make a set that drops nothing', () => {
    const sample = generateSample({ size: 'small', seed: 3 });
    const cluster = decodeClusterDocuments(sample.cluster.map((object, i) => ({ source: `sample#${i + 1}`, object })));
    const builder = new InventoryBuilder({ cluster, namespaces: ['boutique'] });
    for (const line of sample.flowLines()) {
      const d = decodeHubbleLine(line);
      if (d?.kind === 'flow') builder.add(d.flow);
    }
    const inv = builder.finish();
    // Select on what Cilium keeps of the pods' labels (this cluster's label filter drops some).
    const filter = identityContext(cluster).labelFilter;
    const selectorOf = (ns: string, name: string) =>
      Object.fromEntries(Object.entries(cluster.workloads.find((w) => w.namespace === ns && w.name === name)?.podLabels ?? { app: name }).filter(([k]) => filter.isRelevant(k, 'k8s')));
    const isolated = run(inv, [DENY_ALL], cluster);
    expect(isolated.totals.wouldDropEdges).toBeGreaterThan(20);
    const fixed = run(inv, [DENY_ALL, ...policiesFromSuggestions(isolated, selectorOf)], cluster);
    // What still drops is exactly what no rule could be written for (a peer without a stable label);
    // both reports list the inventory's edges in the same order.
    const blocked = isolated.evaluations.map((e) => e.suggestions.some((x) => x.blocked !== undefined));
    expect(blocked.some(Boolean)).toBe(true);
    expect(fixed.evaluations.filter((e, i) => e.wouldDrop && !blocked[i]).map((e) => e.edge)).toEqual([]);
  });
});
