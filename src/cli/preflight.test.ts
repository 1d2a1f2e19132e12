import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from '../test-support/io.js';
import { main } from './index.js';

const config = (data: Record<string, string>) => `apiVersion: v1
kind: List
items:
- { apiVersion: v1, kind: Namespace, metadata: { name: shop } }
- apiVersion: v1
  kind: ConfigMap
  metadata: { name: cilium-config, namespace: kube-system }
  data:
${Object.entries(data)
  .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)
  .join('\n')}
`;

const GOOD = { 'enable-policy': 'default', 'enable-hubble': 'true', 'enable-l7-proxy': 'true', 'enable-non-default-deny-policies': 'true' };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-preflight-'));
  await writeFile(join(dir, 'good.yaml'), config(GOOD));
  await writeFile(join(dir, 'unsafe.yaml'), config({ ...GOOD, 'enable-non-default-deny-policies': 'false' }));
  await writeFile(join(dir, 'none.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n');
});

async function preflight(args: string[]) {
  const io = captureIo();
  const code = await main(['preflight', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('tighten preflight', () => {
  it('exit 0 on a safe configuration', async () => {
    const r = await preflight(['--cluster', join(dir, 'good.yaml'), '--cilium-version', '1.17']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('PASS  Cilium version honours enableDefaultDeny');
    expect(r.out).toContain('10 passed, 0 warnings, 0 failed');
  });

  it('exit 0 with a warning when the version is unknown', async () => {
    const r = await preflight(['--cluster', join(dir, 'good.yaml')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('version unknown: pass --cilium-version');
  });

  it('exit 1 when enable-non-default-deny-policies is false, in every format', async () => {
    for (const o of ['text', 'json', 'markdown']) {
      const r = await preflight(['--cluster', join(dir, 'unsafe.yaml'), '--cilium-version', '1.17', '-o', o]);
      expect(r.code).toBe(1);
    }
    const json = JSON.parse((await preflight(['-c', join(dir, 'unsafe.yaml'), '--cilium-version', '1.17', '-o', 'json'])).out);
    expect(json).toMatchObject({ apiVersion: 'tighten/v1alpha1', kind: 'Preflight', ok: false, summary: { fail: 1 } });
    expect(json.checks.find((c: { id: string }) => c.id === 'non-default-deny-policies').status).toBe('fail');
  });

  it('exit 1 below Cilium 1.16', async () => {
    expect((await preflight(['--cluster', join(dir, 'good.yaml'), '--cilium-version', '1.15'])).code).toBe(1);
  });

  it('exit 1 without cilium-config in the dump, saying how to dump it', async () => {
    const r = await preflight(['--cluster', join(dir, 'none.yaml'), '--cilium-version', '1.17']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('kubectl -n kube-system get cm cilium-config -o yaml');
  });

  it('usage errors: no --cluster, a bad version, a bad format', async () => {
    const none = await preflight([]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('--cluster');
    expect((await preflight(['--cluster', join(dir, 'good.yaml'), '--cilium-version', 'latest'])).code).toBe(2);
    expect((await preflight(['--cluster', join(dir, 'good.yaml'), '-o', 'yaml'])).code).toBe(2);
  });

  it('--help mentions that --kube comes later', async () => {
    const r = await preflight(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('--kube');
  });
});
