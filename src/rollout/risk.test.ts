import { describe, expect, it } from 'vitest';
import { DEFAULT_ROLLOUT_CONFIG as CONFIG } from './config.js';
import { explainRisk, rankNamespaces, RISK_FACTORS } from './risk.js';
import { passingEvidence } from './test-support/evidence.js';

const NOW = new Date('2026-11-26T10:00:00Z');

describe('rankNamespaces', () => {
  it('puts low risk first and explains every score', () => {
    const quiet = passingEvidence('quiet', { criticality: 'low', flows: 0 });
    const busy = passingEvidence('busy', { dependents: ['a', 'b', 'c', 'd', 'e', 'f'], worldIngressFlows: 50, flows: 1_000_000 });
    const crit = passingEvidence('payments', { criticality: 'critical', criticalitySource: 'namespace label tier=critical' });
    const ranked = rankNamespaces([crit, busy, quiet], CONFIG, NOW);
    expect(ranked.map((r) => [r.rank, r.namespace])).toEqual([[1, 'quiet'], [2, 'payments'], [3, 'busy']]);
    const quietScore = ranked[0]!;
    expect(quietScore.score).toBe(0);
    const b = ranked[2]!;
    expect(b.factors.map((f) => f.factor)).toEqual([...RISK_FACTORS]);
    expect(b.factors.find((f) => f.factor === 'dependents')).toMatchObject({ value: 6, weight: 20, contribution: 20 });
    expect(b.factors.find((f) => f.factor === 'world-exposure')).toMatchObject({ value: 50, contribution: 15, why: '50 flows in from outside the cluster' });
    expect(b.factors.find((f) => f.factor === 'traffic')!.contribution).toBe(10);
    expect(b.factors[0]).toMatchObject({ value: 1, contribution: 13.33 });
    expect(b.score).toBe(58.33);
    const p = ranked[1]!;
    expect(p.factors[0]).toEqual({ factor: 'criticality', value: 3, weight: 40, contribution: 40, why: 'critical (namespace label tier=critical)' });
    expect(explainRisk(p)).toMatch(/^risk 43\.34: criticality \+40 \(critical \(namespace label tier=critical\)\); traffic \+3\.34 \(100 flows in the window\)$/);
  });

  it('breaks ties by name and is deterministic', () => {
    const names = ['zeta', 'alpha', 'mid'];
    const ranked = rankNamespaces(names.map((n) => passingEvidence(n)), CONFIG, NOW);
    expect(ranked.map((r) => r.namespace)).toEqual(['alpha', 'mid', 'zeta']);
    expect(rankNamespaces([...names].reverse().map((n) => passingEvidence(n)), CONFIG, NOW)).toEqual(ranked);
    expect(rankNamespaces([], CONFIG, NOW)).toEqual([]);
  });

  it('counts low coverage, hygiene and pending (unaccepted, unexpired) would-be drops as risk', () => {
    const key = 'ingress a -> b TCP/80';
    const d = { key, direction: 'ingress' as const, flows: 1, lastSeen: '2026-11-26T00:00:00Z' };
    const base = passingEvidence('x');
    const risky = passingEvidence('y', {
      activeHours: 24,
      hygiene: [{ code: 'c', severity: 'error', message: 'm' }, { code: 'w', severity: 'warning', message: 'm' }],
      wouldDrops: [d, { ...d, key: 'ingress c -> b TCP/80' }],
      acceptances: [{ namespace: 'y', key, reason: 'ok', expires: '2027-01-01T00:00:00Z' }],
    });
    const [first, second] = rankNamespaces([risky, base], CONFIG, NOW);
    expect(first!.namespace).toBe('x');
    const f = (n: string) => second!.factors.find((x) => x.factor === n)!;
    expect(f('coverage')).toMatchObject({ value: 0.1, contribution: 9 });
    expect(f('hygiene')).toMatchObject({ value: 2, contribution: 4, why: '1 hygiene error, 1 warning' });
    expect(f('would-drops')).toMatchObject({ value: 1, contribution: 1.5 });
  });
});
