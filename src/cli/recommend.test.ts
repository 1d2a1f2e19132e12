import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeSample } from '../sample/write.js';
import { captureIo } from '../test-support/io.js';
import { main } from './index.js';

const validate = new Ajv2020({ allErrors: true }).compile(JSON.parse(readFileSync(new URL('../../schema/recommendation.json', import.meta.url), 'utf8')) as object);

let dir: string;
let flows: string;
let cluster: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-recommend-'));
  const written = await writeSample(join(dir, 'sample'), { size: 'small', seed: 2 });
  flows = written.flowsFile;
  cluster = written.clusterFile;
});

async function run(args: string[]) {
  const io = captureIo('', dir);
  const code = await main(['recommend', '--flows', flows, '--cluster', cluster, '-q', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('tighten recommend', () => {
  it('writes the repository and prints the summary; a second run changes nothing', async () => {
    const first = await run(['--repo', 'repo']);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/recommend: 6 baseline \+ \d+ workload policies for 5 namespaces in repo/);
    expect(first.out).toMatch(/\d+ rules, \d+ peers, \d+ FQDNs, 1 CIDR fallback/);
    const root = parse(await readFile(join(dir, 'repo/kustomization.yaml'), 'utf8'));
    expect(root.resources).toEqual(['platform']);
    expect((await readdir(join(dir, 'repo/namespaces'))).sort()).toEqual(['analytics', 'billing', 'boutique', 'cert-manager', 'marketing']);
    const second = await run(['--repo', 'repo']);
    expect(second.out).toMatch(/Files: 0 changed, \d+ unchanged/);
  });

  it('--namespace scopes a fresh repository; -o json is the Recommendation document', async () => {
    const r = await run(['--repo', 'scoped', '--namespace', 'boutique', '-o', 'json']);
    const doc = JSON.parse(r.out);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc).toMatchObject({ apiVersion: 'tighten/v1alpha1', kind: 'Recommendation', format: 'cilium' });
    expect(doc.namespaces).toEqual([{ name: 'boutique', stage: 'observe', applied: false, new: true }]);
    expect(doc.summary.workloadPolicies).toBeGreaterThan(10);
  });

  it('lists an edited file it skipped, and exits 1', async () => {
    await run(['--repo', 'edited']);
    const path = join(dir, 'edited/namespaces/boutique/frontend.yaml');
    await writeFile(path, `${await readFile(path, 'utf8')}# edited\n`);
    await writeFile(join(dir, 'edited/tighten.state.yaml'), (await readFile(join(dir, 'edited/tighten.state.yaml'), 'utf8')).replace(/stage: observe/, 'stage: audit'));
    const r = await run(['--repo', 'edited']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('namespaces/boutique/frontend.yaml: edited since tighten wrote it');
  });

  it('--format networkpolicy lists what it cannot express', async () => {
    const r = await run(['--repo', 'np', '--format', 'networkpolicy']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/NetworkPolicy cannot express \d+ things/);
    expect(r.out).toContain('toFQDNs');
    const json = await run(['--repo', 'np', '--format', 'networkpolicy', '-o', 'json']);
    expect(validate(JSON.parse(json.out)), JSON.stringify(validate.errors)).toBe(true);
  });

  it('a bad --format is a usage error', async () => {
    expect((await run(['--format', 'calico'])).code).toBe(2);
  });
});
