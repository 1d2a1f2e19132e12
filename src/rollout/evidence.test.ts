import { describe, expect, it } from 'vitest';
import type { Edge, Inventory, Peer } from '../inventory/index.js';
import type { EdgeEvaluation, SimulationReport } from '../policy/simulate.js';
import type { Understanding } from '../understand/index.js';
import { DEFAULT_ROLLOUT_CONFIG as CONFIG } from './config.js';
import { estimatePolicyMapEntries, gateEvidence, type EvidenceSources } from './evidence.js';
import { checkGate } from './gates.js';

const NOW = new Date('2026-11-26T10:00:00Z');
const w = (namespace: string, name: string, kind = 'Deployment'): Peer => ({ namespace, kind, name });

function edge(source: Peer, destination: Peer, port: number, flows: number, firstSeen: string, lastSeen = '2026-11-26T09:00:00Z'): Edge {
  return { source, destination, port, protocol: 'TCP', verdict: 'FORWARDED', flows, firstSeen, lastSeen, buckets: [{ start: firstSeen.slice(0, 13) + ':00:00Z', flows, firstSeen, lastSeen }] };
}

const edges: Edge[] = [
  edge(w('web', 'front'), w('shop', 'api'), 8080, 10, '2026-11-10T10:00:00Z'),
  edge(w('batch', 'report', 'CronJob'), w('shop', 'api'), 8080, 2, '2026-11-20T10:00:00Z'),
  edge(w('monitoring', 'prometheus'), w('shop', 'api'), 9090, 5, '2026-11-20T11:00:00Z'),
  edge({ entity: 'world' }, w('shop', 'api'), 443, 7, '2026-11-21T10:00:00Z'),
  edge(w('shop', 'api'), { ip: '10.1.1.1', names: ['db.example.com'] }, 5432, 4, '2026-11-22T10:00:00Z'),
  edge(w('shop', 'api'), { ip: '10.1.1.2', names: ['db.example.com'] }, 5432, 4, '2026-11-22T10:00:00Z'),
  edge(w('web', 'front'), w('web', 'cache'), 6379, 1, '2026-11-01T10:00:00Z'),
];

const inventory: Inventory = {
  window: { since: '2026-11-06T10:00:00Z', until: '2026-11-26T10:00:00Z' },
  workloads: [
    { namespace: 'shop', kind: 'Deployment', name: 'api', labels: {}, seenIn: { cluster: true, flows: true } },
    { namespace: 'shop', kind: 'CronJob', name: 'nightly', labels: {}, seenIn: { cluster: true, flows: false } },
  ],
  edges,
  findings: [],
  decode: { files: [], linesRead: 0, flows: 0, skipped: 0, ignored: 0, lostEvents: 0, notEdges: {}, errors: [] },
};

const understanding: Understanding = {
  classifications: [{ workload: { namespace: 'monitoring', kind: 'Deployment', name: 'prometheus' }, class: 'platform', role: 'metrics', evidence: [] }],
  findings: [
    { code: 'label-no-stable-label', severity: 'error', subject: { namespace: 'shop', kind: 'Deployment', name: 'api' }, message: 'only volatile labels' },
    { code: 'ownership-no-team', severity: 'info', subject: { namespace: 'shop' }, message: 'info is not hygiene' },
    { code: 'coverage-cronjob-not-seen', severity: 'warning', subject: { namespace: 'shop', kind: 'CronJob', name: 'weekly' }, message: 'never ran' },
    { code: 'label-no-stable-label', severity: 'error', subject: { namespace: 'web', kind: 'Deployment', name: 'front' }, message: 'other namespace' },
  ],
  teams: { shop: 'checkout', web: undefined },
};

const denied = { decision: 'denied-default' as const, by: [] };
const allowed = { decision: 'allowed' as const, by: [] };
function evaluation(e: Edge, ingress: boolean, egress: boolean): EdgeEvaluation {
  const { buckets: _b, ...rest } = e;
  return { edge: rest, verdict: { ingress: ingress ? denied : allowed, egress: egress ? denied : allowed, allowed: !ingress && !egress }, wouldDrop: ingress || egress, suggestions: [] };
}
const simulation: SimulationReport = {
  window: inventory.window,
  policies: { existing: 0, candidate: 3 },
  asEnforced: true,
  evaluations: [
    evaluation(edges[1]!, true, false),
    evaluation(edges[4]!, false, true),
    evaluation(edge(w('web', 'front'), w('shop', 'api'), 80, 1, '2026-11-01T10:00:00Z', '2026-11-02T10:00:00Z'), true, false), // outside the drop window
    evaluation(edges[0]!, false, false),
  ],
  totals: { edges: 4, flows: 0, wouldDropEdges: 3, wouldDropFlows: 0, allowedFlows: 0, notIsolatedFlows: 0, observedDroppedFlows: 0 },
};

