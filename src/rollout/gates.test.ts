import { describe, expect, it } from 'vitest';
import { TransitionError } from '../shared/errors.js';
import { DEFAULT_ROLLOUT_CONFIG as CONFIG } from './config.js';
import { checkGate, decidePromotion, findAcceptance } from './gates.js';
import { passingEvidence } from './test-support/evidence.js';

const NOW = new Date('2026-11-26T10:00:00Z');
const failed = (r: ReturnType<typeof checkGate>): string[] => r.checks.filter((c) => !c.pass).map((c) => c.name);
const drop = (direction: 'ingress' | 'egress', key = `${direction} other/Deployment/web -> shop/Deployment/api TCP/8080`) => ({ key, direction, flows: 3, lastSeen: '2026-11-25T10:00:00Z' });

describe('observe → audit', () => {
  it('passes with preflight, a policy for every application workload and no hygiene errors', () => {
    const r = checkGate('shop', 'observe', 'audit', 'both', passingEvidence('shop', { position: { ingress: 'observe', egress: 'observe' } }), CONFIG, NOW);
    expect(r).toMatchObject({ pass: true, reasons: [] });
    expect(r.checks.map((c) => c.name)).toEqual(['preflight', 'policy-coverage', 'hygiene']);
  });

  it('refuses with reasons: failing preflight, workloads without policy, hygiene errors', () => {
    const e = passingEvidence('shop', {
      preflight: { pass: false, failures: ['enable-non-default-deny-policies is false'] },
      workloadsWithoutPolicy: ['Deployment/cart'],
      hygiene: [
        { code: 'label-no-stable-label', severity: 'error', message: 'x' },
        { code: 'ownership-no-team', severity: 'warning', message: 'y' },
      ],
    });
    const r = checkGate('shop', 'observe', 'audit', 'both', e, CONFIG, NOW);
    expect(r.pass).toBe(false);
    expect(failed(r)).toEqual(['preflight', 'policy-coverage', 'hygiene']);
    expect(r.reasons[0]).toContain('enable-non-default-deny-policies is false');
    expect(r.reasons[1]).toContain('Deployment/cart');
    expect(r.reasons[2]).toContain('label-no-stable-label');
    expect(r.checks.every((c) => c.pass || c.unblock !== undefined)).toBe(true);
  });

  it('fails when preflight was not run', () => {
    const { preflight: _p, ...rest } = passingEvidence('shop');
    expect(checkGate('shop', 'observe', 'audit', 'both', rest, CONFIG, NOW).reasons).toEqual(['preflight was not run']);
  });
});

