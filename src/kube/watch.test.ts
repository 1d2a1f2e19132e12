import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterSnapshot, ClusterWarning } from '../cluster/index.js';
import { generateSample } from '../sample/index.js';
import { CLUSTER_RESOURCES, watchKubeCluster } from './index.js';
import { FakeApiServer } from './test-support/api-server.js';
import { kubeconfigYaml } from './test-support/kubeconfig.js';

type Obj = Record<string, unknown>;

const TOKEN = 'tkn-watch-31c5e9a0b7d24f68';
const sample = generateSample({}).cluster as Obj[];

const pod = (namespace: string, name: string): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, uid: `uid-${name}`, labels: { run: name } },
  spec: { containers: [{ name, image: 'busybox:1.37' }], nodeName: 'node-1' },
  status: { phase: 'Running', podIP: '10.0.99.7', podIPs: [{ ip: '10.0.99.7' }] },
});

let dir: string;
let server: FakeApiServer;
let kubeconfig: string;
let url: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-watch-'));
  server = new FakeApiServer(sample, { token: TOKEN });
  url = await server.start();
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, kubeconfigYaml([{ name: 'test', server: url, token: TOKEN }], 'test'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('watchKubeCluster', () => {
  it('keeps the snapshot current: added, changed and deleted objects, a clean end of stream, retries after server errors, a re-list after 410 Gone', async () => {
    const snapshots: ClusterSnapshot[] = [];
    const warnings: ClusterWarning[] = [];
    const stop = new AbortController();
    const last = () => snapshots[snapshots.length - 1];
    const hasPod = (name: string) => last()?.pods.some((p) => p.name === name) === true;
    const watched = CLUSTER_RESOURCES.length + 1; // and cilium-config
    const done = watchKubeCluster({ kubeconfig, debounceMs: 20, backoff: { initialMs: 20, maxMs: 200 }, onWarning: (w) => warnings.push(w), signal: stop.signal }, (s) => snapshots.push(s));

    await until('the first snapshot', () => snapshots.length === 1);
    const pods = sample.filter((o) => o.kind === 'Pod').length;
    expect(snapshots[0]!.pods).toHaveLength(pods);
    expect(snapshots[0]!.sources).toEqual(['kube:test']);
    await until('every resource watched', () => server.watchers === watched);

    server.apply(pod('shop', 'debug-1'));
    await until('the added pod', () => hasPod('debug-1'));
    expect(last()!.workloads.find((w) => w.name === 'debug-1')).toMatchObject({ namespace: 'shop', kind: 'Pod' });

    const config = sample.find((o) => o.kind === 'ConfigMap' && (o.metadata as Obj).name === 'cilium-config')!;
    server.apply({ ...config, data: { ...(config.data as Obj), 'enable-policy': 'always' } });
    await until('the changed cilium-config', () => last()?.ciliumConfig?.['enable-policy'] === 'always');

    server.delete('Pod', 'shop', 'debug-1');
    await until('the deleted pod gone', () => !hasPod('debug-1'));

    // The server ends the streams (a watch timeout): the watches resume from where they were.
    server.endWatches();
    await until('every resource watched again', () => server.watchers === watched);
    server.apply(pod('shop', 'debug-2'));
    await until('a pod added after the reconnect', () => hasPod('debug-2'));

    // Watches refused by a failing server are retried with backoff.
    server.failNextWatches(watched);
    server.endWatches();
    await until('every resource watched after the failures', () => server.watchers === watched);
    expect(warnings.filter((w) => w.code === 'watch-retry').length).toBeGreaterThanOrEqual(watched);
    expect(warnings.find((w) => w.code === 'watch-retry')?.message).toMatch(/^context "test" \(http:\/\/127\.0\.0\.1:\d+\): cannot watch \S+ \(\/api\S*\): HTTP 500; retrying in \d+ ms$/);
    server.apply(pod('shop', 'debug-4'));
    await until('a pod added after the retries', () => hasPod('debug-4'));

    // History compacted: the open watches get 410 Gone; a pod added meanwhile is found by the re-list.
    const listsBefore = server.requests.filter((r) => r.path === '/api/v1/pods' && r.query.watch === undefined).length;
    server.compact();
    server.apply(pod('shop', 'debug-3'));
    await until('the pod found by the re-list', () => hasPod('debug-3'));
    expect(warnings.filter((w) => w.code === 'watch-relist').map((w) => w.message)).toContain('the watch of pods fell too far behind (410 Gone); listed it again');
    expect(server.requests.filter((r) => r.path === '/api/v1/pods' && r.query.watch === undefined).length).toBeGreaterThan(listsBefore);
    await until('every resource watched after the re-list', () => server.watchers === watched);

    // Debounced: a burst of changes makes a snapshot or two, not one per change.
    const before = snapshots.length;
    for (let i = 0; i < 10; i++) server.apply(pod('shop', `burst-${i}`));
    await until('the burst', () => hasPod('burst-9'));
    await new Promise((r) => setTimeout(r, 60));
    expect(snapshots.length - before).toBeLessThanOrEqual(3);

    // Watches resume from the resourceVersion seen last, never from the start.
    const podWatches = server.requests.filter((r) => r.path === '/api/v1/pods' && r.query.watch === 'true');
    expect(podWatches.every((r) => r.query.resourceVersion !== undefined && r.query.allowWatchBookmarks === 'true')).toBe(true);
    const configWatches = server.requests.filter((r) => r.path.includes('configmaps') && r.query.watch === 'true');
    expect(configWatches.every((r) => r.path === '/api/v1/namespaces/kube-system/configmaps' && r.query.fieldSelector === 'metadata.name=cilium-config')).toBe(true);

    stop.abort();
    await done;
    await until('every watch closed', () => server.watchers === 0);
  });

  it('leaves cilium-config unwatched when RBAC lets it be read but not watched', async () => {
    const limited = new FakeApiServer(sample, { token: TOKEN, forbidden: ['list:configmaps'] });
    const limitedUrl = await limited.start();
    try {
      const file = join(dir, 'limited');
      await writeFile(file, kubeconfigYaml([{ name: 'test', server: limitedUrl, token: TOKEN }], 'test'));
      const snapshots: ClusterSnapshot[] = [];
      const warnings: ClusterWarning[] = [];
      const stop = new AbortController();
      const done = watchKubeCluster({ kubeconfig: file, debounceMs: 20, onWarning: (w) => warnings.push(w), signal: stop.signal }, (s) => snapshots.push(s));
      await until('the other resources watched', () => limited.watchers === CLUSTER_RESOURCES.length);
      await until('the warning', () => warnings.some((w) => w.code === 'watch-forbidden'));
      expect(warnings.find((w) => w.code === 'watch-forbidden')?.message).toMatch(/403 Forbidden: configmaps is forbidden.*; cilium-config is not watched$/);
      limited.apply(pod('shop', 'still-watched'));
      await until('a pod added', () => snapshots[snapshots.length - 1]?.pods.some((p) => p.name === 'still-watched') === true);
      expect(snapshots[snapshots.length - 1]!.ciliumConfig).toBeDefined();
      stop.abort();
      await done;
    } finally {
      await limited.close();
    }
  });

  it('stops with a clear error when the credentials are refused', async () => {
    const bad = join(dir, 'bad');
    await writeFile(bad, kubeconfigYaml([{ name: 'test', server: url, token: 'tkn-refused-0000' }], 'test'));
    await expect(watchKubeCluster({ kubeconfig: bad }, () => undefined)).rejects.toThrow(/401 Unauthorized/);
  });
});
