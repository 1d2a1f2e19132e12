import { describe, expect, it } from 'vitest';
import type { PortRule } from '../../model/types.js';
import type { Endpoint } from '../types.js';
import { compileEvaluator } from './compile.js';
import { compileCiliumPorts, compileNetworkPolicyPorts, icmpType, matchPorts, PROTO_BIT, type PortItem } from './ports.js';
import { cnp, conn, np, pod, verdict, world } from './test-support/fixtures.js';

const hits = (items: readonly PortItem[] | null, proto: keyof typeof PROTO_BIT, port: number, named?: Endpoint['namedPorts']): boolean =>
  items !== null && matchPorts(items, PROTO_BIT[proto], port, named, { plain: Infinity, l7: Infinity });

describe('port items (d.1)', () => {
  it('protocol ANY (or omitted) is TCP, UDP and SCTP, never ICMP', () => {
    const any = compileCiliumPorts([{ ports: [{ port: '53' }] }], undefined, true);
    expect(['TCP', 'UDP', 'SCTP', 'ICMPv4'].map((p) => hits(any, p as keyof typeof PROTO_BIT, 53))).toEqual([true, true, true, false]);
    const udp = compileCiliumPorts([{ ports: [{ port: '53', protocol: 'UDP' }] }], undefined, true);
    expect([hits(udp, 'UDP', 53), hits(udp, 'TCP', 53)]).toEqual([true, false]);
  });

  it('"0" (or an empty port) is every port; endPort makes a range from 1.16', () => {
    const all = compileCiliumPorts([{ ports: [{ port: '0', protocol: 'TCP' }] }], undefined, true);
    expect([hits(all, 'TCP', 1), hits(all, 'TCP', 65535)]).toEqual([true, true]);
    expect(hits(compileCiliumPorts([{ ports: [{ port: '', protocol: 'TCP' }] }], undefined, true), 'TCP', 9)).toBe(true);
    const range = compileCiliumPorts([{ ports: [{ port: '8000', endPort: 8010, protocol: 'TCP' }] }], undefined, true);
    expect([7999, 8000, 8005, 8010, 8011].map((p) => hits(range, 'TCP', p))).toEqual([false, true, true, true, false]);
    const old = compileCiliumPorts([{ ports: [{ port: '8000', endPort: 8010, protocol: 'TCP' }] }], undefined, false);
    expect([8000, 8005].map((p) => hits(old, 'TCP', p))).toEqual([true, false]);
    const backwards = compileCiliumPorts([{ ports: [{ port: '8000', endPort: 7000, protocol: 'TCP' }] }], undefined, true);
    expect([hits(backwards, 'TCP', 8000), hits(backwards, 'TCP', 7500)]).toEqual([true, false]);
  });

  it('named ports resolve against the destination, protocol included; endPort is ignored for them', () => {
    const named = compileCiliumPorts([{ ports: [{ port: 'HTTP', endPort: 9000 }] }], undefined, true);
    const dst = { http: { port: 8080, protocol: 'TCP' as const } };
    expect([hits(named, 'TCP', 8080, dst), hits(named, 'UDP', 8080, dst), hits(named, 'TCP', 8081, dst), hits(named, 'TCP', 8080)]).toEqual([true, false, false, false]);
    const tcpOnly = compileCiliumPorts([{ ports: [{ port: 'dns', protocol: 'TCP' }] }], undefined, true);
    expect(hits(tcpOnly, 'UDP', 53, { dns: { port: 53, protocol: 'UDP' } })).toBe(false);
  });

  it('no toPorts and no icmps is L3 only (null); toPorts: [{}] yields no item at all', () => {
    expect(compileCiliumPorts(undefined, undefined, true)).toBeNull();
    expect(compileCiliumPorts([], [], true)).toBeNull();
    expect(compileCiliumPorts([{}], undefined, true)).toEqual([]);
  });

  it('ICMP types by number or CamelCase name, per family', () => {
    expect(icmpType(8, 'IPv4')).toBe(8);
    expect(icmpType('EchoRequest', 'IPv4')).toBe(8);
    expect(icmpType('EchoRequest', 'IPv6')).toBe(128);
    expect(icmpType('PacketTooBig', 'IPv6')).toBe(2);
    expect(icmpType('PacketTooBig', 'IPv4')).toBeUndefined();
    expect(icmpType('0', 'IPv4')).toBe(0);
    expect(icmpType(256, 'IPv4')).toBeUndefined();
    const items = compileCiliumPorts(undefined, [{ fields: [{ type: 'EchoRequest' }, { family: 'IPv6', type: 'EchoRequest' }] }], true);
    expect([hits(items, 'ICMPv4', 8), hits(items, 'ICMPv6', 128), hits(items, 'ICMPv6', 8), hits(items, 'TCP', 8)]).toEqual([true, true, false, false]);
  });

  it('NetworkPolicy ports default to TCP; no port is every port of that protocol', () => {
    const items = compileNetworkPolicyPorts([{ port: 80 }, { protocol: 'UDP' }, { port: 'metrics', protocol: 'TCP' }], true);
    expect([hits(items, 'TCP', 80), hits(items, 'UDP', 80), hits(items, 'UDP', 5353), hits(items, 'TCP', 81)]).toEqual([true, true, true, false]);
    expect(hits(items, 'TCP', 9100, { metrics: { port: 9100, protocol: 'TCP' } })).toBe(true);
    expect(compileNetworkPolicyPorts([], true)).toBeNull();
  });

  it('records the narrowest plain and L7 widths', () => {
    const l7: PortRule = { ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } };
    const items = compileCiliumPorts([l7, { ports: [{ port: '0', protocol: 'TCP' }] }], undefined, true)!;
    const hit = { plain: Infinity, l7: Infinity };
    expect(matchPorts(items, PROTO_BIT.TCP, 80, undefined, hit)).toBe(true);
    expect(hit).toEqual({ plain: 65536, l7: 1 });
  });
});

