import { describe, expect, it } from 'vitest';
import { criticalityOf, DEFAULT_GATES, DEFAULT_ROLLOUT_CONFIG, isCritical, parseCriticality, rolloutConfig } from './config.js';

describe('rolloutConfig', () => {
  it('fills defaults when the sections are absent', () => {
    expect(rolloutConfig({})).toEqual(DEFAULT_ROLLOUT_CONFIG);
    expect(DEFAULT_GATES).toMatchObject({ minObservedDays: 7, minObservedDaysCritical: 14, policyMapMaxEntries: 16384 });
  });

  it('reads the values given and warns about the rest, keeping the default', () => {
    const c = rolloutConfig({
      gates: { minObservedDays: 3, waveSize: 0, policyMapMaxEntries: 'lots', typo: 1 },
      criticality: { labels: ['risk'], namespaces: { pay: 'Critical', dev: 'meh' }, extra: true },
    });
    expect(c.gates).toMatchObject({ minObservedDays: 3, waveSize: 5, policyMapMaxEntries: 16384 });
    expect(c.criticality).toEqual({ labels: ['risk'], namespaces: { pay: 'critical' } });
    expect(c.warnings).toHaveLength(5);
    expect(c.warnings).toContain('gates.policyMapMaxEntries: "lots" is not a usable number; using 16384');
  });
});

describe('criticality', () => {
  it('comes from configuration, then the first recognised label, else normal', () => {
    const cfg = rolloutConfig({ criticality: { namespaces: { pay: 'low' } } });
    expect(criticalityOf('pay', { criticality: 'high' }, cfg)).toEqual({ level: 'low', source: 'tighten.yaml criticality.namespaces.pay' });
    expect(criticalityOf('shop', { criticality: 'whatever', tier: 'critical' }, cfg)).toEqual({ level: 'critical', source: 'namespace label tier=critical' });
    expect(criticalityOf('web', { tier: 'frontend' }, cfg).level).toBe('normal');
    expect(parseCriticality('Medium')).toBe('normal');
    expect([isCritical('high'), isCritical('critical'), isCritical('normal')]).toEqual([true, true, false]);
  });
});
