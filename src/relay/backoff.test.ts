import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

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
