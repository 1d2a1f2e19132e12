import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCluster, type ClusterSnapshot } from '../cluster/index.js';
import { generateSample, renderClusterYaml } from '../sample/index.js';
import { InputError } from '../shared/errors.js';
import { KubeApiError, readKubeCluster } from './index.js';
import { FakeApiServer } from './test-support/api-server.js';
import { kubeconfigYaml } from './test-support/kubeconfig.js';

type Obj = Record<string, unknown>;

const TOKEN = 'tkn-8d1f0c47e2b94a6f9e3a51c7d0b2e6f4';
const WRONG_TOKEN = 'tkn-wrong-5a4e0b7c9d13f2a8';
const SECRET_VALUE = 'the-database-password-never-to-be-read';

const sample = generateSample({}).cluster as Obj[];
const secret: Obj = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, data: { password: Buffer.from(SECRET_VALUE).toString('base64') } };
/** What a live read gets: every object but Secrets and the ConfigMaps other than cilium-config (never listed). */
const readable = (objects: readonly Obj[]) => objects.filter((o) => o.kind !== 'Secret' && (o.kind !== 'ConfigMap' || (o.metadata as Obj).name === 'cilium-config'));

/** A snapshot without where it came from, to compare a live read with a dump's. */
export function comparable(s: ClusterSnapshot): unknown {
  return {
    ...s,
    sources: [],
    warnings: s.warnings.map(({ code, message }) => ({ code, message })),
    policies: s.policies.map(({ source: _source, ...p }) => p),
  };
}

let dir: string;
const servers: FakeApiServer[] = [];

