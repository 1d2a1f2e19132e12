import { describe, expect, it } from 'vitest';
import { compileEvaluator } from './compile.js';
import { cidrMatches, cidrMatchesWorldWithoutIp, compileCidr, parseIp, parsePrefix, prefixContains } from './cidr.js';
import { cnp, conn, pod, reserved, verdict, world } from './test-support/fixtures.js';

describe('addresses and prefixes', () => {
  it('parses IPv4 and IPv6, compressed, with an embedded IPv4 tail or a zone', () => {
    expect(parseIp('192.0.2.1')).toEqual({ v6: false, words: [0xc0000201] });
    expect(parseIp('2001:db8::1')).toEqual({ v6: true, words: [0x20010db8, 0, 0, 1] });
    expect(parseIp('::')).toEqual({ v6: true, words: [0, 0, 0, 0] });
    expect(parseIp('::ffff:192.0.2.1')).toEqual({ v6: true, words: [0, 0, 0xffff, 0xc0000201] });
    expect(parseIp('fe80::1%eth0')).toEqual({ v6: true, words: [0xfe800000, 0, 0, 1] });
    expect(parseIp('1:2:3:4:5:6:7:8')).toEqual({ v6: true, words: [0x10002, 0x30004, 0x50006, 0x70008] });
  });

  it('rejects what is not an address', () => {
    for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', 'a.b.c.d', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', '']) expect(parseIp(bad), bad).toBeUndefined();
    expect(parsePrefix('10.0.0.0/33')).toBeUndefined();
    expect(parsePrefix('10.0.0.0/x')).toBeUndefined();
  });

  it('a bare address is a host prefix', () => {
    expect(parsePrefix('192.0.2.1')?.bits).toBe(32);
    expect(parsePrefix('2001:db8::1')?.bits).toBe(128);
  });

  it('contains by prefix bits, within one family', () => {
    const p = (t: string) => parsePrefix(t)!;
    const ip = (t: string) => parseIp(t)!;
    expect(prefixContains(p('10.0.0.0/8'), ip('10.255.1.2'))).toBe(true);
    expect(prefixContains(p('10.0.0.0/8'), ip('11.0.0.1'))).toBe(false);
    expect(prefixContains(p('0.0.0.0/0'), ip('203.0.113.1'))).toBe(true);
    expect(prefixContains(p('0.0.0.0/0'), ip('2001:db8::1'))).toBe(false);
    expect(prefixContains(p('192.0.2.3/32'), ip('192.0.2.3'))).toBe(true);
    expect(prefixContains(p('192.0.2.3/31'), ip('192.0.2.2'))).toBe(true);
    expect(prefixContains(p('2001:db8::/32'), ip('2001:db8:ffff::1'))).toBe(true);
    expect(prefixContains(p('2001:db8::/33'), ip('2001:db8:8000::1'))).toBe(false);
    expect(prefixContains(p('2001:db8::/97'), ip('2001:db8::7fff:ffff'))).toBe(true);
    expect(prefixContains(p('2001:db8::/97'), ip('2001:db8::8000:0'))).toBe(false);
  });

  it('except carves out subnets', () => {
    const c = compileCidr('10.0.0.0/8', ['10.1.0.0/16', 'bogus'])!;
    expect(c.excepts).toHaveLength(1);
    expect(cidrMatches(c, parseIp('10.2.0.1')!)).toBe(true);
    expect(cidrMatches(c, parseIp('10.1.0.1')!)).toBe(false);
  });

  it('an address-less world identity matches only a whole-family prefix without excepts', () => {
    expect(cidrMatchesWorldWithoutIp(compileCidr('0.0.0.0/0')!, 1)).toBe(true);
    expect(cidrMatchesWorldWithoutIp(compileCidr('0.0.0.0/0')!, 4)).toBe(false);
    expect(cidrMatchesWorldWithoutIp(compileCidr('::/0')!, 4)).toBe(true);
    expect(cidrMatchesWorldWithoutIp(compileCidr('0.0.0.0/0', ['10.0.0.0/8'])!, 1)).toBe(false);
    expect(cidrMatchesWorldWithoutIp(compileCidr('10.0.0.0/8')!, 1)).toBe(false);
  });
});