describe('ports in verdicts (d.2, c.8)', () => {
  const a = pod('shop', { app: 'a' });
  const b = pod('shop', { app: 'b' }, { namedPorts: { web: { port: 8080, protocol: 'TCP' } } });
  const b2 = pod('shop', { app: 'b' }, { namedPorts: { web: { port: 9090, protocol: 'TCP' } } });

  it('egress named ports resolve on the destination endpoint, per endpoint even for one identity', () => {
    const p = [cnp('shop', 'n', { endpointSelector: { matchLabels: { app: 'a' } }, egress: [{ toPorts: [{ ports: [{ port: 'web' }] }] }] })];
    const e = compileEvaluator(p);
    expect(e.evaluate(conn(a, b, 8080)).egress.decision).toBe('allowed');
    expect(e.evaluate(conn(a, b2, 8080)).egress.decision).toBe('denied-default');
    expect(e.evaluate(conn(a, b2, 9090)).egress.decision).toBe('allowed');
    expect(e.evaluate(conn(a, b, 9090)).egress.decision).toBe('denied-default');
    expect(e.evaluate(conn(a, b, 8080)).egress.decision).toBe('allowed');
  });

  it('an L3-only allow lets ICMP through; a port rule does not', () => {
    const l3 = [cnp('shop', 'l3', { endpointSelector: { matchLabels: { app: 'a' } }, egress: [{ toEndpoints: [{ matchLabels: { app: 'b' } }] }] })];
    expect(verdict(l3, conn(a, b, 8, 'ICMPv4')).egress.decision).toBe('allowed');
    const l4 = [cnp('shop', 'l4', { endpointSelector: { matchLabels: { app: 'a' } }, egress: [{ toEndpoints: [{ matchLabels: { app: 'b' } }], toPorts: [{ ports: [{ port: '0' }] }] }] })];
    expect(verdict(l4, conn(a, b, 8, 'ICMPv4')).egress.decision).toBe('denied-default');
    expect(verdict(l4, conn(a, b, 12345, 'UDP')).egress.decision).toBe('allowed');
  });

  it('icmps with no peer allow that ICMP type from everyone', () => {
    const p = [cnp('shop', 'ping', { endpointSelector: { matchLabels: { app: 'b' } }, ingress: [{ icmps: [{ fields: [{ type: 8 }] }] }] })];
    expect(verdict(p, conn(world('198.51.100.1'), b, 8, 'ICMPv4')).ingress.decision).toBe('allowed');
    expect(verdict(p, conn(a, b, 0, 'ICMPv4')).ingress.decision).toBe('denied-default');
  });

  it('toPorts: [{}] allows nothing', () => {
    const p = [cnp('shop', 'empty', { endpointSelector: { matchLabels: { app: 'a' } }, egress: [{ toEndpoints: [{}], toPorts: [{}] }] })];
    expect(verdict(p, conn(a, b, 80)).egress.decision).toBe('denied-default');
  });

  it('NetworkPolicy named ports and ranges', () => {
    const p = [np('shop', 'n', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ ports: [{ port: 'web' }, { port: 7000, endPort: 7002, protocol: 'UDP' }] }] })];
    expect(verdict(p, conn(a, b, 8080)).ingress.decision).toBe('allowed');
    expect(verdict(p, conn(a, b2, 8080)).ingress.decision).toBe('denied-default');
    expect(verdict(p, conn(a, b, 7002, 'UDP')).ingress.decision).toBe('allowed');
    expect(verdict(p, conn(a, b, 7002, 'TCP')).ingress.decision).toBe('denied-default');
  });

  it('an out-of-range port or unknown protocol is decided without caching and matches no port rule', () => {
    const p = [cnp('shop', 'p', { endpointSelector: { matchLabels: { app: 'a' } }, egress: [{ toPorts: [{ ports: [{ port: '0' }] }] }, { toEndpoints: [{ matchLabels: { app: 'x' } }] }] })];
    const e = compileEvaluator(p);
    expect(e.evaluate(conn(a, b, 70000)).egress.decision).toBe('denied-default');
    expect(e.evaluate(conn(a, b, 1.5)).egress.decision).toBe('denied-default');
    expect(e.evaluate({ source: a, destination: b, port: 80, protocol: 'GRE' as never }).egress.decision).toBe('denied-default');
    expect(e.evaluate(conn(a, b, 80)).egress.decision).toBe('allowed');
  });
});
