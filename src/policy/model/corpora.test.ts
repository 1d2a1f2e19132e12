/**
 * Real policies from the shared reference and corpora (beside the repository, never copied into it): Cilium's
 * documentation examples, the policies `cilium connectivity test` applies, the Star Wars demo, and Kubernetes
 * NetworkPolicies from Online Boutique and cyclonus. They must decode, pass sanitize, and survive
 * decode → render → decode unchanged.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { decodePolicies } from './decode.js';
import { readPolicyFiles } from './read.js';
import { renderPolicies } from './render.js';
import { sanitizePolicies } from './sanitize.js';
import type { LoadedPolicy } from './types.js';

const shared = new URL('../../../../shared/', import.meta.url);
const sharedPath = (rel: string): string => fileURLToPath(new URL(rel, shared));
const haveShared = existsSync(sharedPath('reference/cilium'));
if (!haveShared) console.warn(`skipping the policy corpus tests: ${sharedPath('')} is absent (the shared reference and corpora live beside the repository)`);

function roundTrips(policies: readonly LoadedPolicy[]): void {
  const first = policies.map((p) => p.policy);
  const rendered = renderPolicies(first);
  const again = decodePolicies(rendered, 'rendered.yaml').policies.map((p) => p.policy);
  const key = (p: { kind: string; metadata: { namespace?: string; name: string } }): string => `${p.kind}/${p.metadata.namespace ?? ''}/${p.metadata.name}`;
  const byKey = new Map(first.map((p) => [key(p), p]));
  expect(again.length).toBe(first.length);
  for (const p of again) expect(p).toEqual(byKey.get(key(p)));
  expect(renderPolicies(again)).toBe(rendered);
}

describe.skipIf(!haveShared)('Cilium documentation examples (shared/reference/cilium/example-policy--*.yaml)', () => {
  const dir = sharedPath('reference/cilium/');
  const files = haveShared ? readdirSync(dir).filter((n) => n.startsWith('example-policy--') && n.endsWith('.yaml')).sort() : [];

  test('there are examples to read', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
  });

  // The examples are written for `kubectl apply` without a namespace; like kubectl, use "default".
  test.each(files)('%s decodes and sanitizes without errors or warnings', (name) => {
    const { policies, skipped } = decodePolicies(readFileSync(dir + name, 'utf8'), name, { defaultNamespace: 'default' });
    expect(skipped).toEqual([]);
    expect(policies.length).toBeGreaterThan(0);
    expect(sanitizePolicies(policies).warnings).toEqual([]);
    roundTrips(policies);
  });
});

/**
 * The connectivity-test manifests are Go templates. Placeholders naming a `parameters` entry of
 * `_derived/topology.yaml` are substituted (`{{.X}}`, `{{trimSuffix .X "."}}`, `{{.X | ipToCIDR}}`); the few
 * parameters topology.yaml lacks get the stand-ins below (test values only, chosen to be valid). Files with
 * loops or template functions (`range`, `generateDNSMatchPatternWithWildcard`) are skipped and listed.
 */
const STAND_INS: Readonly<Record<string, string>> = {
  ClusterNameRemote: 'cluster2',
  ExternalDeploymentPort: '8080',
  ExternalTargetCAName: 'cabundle',
  ExternalTargetCANamespace: 'cilium-test-1',
  K8sCIDR: '10.96.0.0/12',
};
const SKIPPED_TEMPLATES = [
  'bgp-peering-policy.yaml',
  'client-egress-tls-sni-double-wildcard.yaml',
  'client-egress-tls-sni-random-wildcard.yaml',
  'client-egress-tls-sni-wildcard.yaml',
  'client-egress-to-cidr-cp-host-knp.yaml',
  'client-egress-to-cidr-node-knp.yaml',
  'deny-cidr.yaml',
  'echo-ingress-from-cidr.yaml',
];