describe('CIDR peers (c.3)', () => {
  const a = pod('shop', { app: 'a' });
  const egress = (peer: Parameters<typeof cnp>[2]['egress']) => [cnp('shop', 'c', { endpointSelector: { matchLabels: { app: 'a' } }, egress: peer })];

  it('fromCIDR and fromCIDRSet are the same; except applies', () => {
    const viaCidr = egress([{ toCIDR: ['203.0.113.0/24'] }]);
    const viaSet = egress([{ toCIDRSet: [{ cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] }] }]);
    expect(verdict(viaCidr, conn(a, world('203.0.113.200'))).egress.decision).toBe('allowed');
    expect(verdict(viaSet, conn(a, world('203.0.113.100'))).egress.decision).toBe('allowed');
    expect(verdict(viaSet, conn(a, world('203.0.113.200'))).egress.decision).toBe('denied-default');
  });

  it('matches world and unmanaged identities by address, never pods or nodes', () => {
    const p = egress([{ toCIDR: ['10.0.0.0/8'] }]);
    expect(verdict(p, conn(a, pod('other', { app: 'b' }, { ip: '10.0.0.5' }))).egress.decision).toBe('denied-default');
    expect(verdict(p, conn(a, reserved('remote-node', { ip: '10.0.0.6' }))).egress.decision).toBe('denied-default');
    expect(verdict(p, conn(a, reserved('host', { ip: '10.0.0.7' }))).egress.decision).toBe('denied-default');
    expect(verdict(p, conn(a, reserved('unmanaged', { ip: '10.0.0.8' }))).egress.decision).toBe('allowed');
    expect(verdict(p, conn(a, world('10.0.0.9'))).egress.decision).toBe('allowed');
    expect(verdict(p, conn(a, { labels: [], ip: '10.0.0.10' })).egress.decision).toBe('allowed');
  });

  it('IPv6 prefixes and world-ipv6', () => {
    const p = egress([{ toCIDRSet: [{ cidr: '2001:db8::/32' }] }]);
    expect(verdict(p, conn(a, reserved('world-ipv6', { ip: '2001:db8::42' }))).egress.decision).toBe('allowed');
    expect(verdict(p, conn(a, reserved('world-ipv6', { ip: '2001:db9::42' }))).egress.decision).toBe('denied-default');
  });

  it('0.0.0.0/0 selects an address-less world endpoint; a narrower prefix does not', () => {
    expect(verdict(egress([{ toCIDR: ['0.0.0.0/0'] }]), conn(a, world())).egress.decision).toBe('allowed');
    expect(verdict(egress([{ toCIDR: ['203.0.113.0/24'] }]), conn(a, world())).egress.decision).toBe('denied-default');
  });

  it('cidrGroupRef and cidrGroupSelector match nothing (no CiliumCIDRGroup objects)', () => {
    const p = egress([{ toCIDRSet: [{ cidrGroupRef: 'corp' }, { cidrGroupSelector: {} }] }]);
    expect(verdict(p, conn(a, world('203.0.113.1'))).egress.decision).toBe('denied-default');
  });

  it('the same world labels at different addresses are different identities', () => {
    const p = egress([{ toCIDR: ['203.0.113.0/24'] }]);
    const labels = ['reserved:world'];
    const e = compileEvaluator(p);
    const ev = (ip: string) => e.evaluate(conn(a, { labels, ip })).egress.decision;
    expect([ev('203.0.113.1'), ev('198.51.100.1'), ev('203.0.113.2'), ev('198.51.100.1')]).toEqual(['allowed', 'denied-default', 'allowed', 'denied-default']);
  });
});
