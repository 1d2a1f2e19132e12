import { describe, expect, it } from 'vitest';
import { TransitionError } from '../shared/errors.js';
import { checkPosition, enforcedAhead, nextStage, positionAt, positionOf, previousStage, promotion, rollback, stageOf } from './stages.js';

describe('stages', () => {
  it('goes observe → audit → enforce and back', () => {
    expect(nextStage('observe')).toBe('audit');
    expect(nextStage('audit')).toBe('enforce');
    expect(() => nextStage('enforce')).toThrow(TransitionError);
    expect(previousStage('enforce')).toBe('audit');
    expect(previousStage('audit')).toBe('observe');
    expect(() => previousStage('observe')).toThrow(/nothing to roll back/);
  });

  it('reads the state file stage with directions enforced ahead', () => {
    expect(positionOf('audit', ['ingress'])).toEqual({ ingress: 'enforce', egress: 'audit' });
    expect(positionOf('observe', ['ingress'])).toEqual(positionAt('observe'));
    expect(stageOf({ ingress: 'enforce', egress: 'audit' })).toBe('audit');
    expect(enforcedAhead({ ingress: 'enforce', egress: 'audit' })).toEqual(['ingress']);
    expect(enforcedAhead(positionAt('enforce'))).toEqual([]);
    expect(() => checkPosition({ ingress: 'observe', egress: 'audit' })).toThrow(TransitionError);
  });
});

describe('promotion', () => {
  it('allows observe → audit for both directions', () => {
    const t = promotion(positionAt('observe'));
    expect(t.to).toEqual(positionAt('audit'));
    expect(t.moves).toEqual([
      { direction: 'ingress', from: 'observe', to: 'audit' },
      { direction: 'egress', from: 'observe', to: 'audit' },
    ]);
  });

  it('enforces one direction at a time: ingress first, then egress', () => {
    const ingress = promotion(positionAt('audit'), 'enforce', 'ingress');
    expect(ingress.to).toEqual({ ingress: 'enforce', egress: 'audit' });
    expect(ingress.moves).toEqual([{ direction: 'ingress', from: 'audit', to: 'enforce' }]);
    const egress = promotion(ingress.to);
    expect(egress.to).toEqual(positionAt('enforce'));
    expect(egress.moves).toEqual([{ direction: 'egress', from: 'audit', to: 'enforce' }]);
  });

  it('may enforce egress before ingress', () => {
    expect(promotion(positionAt('audit'), 'enforce', 'egress').to).toEqual({ ingress: 'audit', egress: 'enforce' });
  });

  it('refuses to skip audit, to promote past enforce, to promote to observe, or a direction for audit', () => {
    expect(() => promotion(positionAt('observe'), 'enforce')).toThrow(/promote to 'audit' first/);
    expect(() => promotion(positionAt('enforce'))).toThrow(TransitionError);
    expect(() => promotion(positionAt('audit'), 'enforce', 'both')).not.toThrow();
    expect(() => promotion({ ingress: 'enforce', egress: 'audit' }, 'enforce', 'ingress')).toThrow(/already at 'enforce'/);
    expect(() => promotion(positionAt('audit'), 'observe')).toThrow(/use rollback/);
    expect(() => promotion(positionAt('observe'), 'audit', 'ingress')).toThrow(/covers both directions/);
    expect(() => promotion(positionAt('audit'), 'audit')).toThrow(/rollback/);
    try {
      promotion(positionAt('observe'), 'enforce');
    } catch (e) {
      expect((e as TransitionError).code).toBe('E_TRANSITION');
      expect((e as TransitionError).exitCode).toBe(2);
    }
  });
});

describe('rollback', () => {
  it('goes one step back by default from every stage above observe', () => {
    expect(rollback(positionAt('enforce')).to).toEqual(positionAt('audit'));
    expect(rollback(positionAt('audit')).to).toEqual(positionAt('observe'));
    expect(rollback({ ingress: 'enforce', egress: 'audit' }).to).toEqual(positionAt('audit'));
    expect(rollback(positionAt('enforce')).kind).toBe('rollback');
  });

  it('rolls back one direction, or everything to observe', () => {
    expect(rollback(positionAt('enforce'), 'audit', 'egress').to).toEqual({ ingress: 'enforce', egress: 'audit' });
    const toObserve = rollback({ ingress: 'enforce', egress: 'audit' }, 'observe', 'ingress');
    expect(toObserve.to).toEqual(positionAt('observe'));
    expect(toObserve.moves.map((m) => m.direction)).toEqual(['ingress', 'egress']);
  });

  it('refuses when nothing is above the target', () => {
    expect(() => rollback(positionAt('observe'))).toThrow(TransitionError);
    expect(() => rollback(positionAt('audit'), 'audit')).toThrow(/nothing to roll back/);
    expect(() => rollback(positionAt('audit'), 'enforce')).toThrow(/use promote/);
    expect(() => rollback({ ingress: 'enforce', egress: 'audit' }, 'audit', 'egress')).toThrow(/nothing to roll back/);
  });
});
