import { describe, expect, it } from 'vitest';
import { IdentityLabels, parseLabel } from './labels.js';
import { parseSelectorKey, SelectorSpec, SelectorTable, selectorMatches } from './selector.js';
import { ccnp, cnp, conn, pod, reserved, verdict, world } from './test-support/fixtures.js';

const ids = (...labels: string[]): IdentityLabels => new IdentityLabels(labels, 'default');
const matches = (sel: Parameters<typeof SelectorSpec.of>[0], labels: IdentityLabels, fixedSource?: string): boolean =>
  selectorMatches(new SelectorTable().compile(SelectorSpec.of(sel, fixedSource)), labels);

describe('label and key parsing', () => {
  it('splits source:key=value like Cilium', () => {
    expect(parseLabel('k8s:app=web')).toEqual({ source: 'k8s', key: 'app', value: 'web' });
    expect(parseLabel('reserved:host')).toEqual({ source: 'reserved', key: 'host', value: '' });
    expect(parseLabel('app=web')).toEqual({ source: 'unspec', key: 'app', value: 'web' });
    expect(parseLabel('k8s:url=http://x')).toEqual({ source: 'k8s', key: 'url', value: 'http://x' });
    expect(parseLabel('$host')).toEqual({ source: 'reserved', key: 'host', value: '' });
  });

  it('reads selector keys: no source means any', () => {
    expect(parseSelectorKey('k8s:app')).toEqual({ source: 'k8s', key: 'app' });
    expect(parseSelectorKey('any:app')).toEqual({ source: 'any', key: 'app' });
    expect(parseSelectorKey('app')).toEqual({ source: 'any', key: 'app' });
    expect(parseSelectorKey('reserved:host')).toEqual({ source: 'reserved', key: 'host' });
    expect(parseSelectorKey('$world')).toEqual({ source: 'reserved', key: 'world' });
    expect(parseSelectorKey('io.kubernetes.pod.namespace')).toEqual({ source: 'any', key: 'io.kubernetes.pod.namespace' });
  });
});