describe('audit → enforce', () => {
  it('passes on full evidence', () => {
    const r = checkGate('shop', 'audit', 'enforce', 'ingress', passingEvidence('shop'), CONFIG, NOW);
    expect(r.pass).toBe(true);
    expect(r.checks.map((c) => c.name)).toEqual(['preflight', 'hygiene', 'observed', 'cronjobs', 'would-drops', 'validation', 'policy-map']);
  });

  it('needs 7 days of observation, 14 for a critical namespace', () => {
    const six = passingEvidence('shop', { observedHours: 6 * 24 });
    expect(checkGate('shop', 'audit', 'enforce', 'ingress', six, CONFIG, NOW).reasons).toEqual(['observed 6 days < 7']);
    const critical = passingEvidence('pay', { observedHours: 10 * 24, criticality: 'critical', approved: true });
    expect(checkGate('pay', 'audit', 'enforce', 'ingress', critical, CONFIG, NOW).reasons).toEqual(['observed 10 days < 14 (critical namespace)']);
  });

  it('reads the days from the gates configuration', () => {
    const cfg = { ...CONFIG, gates: { ...CONFIG.gates, minObservedDays: 3 } };
    expect(checkGate('shop', 'audit', 'enforce', 'ingress', passingEvidence('shop', { observedHours: 4 * 24 }), cfg, NOW).pass).toBe(true);
  });

  it('needs every CronJob seen, validation, an as-enforced simulation and the policy map under its limit', () => {
    const { wouldDrops: _w, validation: _v, ...rest } = passingEvidence('shop', { cronJobsNotSeen: ['nightly'], policyMapEntries: { 'Deployment/api': 20, 'Deployment/fan': 20000 } });
    const r = checkGate('shop', 'audit', 'enforce', 'ingress', rest, CONFIG, NOW);
    expect(failed(r)).toEqual(['cronjobs', 'would-drops', 'validation', 'policy-map']);
    expect(r.reasons).toContain('estimated policy-map entries over 16384: Deployment/fan (20000)');
    expect(r.reasons).toContain('CronJobs never seen: nightly');
    expect(checkGate('shop', 'audit', 'enforce', 'ingress', passingEvidence('shop', { validation: { valid: false, problems: ['bad port'] } }), CONFIG, NOW).reasons).toEqual(['policies fail validation: bad port']);
  });

  it('counts would-be drops per direction', () => {
    const e = passingEvidence('shop', { wouldDrops: [drop('egress')] });
    expect(checkGate('shop', 'audit', 'enforce', 'ingress', e, CONFIG, NOW).pass).toBe(true);
    const egress = checkGate('shop', 'audit', 'enforce', 'egress', e, CONFIG, NOW);
    expect(egress.pass).toBe(false);
    expect(egress.reasons[0]).toMatch(/^1 egress would-be drop not accepted/);
    const both = checkGate('shop', 'audit', 'enforce', 'both', e, CONFIG, NOW);
    expect(both.checks.filter((c) => c.name === 'would-drops').map((c) => c.pass)).toEqual([true, false]);
  });

  it('lets an unexpired acceptance through and refuses an expired one', () => {
    const d = drop('ingress');
    const live = passingEvidence('shop', { wouldDrops: [d], acceptances: [{ namespace: 'shop', key: d.key, reason: 'batch retired', expires: '2026-12-01T00:00:00Z' }] });
    const ok = checkGate('shop', 'audit', 'enforce', 'ingress', live, CONFIG, NOW);
    expect(ok.pass).toBe(true);
    expect(ok.checks.find((c) => c.name === 'would-drops')!.detail).toBe('1 ingress would-be drop, each accepted and unexpired');
    const expired = passingEvidence('shop', { wouldDrops: [d], acceptances: [{ namespace: 'shop', key: d.key, reason: 'batch retired', expires: '2026-11-26T10:00:00Z' }] });
    const r = checkGate('shop', 'audit', 'enforce', 'ingress', expired, CONFIG, NOW);
    expect(r.pass).toBe(false);
    expect(r.reasons[0]).toContain('acceptance expired 2026-11-26T10:00:00Z');
    // the same evidence a day earlier: still accepted
    expect(checkGate('shop', 'audit', 'enforce', 'ingress', expired, CONFIG, new Date('2026-11-25T10:00:00Z')).pass).toBe(true);
  });

  it('judges acceptances at acceptancesAt (the promotion\'s time), not at the traffic\'s now', () => {
    const d = drop('ingress');
    const accepted = { wouldDrops: [d], acceptances: [{ namespace: 'shop', key: d.key, reason: 'batch retired', expires: '2026-11-20T00:00:00Z' }] };
    // Old traffic (its now before the expiry), promoted after the expiry: blocked.
    const old = new Date('2026-11-10T00:00:00Z');
    expect(checkGate('shop', 'audit', 'enforce', 'ingress', passingEvidence('shop', accepted), CONFIG, old).pass).toBe(true);
    expect(checkGate('shop', 'audit', 'enforce', 'ingress', passingEvidence('shop', { ...accepted, acceptancesAt: NOW }), CONFIG, old).pass).toBe(false);
  });

  it('treats an unreadable expiry as expired and prefers a live acceptance', () => {
    const d = drop('ingress');
    const bad = { namespace: 'shop', key: d.key, reason: 'r', expires: 'next tuesday' };
    const good = { namespace: 'shop', key: d.key, reason: 'r', expires: '2027-01-01T00:00:00Z' };
    expect(findAcceptance(d.key, [bad], NOW)).toEqual({ expired: bad });
    expect(findAcceptance(d.key, [bad, good], NOW)).toEqual({ live: good });
    expect(findAcceptance('other', [good], NOW)).toEqual({});
  });

  it('needs approve for a critical namespace', () => {
    const e = passingEvidence('pay', { criticality: 'high', criticalitySource: 'namespace label criticality=high', observedHours: 15 * 24 });
    const r = checkGate('pay', 'audit', 'enforce', 'ingress', e, CONFIG, NOW);
    expect(r.reasons).toEqual(['high namespace (namespace label criticality=high) needs an explicit approval']);
    expect(r.checks.find((c) => c.name === 'approval')!.unblock).toBe('promote with --approve');
    expect(checkGate('pay', 'audit', 'enforce', 'ingress', { ...e, approved: true }, CONFIG, NOW).pass).toBe(true);
  });
});

describe('rollback and illegal transitions', () => {
  it('always lets a rollback through, whatever the evidence', () => {
    const { preflight: _p, ...broken } = passingEvidence('shop', { hygiene: [{ code: 'x', severity: 'error', message: 'm' }] });
    for (const [from, to] of [['enforce', 'audit'], ['audit', 'observe'], ['enforce', 'observe']] as const) {
      const r = checkGate('shop', from, to, 'both', broken, CONFIG, NOW);
      expect(r).toMatchObject({ pass: true, reasons: [] });
      expect(r.checks[0]!.name).toBe('rollback');
    }
  });

  it('throws for a skipped stage, a non-move and the wrong evidence', () => {
    expect(() => checkGate('shop', 'observe', 'enforce', 'both', passingEvidence('shop'), CONFIG, NOW)).toThrow(TransitionError);
    expect(() => checkGate('shop', 'audit', 'audit', 'both', passingEvidence('shop'), CONFIG, NOW)).toThrow(/no gate/);
    expect(() => checkGate('shop', 'audit', 'enforce', 'both', passingEvidence('cart'), CONFIG, NOW)).toThrow(/evidence is for cart/);
  });
});

describe('decidePromotion', () => {
  const blocked = checkGate('shop', 'audit', 'enforce', 'ingress', passingEvidence('shop', { observedHours: 24 }), CONFIG, NOW);
  it('allows a passing gate and refuses a failing one with its reasons', () => {
    expect(decidePromotion(checkGate('shop', 'audit', 'enforce', 'ingress', passingEvidence('shop'), CONFIG, NOW))).toEqual({ allowed: true, forced: false });
    expect(decidePromotion(blocked)).toEqual({ allowed: false, reasons: ['observed 1 day < 7'] });
  });
  it('records a force with its reason and what it overrode; refuses a force without a reason', () => {
    expect(decidePromotion(blocked, { reason: ' incident 42 ' })).toEqual({ allowed: true, forced: true, reason: 'incident 42', overridden: ['observed 1 day < 7'] });
    expect(() => decidePromotion(blocked, { reason: ' ' })).toThrow(TransitionError);
  });
});
