import { describe, expect, it } from 'vitest';
import { compileEvaluator } from './compile.js';
import { compilePattern, FqdnMatcher, normalizeName } from './fqdn.js';
import { cnp, conn, pod, reserved, verdict, world } from './test-support/fixtures.js';

const matches = (pattern: string, name: string, doubleStar = true): boolean => compilePattern(pattern, doubleStar).test(normalizeName(name));

describe('matchPattern (c.4, pkg/fqdn/matchpattern)', () => {
  it('transcribed case 23', () => {
    expect(matches('*.cilium.io.', 'anysub.cilium.io.')).toBe(true);
    expect(matches('*.cilium.io.', 'cilium.io.')).toBe(false);
    expect(matches('**.cilium.io.', 'test.app.cilium.io.')).toBe(true);
    expect(matches('**.cilium.io.', 'cilium.io.')).toBe(false);
    expect(matches('*', 'cilium.io.')).toBe(true);
    expect(matches('*', '.cilium.io.')).toBe(false);
  });

  it('a non-leading * never crosses a dot and is anchored', () => {
    expect(matches('*.cilium.io', 'a.b.cilium.io')).toBe(false);
    expect(matches('*cilium.io', 'subcilium.io')).toBe(true);
    expect(matches('*cilium.io', 'www.cilium.io')).toBe(false);
    expect(matches('api.*.example.com', 'api.eu.example.com')).toBe(true);
    expect(matches('api.*.example.com', 'api.eu.west.example.com')).toBe(false);
    expect(matches('cilium.io', 'cilium.io.evil.com')).toBe(false);
    expect(matches('*.cilium.io', 'my_host.cilium.io')).toBe(true);
  });

  it('before 1.19 a leading **. is a plain * (one label)', () => {
    expect(matches('**.cilium.io', 'a.cilium.io', false)).toBe(true);
    expect(matches('**.cilium.io', 'a.b.cilium.io', false)).toBe(false);
    expect(matches('**.cilium.io', 'a.b.cilium.io', true)).toBe(true);
  });

  it('is case-insensitive and normalises the trailing dot on both sides', () => {
    expect(matches('*.Cilium.IO', 'WWW.cilium.io.')).toBe(true);
    expect(normalizeName('API.Example.com')).toBe('api.example.com.');
    expect(normalizeName('api.example.com.')).toBe('api.example.com.');
  });

  it('treats regex metacharacters literally', () => {
    expect(matches('a+b.example.com', 'aab.example.com')).toBe(false);
    expect(matches('a.example.com', 'axexample.com')).toBe(false);
  });
});

describe('matchName and toFQDNs peers', () => {
  it('matchName is exact, case-insensitive, trailing dot optional', () => {
    const m = new FqdnMatcher([{ matchName: 'API.example.com.' }], true);
    expect(m.matchesAny(['api.example.com'])).toBe(true);
    expect(m.matchesAny(['www.api.example.com'])).toBe(false);
    expect(m.matchesAny(undefined)).toBe(false);
  });

  const a = pod('shop', { app: 'a' });
  const p = [
    cnp('shop', 'f', {
      endpointSelector: { matchLabels: { app: 'a' } },
      egress: [{ toFQDNs: [{ matchName: 'api.example.com' }, { matchPattern: '*.cdn.example.net' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }],
    }),
  ];

  it('selects world destinations by the names the source learned, on the element ports', () => {
    expect(verdict(p, conn(a, world('198.51.100.1', ['api.example.com']), 443)).egress.decision).toBe('allowed');
    expect(verdict(p, conn(a, world('198.51.100.2', ['img.cdn.example.net', 'x.org']), 443)).egress.decision).toBe('allowed');
    expect(verdict(p, conn(a, world('198.51.100.1', ['api.example.com']), 80)).egress.decision).toBe('denied-default');
    expect(verdict(p, conn(a, world('198.51.100.1', ['other.example.com']), 443)).egress.decision).toBe('denied-default');
    expect(verdict(p, conn(a, world('198.51.100.1'), 443)).egress.decision).toBe('denied-default');
  });

  it('never applies to in-cluster destinations, whatever names they carry', () => {
    expect(verdict(p, conn(a, pod('other', { app: 'b' }, { names: ['api.example.com'] }), 443)).egress.decision).toBe('denied-default');
    expect(verdict(p, conn(a, reserved('kube-apiserver', { names: ['api.example.com'] }), 443)).egress.decision).toBe('denied-default');
  });

  it('one address with different names is a different FQDN identity', () => {
    const e = compileEvaluator(p);
    const labels = ['reserved:world'];
    expect(e.evaluate(conn(a, { labels, ip: '198.51.100.9', names: ['api.example.com'] }, 443)).egress.decision).toBe('allowed');
    expect(e.evaluate(conn(a, { labels, ip: '198.51.100.9', names: ['evil.example.com'] }, 443)).egress.decision).toBe('denied-default');
    expect(e.evaluate(conn(a, { labels, ip: '198.51.100.9', names: ['api.example.com'] }, 443)).egress.decision).toBe('allowed');
  });
});
