/** Deny precedence (b.4), per-direction enablement and enableDefaultDeny (b.2, b.3), modes (b.1), L7 (d.3). */
import { describe, expect, it } from 'vitest';
import type { LoadedPolicy, Rule } from '../../model/types.js';
import type { EvaluateOptions } from '../types.js';
import { ccnp, cnp, cnpSpecs, conn, decisions, np, pod, reserved, verdict, world } from './test-support/fixtures.js';

const a = pod('shop', { app: 'a' });
const b = pod('shop', { app: 'b' });
const onA = (name: string, spec: Omit<Rule, 'endpointSelector'>): LoadedPolicy => cnp('shop', name, { endpointSelector: { matchLabels: { app: 'a' } }, ...spec });
const tcp80 = { ports: [{ port: '80', protocol: 'TCP' as const }] };

describe('deny precedence (b.4)', () => {
  it('an L3 deny beats allows on every port', () => {
    const p = [onA('allow', { ingress: [{ fromEndpoints: [{}] }, { toPorts: [tcp80] }] }), onA('deny', { ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'b' } }] }] })];
    for (const port of [80, 443]) {
      expect(verdict(p, conn(b, a, port)).ingress).toEqual({
        decision: 'denied-rule',
        by: [{ kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'deny', spec: 0, section: 'ingressDeny', index: 0 }],
      });
    }
  });

  it('a port deny does not block another port', () => {
    const p = [onA('allow', { ingress: [{ fromEndpoints: [{}] }], ingressDeny: [{ fromEndpoints: [{}], toPorts: [tcp80] }] })];
    expect(verdict(p, conn(b, a, 80)).ingress.decision).toBe('denied-rule');
    expect(verdict(p, conn(b, a, 81)).ingress.decision).toBe('allowed');
    expect(verdict(p, conn(b, a, 80, 'UDP')).ingress.decision).toBe('allowed');
  });

  it('deny wins over NetworkPolicy and CCNP allows alike', () => {
    const p = [
      np('shop', 'np', { podSelector: {}, ingress: [{}] }),
      ccnp('cc', { endpointSelector: {}, ingress: [{ fromEntities: ['all'] }] }),
      onA('deny', { ingressDeny: [{ fromEntities: ['world'] }] }),
    ];
    expect(verdict(p, conn(world('203.0.113.1'), a)).ingress.decision).toBe('denied-rule');
    expect(verdict(p, conn(world('203.0.113.1'), b)).ingress.by.map((r) => r.name)).toEqual(['np', 'cc']);
  });

  it('denies bite in a default-allow direction, and a deny-only rule turns on default deny', () => {
    const soft = [onA('soft', { enableDefaultDeny: { egress: false }, egressDeny: [{ toEntities: ['world'] }] })];
    expect(verdict(soft, conn(a, world('203.0.113.1'))).egress.decision).toBe('denied-rule');
    expect(verdict(soft, conn(a, b)).egress.decision).toBe('not-isolated');
    const hard = [onA('hard', { egressDeny: [{ toEntities: ['world'] }] })];
    expect(verdict(hard, conn(a, b)).egress.decision).toBe('denied-default');
  });

  it('lists every matching deny, once each, in input order', () => {
    const p = [onA('d1', { ingressDeny: [{ fromEntities: ['cluster'] }, { fromEndpoints: [{}] }] }), onA('d2', { ingressDeny: [{ toPorts: [tcp80] }] })];
    expect(verdict(p, conn(b, a)).ingress.by.map((r) => `${r.name}[${r.index}]`)).toEqual(['d1[0]', 'd1[1]', 'd2[0]']);
  });

  it('a deny stops the host too (allow-localhost is only an allow)', () => {
    const p = [onA('deny-host', { ingressDeny: [{ fromEntities: ['host'] }] })];
    expect(verdict(p, conn(reserved('host'), a)).ingress.decision).toBe('denied-rule');
  });
});

