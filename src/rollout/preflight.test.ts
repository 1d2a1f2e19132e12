import { describe, expect, it } from 'vitest';
import { UsageError } from '../shared/errors.js';
import { checkPreflight, summarizePreflight, type PreflightResult } from './preflight.js';

const GOOD: Record<string, string> = {
  'enable-policy': 'default',
  'enable-hubble': 'true',
  'policy-audit-mode': 'false',
  'enable-l7-proxy': 'true',
  'enable-non-default-deny-policies': 'true',
};

const check = (r: PreflightResult, id: string) => {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}: ${r.checks.map((x) => x.id).join(', ')}`);
  return c;
};

describe('checkPreflight', () => {
  it('passes a well-configured 1.17 cluster, every check in a fixed order', () => {
    const r = checkPreflight(GOOD, { ciliumVersion: '1.17' });
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.id)).toEqual([
      'cilium-version',
      'non-default-deny-policies',
      'policy-enforcement',
      'policy-audit-mode',
      'hubble',
      'l7-proxy',
      'dns-proxy',
      'identity-labels',
      'policy-cidr-match-mode',
      'host-firewall',
    ]);
    expect(r.checks.every((c) => c.status === 'pass')).toBe(true);
    expect(r.checks.every((c) => c.fix === undefined)).toBe(true);
    expect(r).toMatchObject({ ciliumVersion: '1.17', versionSource: 'option', configFound: true });
  });

  describe('cilium-version', () => {
    it('warns when the version is unknown', () => {
      const r = checkPreflight(GOOD);
      expect(check(r, 'cilium-version')).toMatchObject({ status: 'warn' });
      expect(check(r, 'cilium-version').detail).toContain('version unknown: pass --cilium-version');
      expect(r.versionSource).toBe('unknown');
      expect(r.ciliumVersion).toBeUndefined();
      expect(r.ok).toBe(true);
    });
    it('fails below 1.16: an audit policy would enforce', () => {
      const r = checkPreflight(GOOD, { ciliumVersion: '1.15.6' });
      expect(check(r, 'cilium-version')).toMatchObject({ status: 'fail' });
      expect(check(r, 'cilium-version').detail).toContain('would enforce');
      expect(r.ok).toBe(false);
    });
    it('passes 1.16, v-prefixed and patch versions', () => {
      for (const v of ['1.16', 'v1.16.3', '1.19.0-rc.1', '2.0']) expect(check(checkPreflight(GOOD, { ciliumVersion: v }), 'cilium-version').status).toBe('pass');
    });
    it('takes the agent DaemonSet\'s version over cilium-config, and --cilium-version over both', () => {
      const ciliumAgent = { version: '1.15', image: 'quay.io/cilium/cilium:v1.15.4', daemonSet: 'kube-system/cilium' };
      const r = checkPreflight({ ...GOOD, 'cilium-version': 'v1.17.0' }, { ciliumAgent });
      expect(r).toMatchObject({ ciliumVersion: '1.15', versionSource: 'cilium-agent', ok: false });
      expect(check(r, 'cilium-version').detail).toContain('from the image quay.io/cilium/cilium:v1.15.4 of DaemonSet kube-system/cilium');
      expect(checkPreflight(GOOD, { ciliumAgent, ciliumVersion: '1.17' })).toMatchObject({ ciliumVersion: '1.17', versionSource: 'option', ok: true });
      expect(checkPreflight(undefined, { ciliumAgent: { ...ciliumAgent, version: '1.18' } })).toMatchObject({ ciliumVersion: '1.18', versionSource: 'cilium-agent', configFound: false });
    });
    it('reads a cilium-version key or a cilium image tag from cilium-config', () => {
      expect(checkPreflight({ ...GOOD, 'cilium-version': 'v1.16.2' })).toMatchObject({ ciliumVersion: '1.16.2', versionSource: 'cilium-config' });
      const r = checkPreflight({ ...GOOD, image: 'quay.io/cilium/cilium:v1.15.1@sha256:abcdef' });
      expect(r).toMatchObject({ ciliumVersion: '1.15.1', versionSource: 'cilium-config', ok: false });
      expect(check(r, 'cilium-version').detail).toContain('cilium-config key image');
      expect(checkPreflight({ ...GOOD, 'some-image': 'docker.io/library/busybox:1.36' }).versionSource).toBe('unknown');
    });
    it('prefers --cilium-version over cilium-config', () => {
      expect(checkPreflight({ ...GOOD, 'cilium-version': '1.15' }, { ciliumVersion: '1.17' })).toMatchObject({ ciliumVersion: '1.17', versionSource: 'option', ok: true });
    });
    it('refuses a version that is not one', () => {
      expect(() => checkPreflight(GOOD, { ciliumVersion: 'latest' })).toThrow(UsageError);
    });
  });

  describe('enable-non-default-deny-policies', () => {
    it('fails when false (1.17 or unknown version)', () => {
      for (const opts of [{ ciliumVersion: '1.17' }, {}]) {
        const r = checkPreflight({ ...GOOD, 'enable-non-default-deny-policies': 'false' }, opts);
        expect(check(r, 'non-default-deny-policies')).toMatchObject({ status: 'fail' });
        expect(check(r, 'non-default-deny-policies').fix).toContain('enableNonDefaultDenyPolicies');
        expect(r.ok).toBe(false);
      }
    });
    it('passes when absent (default true) and on 1.16, where the flag does not exist yet', () => {
      const { ['enable-non-default-deny-policies']: _, ...without } = GOOD;
      expect(check(checkPreflight(without, { ciliumVersion: '1.17' }), 'non-default-deny-policies').status).toBe('pass');
      const r = checkPreflight({ ...GOOD, 'enable-non-default-deny-policies': 'false' }, { ciliumVersion: '1.16' });
      expect(check(r, 'non-default-deny-policies')).toMatchObject({ status: 'pass' });
      expect(check(r, 'non-default-deny-policies').detail).toContain('only from Cilium 1.17');
    });
  });

  describe('policy enforcement mode', () => {
    it('passes default and an absent key', () => {
      const { ['enable-policy']: _, ...without } = GOOD;
      expect(check(checkPreflight(without, { ciliumVersion: '1.17' }), 'policy-enforcement').status).toBe('pass');
    });
    it('warns on always: the audit stage cannot be non-enforcing for unselected endpoints', () => {
      const r = checkPreflight({ ...GOOD, 'enable-policy': 'always' }, { ciliumVersion: '1.17' });
      expect(check(r, 'policy-enforcement')).toMatchObject({ status: 'warn' });
      expect(check(r, 'policy-enforcement').detail).toContain('cannot be non-enforcing');
      expect(r.ok).toBe(true);
    });
    it('fails on never: nothing would be enforced', () => {
      const r = checkPreflight({ ...GOOD, 'enable-policy': 'never' }, { ciliumVersion: '1.17' });
      expect(check(r, 'policy-enforcement')).toMatchObject({ status: 'fail' });
      expect(r.ok).toBe(false);
    });
    it('warns on an unknown mode', () => {
      expect(check(checkPreflight({ ...GOOD, 'enable-policy': 'sometimes' }), 'policy-enforcement').status).toBe('warn');
    });
  });

  it('warns on agent-wide audit mode', () => {
    const r = checkPreflight({ ...GOOD, 'policy-audit-mode': 'true' }, { ciliumVersion: '1.17' });
    expect(check(r, 'policy-audit-mode')).toMatchObject({ status: 'warn' });
    expect(check(r, 'policy-audit-mode').detail).toContain('AUDIT');
    expect(r.ok).toBe(true);
  });

  it('fails without Hubble (off or not set)', () => {
    for (const value of ['false', undefined]) {
      const cfg: Record<string, string> = { ...GOOD };
      if (value === undefined) delete cfg['enable-hubble'];
      else cfg['enable-hubble'] = value;
      const r = checkPreflight(cfg, { ciliumVersion: '1.17' });
      expect(check(r, 'hubble')).toMatchObject({ status: 'fail' });
      expect(r.ok).toBe(false);
    }
  });

  it('fails without the L7 proxy; passes when it is not set (on by default)', () => {
    expect(check(checkPreflight({ ...GOOD, 'enable-l7-proxy': 'false' }), 'l7-proxy')).toMatchObject({ status: 'fail' });
    const { ['enable-l7-proxy']: _, ...without } = GOOD;
    expect(check(checkPreflight(without), 'l7-proxy').status).toBe('pass');
  });

  it('reports the DNS proxy settings with their values', () => {
    const r = checkPreflight({ ...GOOD, 'tofqdns-max-ip-per-hostname': '1000', 'tofqdns-dns-reject-response-code': 'refused', 'tofqdns-enable-dns-compression': 'true', 'dnsproxy-concurrency-limit': '100' });
    expect(check(r, 'dns-proxy')).toMatchObject({
      status: 'pass',
      detail: 'dnsproxy-concurrency-limit=100, tofqdns-dns-reject-response-code=refused, tofqdns-enable-dns-compression=true, tofqdns-max-ip-per-hostname=1000',
    });
    expect(check(checkPreflight(GOOD), 'dns-proxy').detail).toContain('defaults');
  });

  describe('identity-relevant label filter', () => {
    it('passes the default filter and names its origin', () => {
      expect(check(checkPreflight(GOOD), 'identity-labels')).toMatchObject({ status: 'pass' });
      expect(check(checkPreflight(GOOD), 'identity-labels').detail).toContain('default');
      expect(check(checkPreflight({ ...GOOD, labels: 'k8s:app k8s:team' }), 'identity-labels')).toMatchObject({ status: 'pass', detail: expect.stringContaining('k8s:app k8s:team') });
    });
    it("warns on the filter's problems", () => {
      const r = checkPreflight({ ...GOOD, labels: '!k8s:controller-uid' });
      expect(check(r, 'identity-labels')).toMatchObject({ status: 'warn' });
      expect(check(r, 'identity-labels').detail).toContain('before the source');
      expect(check(checkPreflight({ ...GOOD, 'label-prefix-file': '/etc/labels.json' }), 'identity-labels').status).toBe('warn');
    });
  });

  it('reports the CIDR match mode and the host firewall as information', () => {
    expect(check(checkPreflight({ ...GOOD, 'policy-cidr-match-mode': 'nodes' }), 'policy-cidr-match-mode')).toMatchObject({ status: 'pass', detail: expect.stringContaining('also match nodes') });
    expect(check(checkPreflight(GOOD), 'policy-cidr-match-mode').detail).toContain('never match');
    expect(check(checkPreflight({ ...GOOD, 'enable-host-firewall': 'true' }), 'host-firewall')).toMatchObject({ status: 'pass', detail: expect.stringContaining('on:') });
    expect(check(checkPreflight(GOOD), 'host-firewall').detail).toContain('off');
  });

  it('fails without a cilium-config, saying how to dump it', () => {
    const r = checkPreflight(undefined, { ciliumVersion: '1.17' });
    expect(r.ok).toBe(false);
    expect(r.configFound).toBe(false);
    expect(r.checks.map((c) => [c.id, c.status])).toEqual([
      ['cilium-config', 'fail'],
      ['cilium-version', 'pass'],
    ]);
    expect(r.checks[0]!.fix).toContain('kubectl -n kube-system get cm cilium-config -o yaml');
  });

  it('summarizes for the gates: pass, and each failure in words', () => {
    expect(summarizePreflight(checkPreflight(GOOD, { ciliumVersion: '1.17' }))).toEqual({ pass: true, failures: [] });
    const s = summarizePreflight(checkPreflight({ ...GOOD, 'enable-hubble': 'false' }, { ciliumVersion: '1.15' }));
    expect(s.pass).toBe(false);
    expect(s.failures).toHaveLength(2);
    expect(s.failures[0]).toMatch(/^Cilium version honours enableDefaultDeny.*: Cilium 1\.15/);
  });
});
