/** Compile-once behaviour: identities, caches and what a verdict object promises. */
import { describe, expect, it } from 'vitest';
import type { LoadedPolicy } from '../../model/types.js';
import { compileEvaluator } from './compile.js';
import { ccnp, cnp, cnpSpecs, conn, pod, world } from './test-support/fixtures.js';

const a = pod('shop', { app: 'a' });
const b = pod('shop', { app: 'b' });
const policies: LoadedPolicy[] = [
  cnp('shop', 'a-egress', { endpointSelector: { matchLabels: { app: 'a' } }, egress: [{ toEndpoints: [{ matchLabels: { app: 'b' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] }),
];

describe('the compiled evaluator', () => {
  it('returns the same frozen verdict for a repeated connection', () => {
    const e = compileEvaluator(policies);
    const v1 = e.evaluate(conn(a, b));
    const v2 = e.evaluate(conn(a, b));
    expect(v2).toBe(v1);
    expect(Object.isFrozen(v1)).toBe(true);
    expect(Object.isFrozen(v1.egress.by)).toBe(true);
  });

  it('treats label sets as sets: order, duplicates and fresh arrays give the same identity', () => {
    const e = compileEvaluator(policies);
    const shuffled = { labels: [...a.labels].reverse() };
    const duplicated = { labels: [...a.labels, a.labels[0]!] };
    const v = e.evaluate(conn(a, b));
    expect(e.evaluate(conn(shuffled, b))).toBe(v);
    expect(e.evaluate(conn(duplicated, { labels: [...b.labels] }))).toBe(v);
  });

  it('keeps ports and protocols apart in its cache', () => {
    const e = compileEvaluator(policies);
    expect([e.evaluate(conn(a, b, 80)), e.evaluate(conn(a, b, 81)), e.evaluate(conn(a, b, 80, 'UDP')), e.evaluate(conn(a, b, 80))].map((v) => v.egress.decision)).toEqual([
      'allowed',
      'denied-default',
      'denied-default',
      'allowed',
    ]);
  });

  it('does not read policies again after compiling', () => {
    const mutable = structuredClone(policies);
    const e = compileEvaluator(mutable);
    (mutable[0]!.policy as { spec: unknown }).spec = { endpointSelector: {}, egress: [{}] };
    expect(e.evaluate(conn(b, a)).egress.decision).toBe('not-isolated');
  });

  it('names CCNP rules without a namespace and dedupes equal refs', () => {
    const e = compileEvaluator([
      ccnp('cc', { endpointSelector: {}, egress: [{ toEntities: ['world'] }] }),
      { policy: { ...cnpSpecs('shop', 'both', []).policy, spec: { endpointSelector: {}, egress: [{ toEntities: ['world'] }] }, specs: [{ endpointSelector: {}, egress: [{ toEntities: ['world'] }] }] } as LoadedPolicy['policy'] },
    ]);
    const by = e.evaluate(conn(a, world('203.0.113.1'))).egress.by;
    expect(by).toEqual([
      { kind: 'CiliumClusterwideNetworkPolicy', name: 'cc', spec: 0, section: 'egress', index: 0 },
      { kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'both', spec: 0, section: 'egress', index: 0 },
    ]);
    expect('namespace' in by[0]!).toBe(false);
  });

  it('rejects a malformed version or mode', () => {
    expect(() => compileEvaluator([], { ciliumVersion: 'latest' })).toThrow(/ciliumVersion 'latest'/);
    expect(() => compileEvaluator([], { policyEnforcementMode: 'sometimes' as never })).toThrow(/policyEnforcementMode/);
    expect(() => compileEvaluator([], { ciliumVersion: 'v1.16.3' })).not.toThrow();
  });

  it('scales: 1,000 policies × 20,000 connections stay consistent with a fresh evaluator', () => {
    const many: LoadedPolicy[] = [];
    for (let i = 0; i < 1000; i++) {
      many.push(
        cnp(`ns${i % 10}`, `p${i}`, {
          endpointSelector: { matchLabels: { app: `a${i % 30}` } },
          ingress: [{ fromEndpoints: [{ matchLabels: { app: `a${(i + 1) % 30}` } }], toPorts: [{ ports: [{ port: String(8000 + (i % 5)), protocol: 'TCP' }] }] }],
          egressDeny: [{ toEndpoints: [{ matchLabels: { app: `a${(i + 2) % 30}` } }] }],
        }),
      );
    }
    const eps = Array.from({ length: 300 }, (_, i) => pod(`ns${i % 10}`, { app: `a${i % 30}` }));
    const e = compileEvaluator(many);
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    const conns = Array.from({ length: 20_000 }, () => conn(eps[rnd(300)]!, eps[rnd(300)]!, 8000 + rnd(6)));
    const first = conns.map((c) => e.evaluate(c));
    const fresh = compileEvaluator(many);
    const sample = conns.map((c, i) => [c, first[i]!] as const).filter((_, i) => i % 97 === 0);
    for (const [c, v] of sample) expect(fresh.evaluate({ ...c, source: { labels: [...c.source.labels] } })).toEqual(v);
  });
});
