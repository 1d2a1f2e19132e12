import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { connection, pod } from '../test-support/hubble.js';
import { captureIo } from '../test-support/io.js';
import { main } from './index.js';

const validate = new Ajv2020({ allErrors: true }).compile(JSON.parse(readFileSync(new URL('../../schema/diff.json', import.meta.url), 'utf8')) as object);

const CLUSTER = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: { name: shop, labels: { kubernetes.io/metadata.name: shop } }
- apiVersion: apps/v1
  kind: Deployment
  metadata: { name: web, namespace: shop }
  spec:
    selector: { matchLabels: { app: web } }
    template:
      metadata: { labels: { app: web } }
      spec: { containers: [{ name: web, image: web, ports: [{ name: http, containerPort: 8080 }] }] }
- apiVersion: apps/v1
  kind: Deployment
  metadata: { name: api, namespace: shop }
  spec:
    selector: { matchLabels: { app: api } }
    template:
      metadata: { labels: { app: api } }
      spec: { containers: [{ name: api, image: api, ports: [{ name: http, containerPort: 8080 }, { name: metrics, containerPort: 9090 }] }] }
`;

const apiPolicy = (ports: string[]) => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [${ports.map((p) => `{ port: "${p}", protocol: TCP }`).join(', ')}] }]
`;

const web = pod('shop', 'web-6d5c4b3a2f-aaaaa', '10.0.1.10', { app: 'web', 'pod-template-hash': '6d5c4b3a2f' });
const api = pod('shop', 'api-7f6e5d4c3b-bbbbb', '10.0.1.20', { app: 'api', 'pod-template-hash': '7f6e5d4c3b' });
const FLOWS = [
  ...connection({ time: '2026-11-02T10:00:01Z', src: web, dst: api, dport: 8080, srcIsPod: true, dstIsPod: true }),
  ...connection({ time: '2026-11-02T10:00:02Z', src: web, dst: api, dport: 9090, srcIsPod: true, dstIsPod: true }),
  ...connection({ time: '2026-11-02T10:00:03Z', src: web, dst: api, dport: 9090, srcIsPod: true, dstIsPod: true }),
].join('\n');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-diff-'));
  await mkdir(join(dir, 'old'));
  await mkdir(join(dir, 'new'));
  await writeFile(join(dir, 'cluster.yaml'), CLUSTER);
  await writeFile(join(dir, 'flows.jsonl'), `${FLOWS}\n`);
  await writeFile(join(dir, 'old', 'api.yaml'), apiPolicy(['8080', '9090']));
  await writeFile(join(dir, 'new', 'api.yaml'), apiPolicy(['8080']));
});

async function run(args: string[], cwd = dir) {
  const io = captureIo('', cwd);
  const code = await main(['diff', ...args, '-q'], io);
  return { code, out: io.out(), err: io.err() };
}

