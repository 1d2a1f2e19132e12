/** Kubernetes NetworkPolicy as Cilium translates it (b.2 exception, b.6). */
import { describe, expect, it } from 'vitest';
import { cnp, conn, decisions, np, pod, reserved, verdict, world } from './test-support/fixtures.js';

const web = pod('shop', { app: 'web' });
const api = pod('shop', { app: 'api' });
const prom = pod('monitoring', { app: 'prom', 'io.cilium.k8s.namespace.labels.team': 'obs' });
const other = pod('other', { app: 'api', 'io.cilium.k8s.namespace.labels.team': 'dev' });

describe('NetworkPolicy subjects and peers', () => {
  it('the podSelector is pinned to the policy namespace and reads k8s labels only', () => {
    const p = [np('shop', 'deny', { podSelector: { matchLabels: { app: 'api' } } })];
    expect(verdict(p, conn(web, api)).ingress.decision).toBe('denied-default');
    expect(verdict(p, conn(web, other)).ingress.decision).toBe('not-isolated');
    const containerLabelled = { labels: ['container:app=api', 'k8s:io.kubernetes.pod.namespace=shop'] };
    expect(verdict(p, conn(web, containerLabelled)).ingress.decision).toBe('not-isolated');
  });

  it('a bare podSelector peer is in the policy namespace', () => {
    const p = [np('shop', 'from-web', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] })];
    expect(verdict(p, conn(web, api)).ingress).toEqual({
      decision: 'allowed',
      by: [{ kind: 'NetworkPolicy', namespace: 'shop', name: 'from-web', spec: 0, section: 'ingress', index: 0 }],
    });
    expect(verdict(p, conn(pod('other', { app: 'web' }), api)).ingress.decision).toBe('denied-default');
  });

  it('a namespaceSelector reads namespace labels; empty means any namespace; with a podSelector both must hold', () => {
    const byTeam = [np('shop', 't', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'obs' } } }] }] })];
    expect(verdict(byTeam, conn(prom, api)).ingress.decision).toBe('allowed');
    expect(verdict(byTeam, conn(other, api)).ingress.decision).toBe('denied-default');
    const anyNs = [np('shop', 'any', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ namespaceSelector: {} }] }] })];
    expect(verdict(anyNs, conn(other, api)).ingress.decision).toBe('allowed');
    expect(verdict(anyNs, conn(world('203.0.113.1'), api)).ingress.decision).toBe('denied-default');
    expect(verdict(anyNs, conn(reserved('host'), api)).ingress.by).toEqual([]);
    const both = [
      np('shop', 'both', {
        podSelector: { matchLabels: { app: 'api' } },
        ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['obs', 'dev'] }] }, podSelector: { matchLabels: { app: 'prom' } } }] }],
      }),
    ];
    expect(verdict(both, conn(prom, api)).ingress.decision).toBe('allowed');
    expect(verdict(both, conn(other, api)).ingress.decision).toBe('denied-default');
  });

  it('an empty or missing peer list is everyone, world included', () => {
    for (const rule of [{}, { from: [] }]) {
      const p = [np('shop', 'open', { podSelector: {}, ingress: [rule] })];
      expect(verdict(p, conn(world('203.0.113.1'), api)).ingress.decision).toBe('allowed');
      expect(verdict(p, conn(reserved('remote-node'), api)).ingress.decision).toBe('allowed');
    }
  });

  it('ipBlock is a CIDR with except and never matches pods', () => {
    const p = [np('shop', 'ip', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.9.0.0/16'] } }] }] })];
    expect(verdict(p, conn(web, world('10.1.2.3'))).egress.decision).toBe('allowed');
    expect(verdict(p, conn(web, world('10.9.2.3'))).egress.decision).toBe('denied-default');
    expect(verdict(p, conn(web, pod('shop', { app: 'api' }, { ip: '10.1.2.4' }))).egress.decision).toBe('denied-default');
    const ingress = [np('shop', 'ip-in', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] })];
    expect(verdict(ingress, conn(api, web)).ingress.decision).toBe('denied-default');
  });

  it('from 1.19 peers are local-cluster only unless the podSelector names the cluster', () => {
    const remote = { labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=shop', 'k8s:io.cilium.k8s.policy.cluster=east'] };
    const p = [np('shop', 'from-web', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] })];
    expect(verdict(p, conn(remote, api)).ingress.decision).toBe('denied-default');
    expect(verdict(p, conn(remote, api), { ciliumVersion: '1.18' }).ingress.decision).toBe('allowed');
    const named = [
      np('shop', 'from-east', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web', 'io.cilium.k8s.policy.cluster': 'east' } } }] }] }),
    ];
    expect(verdict(named, conn(remote, api)).ingress.decision).toBe('allowed');
  });
});

describe('NetworkPolicy policyTypes (b.2)', () => {
  it('no policyTypes and no rules: ingress deny only', () => {
    expect(decisions(verdict([np('shop', 'p', { podSelector: {} })], conn(web, api)))).toBe('not-isolated/denied-default');
  });

  it('Egress only: egress deny, ingress open', () => {
    expect(decisions(verdict([np('shop', 'p', { podSelector: {}, policyTypes: ['Egress'] })], conn(web, api)))).toBe('denied-default/not-isolated');
  });

  it('both types without rules: deny both ways', () => {
    expect(decisions(verdict([np('shop', 'p', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })], conn(web, api)))).toBe('denied-default/denied-default');
  });

  it('egress rules without policyTypes also enable ingress (nothing says Egress-only)', () => {
    const p = [np('shop', 'p', { podSelector: {}, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] })];
    expect(decisions(verdict(p, conn(web, api, 53, 'UDP')))).toBe('allowed/denied-default');
  });

  it('rules translate whatever policyTypes says (Cilium, unlike the Kubernetes API, does not drop them)', () => {
    const p = [np('shop', 'p', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}], egress: [{ ports: [{ port: 443 }] }] })];
    expect(decisions(verdict(p, conn(web, api, 80)))).toBe('denied-default/allowed');
  });

  it('combines with CNP as a union of allows', () => {
    const p = [
      np('shop', 'np', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ ports: [{ port: 8080 }] }] }),
      cnp('shop', 'cnp', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }] }] }] }),
    ];
    expect(verdict(p, conn(web, api, 8080)).ingress.by.map((r) => r.kind)).toEqual(['NetworkPolicy']);
    expect(verdict(p, conn(web, api, 9090)).ingress.by.map((r) => r.kind)).toEqual(['CiliumNetworkPolicy']);
    expect(verdict(p, conn(web, api, 7070)).ingress.decision).toBe('denied-default');
  });
});

describe('namespace defaulting', () => {
  it('a namespaced policy written without a namespace lives in default', () => {
    const inDefault = pod('default', { app: 'api' });
    expect(verdict([np('', 'deny', { podSelector: {} })], conn(web, inDefault)).ingress.decision).toBe('denied-default');
    expect(verdict([cnp('', 'deny', { endpointSelector: {}, ingress: [{}] })], conn(web, inDefault)).ingress.by).toEqual([]);
    expect(verdict([cnp('', 'deny', { endpointSelector: {}, ingress: [{}] })], conn(web, inDefault)).ingress.decision).toBe('denied-default');
  });
});
