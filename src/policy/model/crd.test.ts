/**
 * The CRD validator (test-support/crd-validator.ts) against Cilium's own examples: the 25 documentation policies in
 * shared/reference must pass it, and a wrong entity, protocol, port or CIDR must fail it — so that the generator's
 * tests, which use the same validator, prove something.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { goPatternToJs, loadCrdValidators, SHARED_CILIUM_REFERENCE } from './test-support/crd-validator.js';

const validators = loadCrdValidators();
if (validators === undefined) console.warn(`skipping the CRD schema tests: ${SHARED_CILIUM_REFERENCE} is absent (the shared reference lives beside the repository)`);

describe('goPatternToJs', () => {
  test('\\PC becomes \\P{C}; braced classes and other escapes are kept', () => {
    expect(goPatternToJs('^\\PC*$')).toBe('^\\P{C}*$');
    expect(goPatternToJs('^\\p{L}\\d\\.$')).toBe('^\\p{L}\\d\\.$');
    expect(new RegExp(goPatternToJs('^\\PC*$'), 'u').test('a b')).toBe(true);
    expect(new RegExp(goPatternToJs('^\\PC*$'), 'u').test('a\u0007b')).toBe(false);
  });
});

describe.skipIf(validators === undefined)('CRD openAPIV3Schema validation', () => {
  const files = validators ? readdirSync(SHARED_CILIUM_REFERENCE).filter((n) => n.startsWith('example-policy--') && n.endsWith('.yaml')).sort() : [];
  const objects = files.flatMap((f) =>
    parseAllDocuments(readFileSync(SHARED_CILIUM_REFERENCE + f, 'utf8'))
      .map((d) => d.toJS() as { kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy' } | null)
      .filter((o): o is NonNullable<typeof o> => o !== null)
      .map((o, i) => ({ name: `${f}#${i + 1}`, object: o })),
  );

  test('the 25 documentation examples are there', () => {
    expect(files.length).toBe(25);
  });

  test.each(objects.map((o) => [o.name, o.object] as const))('%s passes', (_name, object) => {
    expect(validators![object.kind](object)).toEqual([]);
  });

  const base = (egress: unknown) => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'x', namespace: 'default' },
    spec: { endpointSelector: { matchLabels: { app: 'x' } }, egress: [egress] },
  });

  test('a sound policy passes', () => {
    expect(validators!.CiliumNetworkPolicy(base({ toEntities: ['world'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }))).toEqual([]);
  });
  test.each([
    ['an unknown entity', { toEntities: ['world-ipv4'] }, 'toEntities/0'],
    ['ICMP as a port protocol', { toEntities: ['world'], toPorts: [{ ports: [{ port: '8', protocol: 'ICMP' }] }] }, 'protocol'],
    ['a protocol in lower case', { toEntities: ['world'], toPorts: [{ ports: [{ port: '53', protocol: 'udp' }] }] }, 'protocol'],
    ['an ICMP type by a wrong name', { toEntities: ['world'], icmps: [{ fields: [{ family: 'IPv4', type: 'Ping' }] }] }, 'type'],
    ['a bad CIDR', { toCIDR: ['10.0.0.0/33'] }, 'toCIDR/0'],
    ['an FQDN with a space', { toFQDNs: [{ matchName: 'api example.com' }] }, 'matchName'],
  ])('%s fails', (_what, egress, where) => {
    const errors = validators!.CiliumNetworkPolicy(base(egress));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toContain(where);
  });
  test('a clusterwide policy with both endpointSelector and nodeSelector fails', () => {
    const ccnp = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'x' }, spec: { endpointSelector: {}, nodeSelector: {}, ingress: [{}] } };
    expect(validators!.CiliumClusterwideNetworkPolicy(ccnp).length).toBeGreaterThan(0);
  });
});
