import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';
import { RecentIds } from './recent-ids.js';

describe('backoffDelay', () => {
  it('grows exponentially from initialMs and stops at maxMs', () => {
    const exact = { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0 };
    expect([1, 2, 3, 4, 5, 6, 50].map((a) => backoffDelay(a, exact, () => 0.99))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });
  it('spreads each delay by ±jitter, never above maxMs', () => {
    const o = { initialMs: 1000, maxMs: 1500, multiplier: 2, jitter: 0.2 };
    expect(backoffDelay(1, o, () => 0)).toBe(800);
    expect(backoffDelay(1, o, () => 0.5)).toBe(1000);
    expect(backoffDelay(1, o, () => 0.999999)).toBe(1200);
    expect(backoffDelay(2, o, () => 0)).toBe(1200);
    expect(backoffDelay(2, o, () => 0.999999)).toBe(1500);
  });
  it('defaults to 0.5 s doubling up to 30 s', () => {
    expect(backoffDelay(1, {}, () => 0.5)).toBe(500);
    expect(backoffDelay(20, {}, () => 0.5)).toBe(30_000);
  });
});

describe('RecentIds', () => {
  it('checks nothing while a stream runs', () => {
    const ids = new RecentIds(3);
    expect(['a', 'b', 'a'].map((id) => ids.isRepeat(id))).toEqual([false, false, false]);
    expect(ids.checking).toBe(false);
  });

  it('after a resume, drops the ids remembered before it, within the capacity', () => {
    const ids = new RecentIds(3);
    for (const id of ['a', 'b', 'c', 'd']) ids.isRepeat(id); // a is forgotten
    ids.resume();
    expect(ids.checking).toBe(true);
    expect(['c', 'd', 'a', 'e', 'b'].map((id) => ids.isRepeat(id))).toEqual([true, true, false, false, true]);
    expect(ids.checking).toBe(true);
    expect(ids.isRepeat('f')).toBe(false);
    expect(ids.checking).toBe(false); // three new ids since the resume: the check is over
    expect(ids.isRepeat('d')).toBe(false);
  });

  it('a second resume includes the ids seen since the first', () => {
    const ids = new RecentIds(10);
    ids.isRepeat('a');
    ids.resume();
    expect(ids.isRepeat('b')).toBe(false);
    ids.resume();
    expect([ids.isRepeat('a'), ids.isRepeat('b'), ids.isRepeat('c')]).toEqual([true, true, false]);
  });
});