describe('selector matching (a.1, a.2)', () => {
  const web = ids('k8s:app=web', 'container:tier=front', 'k8s:io.kubernetes.pod.namespace=shop');

  it('an any-source key matches a label of any source; a k8s key only k8s labels', () => {
    expect(matches({ matchLabels: { app: 'web' } }, web)).toBe(true);
    expect(matches({ matchLabels: { 'any:tier': 'front' } }, web)).toBe(true);
    expect(matches({ matchLabels: { 'k8s:tier': 'front' } }, web)).toBe(false);
    expect(matches({ matchLabels: { 'k8s:app': 'web' } }, web)).toBe(true);
    expect(matches({ matchLabels: { 'container:tier': 'front' } }, web)).toBe(true);
  });

  it('a fixed source (NetworkPolicy: k8s) takes keys verbatim', () => {
    expect(matches({ matchLabels: { app: 'web' } }, web, 'k8s')).toBe(true);
    expect(matches({ matchLabels: { tier: 'front' } }, web, 'k8s')).toBe(false);
  });

  it('matchLabels and matchExpressions are ANDed; the empty selector selects everything', () => {
    expect(matches({}, web)).toBe(true);
    expect(matches({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, web)).toBe(false);
    expect(matches({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back', 'front'] }] }, web)).toBe(true);
  });

  it('NotIn and DoesNotExist hold when the key is absent; Exists does not', () => {
    expect(matches({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, web)).toBe(true);
    expect(matches({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, web)).toBe(false);
    expect(matches({ matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, web)).toBe(true);
    expect(matches({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, web)).toBe(false);
    expect(matches({ matchExpressions: [{ key: 'env', operator: 'Exists' }] }, web)).toBe(false);
    expect(matches({ matchExpressions: [{ key: 'env', operator: 'In' }] }, web)).toBe(false);
  });

  it('reserved keys match reserved labels (no value)', () => {
    expect(matches({ matchLabels: { 'reserved:host': '' } }, ids('reserved:host'))).toBe(true);
    expect(matches({ matchExpressions: [{ key: 'reserved:world', operator: 'Exists' }] }, ids('reserved:world'))).toBe(true);
    expect(matches({ matchExpressions: [{ key: 'reserved:world', operator: 'Exists' }] }, web)).toBe(false);
  });

  it('interns equal selectors once, whatever the order of their requirements', () => {
    const table = new SelectorTable();
    const a = table.compile(SelectorSpec.of({ matchLabels: { app: 'web', tier: 'x' } }));
    const b = table.compile(SelectorSpec.of({ matchLabels: { tier: 'x' }, matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }));
    const c = table.compile(SelectorSpec.of({ matchLabels: { 'k8s:app': 'web', tier: 'x' } }));
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(table.size).toBe(2);
  });

  it('AddMatch overwrites a matchLabels entry of the same source and key', () => {
    const spec = SelectorSpec.of({ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other' } }).addMatch('k8s', 'io.kubernetes.pod.namespace', 'shop');
    expect(selectorMatches(new SelectorTable().compile(spec), web)).toBe(true);
  });
});

describe('subject and peer scoping (a.4, a.5)', () => {
  const a = pod('shop', { app: 'a' });
  const bShop = pod('shop', { app: 'b' });
  const bOther = pod('other', { app: 'b', 'io.cilium.k8s.namespace.labels.team': 'x' });
  const onA = (spec: Omit<Parameters<typeof cnp>[2], 'endpointSelector'>) => cnp('shop', 'p', { endpointSelector: { matchLabels: { app: 'a' } }, ...spec });

  it('a CNP subject is pinned to the policy namespace', () => {
    const p = [cnp('other', 'p', { endpointSelector: { matchLabels: { app: 'a' } }, ingress: [{}] })];
    expect(verdict(p, conn(bShop, a)).ingress.decision).toBe('not-isolated');
    expect(verdict(p, conn(bShop, pod('other', { app: 'a' }))).ingress.decision).toBe('denied-default');
  });

  it('a k8s-sourced namespace match on a CNP subject is overwritten by the policy namespace', () => {
    const p = [cnp('shop', 'p', { endpointSelector: { matchLabels: { app: 'a', 'k8s:io.kubernetes.pod.namespace': 'other' } }, ingress: [{}] })];
    expect(verdict(p, conn(bShop, a)).ingress.decision).toBe('denied-default');
    expect(verdict(p, conn(bShop, pod('other', { app: 'a' }))).ingress.decision).toBe('not-isolated');
  });

  it('an any-sourced foreign namespace on a CNP subject stays ANDed with the pin and selects nothing (exact-key AddMatch)', () => {
    const p = [cnp('shop', 'p', { endpointSelector: { matchLabels: { app: 'a', 'io.kubernetes.pod.namespace': 'other' } }, ingress: [{}] })];
    expect(verdict(p, conn(bShop, a)).ingress.decision).toBe('not-isolated');
    expect(verdict(p, conn(bShop, pod('other', { app: 'a' }))).ingress.decision).toBe('not-isolated');
  });

  it('CNP peers are pinned to the policy namespace unless they name one', () => {
    const pinned = [onA({ ingress: [{ fromEndpoints: [{ matchLabels: { app: 'b' } }] }] })];
    expect(verdict(pinned, conn(bShop, a)).ingress.decision).toBe('allowed');
    expect(verdict(pinned, conn(bOther, a)).ingress.decision).toBe('denied-default');
    for (const key of ['k8s:io.kubernetes.pod.namespace', 'io.kubernetes.pod.namespace', 'any:io.kubernetes.pod.namespace']) {
      const named = [onA({ ingress: [{ fromEndpoints: [{ matchLabels: { app: 'b', [key]: 'other' } }] }] })];
      expect(verdict(named, conn(bOther, a)).ingress.decision, key).toBe('allowed');
      expect(verdict(named, conn(bShop, a)).ingress.decision, key).toBe('denied-default');
    }
  });

  it('namespace-label peers lift the pin from 1.16, with the k8s or any source', () => {
    for (const key of ['io.cilium.k8s.namespace.labels.team', 'k8s:io.cilium.k8s.namespace.labels.team']) {
      const p = [onA({ ingress: [{ fromEndpoints: [{ matchLabels: { [key]: 'x' } }] }] })];
      expect(verdict(p, conn(bOther, a)).ingress.decision).toBe('allowed');
      expect(verdict(p, conn(bOther, a), { ciliumVersion: '1.15' }).ingress.decision).toBe('denied-default');
    }
  });

  it('reserved-keyed peers get no scoping', () => {
    const p = [onA({ ingress: [{ fromEndpoints: [{ matchLabels: { 'reserved:host': '' } }] }] })];
    expect(verdict(p, conn(reserved('host'), a)).ingress).toMatchObject({ decision: 'allowed', by: [{ name: 'p' }] });
  });

  it('CCNP peers get namespace Exists: any pod, never world, host or health', () => {
    const p = [ccnp('c', { endpointSelector: { matchLabels: { app: 'a' } }, ingress: [{ fromEndpoints: [{}] }] })];
    expect(verdict(p, conn(bOther, a)).ingress.decision).toBe('allowed');
    expect(verdict(p, conn(world('198.51.100.1'), a)).ingress.decision).toBe('denied-default');
    expect(verdict(p, conn(reserved('health'), a)).ingress.decision).toBe('denied-default');
  });

  it('a CCNP whose subject names reserved:init gives its peers no namespace Exists (1.18: no cluster either)', () => {
    const p = [
      ccnp('init', {
        endpointSelector: { matchLabels: { 'reserved:init': '' } },
        egress: [{ toEndpoints: [{ matchLabels: { 'reserved:host': '' } }] }, { toEndpoints: [{}] }],
      }),
    ];
    const init = reserved('init');
    expect(verdict(p, conn(init, world('198.51.100.1')), { ciliumVersion: '1.18' }).egress.decision).toBe('allowed');
    expect(verdict(p, conn(init, reserved('host'))).egress.decision).toBe('allowed');
    const withExists = [ccnp('pods', { endpointSelector: { matchLabels: { 'k8s:app': 'x' } }, egress: [{ toEndpoints: [{}] }] })];
    expect(verdict(withExists, conn(pod('shop', { app: 'x' }), world('198.51.100.1')), { ciliumVersion: '1.18' }).egress.decision).toBe('denied-default');
  });

  it('from 1.19 peers are limited to the local cluster unless they name it; a pod without the label counts as local', () => {
    const p = [onA({ ingress: [{ fromEndpoints: [{ matchLabels: { app: 'b' } }] }] })];
    const remote = { labels: ['k8s:app=b', 'k8s:io.kubernetes.pod.namespace=shop', 'k8s:io.cilium.k8s.policy.cluster=east'] };
    const unlabelled = { labels: ['k8s:app=b', 'k8s:io.kubernetes.pod.namespace=shop'] };
    expect(verdict(p, conn(remote, a)).ingress.decision).toBe('denied-default');
    expect(verdict(p, conn(remote, a), { ciliumVersion: '1.18' }).ingress.decision).toBe('allowed');
    expect(verdict(p, conn(unlabelled, a)).ingress.decision).toBe('allowed');
    expect(verdict(p, conn(remote, a), { clusterName: 'east' }).ingress.decision).toBe('allowed');
    const anyCluster = [onA({ ingress: [{ fromEndpoints: [{ matchLabels: { app: 'b' }, matchExpressions: [{ key: 'io.cilium.k8s.policy.cluster', operator: 'Exists' }] }] }] })];
    expect(verdict(anyCluster, conn(remote, a)).ingress.decision).toBe('allowed');
  });

  it('fromNodes selects remote nodes by their labels (1.16+), not the host or pods', () => {
    const node = { labels: ['reserved:remote-node', 'node:topology.kubernetes.io/zone=z1'] };
    const p = [onA({ ingress: [{ fromNodes: [{ matchLabels: { 'topology.kubernetes.io/zone': 'z1' } }] }] })];
    expect(verdict(p, conn(node, a)).ingress.decision).toBe('allowed');
    expect(verdict(p, conn({ labels: ['reserved:remote-node', 'node:topology.kubernetes.io/zone=z2'] }, a)).ingress.decision).toBe('denied-default');
    expect(verdict(p, conn({ labels: ['reserved:host', 'node:topology.kubernetes.io/zone=z1'] }, a)).ingress.decision).toBe('allowed');
    expect(verdict(p, conn({ labels: ['reserved:host', 'node:topology.kubernetes.io/zone=z1'] }, a)).ingress.by).toEqual([]);
    expect(verdict(p, conn(node, a), { ciliumVersion: '1.15' }).ingress.decision).toBe('denied-default');
  });
});

describe('fromRequires / toRequires (before 1.19)', () => {
  const a = pod('shop', { app: 'a' });
  const prodB = pod('shop', { app: 'b', env: 'prod' });
  const devB = pod('shop', { app: 'b', env: 'dev' });
  const p = [
    cnp('shop', 'require-prod', { endpointSelector: { matchLabels: { app: 'a' } }, ingress: [{ fromRequires: [{ matchLabels: { env: 'prod' } }] }] }),
    cnp('shop', 'from-b', { endpointSelector: { matchLabels: { app: 'a' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'b' } }] }, { fromEntities: ['world'] }] }),
  ];

  it('narrows every endpoint peer of the subject in that direction (1.18)', () => {
    expect(verdict(p, conn(prodB, a), { ciliumVersion: '1.18' }).ingress.decision).toBe('allowed');
    expect(verdict(p, conn(devB, a), { ciliumVersion: '1.18' }).ingress.decision).toBe('denied-default');
    expect(verdict(p, conn(world('203.0.113.1'), a), { ciliumVersion: '1.18' }).ingress.decision).toBe('allowed');
  });

  it('does not exist from 1.19: the field is pruned', () => {
    expect(verdict(p, conn(devB, a)).ingress.decision).toBe('allowed');
    const withPorts = [cnp('shop', 'r', { endpointSelector: { matchLabels: { app: 'a' } }, ingress: [{ fromRequires: [{ matchLabels: { env: 'prod' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] })];
    expect(verdict(withPorts, conn(devB, a)).ingress.decision).toBe('allowed');
    expect(verdict(withPorts, conn(devB, a), { ciliumVersion: '1.18' }).ingress.decision).toBe('denied-default');
  });
});
