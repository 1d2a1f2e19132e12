import { readFile, readdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCluster, type ClusterSnapshot } from '../cluster/index.js';
import { readKubeCluster } from '../kube/index.js';
import { FakeApiServer } from '../kube/test-support/api-server.js';
import { kubeconfigYaml } from '../kube/test-support/kubeconfig.js';
import { writeSample, generateSample } from '../sample/index.js';
import { captureIo } from '../test-support/io.js';
import { main } from './index.js';

type Obj = Record<string, unknown>;

const TOKEN = 'tkn-cli-6e2d9b8a41f07c35aa90';
/** A client key the kubeconfig carries: it must never be written anywhere either. */
const CLIENT_KEY = '-----BEGIN PRIVATE KEY-----\nTIGHTENTESTCLIENTKEYc2VudGluZWwta2V5LW1hdGVyaWFs\n-----END PRIVATE KEY-----\n';
const CLIENT_CERT = '-----BEGIN CERTIFICATE-----\nTIGHTENTESTCLIENTCERT\n-----END CERTIFICATE-----\n';
const CREDENTIALS = [TOKEN, CLIENT_KEY, 'TIGHTENTESTCLIENTKEY', Buffer.from(CLIENT_KEY).toString('base64')];

let dir: string;
let server: FakeApiServer;
let kubeconfig: string;
let dump: string;
let flows: string;
/** Everything any command printed, for the credential check. */
const printed: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-cli-kube-'));
  const written = await writeSample(join(dir, 'sample'));
  dump = written.clusterFile;
  flows = written.flowsFile;
  server = new FakeApiServer(generateSample({}).cluster as Obj[], { token: TOKEN });
  const url = await server.start();
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    kubeconfigYaml(
      [
        { name: 'other', server: url, token: 'tkn-other-not-this-one' },
        { name: 'demo', server: url, token: TOKEN, clientCert: CLIENT_CERT, clientKey: CLIENT_KEY },
      ],
      'other',
    ),
  );
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(args: string[]) {
  const io = captureIo('', dir);
  const code = await main(args, io);
  printed.push(io.out(), io.err());
  return { code, out: io.out(), err: io.err() };
}

const live = ['--kube', '--kubeconfig', 'kubeconfig', '--context', 'demo'];

function comparable(s: ClusterSnapshot): unknown {
  return { ...s, sources: [], warnings: s.warnings.map(({ code, message }) => ({ code, message })), policies: s.policies.map(({ source: _s, ...p }) => p) };
}

