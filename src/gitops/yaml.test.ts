import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatePolicies, toNetworkPolicies } from '../policy/generate/index.js';
import { demoFixture } from '../policy/generate/test-support/fixtures.js';
import { decodePolicies, renderPolicy, type Policy } from '../policy/model/index.js';
import { atStage } from './stage.js';
import { renderPolicyFast, renderYaml } from './yaml.js';

describe('renderPolicyFast', () => {
  it('gives renderPolicy’s bytes for every generated policy, at every stage and as NetworkPolicy', () => {
    for (const seed of [1, 2, 3]) {
      const f = demoFixture(seed);
      const r = generatePolicies(f.inventory, f.understanding, f.cluster, f.config, { fqdnPatterns: ['*.sendgrid.net'] });
      const all: Policy[] = [
        ...r.baseline.map((b) => b.policy),
        ...r.perWorkload.flatMap((p) => [p.policy, atStage(p.policy, 'audit')]),
        ...toNetworkPolicies(r.baseline, r.perWorkload).policies.map((p) => p.policy),
      ];
      for (const p of all) expect(renderPolicyFast(p)).toBe(renderPolicy(p));
    }
  });

  const reference = fileURLToPath(new URL('../../../shared/reference/cilium/', import.meta.url));
  it.skipIf(!existsSync(reference))('and for Cilium’s documentation examples', () => {
    for (const name of readdirSync(reference).filter((n) => n.startsWith('example-policy--'))) {
      for (const { policy } of decodePolicies(readFileSync(reference + name, 'utf8'), name, { defaultNamespace: 'default' }).policies) {
        expect(renderPolicyFast(policy), name).toBe(renderPolicy(policy));
      }
    }
  });

  it('quotes what would read back as something else, and keeps empty lists', () => {
    const p: Policy = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'x', namespace: 'y', labels: {} },
      spec: { endpointSelector: { matchLabels: { on: 'yes', n: '010' } }, ingress: [{ fromEndpoints: [] }], egress: [{ toFQDNs: [{ matchPattern: '*' }], toPorts: [{ ports: [{ port: '53' }], rules: {} }] }] },
    };
    expect(renderPolicyFast(p)).toBe(renderPolicy(p));
    expect(renderPolicyFast(p)).toContain('"on": "yes"');
  });
});

describe('renderYaml', () => {
  it('reads back as the data, in insertion order', () => {
    const data = { b: 1, a: [{ z: 'x', y: ['2026-11-02T11:00:00Z', 'no', '*'] }, {}, []], c: {}, d: { e: true, f: 'a: b' }, g: undefined };
    const text = renderYaml(data);
    expect(parse(text)).toEqual({ b: 1, a: [{ z: 'x', y: ['2026-11-02T11:00:00Z', 'no', '*'] }, {}, []], c: {}, d: { e: true, f: 'a: b' } });
    expect(text.split('\n')[0]).toBe('b: 1');
  });
  it('falls back to the yaml package for a multi-line string', () => {
    expect(parse(renderYaml({ a: 'x\ny' }))).toEqual({ a: 'x\ny' });
  });
});