describe('tighten diff', () => {
  it('names what becomes denied, the port and the rule, exit 0 without --exit-code', async () => {
    const r = await run(['old', 'new', '--cluster', 'cluster.yaml']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('diff: old (1 policy) → new (1 policy)');
    expect(r.out).toContain('  ~ CiliumNetworkPolicy shop/api');
    expect(r.out).toContain('becomes denied (1 pair):\n  shop/web (Deployment) → shop/api (Deployment)  9090/TCP\n    ingress: allowed by CiliumNetworkPolicy shop/api ingress[0] → default deny');
    expect(r.out).toContain('0 pairs gain access; 1 pair loses access');
  });

  it('--exit-code: 1 when the diff is not empty, 0 when it is', async () => {
    expect((await run(['old', 'new', '--cluster', 'cluster.yaml', '--exit-code'])).code).toBe(1);
    const same = await run(['old', 'old', '--cluster', 'cluster.yaml', '--exit-code']);
    expect(same.code).toBe(0);
    expect(same.out).toContain('no connectivity change');
    const json = await run(['old', 'old', '--cluster', 'cluster.yaml', '--flows', 'flows.jsonl', '-o', 'json']);
    const doc = JSON.parse(json.out) as { changes: unknown[]; observed: unknown[] };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect([doc.changes, doc.observed]).toEqual([[], []]);
  });

  it('with flows, lists the observed traffic affected; JSON validates against schema/diff.json', async () => {
    const r = await run(['old', 'new', '--cluster', 'cluster.yaml', '--flows', 'flows.jsonl', '-o', 'json', '--exit-code']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as { kind: string; changes: unknown[]; observed: { port: number; flows: number; becomes: string }[] };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.kind).toBe('PolicyDiff');
    expect(doc.changes).toHaveLength(1);
    expect(doc.observed.map((o) => [o.port, o.flows, o.becomes])).toEqual([[9090, 2, 'denied']]);
  });

  it('markdown for a pull-request comment: summary line, tables, observed traffic', async () => {
    const r = await run(['old', 'new', '--cluster', 'cluster.yaml', '--flows', 'flows.jsonl', '-o', 'markdown']);
    expect(r.out).toContain('`old` → `new`: **0 pairs gain access; 1 pair loses access; observed traffic affected: 1 edge, 2 flows**.');
    expect(r.out).toContain('### Becomes denied (1 pair)');
    expect(r.out).toContain('| `shop/web (Deployment)` | `shop/api (Deployment)` | 9090/TCP | ingress: allowed by CiliumNetworkPolicy shop/api ingress[0] → default deny |');
    expect(r.out).toContain('### Observed traffic affected');
    expect(r.out).toContain('| 9090/TCP | FORWARDED | 2 | denied |');
  });

  it('scopes to --namespace', async () => {
    const r = await run(['old', 'new', '--cluster', 'cluster.yaml', '--namespace', 'elsewhere', '--exit-code']);
    expect(r.code).toBe(0);
  });

  it('needs exactly two policy sets', async () => {
    const r = await run(['old', '--cluster', 'cluster.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('diff takes two policy sets, OLD and NEW (got 1)');
  });

  it('says so when a set is neither a path nor a revision outside a git repository', async () => {
    const r = await run(['HEAD', 'new', '--cluster', 'cluster.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/OLD "HEAD": no such file or directory, and not a git revision: .* is not inside a git repository/);
  });
});

describe('tighten diff with git revisions', () => {
  let repo: string;
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, stdio: 'pipe' });

  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), 'tighten-diff-git-'));
    git('init', '-q');
    await mkdir(join(repo, 'policies', 'shop'), { recursive: true });
    await writeFile(join(repo, 'cluster.yaml'), CLUSTER);
    await writeFile(join(repo, 'policies', 'shop', 'api.yaml'), apiPolicy(['8080', '9090']));
    await writeFile(join(repo, 'policies', 'kustomization.yaml'), 'resources: [shop/api.yaml]\n');
    git('add', '.');
    git('commit', '-q', '-m', 'first');
    await writeFile(join(repo, 'policies', 'shop', 'api.yaml'), apiPolicy(['8080']));
  });

  it('diffs HEAD (bare revision, whole tree) against the working directory', async () => {
    const r = await run(['HEAD', 'policies', '--cluster', 'cluster.yaml', '--exit-code'], repo);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toContain('diff: git:HEAD (1 policy) → policies (1 policy)');
    expect(r.out).toContain('shop/web (Deployment) → shop/api (Deployment)  9090/TCP');
  });

  it('reads git:REV:PATH, a folder or a file, relative to the top of the repository', async () => {
    const folder = await run(['git:HEAD:policies', 'policies', '--cluster', 'cluster.yaml', '-o', 'json'], repo);
    const doc = JSON.parse(folder.out) as { old: { source: string }; changes: { becomes: string; ports: unknown[] }[] };
    expect(doc.old.source).toBe('git:HEAD:policies');
    expect(doc.changes.map((c) => [c.becomes, c.ports])).toEqual([['denied', [{ protocol: 'TCP', from: 9090, to: 9090 }]]]);
    const file = await run(['HEAD:policies/shop/api.yaml', 'policies/shop/api.yaml', '--cluster', 'cluster.yaml', '--exit-code'], repo);
    expect(file.code).toBe(1);
    const same = await run(['git:HEAD:policies', 'HEAD', '--cluster', 'cluster.yaml', '--exit-code'], repo);
    expect(same.code).toBe(0);
  });

  it('works after a second commit (HEAD~1 vs HEAD) and from a subfolder with ./PATH', async () => {
    git('commit', '-q', '-am', 'second');
    const r = await run(['HEAD~1', 'HEAD', '--cluster', 'cluster.yaml', '--exit-code'], repo);
    expect(r.code).toBe(1);
    expect(r.out).toContain('diff: git:HEAD~1 (1 policy) → git:HEAD (1 policy)');
    const sub = await run(['git:HEAD~1:./shop', 'git:HEAD:./shop', '--cluster', '../cluster.yaml', '--exit-code'], join(repo, 'policies'));
    expect(sub.out).toContain('diff: git:HEAD~1:policies/shop (1 policy) → git:HEAD:policies/shop (1 policy)');
    expect(sub.code).toBe(1);
  });

  it('names a revision or path that does not exist', async () => {
    const rev = await run(['no-such-branch', 'policies', '--cluster', 'cluster.yaml'], repo);
    expect(rev.code).toBe(2);
    expect(rev.err).toContain('OLD "no-such-branch": no such file or directory, and not a revision of the repository at');
    const path = await run(['git:HEAD:nowhere', 'policies', '--cluster', 'cluster.yaml'], repo);
    expect(path.code).toBe(2);
    expect(path.err).toContain('OLD "git:HEAD:nowhere": no file or folder nowhere in HEAD');
  });
});
