import { describe, expect, it } from 'vitest';
import { generateSample, SAMPLE_SIZES } from './index.js';
import { PLANTED_FINDINGS, recountEdges } from './test-support/recount.js';

describe('sizes', () => {
  it('medium writes the requested number of flows, within 1%', () => {
    const s = generateSample({ size: 'medium' });
    expect(Math.abs(s.truth.counts.flows - SAMPLE_SIZES.medium.flows) / SAMPLE_SIZES.medium.flows).toBeLessThan(0.01);
    expect(s.truth.counts.workloads).toBe(500);
    let n = 0;
    for (const line of s.flowLines()) {
      n += 1;
      if (n === 1) expect(JSON.parse(line).flow.uuid).toBeTypeOf('string');
    }
    expect(n).toBe(s.truth.counts.flows);
  });

  it('a custom size with synthetic apps, CronJobs and cross-namespace calls re-counts to its truth', () => {
    const s = generateSample({ size: { workloads: 160, flows: 25_000, days: 2 }, seed: 7 });
    expect(s.truth.counts.workloads).toBe(160);
    expect(s.truth.classes.filter((c) => c.kind === 'CronJob').length).toBeGreaterThan(2);
    expect(recountEdges(() => s.flowLines(), s.cluster)).toEqual(s.truth.edges);
    // Synthetic apps add no planted-looking findings of their own.
    const planted = s.truth.findings.filter((f) => f.code !== 'namespace-cross-heavy').map((f) => `${f.code} ${Object.values(f.subject).join('/')}`);
    expect(planted).toEqual(PLANTED_FINDINGS.filter((f) => !f.startsWith('namespace-cross-heavy')));
  });

  it('large streams its first 100k lines without building them all', () => {
    const started = Date.now();
    const s = generateSample({ size: 'large' });
    expect(s.truth.counts.workloads).toBe(5_000);
    expect(new Set(s.truth.namespaces.map((n) => n.name)).size).toBeGreaterThan(100);
    expect(Math.abs(s.truth.counts.flows - 10_000_000) / 10_000_000).toBeLessThan(0.01);
    const lines = s.flowLines();
    expect(Array.isArray(lines)).toBe(false);
    const it = lines[Symbol.iterator]();
    const heapBefore = process.memoryUsage().heapUsed;
    let last = '';
    for (let i = 0; i < 100_000; i++) {
      const r = it.next();
      expect(r.done).toBe(false);
      if (i === 99_999) last = r.value as string;
    }
    // 100k lines are ~170 MB of text; a stream keeps none of them.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(120_000_000);
    expect(JSON.parse(last).flow.time >= s.truth.window.since).toBe(true);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);

  it('rejects bad options with a message naming them', () => {
    expect(() => generateSample({ size: 'huge' as never })).toThrow(/unknown sample size 'huge'; use one of small, medium, large/);
    expect(() => generateSample({ days: 0 })).toThrow(/days/);
    expect(() => generateSample({ start: '2026-11-02T00:00:00.5Z' })).toThrow(/whole second/);
  });
});
