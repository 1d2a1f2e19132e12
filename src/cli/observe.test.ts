import { mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSample } from '../sample/write.js';
import { captureIo } from '../test-support/io.js';
import { main } from './index.js';

const schemaOf = (name: string): object => JSON.parse(readFileSync(new URL(`../../schema/${name}`, import.meta.url), 'utf8')) as object;
const ajv = new Ajv2020({ allErrors: true }).addSchema(schemaOf('observe.json'));
const validate = ajv.getSchema('https://tighten.dev/schema/observe.json')!;
const validateCompact = ajv.compile(schemaOf('compact.json'));

let dir: string;
let flows: string;
let cluster: string;

async function run(args: string[], stdin = '') {
  const io = captureIo(stdin, dir);
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

/** Every file under `root`, relative path → content. */
async function tree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out[relative(root, p)] = await readFile(p, 'utf8');
    }
  };
  await walk(root);
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-observe-'));
  const written = await writeSample(join(dir, 'sample'), { size: 'small', seed: 3 });
  flows = written.flowsFile;
  cluster = written.clusterFile;
  const r = await run(['observe', '--store', 'st', flows, '--cluster', cluster, '-q']);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^stored [\d,]+ flows in 1 commit\nstore .*st: [\d,]+ flows from 1 file and streams, [\d,]+ edge buckets in 1 segment/);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tighten observe', () => {
  it('re-feeding the same file stores nothing', async () => {
    const before = await readFile(join(dir, 'st/manifest.json'), 'utf8');
    const r = await run(['observe', '--store', 'st', flows, '-q']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${flows}: already in the store (same content), skipped\nnothing new to store\n`);
    expect(await readFile(join(dir, 'st/manifest.json'), 'utf8')).toBe(before);
  });

  it('every reading command gives the same output from --store as from --flows (the store keeps the cluster snapshot)', async () => {
    const pairs: [string, string[]][] = [
      ['inventory', ['-o', 'json']],
      ['inventory', ['--namespace', 'billing', '-o', 'json']],
      ['inventory', ['--since', '24h', '-o', 'json']],
      ['plan', ['-o', 'json', '--repo', 'plan-repo']],
    ];
    for (const [command, args] of pairs) {
      const a = await run([command, '--flows', flows, '--cluster', cluster, '-q', ...args]);
      const b = await run([command, '--store', 'st', '-q', ...args]);
      expect(b.code).toBe(a.code);
      expect(b.out, `${command} ${args.join(' ')}`).toBe(a.out);
    }
  });

  it('recommend --store writes the same repository as recommend --flows, and simulate and trace agree on it', async () => {
    const a = await run(['recommend', '--flows', flows, '--cluster', cluster, '--repo', 'repo-flows', '-q']);
    const b = await run(['recommend', '--store', 'st', '--repo', 'repo-store', '-q']);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(b.out.replaceAll('repo-store', 'repo-flows')).toBe(a.out);
    expect(await tree(join(dir, 'repo-store'))).toEqual(await tree(join(dir, 'repo-flows')));

    const sa = await run(['simulate', '--repo', join(dir, 'repo-flows'), '--flows', flows, '--cluster', cluster, '--as-enforced', '-q', '-o', 'json']);
    const sb = await run(['simulate', '--repo', join(dir, 'repo-flows'), '--store', 'st', '--as-enforced', '-q', '-o', 'json']);
    expect(sb.out).toBe(sa.out);
    expect(sb.code).toBe(sa.code);

    const traceArgs = ['--from', 'boutique/frontend', '--to', 'boutique/cartservice', '--port', '7070', '--repo', join(dir, 'repo-flows'), '-o', 'json'];
    const ta = await run(['trace', ...traceArgs, '--flows', flows, '--cluster', cluster]);
    const tb = await run(['trace', ...traceArgs, '--store', 'st']);
    expect(tb.out).toBe(ta.out);
    expect(tb.code).toBe(ta.code);
    expect(JSON.parse(tb.out).kind).toBe('Trace');

    await mkdir(join(dir, 'empty'), { recursive: true });
    const diffArgs = [join(dir, 'empty'), join(dir, 'repo-flows'), '-q', '-o', 'json'];
    const da = await run(['diff', ...diffArgs, '--flows', flows, '--cluster', cluster]);
    const db = await run(['diff', ...diffArgs, '--store', 'st']);
    expect(da.code).toBe(db.code);
    expect(db.out).toBe(da.out);
    expect(JSON.parse(db.out).kind).toBeDefined();
  });

  it('compact rolls old hours up into days: fewer buckets, the same flows; -o json follows schema/compact.json', async () => {
    await run(['observe', '--store', 'st-compact', flows, '--cluster', cluster, '-q']);
    const before = JSON.parse((await run(['inventory', '--store', 'st-compact', '-o', 'json', '-q'])).out);
    const r = await run(['compact', '--store', 'st-compact', '--rollup-after', '12h', '-o', 'json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(validateCompact(doc), JSON.stringify(validateCompact.errors)).toBe(true);
    expect(doc.after.settings.rollupAfterHours).toBe(12);
    expect(doc.after.bucketRows).toBeLessThan(doc.before.bucketRows);
    expect(doc.after.flows).toBe(doc.before.flows);
    const after = JSON.parse((await run(['inventory', '--store', 'st-compact', '-o', 'json', '-q'])).out);
    const flowsOf = (inv: { edges: { flows: number }[] }) => inv.edges.map((e) => e.flows);
    expect(flowsOf(after)).toEqual(flowsOf(before));
    const text = await run(['compact', '--store', 'st-compact']);
    expect(text.out).toMatch(/^compacted: days rolled up once 12 hours old, dropped once 720 hours old \(whole days, UTC\)\nbefore: store .*\nafter:  store /);
    expect((await run(['compact', '--store', 'nothing-here'])).err).toMatch(/nothing-here/);
  });

  it('reads standard input with -, and --store with --flows is a usage error', async () => {
    const text = await readFile(flows, 'utf8');
    const r = await run(['observe', '--store', 'st-stdin', '-', '--cluster', cluster, '-q', '-o', 'json', '--dedupe-horizon', '7d'], text);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc).toMatchObject({ kind: 'ObserveSummary', inputs: [{ name: '<stdin>', stored: 'now' }], duplicates: 0 });
    const a = await run(['inventory', '--flows', flows, '--cluster', cluster, '-q', '-o', 'json']);
    const b = await run(['inventory', '--store', 'st-stdin', '-q', '-o', 'json']);
    expect(JSON.parse(b.out).edges).toEqual(JSON.parse(a.out).edges);
    // The same flows again through stdin: every one has a uuid stored within the horizon.
    const again = await run(['observe', '--store', 'st-stdin', '-', '-q', '-o', 'json'], text);
    expect(JSON.parse(again.out)).toMatchObject({ flows: 0, duplicates: doc.flows });

    const both = await run(['inventory', '--store', 'st', '--flows', flows]);
    expect(both.code).toBe(2);
    expect(both.err).toContain('pass either --flows or --store, not both');
    const none = await run(['inventory', '--store', 'missing']);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/missing: no flow store here/);
  });

  it('names the file and line of a bad input, and stores nothing of it', async () => {
    const r = await run(['observe', '--store', 'st-bad', cluster, '-q']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cluster\.yaml is not a Hubble flow file: line 1/);
    expect(await stat(join(dir, 'st-bad/manifest.json')).catch(() => undefined)).toBeUndefined();
  });
});
