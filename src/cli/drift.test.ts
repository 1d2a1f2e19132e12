import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { writeSample } from '../sample/write.js';
import { captureIo } from '../test-support/io.js';
import { main } from './index.js';

const validate = new Ajv2020({ allErrors: true }).compile(JSON.parse(readFileSync(new URL('../../schema/drift.json', import.meta.url), 'utf8')) as object);

let dir: string;
let repo: string;
let flows: string;
let cluster: string;
const run = async (args: string[]) => {
  const io = captureIo('', dir);
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-drift-'));
  const written = await writeSample(join(dir, 'sample'), { size: 'small', seed: 3 });
  flows = written.flowsFile;
  cluster = written.clusterFile;
  repo = join(dir, 'repo');
  expect((await run(['recommend', '--flows', flows, '--cluster', cluster, '-q', '--repo', repo])).code).toBe(0);
  expect((await run(['promote', 'boutique', '--force', '--reason', 'drift test', '--flows', flows, '--cluster', cluster, '-q', '--repo', repo])).code).toBe(0);
}, 180_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The policies the repository applies (platform and boutique), as the cluster would serve them. */
async function appliedObjects(): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const folder of ['platform', 'namespaces/boutique']) {
    for (const f of (await readdir(join(repo, folder))).sort()) {
      if (f === 'kustomization.yaml' || f === 'evidence.yaml') continue;
      for (const d of parseAllDocuments(await readFile(join(repo, folder, f), 'utf8'))) out.push(d.toJS() as Record<string, unknown>);
    }
  }
  return out;
}

describe('tighten drift', () => {
  it('in sync when the cluster serves exactly what the repository applies', async () => {
    const file = join(dir, 'live.json');
    await writeFile(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: await appliedObjects() }));
    const r = await run(['drift', '--cluster', file, '--repo', repo]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/^No drift: \d+ in sync, \d+ proposed \(not applied\), 0 only in the cluster/m);
  });

  it('reports a hand-applied policy, a missing one, a changed one and one live though its namespace observes; exit 1', async () => {
    const objects = await appliedObjects();
    const removed = objects.pop() as { metadata: { name: string } };
    const changed = objects.find((o) => o.kind === 'CiliumNetworkPolicy') as { metadata: { name: string }; spec: Record<string, unknown> };
    changed.spec = { ...changed.spec, ingress: [{}] };
    objects.push({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'allow-debug', namespace: 'boutique' }, spec: { endpointSelector: {}, ingress: [{}] } });
    const observing = parseAllDocuments(await readFile(join(repo, 'namespaces/analytics', (await readdir(join(repo, 'namespaces/analytics'))).find((f) => !/^(kustomization|evidence)\.yaml$/.test(f))!), 'utf8'))[0]!.toJS() as { metadata: { name: string } };
    objects.push(observing as unknown as Record<string, unknown>);
    const file = join(dir, 'drifted.json');
    await writeFile(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    const r = await run(['drift', '--cluster', file, '--repo', repo, '-o', 'json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as Record<string, { name: string; fields?: string[] }[]>;
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.onlyInCluster!.map((e) => e.name)).toEqual(['allow-debug']);
    expect(doc.onlyInRepository!.map((e) => e.name)).toEqual([removed.metadata.name]);
    expect(doc.differs!.map((e) => [e.name, e.fields])).toEqual([[changed.metadata.name, ['spec.ingress']]]);
    expect(doc.liveButNotApplied!.map((e) => e.name)).toEqual([observing.metadata.name]);
    const text = await run(['drift', '--cluster', file, '--repo', repo]);
    expect(text.out).toContain('hand-applied exceptions');
    expect((await run(['drift', '--cluster', file, '--repo', repo, '-o', 'markdown'])).out).toMatch(/^## tighten drift/);
  });

  it('needs a cluster', async () => {
    const r = await run(['drift', '--repo', repo]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no cluster given/);
  });
});