describe('enablement and enableDefaultDeny (b.2, b.3)', () => {
  it('each direction is enabled by its own sections; ingress: [] contributes nothing', () => {
    expect(decisions(verdict([onA('i', { ingress: [{}] })], conn(a, a)))).toBe('not-isolated/denied-default');
    expect(decisions(verdict([onA('e', { egress: [{}] })], conn(a, a)))).toBe('denied-default/not-isolated');
    expect(decisions(verdict([onA('none', { ingress: [], egress: [] })], conn(a, a)))).toBe('not-isolated/not-isolated');
  });

  it('default deny holds unless every rule of the direction says false', () => {
    const soft = onA('soft', { enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'x' } }] }] });
    const softEgressOnly = onA('soft-egress', { enableDefaultDeny: { egress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'x' } }] }] });
    const unrelated = onA('egress-hard', { egress: [{}] });
    expect(verdict([soft], conn(b, a)).ingress.decision).toBe('not-isolated');
    expect(verdict([soft, unrelated], conn(b, a)).ingress.decision).toBe('not-isolated');
    expect(verdict([soft, softEgressOnly], conn(b, a)).ingress.decision).toBe('denied-default');
  });

  it('an explicit allow in a default-allow direction is reported with its rule', () => {
    const soft = onA('soft', { enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'b' } }] }] });
    expect(verdict([soft], conn(b, a)).ingress).toEqual({ decision: 'allowed', by: [expect.objectContaining({ name: 'soft', section: 'ingress', index: 0 })] });
  });

  it('is ignored before 1.16, honoured in 1.16 whatever the flag, and from 1.17 only with the flag', () => {
    const soft = [onA('soft', { enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'x' } }] }] })];
    const at = (options: EvaluateOptions) => verdict(soft, conn(b, a), options).ingress.decision;
    expect(at({ ciliumVersion: '1.15' })).toBe('denied-default');
    expect(at({ ciliumVersion: '1.16', enableNonDefaultDenyPolicies: false })).toBe('not-isolated');
    expect(at({ ciliumVersion: '1.17' })).toBe('not-isolated');
    expect(at({ ciliumVersion: '1.17', enableNonDefaultDenyPolicies: false })).toBe('denied-default');
  });

  it('a NetworkPolicy selecting the same pod always asks for default deny', () => {
    const soft = onA('soft', { enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'x' } }] }] });
    expect(verdict([soft, np('shop', 'np', { podSelector: { matchLabels: { app: 'a' } }, policyTypes: ['Ingress'] })], conn(b, a)).ingress.decision).toBe('denied-default');
  });

  it('spec and specs are separate rules; refs carry the spec index', () => {
    const p = [cnpSpecs('shop', 'multi', [{ endpointSelector: { matchLabels: { app: 'a' } }, ingress: [{}] }, { endpointSelector: { matchLabels: { app: 'a' } }, ingress: [{ fromEndpoints: [{}] }] }])];
    expect(verdict(p, conn(b, a)).ingress.by).toEqual([{ kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'multi', spec: 1, section: 'ingress', index: 0 }]);
  });
});

describe('enforcement modes, init, host, localhost (b.1, b.7)', () => {
  const allowAll = onA('allow-all', { ingress: [{ fromEntities: ['all'] }] });

  it('always: default deny both ways even without rules, and over enableDefaultDeny false', () => {
    expect(decisions(verdict([], conn(a, b), { policyEnforcementMode: 'always' }))).toBe('denied-default/denied-default');
    const soft = onA('soft', { enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'x' } }] }] });
    expect(verdict([soft], conn(b, a), { policyEnforcementMode: 'always' }).ingress.decision).toBe('denied-default');
    expect(verdict([allowAll], conn(b, a), { policyEnforcementMode: 'always' }).ingress.decision).toBe('allowed');
  });

  it('never: nothing is enforced, not even denies', () => {
    const p = [onA('deny', { ingressDeny: [{ fromEntities: ['all'] }] })];
    expect(decisions(verdict(p, conn(b, a), { policyEnforcementMode: 'never' }))).toBe('not-isolated/not-isolated');
  });

  it('reserved:init is default deny both ways; a CCNP can still allow it', () => {
    const init = reserved('init');
    expect(decisions(verdict([], conn(init, init)))).toBe('denied-default/denied-default');
    const p = [ccnp('init-dns', { endpointSelector: { matchLabels: { 'reserved:init': '' } }, egress: [{ toEntities: ['cluster'], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }] })];
    expect(verdict(p, conn(init, pod('kube-system', { 'k8s-app': 'kube-dns' }), 53, 'UDP')).egress.decision).toBe('allowed');
  });

  it('CCNP endpointSelector {} selects every local endpoint, health included, but not the host', () => {
    const p = [ccnp('all', { endpointSelector: {}, ingress: [{}] })];
    expect(verdict(p, conn(a, reserved('health'))).ingress.decision).toBe('denied-default');
    expect(verdict(p, conn(a, b)).ingress.decision).toBe('denied-default');
    expect(verdict(p, conn(a, reserved('host')), { hostFirewall: true }).ingress.decision).toBe('not-isolated');
  });

  it('host policies (nodeSelector) apply to the host only, and only with the host firewall', () => {
    const node = { labels: ['reserved:host', 'k8s:node-role.kubernetes.io/worker='] };
    const p = [ccnp('host', { nodeSelector: { matchLabels: { 'node-role.kubernetes.io/worker': '' } }, ingress: [{ fromEntities: ['cluster'] }] })];
    expect(verdict(p, conn(world('203.0.113.1'), node)).ingress.decision).toBe('not-isolated');
    expect(verdict(p, conn(world('203.0.113.1'), node), { hostFirewall: true }).ingress.decision).toBe('denied-default');
    expect(verdict(p, conn(a, node), { hostFirewall: true }).ingress.decision).toBe('allowed');
    expect(verdict(p, conn(world('203.0.113.1'), a), { hostFirewall: true }).ingress.decision).toBe('not-isolated');
    expect(verdict([], conn(node, a), { hostFirewall: true, policyEnforcementMode: 'always' }).egress.decision).toBe('denied-default');
  });

  it('the host may always reach local endpoints (allow-localhost): allowed with no rule', () => {
    const p = [onA('deny-all', { ingress: [{}] })];
    expect(verdict(p, conn(reserved('host'), a)).ingress).toEqual({ decision: 'allowed', by: [] });
    expect(verdict(p, conn(reserved('remote-node'), a)).ingress.decision).toBe('denied-default');
    expect(verdict([], conn(reserved('host'), reserved('init'))).ingress.decision).toBe('allowed');
  });
});

