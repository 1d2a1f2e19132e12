import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InputError } from '../shared/errors.js';
import { readCluster, type ClusterSnapshot } from './index.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./test-support/${name}`, import.meta.url));
const DUMP_YAML = fixture('dump.yaml');
const DUMP_JSON = fixture('dump.json');

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tighten-cluster-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const refs = (s: ClusterSnapshot) => s.workloads.map((w) => `${w.namespace}/${w.kind}/${w.name}`);
const owners = (s: ClusterSnapshot) => Object.fromEntries(s.pods.map((p) => [`${p.namespace}/${p.name}`, `${p.owner.kind}/${p.owner.name}`]));

describe('a realistic multi-document YAML dump', () => {
  let s: ClusterSnapshot;
  beforeAll(async () => {
    s = await readCluster([DUMP_YAML]);
  });

  test('reads every kind tighten uses and counts the rest', () => {
    expect(s.sources).toEqual([DUMP_YAML]);
    expect(s.warnings).toEqual([]);
    expect(s.namespaces.map((n) => n.name)).toEqual(['kube-system', 'shop']);
    expect(s.namespaces[1]).toEqual({
      name: 'shop',
      labels: { 'kubernetes.io/metadata.name': 'shop', team: 'payments' },
      annotations: { 'tighten.io/criticality': 'high' },
    });
    expect(s.ignoredKinds).toEqual({ ConfigMap: 1, EndpointSlice: 1, ServiceAccount: 2 });
    expect(s.ciliumConfig).toEqual({
      'cluster-name': 'staging',
      'enable-non-default-deny-policies': 'true',
      'enable-policy': 'default',
      'policy-audit-mode': 'false',
    });
  });

  test('resolves every pod to its top owner', () => {
    expect(owners(s)).toEqual({
      'kube-system/cilium-x7k2p': 'DaemonSet/cilium',
      'shop/db-0': 'StatefulSet/db',
      'shop/debug-shell': 'Pod/debug-shell',
      'shop/legacy-x1y2z': 'ReplicationController/legacy',
      'shop/migrate-7k9dw': 'Job/migrate',
      'shop/report-29470200-q8x2z': 'CronJob/report',
      'shop/web-5d8f7c9b6-abcde': 'Deployment/web',
      'shop/web-5d8f7c9b6-fghij': 'Deployment/web',
    });
  });

  test('lists top-level workloads only, sorted by namespace, kind, name', () => {
    expect(refs(s)).toEqual([
      'kube-system/DaemonSet/cilium',
      'shop/CronJob/report',
      'shop/Deployment/web',
      'shop/Job/migrate',
      'shop/Pod/debug-shell',
      'shop/ReplicationController/legacy',
      'shop/StatefulSet/db',
    ]);
    const web = s.workloads.find((w) => w.name === 'web');
    expect(web).toEqual({
      namespace: 'shop',
      kind: 'Deployment',
      name: 'web',
      labels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/part-of': 'shop' },
      annotations: { 'deployment.kubernetes.io/revision': '2' },
      creationTimestamp: '2026-01-10T09:05:00Z',
      podLabels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/version': '2.4.1' },
      selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      serviceAccountName: 'web',
      // The restartable init container (a sidecar) serves; the plain init container does not.
      containerPorts: [
        { name: 'http', containerPort: 8080, protocol: 'TCP' },
        { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
        { name: 'admin', containerPort: 15000, protocol: 'TCP' },
      ],
      hostNetwork: false,
    });
    const report = s.workloads.find((w) => w.kind === 'CronJob');
    expect(report).toMatchObject({
      podLabels: { app: 'report' },
      schedule: '*/15 * * * *',
      suspend: false,
      timeZone: 'Europe/Berlin',
      serviceAccountName: 'report',
    });
    expect(report?.selector).toBeUndefined();
    expect(s.workloads.find((w) => w.kind === 'ReplicationController')?.selector).toEqual({ matchLabels: { app: 'legacy' } });
    expect(s.workloads.find((w) => w.kind === 'DaemonSet')).toMatchObject({ hostNetwork: true, serviceAccountName: 'cilium' });
    expect(s.workloads.find((w) => w.kind === 'Pod')).toMatchObject({ podLabels: { run: 'debug-shell' }, serviceAccountName: 'default' });
    expect(s.workloads.some((w) => w.inferred)).toBe(false);
  });

  test('decodes pod details', () => {
    const [abcde, fghij] = s.pods.filter((p) => p.name.startsWith('web-'));
    expect(abcde).toEqual({
      namespace: 'shop',
      name: 'web-5d8f7c9b6-abcde',
      uid: '9a9a9a9a-3333-4000-8000-000000000001',
      labels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/version': '2.4.1', 'pod-template-hash': '5d8f7c9b6' },
      annotations: {},
      ownerReferences: [{ kind: 'ReplicaSet', name: 'web-5d8f7c9b6', controller: true }],
      podIPs: ['10.244.1.23', 'fd00:10:244:1::17'],
      hostIP: '10.0.0.11',
      hostNetwork: false,
      hasEphemeralContainers: false,
      serviceAccountName: 'web',
      nodeName: 'node-1',
      phase: 'Running',
      containerPorts: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
      owner: { namespace: 'shop', kind: 'Deployment', name: 'web' },
    });
    // `kubectl debug` attached an ephemeral container: the pod keeps its owner, and says so.
    expect(fghij).toMatchObject({ hasEphemeralContainers: true, podIPs: ['10.244.2.31'], owner: { kind: 'Deployment', name: 'web' } });
    const cilium = s.pods.find((p) => p.name.startsWith('cilium-'));
    expect(cilium).toMatchObject({ hostNetwork: true, podIPs: ['10.0.0.11'], serviceAccountName: 'cilium' });
    expect(s.pods.find((p) => p.name === 'db-0')?.serviceAccountName).toBe('default');
  });

  test('decodes services', () => {
    expect(s.services.map((v) => `${v.namespace}/${v.name}`)).toEqual(['default/kubernetes', 'kube-system/kube-dns', 'shop/db', 'shop/payments-api', 'shop/web']);
    const byName = Object.fromEntries(s.services.map((v) => [v.name, v]));
    expect(byName.web).toEqual({
      namespace: 'shop',
      name: 'web',
      labels: { 'app.kubernetes.io/name': 'web' },
      selector: { 'app.kubernetes.io/name': 'web' },
      ports: [
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' },
      ],
      clusterIPs: ['10.96.12.34', 'fd00:10:96::1234'],
      type: 'ClusterIP',
    });
    expect(byName.db).toMatchObject({ clusterIPs: [], headless: true, ports: [{ name: 'pg', port: 5432, targetPort: 5432, protocol: 'TCP' }] });
    expect(byName['kube-dns']?.ports.map((p) => p.protocol)).toEqual(['UDP', 'TCP']);
    expect(byName['payments-api']).toMatchObject({ type: 'ExternalName', externalName: 'api.payments.example.com', clusterIPs: [] });
    expect(byName.kubernetes?.selector).toBeUndefined();
  });

  test('keeps policies raw, with their source', () => {
    expect(s.policies.map((p) => [p.kind, p.namespace, p.name])).toEqual([
      ['CiliumClusterwideNetworkPolicy', undefined, 'dns-visibility'],
      ['CiliumNetworkPolicy', 'shop', 'allow-web'],
      ['NetworkPolicy', 'shop', 'default-deny'],
    ]);
    const ccnp = s.policies[0];
    expect(ccnp?.object).toMatchObject({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', spec: { enableDefaultDeny: { egress: false, ingress: false } } });
    expect(ccnp?.source).toMatch(/dump\.yaml#\d+$/);
    expect(ccnp && 'namespace' in ccnp).toBe(false);
  });

  test('the same objects as one `-o json` List give the same snapshot', async () => {
    const j = await readCluster([DUMP_JSON]);
    expect(j.sources).toEqual([DUMP_JSON]);
    const strip = (x: ClusterSnapshot) => ({ ...x, sources: [], policies: x.policies.map((p) => ({ ...p, source: '' })) });
    expect(strip(j)).toEqual(strip(s));
    expect(j.policies[0]?.source).toMatch(/dump\.json\/items\/\d+$/);
  });
});

describe('inputs', () => {
  test('a directory is walked recursively in name order, skipping hidden entries and other files', async () => {
    const dir = join(tmp, 'dir');
    await mkdir(join(dir, 'b-nested', 'deeper'), { recursive: true });
    await mkdir(join(dir, '.git'), { recursive: true });
    await copyFile(DUMP_YAML, join(dir, 'b-nested', 'deeper', 'cluster.yml'));
    await writeFile(join(dir, 'a.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'extra' } }));
    await writeFile(join(dir, 'c.yaml.gz'), gzipSync('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: zipped\n'));
    await writeFile(join(dir, '.hidden.yaml'), 'kind: Namespace\nmetadata:\n  name: hidden\n');
    await writeFile(join(dir, '.git', 'x.yaml'), 'kind: Namespace\nmetadata:\n  name: in-git\n');
    await writeFile(join(dir, 'README.md'), '# not a dump\n');
    await writeFile(join(dir, 'notes.txt'), 'kind: Namespace\n');
    const s = await readCluster([dir]);
    expect(s.sources).toEqual([join(dir, 'a.json'), join(dir, 'b-nested', 'deeper', 'cluster.yml'), join(dir, 'c.yaml.gz')]);
    expect(s.namespaces.map((n) => n.name)).toEqual(['extra', 'kube-system', 'shop', 'zipped']);
    expect(s.pods).toHaveLength(8);
  });

  test('a file named twice, directly and through its directory, is read once', async () => {
    const dir = join(tmp, 'twice');
    await mkdir(dir);
    await copyFile(DUMP_YAML, join(dir, 'dump.yaml'));
    const s = await readCluster([join(dir, 'dump.yaml'), dir]);
    expect(s.sources).toEqual([join(dir, 'dump.yaml')]);
    expect(s.warnings).toEqual([]);
  });

  test('gzip is recognised by its magic bytes, whatever the name', async () => {
    const file = join(tmp, 'cluster.dump');
    await writeFile(file, gzipSync(await readFile(DUMP_JSON)));
    const s = await readCluster([file]);
    expect(s.workloads).toHaveLength(7);
    expect(s.sources).toEqual([file]);
  });

  test('a truncated gzip file is an InputError naming the file', async () => {
    const file = join(tmp, 'truncated.yaml.gz');
    const gz = gzipSync(await readFile(DUMP_YAML));
    await writeFile(file, gz.subarray(0, gz.length >> 1));
    await expect(readCluster([file])).rejects.toThrow(InputError);
    await expect(readCluster([file])).rejects.toThrow(/truncated\.yaml\.gz: corrupt or truncated gzip/);
  });

  test('UTF-16 with a byte-order mark (PowerShell redirection) is read', async () => {
    const file = join(tmp, 'utf16.yaml');
    await writeFile(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('kind: Namespace\napiVersion: v1\nmetadata:\n  name: windows\n', 'utf16le')]));
    const s = await readCluster([file]);
    expect(s.namespaces.map((n) => n.name)).toEqual(['windows']);
  });

  test('a path that does not exist is an InputError', async () => {
    const missing = join(tmp, 'nope.yaml');
    const error = await readCluster([missing]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ file: missing, exitCode: 2 });
    expect((error as Error).message).toContain(`${missing}: no such file or directory`);
  });

  test('invalid YAML is an InputError naming the file, the line and the document', async () => {
    const file = join(tmp, 'broken.yaml');
    await writeFile(file, ['apiVersion: v1', 'kind: Namespace', 'metadata:', '  name: ok', '---', 'apiVersion: v1', 'kind: Pod', 'metadata:', '  name: [unclosed', '  namespace: x', ''].join('\n'));
    const error = await readCluster([file]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    const e = error as InputError;
    expect(e.file).toBe(file);
    expect(e.line).toBeGreaterThanOrEqual(9);
    expect(e.line).toBeLessThanOrEqual(11);
    expect(e.message).toContain(`${file}:${e.line}`);
    expect(e.message).toContain('document 2');
  });

  test('invalid JSON is an InputError with the line', async () => {
    const file = join(tmp, 'broken.json');
    await writeFile(file, '{\n  "apiVersion": "v1",\n  "kind": "List",\n  "items": [\n    {"kind": "Pod",, }\n  ]\n}\n');
    const error = (await readCluster([file]).catch((e: unknown) => e)) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.line).toBe(5);
    expect(error.message).toContain(`${file}:5`);
  });

  test('an empty file is skipped with a warning; so is an empty directory', async () => {
    const empty = join(tmp, 'empty.yaml');
    const comments = join(tmp, 'comments.yaml');
    const dir = join(tmp, 'nothing-here');
    await writeFile(empty, '');
    await writeFile(comments, '# nothing yet\n---\n');
    await mkdir(dir);
    const s = await readCluster([empty, comments, dir]);
    expect(s.warnings).toEqual([
      { code: 'no-files', source: dir, message: expect.stringContaining('no .yaml') },
      { code: 'empty-file', source: empty, message: expect.stringContaining('no Kubernetes objects') },
      { code: 'empty-file', source: comments, message: expect.stringContaining('no Kubernetes objects') },
    ]);
    expect(s.sources).toEqual([empty, comments]);
  });

  test('a directory symlink loop does not hang the walk', async () => {
    const dir = join(tmp, 'loop');
    await mkdir(dir);
    await writeFile(join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: looped\n');
    await symlink(dir, join(dir, 'self'));
    const s = await readCluster([dir]);
    expect(s.namespaces.map((n) => n.name)).toEqual(['looped']);
    expect(s.sources).toEqual([join(dir, 'ns.yaml')]);
  });

  test('no inputs give an empty snapshot', async () => {
    const s = await readCluster([]);
    expect(s).toEqual({ namespaces: [], pods: [], workloads: [], services: [], policies: [], ignoredKinds: {}, warnings: [], sources: [] });
  });
});

// The Online Boutique release manifests: a real, hand-written multi-document file (no namespaces given).
const shared = new URL('../../../shared/', import.meta.url);
const boutique = fileURLToPath(new URL('corpora/online-boutique/release/kubernetes-manifests.yaml', shared));
const haveBoutique = existsSync(boutique);
if (!haveBoutique) console.warn(`skipping the Online Boutique test: ${boutique} is absent (it lives in the shared corpora beside the repository)`);

describe.skipIf(!haveBoutique)('Online Boutique release manifests', () => {
  test('finds its Deployments and Services', async () => {
    const s = await readCluster([boutique]);
    const services = ['adservice', 'cartservice', 'checkoutservice', 'currencyservice', 'emailservice', 'frontend', 'paymentservice', 'productcatalogservice', 'recommendationservice', 'redis-cart', 'shippingservice'];
    expect(s.workloads.map((w) => `${w.namespace}/${w.kind}/${w.name}`)).toEqual(
      [...services.slice(0, 6), 'loadgenerator', ...services.slice(6)].map((n) => `default/Deployment/${n}`),
    );
    expect(s.services.map((v) => v.name)).toEqual([...services.slice(0, 6), 'frontend-external', ...services.slice(6)]);
    expect(s.ignoredKinds).toEqual({ ServiceAccount: 11 });
    expect(s.warnings).toEqual([]);
    expect(s.pods).toEqual([]);
    const frontend = s.workloads.find((w) => w.name === 'frontend');
    expect(frontend).toMatchObject({ podLabels: { app: 'frontend' }, serviceAccountName: 'frontend', containerPorts: [{ containerPort: 8080, protocol: 'TCP' }] });
    const external = s.services.find((v) => v.name === 'frontend-external');
    expect(external).toMatchObject({ type: 'LoadBalancer', selector: { app: 'frontend' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
    const redis = s.workloads.find((w) => w.name === 'redis-cart');
    expect(redis?.serviceAccountName).toBe('default');
  });
});