describe('--kube on the command line', () => {
  it('preflight --kube checks the live cilium-config and takes the version from the agent\'s image', async () => {
    const r = await run(['preflight', ...live]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Cilium 1.18 (from the cilium-agent image)');
    expect(r.out).toContain('from the image quay.io/cilium/cilium:v1.18.4 of DaemonSet kube-system/cilium');
    expect(r.out).toContain('10 passed, 0 warnings, 0 failed');
    const json = JSON.parse((await run(['preflight', ...live, '-o', 'json'])).out);
    expect(json).toMatchObject({ kind: 'Preflight', ok: true, ciliumVersion: '1.18', versionSource: 'cilium-agent' });
    // --cilium-version still wins.
    expect(JSON.parse((await run(['preflight', ...live, '--cilium-version', '1.15', '-o', 'json'])).out)).toMatchObject({ ok: false, versionSource: 'option' });
  });

  it('inventory --kube --flows prints exactly what inventory --cluster prints for a dump of the cluster', async () => {
    const fromKube = await run(['inventory', ...live, '--flows', flows, '-o', 'json', '--quiet']);
    const fromDump = await run(['inventory', '--cluster', dump, '--flows', flows, '-o', 'json', '--quiet']);
    expect(fromKube.code).toBe(0);
    expect(fromKube.err).not.toContain('warning');
    const inventory = JSON.parse(fromKube.out);
    expect(inventory.workloads.filter((w: { seenIn: { cluster: boolean } }) => w.seenIn.cluster).length).toBeGreaterThan(30);
    expect(fromKube.out).toBe(fromDump.out);
  });

  it('trace --kube decides with the policies of the live cluster', async () => {
    const policies = join(dir, 'empty-policies.yaml');
    await writeFile(policies, '');
    const fromKube = await run(['trace', ...live, '--from', 'boutique/frontend', '--to', 'boutique/productcatalogservice', '--port', '3550/TCP', '--policies', policies]);
    const fromDump = await run(['trace', '--cluster', dump, '--from', 'boutique/frontend', '--to', 'boutique/productcatalogservice', '--port', '3550/TCP', '--policies', policies]);
    expect(fromKube.err).toBe(fromDump.err);
    expect(fromKube.code).toBe(fromDump.code);
    expect(fromKube.out).toBe(fromDump.out);
    expect(Number(/\((\d+) policies\)/.exec(fromKube.out)?.[1])).toBeGreaterThan(0); // the cluster's own
  });

  it('diff --kube evaluates both sets with the live cluster\'s policies and workloads', async () => {
    const oldSet = join(dir, 'old.yaml');
    const newSet = join(dir, 'new.yaml');
    await writeFile(oldSet, '');
    await writeFile(
      newSet,
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: frontend-ingress, namespace: boutique }\nspec:\n  endpointSelector: { matchLabels: { app: frontend } }\n  ingress:\n  - fromEntities: [world]\n',
    );
    const fromKube = await run(['diff', oldSet, newSet, ...live, '-o', 'json']);
    const fromDump = await run(['diff', oldSet, newSet, '--cluster', dump, '-o', 'json']);
    expect(fromKube.code).toBe(0);
    expect(fromKube.out).toBe(fromDump.out);
    const diff = JSON.parse(fromKube.out);
    expect(diff.universe.endpoints).toBeGreaterThan(30); // the cluster's workloads, not only the entities
    expect(diff.totals.becomesDenied).toBeGreaterThan(0); // frontend's callers inside the cluster lose access
  });

  it('usage errors: --cluster with --kube, --context without --kube', async () => {
    const both = await run(['preflight', '--cluster', dump, ...live]);
    expect(both.code).toBe(2);
    expect(both.err).toContain('--cluster and --kube both name the cluster: pass one of them');
    const noKube = await run(['inventory', '--flows', flows, '--context', 'demo']);
    expect(noKube.code).toBe(2);
    expect(noKube.err).toContain('--context chooses the live cluster that --kube reads: add --kube');
    expect((await run(['preflight'])).err).toContain('pass --kube');
    expect((await run(['inventory', '--help'])).out).toContain('--kube [--context C] [--kubeconfig F]');
  });

  it('refused credentials: exit 2, naming the context', async () => {
    const r = await run(['preflight', '--kube', '--kubeconfig', kubeconfig]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^tighten: context "other" \(http:\/\/127\.0\.0\.1:\d+\): cannot list \S+ \(\/api[^)]*\): 401 Unauthorized: Unauthorized\. The credentials of user "other-user"/);
  });

  it('snapshot --out writes a dump that readCluster reads back to the live snapshot: YAML, JSON, stdout', async () => {
    const expected = comparable(await readKubeCluster({ kubeconfig, context: 'demo' }));
    const r = await run(['snapshot', ...live, '--out', 'snap.yaml']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^wrote \d+ objects \(\d+ Namespace, \d+ Deployment, .*1 ConfigMap\) of context "demo" to snap\.yaml\n$/);
    const yaml = await readFile(join(dir, 'snap.yaml'), 'utf8');
    expect(yaml).not.toContain('managedFields');
    expect(yaml.split('\n---\n').length).toBeGreaterThan(100);
    expect(comparable(await readCluster([join(dir, 'snap.yaml')]))).toEqual(expected);

    expect((await run(['snapshot', '--kubeconfig', kubeconfig, '--context', 'demo', '--out', join(dir, 'snap.json'), '-q'])).code).toBe(0);
    const json = JSON.parse(await readFile(join(dir, 'snap.json'), 'utf8'));
    expect(json).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    expect(comparable(await readCluster([join(dir, 'snap.json')]))).toEqual(expected);

    const out = await run(['snapshot', ...live, '--out', '-', '-q']);
    expect(out.out).toBe(yaml);
    expect(out.err).toBe('');
    // The same cluster gives the same bytes.
    await run(['snapshot', ...live, '--out', 'again.yaml', '-q']);
    expect(await readFile(join(dir, 'again.yaml'), 'utf8')).toBe(yaml);
  });

  it('strips managedFields from what it writes', async () => {
    const ns = generateSample({}).cluster.find((o) => o.kind === 'Namespace') as Obj;
    const noisy = new FakeApiServer([{ ...ns, metadata: { ...(ns.metadata as Obj), managedFields: [{ manager: 'kubectl', operation: 'Update' }] } }], { token: TOKEN });
    const url = await noisy.start();
    try {
      const file = join(dir, 'noisy-kubeconfig');
      await writeFile(file, kubeconfigYaml([{ name: 'noisy', server: url, token: TOKEN }], 'noisy'));
      const r = await run(['snapshot', '--kubeconfig', file, '--out', '-', '-q']);
      expect(r.out).toContain(`name: ${(ns.metadata as Obj).name}`);
      expect(r.out).not.toContain('managedFields');
      expect(r.out).not.toContain('kubectl');
    } finally {
      await noisy.close();
    }
  });

  it('the rollout commands work live: recommend, plan, promote, drift and rollback with --kube answer as with the dump', async () => {
    const viaDump = ['--cluster', dump];
    expect((await run(['recommend', '--flows', flows, ...live, '--repo', 'live-repo', '-q'])).code).toBe(0);
    expect((await run(['recommend', '--flows', flows, ...viaDump, '--repo', 'dump-repo', '-q'])).code).toBe(0);
    const planLive = await run(['plan', '--flows', flows, ...live, '--repo', 'live-repo', '-q', '-o', 'json']);
    const planDump = await run(['plan', '--flows', flows, ...viaDump, '--repo', 'dump-repo', '-q', '-o', 'json']);
    expect(planLive.code).toBe(planDump.code);
    const steps = (o: string) => (JSON.parse(o) as { waves: { teams: { steps: { namespace: string; status: string }[] }[] }[] }).waves.flatMap((w) => w.teams.flatMap((t) => t.steps.map((x) => `${x.namespace}:${x.status}`)));
    expect(steps(planLive.out)).toEqual(steps(planDump.out));
    const ready = steps(planLive.out).find((x) => x.endsWith(':pass'))!.split(':')[0]!;
    const promoted = await run(['promote', ready, '--flows', flows, ...live, '--repo', 'live-repo', '-q', '-o', 'json']);
    expect(promoted.code, promoted.err).toBe(0);
    const driftLive = await run(['drift', ...live, '--repo', 'live-repo', '-o', 'json']);
    expect(driftLive.code).toBe(1); // the repository's policies are not in the cluster yet
    expect((await run(['promote', ready, '--flows', flows, ...viaDump, '--repo', 'dump-repo', '-q'])).code).toBe(0);
    const driftDump = await run(['drift', ...viaDump, '--repo', 'dump-repo', '-o', 'json']);
    // The same findings; only where the cluster's copy was read differs.
    const lists = (o: string) => JSON.parse(o.replace(/"source": "[^"]*"/g, '"source": ""').replace(/"repo": "[^"]*"/, '"repo": ""')) as unknown;
    expect(lists(driftLive.out)).toEqual(lists(driftDump.out));
    expect(driftLive.out).toMatch(/"source": "kube:demo:\/apis\/cilium\.io\/v2\/namespaces\//);
    const back = await run(['rollback', ready, ...live, '--repo', 'live-repo', '-o', 'json']);
    expect(back.code, back.err).toBe(0);
    expect((JSON.parse(back.out) as { connectivity?: unknown }).connectivity).toBeDefined();
  });

  it('no credential of the kubeconfig reaches any output, error or file', async () => {
    // Make sure there is something to look at, failures included.
    await run(['preflight', '--kube', '--kubeconfig', kubeconfig, '--context', 'nope']);
    await run(['inventory', '--kube', '--kubeconfig', kubeconfig, '--flows', flows]);
    await run(['snapshot', '--kubeconfig', kubeconfig, '--out', 'refused.yaml']);
    expect(printed.length).toBeGreaterThan(20);
    const files = (await readdir(dir)).filter((f) => f !== 'kubeconfig');
    const written = await Promise.all(files.filter((f) => /\.(ya?ml|json)$/.test(f)).map((f) => readFile(join(dir, f), 'utf8')));
    expect(written.length).toBeGreaterThanOrEqual(3);
    for (const text of [...printed, ...written]) {
      for (const secret of CREDENTIALS) expect(text).not.toContain(secret);
    }
    // The kubeconfig does hold them: the check above could fail.
    const config = await readFile(kubeconfig, 'utf8');
    expect(config).toContain(TOKEN);
    expect(config).toContain(Buffer.from(CLIENT_KEY).toString('base64'));
  });
});