describe('L7 (d.3, b.3)', () => {
  const http = { ports: [{ port: '80', protocol: 'TCP' as const }], rules: { http: [{ method: 'GET', path: '/api' }] } };

  it('an allow resting on L7 rules needs the proxy', () => {
    const p = [onA('l7', { ingress: [{ fromEndpoints: [{ matchLabels: { app: 'b' } }], toPorts: [http] }] })];
    expect(verdict(p, conn(b, a)).ingress).toMatchObject({ decision: 'allowed', needsL7Check: true });
  });

  it('a plain allow on the same (or a narrower) port shadows L7; a wider one does not', () => {
    const l7 = onA('l7', { ingress: [{ fromEndpoints: [{ matchLabels: { app: 'b' } }], toPorts: [http] }] });
    const same = onA('same', { ingress: [{ toPorts: [tcp80] }] });
    const range = onA('range', { ingress: [{ toPorts: [{ ports: [{ port: '1', endPort: 1000, protocol: 'TCP' }] }] }] });
    const l3 = onA('l3', { ingress: [{ fromEndpoints: [{ matchLabels: { app: 'b' } }] }] });
    expect(verdict([l7, same], conn(b, a)).ingress.needsL7Check).toBeUndefined();
    expect(verdict([l7, range], conn(b, a)).ingress.needsL7Check).toBe(true);
    expect(verdict([l7, l3], conn(b, a)).ingress.needsL7Check).toBe(true);
    expect(verdict([l7, l3], conn(b, a, 81)).ingress).toEqual({ decision: 'allowed', by: [expect.objectContaining({ name: 'l3' })] });
  });

  it('DNS, kafka, l7proto, SNI and listeners go through the proxy; empty rule lists do not', () => {
    const dns = onA('dns', { egress: [{ toEndpoints: [{}], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] }] });
    expect(verdict([dns], conn(a, b, 53, 'UDP')).egress.needsL7Check).toBe(true);
    const sni = onA('sni', { egress: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], serverNames: ['x.example.com'] }] }] });
    expect(verdict([sni], conn(a, world('203.0.113.1'), 443)).egress.needsL7Check).toBe(true);
    const empty = onA('empty', { egress: [{ toEntities: ['all'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [] } }] }] });
    expect(verdict([empty], conn(a, b)).egress.needsL7Check).toBeUndefined();
  });

  it('the host keeps L7 restrictions of a port (its L3 allow-localhost is wider)', () => {
    const p = [onA('l7', { ingress: [{ fromEntities: ['host'], toPorts: [http] }] })];
    expect(verdict(p, conn(reserved('host'), a)).ingress).toMatchObject({ decision: 'allowed', needsL7Check: true });
  });
});
