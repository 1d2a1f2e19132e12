/**
 * The transcribed table of cilium-semantics.md (cases 1–25) against the fast evaluator. Fixtures:
 * A = {id=a}, B = {id1=b, id2=t}, C = {id=t}, all in namespace `default`; TCP :80 unless shown.
 */
import { describe, expect, it } from 'vitest';
import { compileEvaluator } from './compile.js';
import { ccnp, cnp, conn, np, pod, reserved, world } from './test-support/fixtures.js';
import type { LoadedPolicy } from '../../model/types.js';

const A = pod('default', { id: 'a' });
const B = pod('default', { id1: 'b', id2: 't' });
const C = pod('default', { id: 't' }, { namedPorts: { 'port-80': { port: 80, protocol: 'TCP' } } });
const other = pod('other', { id: 'o' });

const denyAllIngress = cnp('default', 'deny-all', { endpointSelector: {}, ingress: [{}] });

function ingress(policies: readonly LoadedPolicy[], src: typeof A, dst: typeof A, port = 80): string {
  return compileEvaluator(policies).evaluate(conn(src, dst, port)).ingress.decision;
}
function egress(policies: readonly LoadedPolicy[], src: typeof A, dst: typeof A, port = 80): string {
  return compileEvaluator(policies).evaluate(conn(src, dst, port)).egress.decision;
}

