import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, decodeConfig } from '../config/index.js';
import { compileIdentityLabelFilter } from './identity-labels.js';
import { chooseSelector, type LabelledWorkload } from './selector.js';

const filter = compileIdentityLabelFilter();
const w = (name: string, labels: Record<string, string>, kind = 'Deployment', namespace = 'shop'): LabelledWorkload => ({ namespace, kind, name, labels });
const choose = (x: LabelledWorkload, all: LabelledWorkload[], config = DEFAULT_CONFIG, f = filter) => chooseSelector(x, all, config, f);

describe('chooseSelector', () => {
  it('takes the first key of the priority list the pods carry, and never a volatile one', () => {
    const web = w('web', { app: 'web', 'app.kubernetes.io/name': 'web', 'pod-template-hash': 'abc', tier: 'front' });
    const c = choose(web, [web]);
    expect(c.labels).toEqual({ 'app.kubernetes.io/name': 'web' });
    expect(c.preferredKey).toBe('app.kubernetes.io/name');
    expect(c.stable).toEqual({ app: 'web', 'app.kubernetes.io/name': 'web', tier: 'front' });
    expect(c.added).toEqual([]);
    expect(c.alsoSelects).toEqual([]);
  });

  it('falls back to other stable keys alphabetically when no priority key is present', () => {
    const c = choose(w('web', { zone: 'a', tier: 'front' }), []);
    expect(c.labels).toEqual({ tier: 'front' });
  });

  it('has nothing to select on when only volatile labels exist (built-in and configured)', () => {
    const job = w('report', { 'job-name': 'report-29384756', 'controller-uid': 'x', 'batch.kubernetes.io/job-name': 'report-29384756' }, 'CronJob');
    const c = choose(job, [job]);
    expect(c.preferredKey).toBeUndefined();
    expect(c.labels).toEqual({});
    const cfg = decodeConfig('labels:\n  volatile: [build-*]\n', 'f');
    expect(choose(w('web', { 'build-id': '7' }), [], cfg).labels).toEqual({});
  });

  it('reports other workloads of the namespace the selector also selects, not those of other namespaces', () => {
    const a = w('web', { app: 'web' });
    const b = w('web-v2', { app: 'web' });
    const elsewhere = w('web', { app: 'web' }, 'Deployment', 'other');
    const c = choose(a, [a, b, elsewhere]);
    expect(c.labels).toEqual({ app: 'web' });
    expect(c.alsoSelects).toEqual([{ namespace: 'shop', kind: 'Deployment', name: 'web-v2' }]);
    expect(c.absentKeys).toEqual([]);
  });

  it('adds the key that tells a stable and a canary Deployment apart', () => {
    const stable = w('web', { app: 'web', track: 'stable' });
    const canary = w('web-canary', { app: 'web', track: 'canary' });
    const c = choose(stable, [stable, canary]);
    expect(c.labels).toEqual({ app: 'web', track: 'stable' });
    expect(c.added).toEqual([{ key: 'track', separates: [{ namespace: 'shop', kind: 'Deployment', name: 'web-canary' }] }]);
    expect(c.alsoSelects).toEqual([]);
  });

  it('tries priority keys before other keys, and adds only keys that separate', () => {
    const a = w('web', { app: 'web', 'app.kubernetes.io/instance': 'web-eu', tier: 'front', zone: 'a' });
    const b = w('web-us', { app: 'web', 'app.kubernetes.io/instance': 'web-us', tier: 'front', zone: 'b' });
    const c = choose(a, [a, b]);
    expect(c.labels).toEqual({ 'app.kubernetes.io/instance': 'web-eu' });
    const d = w('web-us', { app: 'web', tier: 'front', zone: 'b' });
    const e = choose(w('web', { app: 'web', tier: 'front', zone: 'a' }), [d]);
    expect(e.labels).toEqual({ app: 'web', zone: 'a' });
    expect(e.added.map((x) => x.key)).toEqual(['zone']);
  });

  it('names keys the others carry and it lacks, for a DoesNotExist expression', () => {
    const stable = w('web', { app: 'web' });
    const canary = w('web-canary', { app: 'web', track: 'canary' });
    const c = choose(stable, [stable, canary]);
    expect(c.alsoSelects.map((x) => x.name)).toEqual(['web-canary']);
    expect(c.absentKeys).toEqual(['track']);
    expect(choose(canary, [stable, canary]).labels).toEqual({ app: 'web', track: 'canary' });
  });

  it("skips keys Cilium's label filter drops", () => {
    const f = compileIdentityLabelFilter({ labels: 'k8s:team' });
    const c = choose(w('web', { app: 'web', 'app.kubernetes.io/name': 'shop-web', team: 'a' }), [], { ...DEFAULT_CONFIG, labels: { priority: ['app', 'app.kubernetes.io/name'], volatile: [] } }, f);
    expect(c.preferredKey).toBe('app');
    expect(c.notIdentityRelevant).toEqual(['app']);
    expect(c.labels).toEqual({ 'app.kubernetes.io/name': 'shop-web' });
  });
});
