import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TightenConfig } from '../../config/index.js';
import type { Finding, Inventory } from '../../inventory/index.js';
import { classifyWorkloads } from '../classify.js';
import { edge, entityPeer, externalPeer, inventory, peer, workload } from '../test-support/fixtures.js';
import { findBoundaryIssues } from './boundaries.js';

const small: TightenConfig = { ...DEFAULT_CONFIG, boundaries: { fanInNamespaces: 2, fanOutNamespaces: 2, crossShare: 0.5 } };

function issues(inv: Inventory, config = small): Finding[] {
  return findBoundaryIssues(inv, classifyWorkloads(inv, undefined, config), config);
}
const codes = (fs: Finding[]) => fs.map((f) => `${f.code} ${'namespace' in f.subject ? f.subject.namespace : ''}`);

describe('findBoundaryIssues', () => {
  const api = peer('core', 'Deployment', 'api');
  const callers = ['shop', 'blog', 'crm'].map((ns) => peer(ns, 'Deployment', 'app'));

  it('reports a namespace called from more than N other namespaces', () => {
    const inv = inventory([], callers.map((c) => edge(c, api, 8080)));
    const fanIn = issues(inv).filter((f) => f.code === 'namespace-fan-in');
    expect(fanIn).toEqual([
      {
        code: 'namespace-fan-in',
        severity: 'warning',
        subject: { namespace: 'core' },
        message:
          "3 other namespaces call workloads in core (blog, crm, shop; more than 2): each needs a cross-namespace ingress rule, and enforcing core can break all of them. Enforce it late, after its callers' egress is known, and review the callers with their owners.",
      },
    ]);
    expect(issues(inv, DEFAULT_CONFIG).filter((f) => f.code === 'namespace-fan-in')).toEqual([]);
  });

  it('reports a namespace calling into more than N other namespaces', () => {
    const inv = inventory([], callers.map((c) => edge(api, c, 8080)));
    const fanOut = issues(inv).filter((f) => f.code === 'namespace-fan-out');
    expect(fanOut).toHaveLength(1);
    expect(fanOut[0]!.subject).toEqual({ namespace: 'core' });
    expect(fanOut[0]!.message).toContain('core calls workloads in 3 other namespaces (blog, crm, shop; more than 2)');
  });

  it('does not count platform services: every namespace calling DNS is no fan-in', () => {
    const dns = peer('kube-system', 'Deployment', 'coredns');
    const inv = inventory([workload('kube-system', 'Deployment', 'coredns', { 'k8s-app': 'kube-dns' })], callers.map((c) => edge(c, dns, 53, { protocol: 'UDP', flows: 100 })));
    expect(codes(issues(inv)).filter((c) => !c.startsWith('namespace-policy-estimate'))).toEqual([]);
  });

  it('reports a namespace whose east-west flows mostly cross namespaces, leaving platform traffic out', () => {
    const web = peer('shop', 'Deployment', 'web');
    const cart = peer('shop', 'Deployment', 'cart');
    const dns = peer('kube-system', 'Deployment', 'coredns');
    const inv = inventory([workload('kube-system', 'Deployment', 'coredns', { 'k8s-app': 'kube-dns' })], [
      edge(web, cart, 8080, { flows: 30 }),
      edge(web, api, 8080, { flows: 70 }),
      edge(web, dns, 53, { protocol: 'UDP', flows: 5000 }),
    ]);
    const heavy = issues(inv).filter((f) => f.code === 'namespace-cross-heavy');
    expect(heavy.map((f) => f.subject)).toEqual([{ namespace: 'core' }, { namespace: 'shop' }]);
    expect(heavy[1]!.message).toBe(
      "70% of shop's 100 east-west flows cross namespaces (above 50%; platform services not counted): its policies will be mostly cross-namespace rules. Check whether the namespace matches an application boundary, and roll it out together with the namespaces it talks to.",
    );
    const lenient = { ...small, boundaries: { ...small.boundaries, crossShare: 0.7 } };
    expect(issues(inv, lenient).filter((f) => f.code === 'namespace-cross-heavy').map((f) => f.subject)).toEqual([{ namespace: 'core' }]);
  });

  it('estimates policies and rules per namespace, as information', () => {
    const web = peer('shop', 'Deployment', 'web');
    const cart = peer('shop', 'Deployment', 'cart');
    const report = peer('shop', 'CronJob', 'report');
    const inv = inventory([workload('kube-system', 'Deployment', 'coredns', { 'k8s-app': 'kube-dns' }), workload('shop', 'Pod', 'debug-shell')], [
      edge(entityPeer('world'), web, 443), // web ingress: world
      edge(web, cart, 8080), // web egress same-ns {8080}; cart ingress same-ns {8080}
      edge(web, peer('shop', 'Deployment', 'redis'), 6379), // web egress same-ns: another port set
      edge(report, cart, 8080), // report egress same-ns; cart ingress same-ns, same port set as web → one rule
      edge(cart, externalPeer('203.0.113.7', ['api.stripe.com']), 443), // cart egress world
      edge(cart, api, 9000), // cart egress to namespace core
      edge(web, peer('kube-system', 'Deployment', 'coredns'), 53, { protocol: 'UDP' }), // platform: baseline
      edge(peer('shop', 'Pod', 'debug-shell'), cart, 8080), // debug: ignored
      edge(web, cart, 9999, { verdict: 'DROPPED' }), // not allowed traffic: ignored
    ]);
    const estimate = issues(inv).filter((f) => f.code === 'namespace-policy-estimate' && 'namespace' in f.subject && f.subject.namespace === 'shop');
    expect(estimate).toEqual([
      {
        code: 'namespace-policy-estimate',
        severity: 'info',
        subject: { namespace: 'shop' },
        message:
          'shop will need about 4 policies (one per application or batch workload) with about 8 rules (3 ingress, 5 egress). A rough estimate: one rule per direction, peer group (same namespace, each other namespace, each entity, the outside world) and distinct port set; traffic to platform services is left to the platform baseline.',
      },
    ]);
    // ingress: web from world, cart from the same namespace (one port set), redis from the same namespace = 3;
    // egress: web to the same namespace with two port sets (8080, 6379), cart to the world and to core, report = 5
  });

  it('estimates no policies for namespaces of platform services only', () => {
    const inv = inventory([workload('kube-system', 'Deployment', 'coredns', { 'k8s-app': 'kube-dns' })]);
    expect(issues(inv)).toEqual([]);
  });
});