const sources: EvidenceSources = {
  inventory,
  understanding,
  namespaceLabels: { shop: { tier: 'critical' } },
  simulation,
  state: {
    namespaces: { shop: { stage: 'audit', enforced: ['ingress'] } },
    acceptances: [
      { namespace: 'shop', key: 'ingress batch/CronJob/report -> shop/Deployment/api TCP/8080', reason: 'report moves next week', expires: '2026-12-01T00:00:00Z' },
      { namespace: 'web', key: 'x', reason: 'y', expires: '2026-12-01T00:00:00Z' },
    ],
  },
  preflight: { pass: true, failures: [] },
  workloadsWithoutPolicy: [{ namespace: 'shop', kind: 'Deployment', name: 'cart' }, { namespace: 'web', kind: 'Deployment', name: 'front' }],
  validation: { shop: { valid: true, problems: [] } },
};

describe('gateEvidence', () => {
  const e = gateEvidence('shop', sources, CONFIG, NOW);

  it('reads position, team, criticality and the preflight', () => {
    expect(e).toMatchObject({ namespace: 'shop', team: 'checkout', position: { ingress: 'enforce', egress: 'audit' }, criticality: 'critical', criticalitySource: 'namespace label tier=critical', preflight: { pass: true } });
    expect(e.approved).toBeUndefined();
    expect(gateEvidence('new', sources, CONFIG, NOW).position).toEqual({ ingress: 'observe', egress: 'observe' });
  });

  it('counts dependents without platform services, world exposure, traffic and coverage', () => {
    expect(e.dependents).toEqual(['batch', 'web']);
    expect(e.worldIngressFlows).toBe(7);
    expect(e.flows).toBe(32);
    expect(e.observedHours).toBe(16 * 24);
    expect(e.windowHours).toBe(20 * 24);
    expect(e.activeHours).toBe(5);
  });

  it('keeps the namespace errors and warnings, and CronJobs never seen', () => {
    expect(e.hygiene.map((h) => h.code)).toEqual(['label-no-stable-label', 'coverage-cronjob-not-seen']);
    expect(e.cronJobsNotSeen).toEqual(['nightly', 'weekly']);
    expect(e.workloadsWithoutPolicy).toEqual(['Deployment/cart']);
  });

  it('splits would-be drops by direction and namespace, inside the drop window, with their acceptances', () => {
    expect(e.wouldDrops).toEqual([
      { key: 'egress shop/Deployment/api -> fqdn:db.example.com TCP/5432', direction: 'egress', flows: 4, lastSeen: '2026-11-26T09:00:00Z' },
      { key: 'ingress batch/CronJob/report -> shop/Deployment/api TCP/8080', direction: 'ingress', flows: 2, lastSeen: '2026-11-26T09:00:00Z' },
    ]);
    expect(e.acceptances).toHaveLength(1);
    expect(gateEvidence('batch', sources, CONFIG, NOW).wouldDrops).toEqual([]);
    const { simulation: _s, ...noSim } = sources;
    expect(gateEvidence('shop', noSim, CONFIG, NOW).wouldDrops).toBeUndefined();
  });

  it('estimates policy-map entries per workload', () => {
    // ingress: web/front:8080, batch/report:8080, prometheus:9090, world:443; egress: two addresses:5432; + baseline 8
    expect(e.policyMapEntries).toEqual({ 'Deployment/api': 6 + 8 });
    expect(estimatePolicyMapEntries(edges, 'web', 0)).toEqual({ 'Deployment/cache': 1, 'Deployment/front': 2 });
  });

  it('feeds the gates: the accepted ingress drop passes, the egress one and the approval do not', () => {
    const ingress = checkGate('shop', 'audit', 'enforce', 'ingress', e, CONFIG, NOW);
    expect(ingress.checks.find((c) => c.name === 'would-drops')!.pass).toBe(true);
    const egress = checkGate('shop', 'audit', 'enforce', 'egress', { ...e, approved: true }, CONFIG, NOW);
    expect(egress.checks.filter((c) => !c.pass).map((c) => c.name)).toEqual(['hygiene', 'cronjobs', 'would-drops']);
  });
});
