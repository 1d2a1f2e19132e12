import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, decodeConfig } from '../config/index.js';
import { decodeHubbleLine, type Flow } from '../flows/index.js';
import { buildInventory } from '../inventory/index.js';
import { connection, entity, pod as hubblePod } from '../test-support/hubble.js';
import { cluster, ns, object, pod } from './test-support/fixtures.js';
import { understand } from './index.js';

function flows(lines: readonly string[]): Flow[] {
  return lines.map((l) => {
    const d = decodeHubbleLine(l);
    if (d?.kind !== 'flow') throw new Error(`not a flow: ${l}`);
    return d.flow;
  });
}

describe('understand', () => {
  // A small cluster: shop (web → cart, both using CoreDNS), a CronJob that never ran, a debug pod, a webhook.
  const web = hubblePod('shop', 'web-7d4b9c8f6d-abcde', '10.0.1.10', { app: 'web', 'pod-template-hash': '7d4b9c8f6d' }, { kind: 'Deployment', name: 'web' });
  const cart = hubblePod('shop', 'cart-5f6d7c8b9a-xyz12', '10.0.1.20', { app: 'cart', 'pod-template-hash': '5f6d7c8b9a' }, { kind: 'Deployment', name: 'cart' });
  const coredns = hubblePod('kube-system', 'coredns-565d847f94-8lw7x', '10.0.0.53', { 'k8s-app': 'kube-dns', 'pod-template-hash': '565d847f94' }, { kind: 'Deployment', name: 'coredns' });
  const shell = hubblePod('shop', 'shell', '10.0.1.99', { run: 'shell' });
  const hook = hubblePod('policy', 'guard-5d9c7b8f4-abcde', '10.0.5.5', { app: 'guard', 'pod-template-hash': '5d9c7b8f4' }, { kind: 'Deployment', name: 'guard' });
  const T = (h: number) => `2026-11-02T${String(h).padStart(2, '0')}:00:00.000000000Z`;
  const lines = [
    ...connection({ time: T(1), src: web, dst: cart, dport: 8080, srcIsPod: true, dstIsPod: true }),
    ...connection({ time: T(2), src: web, dst: coredns, proto: 'UDP', dport: 53, srcIsPod: true, dstIsPod: true }),
    ...connection({ time: T(3), src: cart, dst: coredns, proto: 'UDP', dport: 53, srcIsPod: true, dstIsPod: true }),
    ...connection({ time: T(4), src: shell, dst: cart, dport: 8080, srcIsPod: true, dstIsPod: true }),
    ...connection({ time: T(12), src: entity('kube-apiserver', '172.18.0.2'), dst: hook, dport: 9443, srcIsPod: false, dstIsPod: true }),
  ];
  const cronRef = { namespace: 'shop', kind: 'CronJob', name: 'report' };
  const dump = cluster({
    namespaces: [ns('shop', { team: 'payments' }), ns('kube-system'), ns('policy')],
    workloads: [
      object('shop', 'Deployment', 'web', { app: 'web' }),
      object('shop', 'Deployment', 'cart', { app: 'cart' }),
      object('shop', 'CronJob', 'report', {}, { schedule: '0 6 * * *' }),
      object('kube-system', 'Deployment', 'coredns', { 'k8s-app': 'kube-dns' }),
      object('policy', 'Deployment', 'guard', { app: 'guard' }),
    ],
    pods: [pod('report-29384756-q1w2e', cronRef)],
  });
  const inventory = buildInventory(flows(lines), { cluster: dump });

  it('classifies, finds issues and maps teams in one call, with now from the inventory', () => {
    const u = understand(inventory, dump, DEFAULT_CONFIG);
    expect(u.classifications.map((c) => `${c.workload.namespace}/${c.workload.kind}/${c.workload.name} ${c.class}${c.role ? `/${c.role}` : ''}`)).toEqual([
      'kube-system/Deployment/coredns platform/dns',
      'policy/Deployment/guard platform/admission-webhook',
      'shop/Deployment/cart application',
      'shop/CronJob/report batch',
      'shop/Pod/shell debug',
      'shop/Deployment/web application',
    ]);
    expect(u.findings.map((f) => `${f.severity} ${f.code} ${'name' in f.subject ? `${f.subject.namespace}/${f.subject.name}` : 'namespace' in f.subject ? f.subject.namespace : f.subject.other}`)).toEqual([
      'error label-no-stable-label shop/report',
      'warning coverage-cronjob-not-seen shop/report',
      'info namespace-policy-estimate shop',
    ]);
    expect(u.findings[1]!.message).toContain('first at 2026-11-02T06:00Z');
    expect(u.teams).toEqual({ 'kube-system': undefined, policy: undefined, shop: 'payments' });
  });

  it('takes now as a value: an earlier now makes the CronJob not yet due', () => {
    const u = understand(inventory, dump, DEFAULT_CONFIG, T(5));
    expect(u.findings.find((f) => f.code === 'coverage-cronjob-not-seen')!.severity).toBe('info');
  });

  it('is deterministic', () => {
    const config = decodeConfig('teams:\n  namespaces: {policy: security}\n', 'tighten.yaml');
    expect(understand(inventory, dump, config)).toEqual(understand(inventory, dump, config));
    expect(understand(inventory, dump, config).teams.policy).toBe('security');
  });

  it('works without a cluster dump', () => {
    const alone = buildInventory(flows(lines));
    const u = understand(alone, undefined, DEFAULT_CONFIG);
    expect(u.classifications.find((c) => c.workload.name === 'coredns')!.role).toBe('dns');
    expect(u.findings.filter((f) => f.code.startsWith('coverage-'))).toEqual([]);
    expect(u.findings.map((f) => f.code)).toContain('ownership-no-team');
  });
});