function substitute(text: string, params: Readonly<Record<string, unknown>>): string {
  return text.replace(/\{\{-?\s*(trimSuffix\s+)?\.(\w+)(?:\s+"\.")?\s*(\|\s*ipToCIDR\s*)?-?\}\}/g, (whole, trim: string | undefined, name: string, toCIDR: string | undefined) => {
    const value = params[name] ?? STAND_INS[name];
    if (typeof value !== 'string') return whole;
    let out = trim !== undefined ? value.replace(/\.$/, '') : value;
    if (toCIDR !== undefined) out = `${out}/${out.includes(':') ? 128 : 32}`;
    return out;
  });
}

describe.skipIf(!haveShared)('cilium connectivity-test manifests (shared/corpora/cilium-connectivity/builder/manifests)', () => {
  const dir = sharedPath('corpora/cilium-connectivity/builder/manifests/');
  const params = haveShared ? ((parse(readFileSync(sharedPath('corpora/cilium-connectivity/_derived/topology.yaml'), 'utf8')) as { parameters: Record<string, unknown> }).parameters) : {};
  const texts = haveShared ? readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort().map((name) => ({ name, text: substitute(readFileSync(dir + name, 'utf8'), params) })) : [];
  const usable = texts.filter((t) => !t.text.includes('{{'));

  test('only the files with template loops or functions are skipped', () => {
    expect(texts.filter((t) => t.text.includes('{{')).map((t) => t.name)).toEqual(SKIPPED_TEMPLATES);
    expect(usable.length).toBeGreaterThanOrEqual(90);
  });

  // `cilium connectivity test` applies them in its test namespace (parameters.TestNamespace).
  test.each(usable.map((t) => [t.name, t.text] as const))('%s decodes and sanitizes', (name, text) => {
    const { policies, skipped } = decodePolicies(text, name, { defaultNamespace: String(params.TestNamespace) });
    for (const s of skipped) expect(['CiliumCIDRGroup', 'CiliumClusterwideEnvoyConfig', 'ClusterNetworkPolicy', 'CiliumLocalRedirectPolicy']).toContain(s.kind);
    if (name !== 'local-redirect-policy.yaml') expect(policies.length).toBeGreaterThan(0);
    expect(sanitizePolicies(policies).warnings).toEqual([]);
    roundTrips(policies);
  });
});

describe.skipIf(!haveShared)('Star Wars demo (shared/corpora/cilium-starwars)', () => {
  test('the three policies decode (the app manifest holds no policy) and sanitize', async () => {
    const dir = sharedPath('corpora/cilium-starwars/examples/minikube/');
    const files = readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort();
    const read = await Promise.all(files.map((f) => readPolicyFiles([dir + f], { defaultNamespace: 'default' })));
    const r = { policies: read.flatMap((x) => x.policies), skipped: read.flatMap((x) => x.skipped) };
    expect(r.policies.map((p) => `${p.policy.metadata.namespace}/${p.policy.metadata.name}`)).toEqual(['default/empire-default-deny', 'default/rule1', 'default/rule1']);
    // Two of them are called rule1 (the demo applies one after the other), so read them one file at a time.
    expect(new Set(r.skipped.map((s) => s.kind))).toEqual(new Set(['Service', 'Deployment', 'Pod']));
    expect(sanitizePolicies(r.policies).warnings).toEqual([]);
    for (const p of r.policies) roundTrips([p]);
  });
});

describe.skipIf(!haveShared)('Kubernetes NetworkPolicies (Online Boutique, cyclonus)', () => {
  test.each(['corpora/online-boutique/kustomize/components/network-policies', 'corpora/cyclonus/networkpolicies'])('%s', async (rel) => {
    const r = await readPolicyFiles([sharedPath(rel)], { defaultNamespace: 'default' });
    expect(r.policies.length).toBeGreaterThan(0);
    expect(r.policies.every((p) => p.policy.kind === 'NetworkPolicy')).toBe(true);
    expect(sanitizePolicies(r.policies).warnings).toEqual([]);
    roundTrips(r.policies);
  });
});
