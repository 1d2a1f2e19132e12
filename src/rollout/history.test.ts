import { describe, expect, it } from 'vitest';
import { decodeState, type StageChange } from '../gitops/index.js';
import type { RolloutState } from './evidence.js';
import { historyEntry } from './history.js';
import { positionAt, promotion, rollback } from './stages.js';

const NOW = new Date('2026-11-26T10:00:00Z');

describe('historyEntry', () => {
  it('records a promotion of one direction as that direction\'s move, with the direction', () => {
    const e = historyEntry(promotion(positionAt('audit'), 'enforce', 'ingress'), NOW, 'promote', 'ana');
    expect(e).toEqual({ at: '2026-11-26T10:00:00.000Z', from: 'audit', to: 'enforce', why: 'promote', by: 'ana', directions: ['ingress'] });
    const change: StageChange = e; // the state file's shape
    expect(change.to).toBe('enforce');
  });

  it('a rollback to observe from ingress enforced ahead starts from the most advanced direction', () => {
    expect(historyEntry(rollback({ ingress: 'enforce', egress: 'audit' }, 'observe'), NOW, 'rollback')).toMatchObject({ from: 'enforce', to: 'observe' });
  });

  it('records a forced promotion with what it overrode, and a rollback without', () => {
    const t = promotion(positionAt('observe'));
    expect(historyEntry(t, NOW, 'ignored', undefined, { allowed: true, forced: true, reason: 'incident 42', overridden: ['preflight was not run'] })).toEqual({
      at: '2026-11-26T10:00:00.000Z',
      from: 'observe',
      to: 'audit',
      why: 'incident 42 (forced past: preflight was not run)',
      forced: true,
    });
    expect(historyEntry(rollback(positionAt('enforce'), 'observe'), NOW, 'rollback')).toEqual({ at: '2026-11-26T10:00:00.000Z', from: 'enforce', to: 'observe', why: 'rollback' });
  });

  it('reads the state recommend writes as a rollout state', () => {
    const state: RolloutState = decodeState('apiVersion: tighten/v1alpha1\nkind: State\nnamespaces:\n  shop:\n    stage: audit\n    history: []\nfiles: {}\n', 'tighten.state.yaml');
    expect(state.namespaces.shop!.stage).toBe('audit');
  });
});