describe('transcribed cases', () => {
  it('1: an L3 wildcard allow allows every port', () => {
    const p = [denyAllIngress, cnp('default', 'c', { endpointSelector: { matchLabels: { id: 't' } }, ingress: [{ fromEndpoints: [{}] }] })];
    expect(ingress(p, A, C, 80)).toBe('allowed');
    expect(ingress(p, A, C, 90)).toBe('allowed');
    expect(ingress(p, A, B, 80)).toBe('denied-default');
  });

  it('2: an extra L4 rule does not narrow an L3-only allow', () => {
    const p = [
      denyAllIngress,
      cnp('default', 'c', { endpointSelector: { matchLabels: { id: 't' } }, ingress: [{ fromEndpoints: [{}] }] }),
      cnp('default', 'c80', { endpointSelector: { matchLabels: { id: 't' } }, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] }),
    ];
    expect(ingress(p, A, C, 90)).toBe('allowed');
  });

  it('3: a named port resolves against the destination', () => {
    const p = [denyAllIngress, cnp('default', 'c', { endpointSelector: { matchLabels: { id: 't' } }, ingress: [{ toPorts: [{ ports: [{ port: 'port-80' }] }] }] })];
    expect(ingress(p, A, C, 80)).toBe('allowed');
    expect(ingress(p, A, C, 90)).toBe('denied-default');
    expect(ingress(p, A, B, 80)).toBe('denied-default');
  });

  it('4: L4 only allows that port from everyone', () => {
    const p = [cnp('default', 'c', { endpointSelector: { matchLabels: { id: 't' } }, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] })];
    expect(ingress(p, A, C, 80)).toBe('allowed');
    expect(ingress(p, A, C, 90)).toBe('denied-default');
  });

  it('5: toEndpoints [{}] allows every port to the namespace', () => {
    const p = [cnp('default', 'a', { endpointSelector: { matchLabels: { id: 'a' } }, egress: [{ toEndpoints: [{}] }] })];
    expect(egress(p, A, B, 80)).toBe('allowed');
    expect(egress(p, A, C, 80)).toBe('allowed');
    expect(egress(p, A, C, 90)).toBe('allowed');
  });

  it('6: egress L4 only', () => {
    const p = [cnp('default', 'a', { endpointSelector: { matchLabels: { id: 'a' } }, egress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] })];
    expect(egress(p, A, B, 80)).toBe('allowed');
    expect(egress(p, A, C, 80)).toBe('allowed');
    expect(egress(p, A, C, 90)).toBe('denied-default');
  });

  it('7–10: world and all entities, with and without ports', () => {
    const withPorts = (entity: 'world' | 'all'): LoadedPolicy[] => [
      cnp('default', 'a', { endpointSelector: { matchLabels: { id: 'a' } }, egress: [{ toEntities: [entity], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] }),
    ];
    const l3 = (entity: 'world' | 'all'): LoadedPolicy[] => [cnp('default', 'a', { endpointSelector: { matchLabels: { id: 'a' } }, egress: [{ toEntities: [entity] }] })];
    const w = world('198.51.100.7');
    expect([80, 90].map((p) => egress(withPorts('world'), A, w, p))).toEqual(['allowed', 'denied-default']);
    expect([80, 90].map((p) => egress(withPorts('world'), A, C, p))).toEqual(['denied-default', 'denied-default']);
    expect([80, 90].map((p) => egress(withPorts('all'), A, w, p))).toEqual(['allowed', 'denied-default']);
    expect([80, 90].map((p) => egress(withPorts('all'), A, C, p))).toEqual(['allowed', 'denied-default']);
    expect([80, 90].map((p) => egress(l3('world'), A, w, p))).toEqual(['allowed', 'allowed']);
    expect([80, 90].map((p) => egress(l3('world'), A, C, p))).toEqual(['denied-default', 'denied-default']);
    expect([80, 90].map((p) => egress(l3('all'), A, w, p))).toEqual(['allowed', 'allowed']);
    expect([80, 90].map((p) => egress(l3('all'), A, C, p))).toEqual(['allowed', 'allowed']);
  });

  it('11: ingress deny of A beats allow-all', () => {
    const p = [
      cnp('default', 'b', {
        endpointSelector: { matchLabels: { id1: 'b' } },
        ingress: [{ fromEntities: ['all'] }],
        ingressDeny: [{ fromEndpoints: [{ matchLabels: { id: 'a' } }] }],
      }),
    ];
    const e = compileEvaluator(p);
    const v = e.evaluate(conn(A, B));
    expect(v.ingress).toEqual({ decision: 'denied-rule', by: [{ kind: 'CiliumNetworkPolicy', namespace: 'default', name: 'b', spec: 0, section: 'ingressDeny', index: 0 }] });
    expect(v.allowed).toBe(false);
    expect(e.evaluate(conn(C, B)).ingress.decision).toBe('allowed');
  });

  it('12: egress deny of B beats allow-all', () => {
    const p = [
      cnp('default', 'a', {
        endpointSelector: { matchLabels: { id: 'a' } },
        egress: [{ toEntities: ['all'] }],
        egressDeny: [{ toEndpoints: [{ matchLabels: { id1: 'b' } }] }],
      }),
    ];
    expect(egress(p, A, B)).toBe('denied-rule');
    expect(egress(p, A, C)).toBe('allowed');
    expect(egress(p, A, world('203.0.113.9'))).toBe('allowed');
  });

  it('13: a world deny covers CIDR allows, both directions', () => {
    const p = [
      cnp('default', 'a', {
        endpointSelector: { matchLabels: { id: 'a' } },
        ingress: [{ fromEntities: ['all'] }, { fromCIDR: ['192.0.2.3/32'] }],
        ingressDeny: [{ fromEntities: ['world'] }],
        egress: [{ toCIDR: ['192.0.2.3/32'] }],
        egressDeny: [{ toEntities: ['world'] }],
      }),
    ];
    const w = world('192.0.2.3');
    expect(ingress(p, w, A)).toBe('denied-rule');
    expect(egress(p, A, w)).toBe('denied-rule');
  });

  it('14–15: CIDR deny vs CIDR allow by containment', () => {
    const p14 = [
      cnp('default', 'a', {
        endpointSelector: { matchLabels: { id: 'a' } },
        ingress: [{ fromEntities: ['all'] }, { fromCIDR: ['192.0.2.3/32'] }],
        ingressDeny: [{ fromCIDR: ['192.0.2.0/24'] }],
      }),
    ];
    expect(ingress(p14, world('192.0.2.3'), A)).toBe('denied-rule');
    const p15 = [
      cnp('default', 'a', {
        endpointSelector: { matchLabels: { id: 'a' } },
        ingress: [{ fromEntities: ['all'] }, { fromCIDRSet: [{ cidr: '192.0.2.0/24' }] }],
        ingressDeny: [{ fromCIDRSet: [{ cidr: '192.0.2.3/32' }] }],
      }),
    ];
    expect(ingress(p15, world('192.0.2.3'), A)).toBe('denied-rule');
    expect(ingress(p15, world('192.0.2.4'), A)).toBe('allowed');
  });

  it('16: only enableDefaultDeny=false rules leave the direction open; one default-deny rule closes it', () => {
    const open = cnp('default', 'open', { endpointSelector: { matchLabels: { id: 't' } }, enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { id: 'x' } }] }] });
    expect(ingress([open], A, C)).toBe('not-isolated');
    const closing = cnp('default', 'closing', { endpointSelector: { matchLabels: { id: 't' } }, ingress: [{ fromEndpoints: [{ matchLabels: { id: 'x' } }] }] });
    expect(ingress([open, closing], A, C)).toBe('denied-default');
  });

  it('17: enforcement modes and reserved:init', () => {
    const foo = cnp('default', 'foo', { endpointSelector: { matchLabels: { id: 't' } }, ingress: [{ fromEndpoints: [{ matchLabels: { id: 'x' } }] }] });
    expect(compileEvaluator([]).evaluate(conn(A, C))).toMatchObject({ egress: { decision: 'not-isolated' }, ingress: { decision: 'not-isolated' }, allowed: true });
    expect(compileEvaluator([foo]).evaluate(conn(C, C))).toMatchObject({ egress: { decision: 'not-isolated' }, ingress: { decision: 'denied-default' } });
    expect(compileEvaluator([], { policyEnforcementMode: 'always' }).evaluate(conn(A, C))).toMatchObject({
      egress: { decision: 'denied-default' },
      ingress: { decision: 'denied-default' },
    });
    expect(compileEvaluator([foo], { policyEnforcementMode: 'never' }).evaluate(conn(A, C))).toMatchObject({
      egress: { decision: 'not-isolated' },
      ingress: { decision: 'not-isolated' },
    });
    const init = reserved('init');
    const e = compileEvaluator([]);
    expect(e.evaluate(conn(init, A)).egress.decision).toBe('denied-default');
    expect(e.evaluate(conn(A, init)).ingress.decision).toBe('denied-default');
  });

  it('18: an explicit empty toEndpoints selects nothing', () => {
    const p = [cnp('default', 'a', { endpointSelector: { matchLabels: { id: 'a' } }, egress: [{ toEndpoints: [], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] })];
    expect(egress(p, A, B)).toBe('denied-default');
    expect(egress(p, A, world('203.0.113.1'))).toBe('denied-default');
  });

  it('19: L7 in a default-allow direction gets the allow-all wildcard (1.18+); in default deny the proxy decides', () => {
    const http = (edd: boolean | undefined): LoadedPolicy =>
      cnp('default', 'c', {
        endpointSelector: { matchLabels: { id: 't' } },
        ...(edd === undefined ? {} : { enableDefaultDeny: { ingress: edd } }),
        ingress: [{ fromEndpoints: [{ matchLabels: { id: 'a' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api' }] } }] }],
      });
    const allowDefault = compileEvaluator([http(false)]).evaluate(conn(A, C)).ingress;
    expect(allowDefault).toEqual({ decision: 'allowed', by: [expect.objectContaining({ name: 'c', section: 'ingress', index: 0 })] });
    expect(allowDefault.needsL7Check).toBeUndefined();
    expect(compileEvaluator([http(undefined)]).evaluate(conn(A, C)).ingress).toMatchObject({ decision: 'allowed', needsL7Check: true });
    expect(compileEvaluator([http(false)], { ciliumVersion: '1.17' }).evaluate(conn(A, C)).ingress).toMatchObject({ decision: 'allowed', needsL7Check: true });
  });

  it('20: NetworkPolicy ingress: [{}] and from: [] allow everything; policyTypes Ingress alone denies', () => {
    const p = [
      np('default', 'a', { podSelector: { matchLabels: { id: 'a' } }, policyTypes: ['Ingress'] }),
      np('default', 'b', { podSelector: { matchLabels: { id1: 'b' } }, ingress: [{}] }),
      np('default', 'c', { podSelector: { matchLabels: { id: 't' } }, ingress: [{ from: [] }] }),
    ];
    expect(ingress(p, A, B)).toBe('allowed');
    expect(ingress(p, A, C)).toBe('allowed');
    expect(ingress(p, B, A)).toBe('denied-default');
    expect(ingress(p, world('203.0.113.5'), C)).toBe('allowed');
  });

  it('21: NetworkPolicy without rules or policyTypes is ingress-only deny-all', () => {
    const p = [np('default', 'deny', { podSelector: {} })];
    const e = compileEvaluator(p);
    expect(e.evaluate(conn(A, B)).ingress.decision).toBe('denied-default');
    expect(e.evaluate(conn(B, A)).ingress.decision).toBe('denied-default');
    expect(e.evaluate(conn(A, C)).ingress.decision).toBe('denied-default');
    expect(e.evaluate(conn(other, A)).ingress.decision).toBe('denied-default');
    expect(e.evaluate(conn(A, other)).allowed).toBe(true);
    expect(e.evaluate(conn(A, other)).egress.decision).toBe('not-isolated');
  });

  it('22: NetworkPolicy egress port range', () => {
    const p = [np('default', 'range', { podSelector: { matchLabels: { id: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [], ports: [{ port: 8080, endPort: 8090 }] }] })];
    expect([8080, 8085, 8090, 8091].map((port) => egress(p, A, B, port))).toEqual(['allowed', 'allowed', 'allowed', 'denied-default']);
  });

  it('23: FQDN patterns', () => {
    const fqdn = (pattern: string): LoadedPolicy[] => [cnp('default', 'a', { endpointSelector: { matchLabels: { id: 'a' } }, egress: [{ toFQDNs: [{ matchPattern: pattern }] }] })];
    const to = (name: string): string => egress(fqdn(pattern), A, world('198.51.100.1', [name]));
    let pattern = '*.cilium.io.';
    expect([to('anysub.cilium.io'), to('cilium.io')]).toEqual(['allowed', 'denied-default']);
    pattern = '**.cilium.io.';
    expect([to('test.app.cilium.io'), to('cilium.io')]).toEqual(['allowed', 'denied-default']);
    pattern = '*';
    expect([to('cilium.io.'), to('.cilium.io.')]).toEqual(['allowed', 'denied-default']);
  });

  it('24: CNP namespace-label selectors select across namespaces (1.16+)', () => {
    const teamA = pod('other', { id: 'o', 'io.cilium.k8s.namespace.labels.team': 'team-a' });
    const p = [cnp('default', 'a', { endpointSelector: { matchLabels: { id: 'a' } }, ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'team-a' } }] }] })];
    expect(ingress(p, teamA, A)).toBe('allowed');
    expect(compileEvaluator(p, { ciliumVersion: '1.15' }).evaluate(conn(teamA, A)).ingress.decision).toBe('denied-default');
  });

  it('25: CCNP fromEndpoints [{}] means every pod of every namespace, not world or host', () => {
    const p = [ccnp('all-pods', { endpointSelector: { matchLabels: { id: 'a' } }, ingress: [{ fromEndpoints: [{}] }] })];
    expect(ingress(p, other, A)).toBe('allowed');
    expect(ingress(p, world('203.0.113.5'), A)).toBe('denied-default');
    expect(ingress(p, reserved('remote-node'), A)).toBe('denied-default');
  });
});
