import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { connection, pod } from '../test-support/hubble.js';
import { captureIo } from '../test-support/io.js';
import { main } from './index.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/inventory.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true }).compile(schema);

const web = pod('shop', 'web-6d5c4b3a2f-aaaaa', '10.0.1.10', { app: 'web', 'pod-template-hash': '6d5c4b3a2f' });
const api = pod('shop', 'api-7f6e5d4c3b-bbbbb', '10.0.1.20', { app: 'api', 'pod-template-hash': '7f6e5d4c3b' });
const lines = [
  ...connection({ time: '2026-11-02T10:00:01.000000000Z', src: web, dst: api, dport: 8080, srcIsPod: true, dstIsPod: true }),
  ...connection({ time: '2026-11-02T10:00:02.000000000Z', src: web, dst: api, dport: 8080, srcIsPod: true, dstIsPod: true }),
];

const CLUSTER = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: { name: shop, labels: { team: web } }
- apiVersion: apps/v1
  kind: Deployment
  metadata: { name: web, namespace: shop }
  spec:
    selector: { matchLabels: { app: web } }
    template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: web, image: web }] } }
- apiVersion: v1
  kind: Pod
  metadata:
    name: orphan-7c9d8e7f6a-ccccc
    namespace: shop
    labels: { app: orphan, pod-template-hash: 7c9d8e7f6a }
    ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: orphan-7c9d8e7f6a, controller: true, uid: x }]
  spec: { containers: [{ name: c, image: c }] }
  status: { podIP: 10.0.1.30 }
- apiVersion: example.com/v1
  kind: Widget
  metadata: { name: w, namespace: shop }
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-cli-'));
  await writeFile(join(dir, 'flows.jsonl'), `${lines.join('\n')}\n`);
  await writeFile(join(dir, 'cluster.yaml'), CLUSTER);
});

async function run(args: string[], stdin = '') {
  const io = captureIo(stdin);
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('tighten inventory', () => {
  it('prints ingress and egress per workload as text', async () => {
    const r = await run(['inventory', '--flows', join(dir, 'flows.jsonl')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('namespace shop');
    expect(r.out).toMatch(/Deployment web[\s\S]*egress:\n\s+→ shop\/api \(Deployment\)\s+8080\/TCP\s+FORWARDED\s+2 flows/);
    expect(r.out).toMatch(/Deployment api[\s\S]*ingress:\n\s+← shop\/web \(Deployment\)\s+8080\/TCP/);
  });

  it('writes JSON that validates against schema/inventory.json', async () => {
    const r = await run(['inventory', '--flows', join(dir, 'flows.jsonl'), '--cluster', join(dir, 'cluster.yaml'), '-o', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { apiVersion: string; kind: string; edges: unknown[]; workloads: { name: string; seenIn: { cluster: boolean; flows: boolean } }[] };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.apiVersion).toBe('tighten/v1alpha1');
    expect(doc.kind).toBe('Inventory');
    expect(doc.edges).toEqual([
      expect.objectContaining({ source: { namespace: 'shop', kind: 'Deployment', name: 'web' }, destination: { namespace: 'shop', kind: 'Deployment', name: 'api' }, port: 8080, protocol: 'TCP', verdict: 'FORWARDED', flows: 2 }),
    ]);
    // The dump's Deployment and the orphan pod's inferred Deployment are both workloads.
    expect(doc.workloads.map((w) => w.name)).toEqual(['api', 'orphan', 'web']);
    expect(doc.workloads.find((w) => w.name === 'web')!.seenIn).toEqual({ cluster: true, flows: true });
    expect(r.err).toMatch(/orphan/); // owner missing from the dump is warned about
    expect(r.err).toMatch(/Widget/); // unknown kinds are counted
  });

  it('renders markdown', async () => {
    const r = await run(['inventory', '--flows', join(dir, 'flows.jsonl'), '-o', 'markdown']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('| shop/api (Deployment) | 8080/TCP | FORWARDED | 2 |');
  });

  it('reads stdin and gzip, and skips a malformed line with a warning naming file and line', async () => {
    const gz = join(dir, 'flows.data');
    await writeFile(gz, gzipSync(`${lines[0]}\n{not json\n${lines.slice(1).join('\n')}\n`));
    const r = await run(['inventory', '--flows', gz, '-o', 'json']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(new RegExp(`${gz.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: skipped`));
    expect(JSON.parse(r.out).decode.skipped).toBe(1);
    const s = await run(['inventory', '--flows', '-', '-o', 'json'], `${lines.join('\n')}\n`);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.out).edges).toHaveLength(1);
  });

  it('fails with exit 2 and a message naming the file on a truncated gzip, a non-JSON file and an empty input', async () => {
    const full = gzipSync(`${lines.join('\n')}\n`.repeat(50));
    const truncated = join(dir, 'truncated.gz');
    await writeFile(truncated, full.subarray(0, Math.floor(full.length / 2)));
    const t = await run(['inventory', '--flows', truncated]);
    expect(t.code).toBe(2);
    expect(t.err).toContain('truncated.gz');
    const yaml = join(dir, 'not-flows.yaml');
    await writeFile(yaml, 'apiVersion: v1\nkind: Pod\n');
    const y = await run(['inventory', '--flows', yaml]);
    expect(y.code).toBe(2);
    expect(y.err).toContain('not-flows.yaml');
    const empty = join(dir, 'empty.jsonl');
    await writeFile(empty, '');
    const e = await run(['inventory', '--flows', empty]);
    expect(e.code).toBe(2);
    expect(e.err).toContain('empty.jsonl');
  });

  it('rejects usage errors with exit 2', async () => {
    expect((await run(['inventory'])).code).toBe(2);
    expect((await run(['inventory', '--flows', 'x', '-o', 'yaml'])).code).toBe(2);
    expect((await run(['inventory', '--bogus'])).code).toBe(2);
    expect((await run(['nope'])).code).toBe(2);
    const missing = await run(['inventory', '--flows', join(dir, 'missing.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('missing.jsonl');
  });
});
