import { describe, expect, it } from 'vitest';
import { DEFAULT_ROLLOUT_CONFIG } from './config.js';
import type { RolloutState } from './evidence.js';
import { describeStep, nextStep, planRollout } from './plan.js';
import { passingEvidence } from './test-support/evidence.js';

const NOW = new Date('2026-11-26T10:00:00Z');
const CONFIG = { ...DEFAULT_ROLLOUT_CONFIG, gates: { ...DEFAULT_ROLLOUT_CONFIG.gates, waveSize: 3 } };

describe('nextStep', () => {
  it('audits both ways, then enforces ingress, then egress', () => {
    expect(nextStep({ ingress: 'observe', egress: 'observe' })).toEqual({ to: 'audit', direction: 'both' });
    expect(nextStep({ ingress: 'audit', egress: 'audit' })).toEqual({ to: 'enforce', direction: 'ingress' });
    expect(nextStep({ ingress: 'enforce', egress: 'audit' })).toEqual({ to: 'enforce', direction: 'egress' });
    expect(nextStep({ ingress: 'audit', egress: 'enforce' })).toEqual({ to: 'enforce', direction: 'ingress' });
    expect(nextStep({ ingress: 'enforce', egress: 'enforce' })).toBeUndefined();
  });
});

describe('planRollout', () => {
  const evidence = {
    a: passingEvidence('a', { team: 'blue', flows: 1 }),
    b: passingEvidence('b', { team: 'red', flows: 10 }),
    c: passingEvidence('c', { team: 'blue', flows: 100 }),
    d: passingEvidence('d', { flows: 1000 }),
    e: passingEvidence('e', { team: 'red', criticality: 'critical', observedHours: 20 * 24 }),
    done: passingEvidence('done'),
  };
  const state: RolloutState = {
    namespaces: {
      a: { stage: 'observe' },
      b: { stage: 'audit' },
      c: { stage: 'audit', enforced: ['ingress'] },
      e: { stage: 'audit' },
      done: { stage: 'enforce' },
    },
  };

  it('orders steps by risk into waves, grouped by team, and says what unblocks each', () => {
    const plan = planRollout(['e', 'd', 'c', 'b', 'a', 'done', 'ghost'], evidence, state, CONFIG, NOW);
    expect(plan.at).toBe('2026-11-26T10:00:00.000Z');
    expect(plan.done).toEqual(['done']);
    expect(plan.unknown).toEqual(['ghost']);
    expect(plan.waves.map((w) => w.teams.map((t) => [t.team ?? '-', t.steps.map((s) => s.namespace)]))).toEqual([
      [['blue', ['a', 'c']], ['red', ['b']]],
      [['-', ['d']], ['red', ['e']]].sort((x, y) => (x[0] === '-' ? 1 : y[0] === '-' ? -1 : 0)),
    ]);
    const byNs = Object.fromEntries(plan.steps.map((s) => [s.namespace, s]));
    expect(byNs.a).toMatchObject({ to: 'audit', direction: 'both', command: 'tighten promote a --to audit' });
    expect(byNs.b).toMatchObject({ to: 'enforce', direction: 'ingress', command: 'tighten promote b --to enforce --direction ingress' });
    expect(byNs.c).toMatchObject({ to: 'enforce', direction: 'egress', from: { ingress: 'enforce', egress: 'audit' } });
    expect(byNs.d!.from).toEqual({ ingress: 'observe', egress: 'observe' });
    expect(byNs.e!.gate.pass).toBe(false);
    expect(byNs.e!.unblock).toEqual(['promote with --approve']);
    expect(byNs.e!.command).toBe('tighten promote e --to enforce --direction ingress --approve');
    expect(plan.waves.map((w) => [w.ready, w.blocked])).toEqual([[3, 0], [1, 1]]);
    expect(plan.steps.map((s) => s.risk.rank)).toEqual([1, 3, 2, 5, 4]);
    expect(describeStep(byNs.e!)).toMatch(/^e audit → enforce \(ingress\): blocked — critical namespace \(default\) needs an explicit approval \[risk /);
  });

  it('is empty for no namespaces and deterministic for the same input', () => {
    expect(planRollout([], evidence, state, CONFIG, NOW)).toEqual({ at: NOW.toISOString(), waves: [], steps: [], done: [], unknown: [] });
    expect(planRollout(['a', 'b', 'c'], evidence, state, CONFIG, NOW)).toEqual(planRollout(['c', 'b', 'a', 'a'], evidence, state, CONFIG, NOW));
  });
});
