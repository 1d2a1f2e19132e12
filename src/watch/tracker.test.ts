import { describe, expect, it } from 'vitest';
import type { RawEvent } from './attribute.js';
import { EventTracker, rollbackCommand } from './tracker.js';

const ev = (key: string, over: Partial<RawEvent> = {}): RawEvent => ({
  key,
  kind: 'drop',
  namespace: 'shop',
  position: { ingress: 'enforce', egress: 'audit' },
  direction: 'ingress',
  source: { namespace: 'shop', kind: 'Deployment', name: 'web' },
  destination: { namespace: 'shop', kind: 'Deployment', name: 'api' },
  port: 8080,
  protocol: 'TCP',
  rule: 'default deny',
  flows: 3,
  firstSeen: '2026-11-26T10:00:00Z',
  lastSeen: '2026-11-26T10:00:01Z',
  ...over,
});

describe('EventTracker', () => {
  it('reports a key when first seen, then at most once per repeatAfterMs with the totals', () => {
    const t = new EventTracker({ repeatAfterMs: 60_000, threshold: { distinct: 99, windowMs: 600_000 }, repoFlag: '' });
    expect(t.observe([ev('a')], 0).events.map((e) => [e.report, e.total])).toEqual([['first', 3]]);
    expect(t.observe([ev('a')], 30_000).events).toEqual([]);
    expect(t.observe([ev('a')], 60_000).events.map((e) => [e.report, e.total, e.seen])).toEqual([['repeat', 9, 3]]);
    expect(t.observe([ev('a')], 61_000).events).toEqual([]);
  });

  it('raises one alert when a namespace reaches the distinct threshold, again only after the window', () => {
    const t = new EventTracker({ repeatAfterMs: 60_000, threshold: { distinct: 2, windowMs: 600_000 }, repoFlag: ' --repo gitops' });
    expect(t.observe([ev('a')], 0).alerts).toEqual([]);
    const [alert] = t.observe([ev('b')], 1_000).alerts;
    expect(alert).toMatchObject({ namespace: 'shop', distinct: 2, keys: ['a', 'b'], rollback: 'tighten rollback shop --to audit --direction ingress --repo gitops' });
    expect(t.observe([ev('c')], 2_000).alerts).toEqual([]);
    // a and b fell out of the window; c and d are two within it.
    expect(t.observe([ev('d')], 601_500).alerts.map((a) => a.keys)).toEqual([['c', 'd']]);
  });

  it('new dependencies never count toward a threshold', () => {
    const t = new EventTracker({ repeatAfterMs: 60_000, threshold: { distinct: 1, windowMs: 600_000 }, repoFlag: '' });
    expect(t.observe([ev('n', { kind: 'new-dependency' })], 0).alerts).toEqual([]);
  });

  it('the rollback command follows the position', () => {
    expect(rollbackCommand('shop', { ingress: 'enforce', egress: 'enforce' }, '')).toBe('tighten rollback shop --to audit');
    expect(rollbackCommand('shop', { ingress: 'audit', egress: 'audit' }, '')).toBe('tighten rollback shop --to observe');
    expect(rollbackCommand('shop', { ingress: 'observe', egress: 'observe' }, '')).toBeUndefined();
    expect(rollbackCommand('shop', undefined, '')).toBeUndefined();
  });
});