async function serve(objects: readonly Obj[], options: Partial<ConstructorParameters<typeof FakeApiServer>[1]> = {}): Promise<{ server: FakeApiServer; kubeconfig: string; url: string }> {
  const server = new FakeApiServer(objects, { token: TOKEN, ...options });
  servers.push(server);
  const url = await server.start();
  const kubeconfig = join(dir, `kubeconfig-${servers.length}`);
  await writeFile(kubeconfig, kubeconfigYaml([{ name: 'stale', server: url, token: WRONG_TOKEN }, { name: 'test', server: url, token: TOKEN }], 'test'));
  return { server, kubeconfig, url };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-kube-'));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('readKubeCluster', () => {
  it('gives the snapshot readCluster gives for a dump of the same objects, page by page', async () => {
    const { server, kubeconfig } = await serve([...sample, secret]);
    const live = await readKubeCluster({ kubeconfig, pageSize: 7 });
    const dumpFile = join(dir, 'same.yaml');
    await writeFile(dumpFile, renderClusterYaml(readable(server.objects())));
    const dump = await readCluster([dumpFile]);

    expect(live.pods.length).toBeGreaterThan(30);
    expect(live.policies.length).toBeGreaterThan(0);
    expect(live.ciliumConfig).toBeDefined();
    expect(comparable(live)).toEqual(comparable(dump));
    expect(live.sources).toEqual(['kube:test']);
    expect(live.ciliumAgent).toEqual({ version: '1.18', image: 'quay.io/cilium/cilium:v1.18.4', daemonSet: 'kube-system/cilium' });

    // Pagination: every list asks for 7 at a time and follows `continue` to the end.
    const podPages = server.requests.filter((r) => r.path === '/api/v1/pods');
    const pods = sample.filter((o) => o.kind === 'Pod').length;
    expect(podPages).toHaveLength(Math.ceil(pods / 7));
    expect(podPages.every((r) => r.query.limit === '7')).toBe(true);
    expect(podPages.filter((r) => r.query.continue !== undefined)).toHaveLength(podPages.length - 1);
    expect(server.requests.some((r) => r.path === '/apis/cilium.io/v2/ciliumnetworkpolicies')).toBe(true);
    expect(server.requests.some((r) => r.path === '/apis/apps/v1/replicasets')).toBe(true);
  });

  it('never reads a Secret, nor a ConfigMap other than cilium-config', async () => {
    const { server, kubeconfig } = await serve([...sample, secret]);
    await readKubeCluster({ kubeconfig });
    const paths = server.requests.map((r) => `${r.path}?${new URLSearchParams(r.query).toString()}`);
    expect(paths.filter((p) => p.includes('secret'))).toEqual([]);
    expect(paths.filter((p) => p.includes('configmaps'))).toEqual(['/api/v1/namespaces/kube-system/configmaps/cilium-config?']);
    expect(server.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('finds cilium-config outside kube-system by name, without listing other ConfigMaps', async () => {
    const moved = sample.map((o) => (o.kind === 'ConfigMap' && (o.metadata as Obj).name === 'cilium-config' ? { ...o, metadata: { ...(o.metadata as Obj), namespace: 'cilium' } } : o));
    const { server, kubeconfig } = await serve(moved);
    const live = await readKubeCluster({ kubeconfig });
    expect(live.ciliumConfig).toEqual((sample.find((o) => (o.metadata as Obj).name === 'cilium-config') as Obj).data);
    const cm = server.requests.filter((r) => r.path.includes('configmaps'));
    expect(cm.map((r) => [r.path, r.query.fieldSelector])).toEqual([
      ['/api/v1/namespaces/kube-system/configmaps/cilium-config', undefined],
      ['/api/v1/configmaps', 'metadata.name=cilium-config'],
    ]);
  });

  it('a forbidden search for cilium-config outside kube-system is a warning', async () => {
    const moved = sample.map((o) => (o.kind === 'ConfigMap' && (o.metadata as Obj).name === 'cilium-config' ? { ...o, metadata: { ...(o.metadata as Obj), namespace: 'cilium' } } : o));
    const { kubeconfig } = await serve(moved, { forbidden: ['list:configmaps'] });
    const live = await readKubeCluster({ kubeconfig });
    expect(live.ciliumConfig).toBeUndefined();
    expect(live.warnings.filter((w) => w.code === 'cilium-config-search-forbidden').map((w) => w.message)).toEqual([
      'no ConfigMap kube-system/cilium-config, and listing ConfigMaps in all namespaces is forbidden, so no other namespace was searched for it',
    ]);
  });

  it('warns, and reads on, when Cilium\'s CRDs are not installed', async () => {
    const { kubeconfig } = await serve(sample, { missing: ['ciliumnetworkpolicies', 'ciliumclusterwidenetworkpolicies'] });
    const live = await readKubeCluster({ kubeconfig });
    expect(live.policies.filter((p) => p.kind.startsWith('Cilium'))).toEqual([]);
    expect(live.pods.length).toBeGreaterThan(30);
    const missing = live.warnings.filter((w) => w.code === 'crd-missing');
    expect(missing.map((w) => w.message)).toEqual([
      expect.stringContaining('ciliumnetworkpolicies.cilium.io (/apis/cilium.io/v2/ciliumnetworkpolicies)'),
      expect.stringContaining('ciliumclusterwidenetworkpolicies.cilium.io'),
    ]);
    expect(missing[0]!.message).toContain("Cilium's CRDs are not installed");
  });

  it('a missing built-in resource is an error, not a warning', async () => {
    const { kubeconfig } = await serve(sample, { missing: ['cronjobs'] });
    await expect(readKubeCluster({ kubeconfig })).rejects.toThrow(/context "test" .*cannot list cronjobs\.batch \(\/apis\/batch\/v1\/cronjobs\): 404 Not Found/);
  });

  it('401: a clear error naming the context and the resource, never the token', async () => {
    const { server, kubeconfig } = await serve(sample);
    const error = await readKubeCluster({ kubeconfig, context: 'stale' }).catch((e: unknown) => e);
    expect(server.requests).toHaveLength(1); // refused once, nothing else asked
    expect(error).toBeInstanceOf(KubeApiError);
    const e = error as KubeApiError;
    expect(e.status).toBe(401);
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^context "stale" \(http:\/\/127\.0\.0\.1:\d+\): cannot list namespaces \(\/api\/v1\/namespaces\): 401 Unauthorized: Unauthorized\. /);
    expect(e.message).toContain('401 Unauthorized');
    expect(e.message).toContain('user "stale-user"');
    expect(JSON.stringify({ message: e.message, stack: e.stack, cause: String(e.cause) })).not.toContain(WRONG_TOKEN);
  });

  it('403: names the forbidden resource and the context', async () => {
    const { kubeconfig } = await serve(sample, { forbidden: ['pods'] });
    await expect(readKubeCluster({ kubeconfig })).rejects.toThrow(/context "test" .*cannot list pods \(\/api\/v1\/pods\): 403 Forbidden: pods is forbidden/);
  });

  it('--context selects among contexts; the current-context is the default', async () => {
    const a = await serve(sample);
    const other = sample.filter((o) => o.kind === 'Namespace').slice(0, 2);
    const b = await serve(other);
    const urlA = a.url;
    const urlB = b.url;
    const file = join(dir, 'two-contexts');
    await writeFile(file, kubeconfigYaml([{ name: 'prod', server: urlA, token: TOKEN }, { name: 'staging', server: urlB, token: TOKEN }], 'prod'));
    expect((await readKubeCluster({ kubeconfig: file })).pods.length).toBeGreaterThan(30);
    const staging = await readKubeCluster({ kubeconfig: file, context: 'staging' });
    expect(staging.namespaces.map((n) => n.name)).toEqual(other.map((o) => (o.metadata as Obj).name).sort());
    expect(staging.pods).toEqual([]);
    expect(staging.sources).toEqual(['kube:staging']);
    await expect(readKubeCluster({ kubeconfig: file, context: 'stagin' })).rejects.toThrow(`${file}: no context "stagin" in the kubeconfig (contexts: prod, staging). Did you mean "staging"?`);
  });

  it('finds the kubeconfig through KUBECONFIG, else ~/.kube/config, and says so when there is none', async () => {
    const namespaces = sample.filter((o) => o.kind === 'Namespace');
    const { kubeconfig } = await serve(namespaces);
    const second = await serve(namespaces.slice(0, 1)); // the same context names: the first file's win, as with kubectl
    const merged = await readKubeCluster({ env: { KUBECONFIG: [join(dir, 'absent'), kubeconfig, second.kubeconfig].join(':') } });
    expect(merged.namespaces).toHaveLength(namespaces.length);
    expect(second.server.requests).toEqual([]);
    const home = join(dir, 'home-with-config');
    await mkdir(join(home, '.kube'), { recursive: true });
    await copyFile(second.kubeconfig, join(home, '.kube', 'config'));
    expect((await readKubeCluster({ env: { HOME: home } })).namespaces).toHaveLength(1);
    const homeless = join(dir, 'home');
    await expect(readKubeCluster({ env: { HOME: homeless } })).rejects.toThrow(`no kubeconfig found (${join(homeless, '.kube', 'config')} does not exist and KUBECONFIG is not set)`);
    await expect(readKubeCluster({ kubeconfig: join(dir, 'nope') })).rejects.toThrow(InputError);
    const broken = join(dir, 'broken');
    await writeFile(broken, `apiVersion: v1\nusers:\n- name: u\n  user: {token: ${TOKEN}\n`);
    const error = (await readKubeCluster({ kubeconfig: broken }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^.*broken(:\d+)?: the kubeconfig is not valid YAML$/);
    expect(error.message).not.toContain(TOKEN);
  });

  it('an unreachable server is an error naming the context and the server', async () => {
    const { server, kubeconfig, url } = await serve([]);
    await server.close();
    await expect(readKubeCluster({ kubeconfig })).rejects.toThrow(`context "test": cannot list namespaces: the API server at ${url} could not be reached (ECONNREFUSED`);
  });
});
