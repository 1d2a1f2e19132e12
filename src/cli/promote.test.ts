import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeState, LOCK_FILE, STATE_FILE } from '../gitops/index.js';
import { writeSample } from '../sample/write.js';
import { captureIo } from '../test-support/io.js';
import { main } from './index.js';

const validate = new Ajv2020({ allErrors: true }).compile(JSON.parse(readFileSync(new URL('../../schema/stage-change.json', import.meta.url), 'utf8')) as object);
const valid = (doc: unknown) => {
  expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  return doc;
};

/** Every file under `dir` (relative path → text), the lock and git's folder left out. */
async function filesOf(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.name === '.git' || e.name === LOCK_FILE) continue;
      if (e.isDirectory()) await walk(path);
      else out.set(path, await readFile(join(dir, path), 'utf8'));
    }
  };
  await walk('');
  return out;
}
const withoutState = (m: Map<string, string>) => new Map([...m].filter(([p]) => p !== STATE_FILE));

let sample: string;
let flows: string;
let cluster: string;
/** A repository as `recommend` wrote it: every namespace at observe. */
let fresh: string;
/** Namespaces whose observe → audit gate passes / does not, from `plan -o json`. */
let ready: string;
let blocked: string;

async function run(cwd: string, args: string[]) {
  const io = captureIo('', cwd);
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

beforeAll(async () => {
  sample = await mkdtemp(join(tmpdir(), 'tighten-promote-'));
  const written = await writeSample(join(sample, 'sample'), { size: 'small', seed: 2 });
  flows = written.flowsFile;
  cluster = written.clusterFile;
  fresh = join(sample, 'fresh');
  expect((await run(sample, ['recommend', '--flows', flows, '--cluster', cluster, '-q', '--repo', fresh])).code).toBe(0);
  const plan = await run(sample, ['plan', '--flows', flows, '--cluster', cluster, '-q', '--repo', fresh, '-o', 'json']);
  type Step = { namespace: string; status: string; evidence: { wouldDrops: unknown } };
  const steps = (JSON.parse(plan.out) as { waves: { teams: { steps: Step[] }[] }[] }).waves.flatMap((w) => w.teams.flatMap((t) => t.steps));
  // Ready for audit, with would-be drops to accept before enforcing (the sample's debug pods), when there is one.
  const drops = (s: Step) => (Array.isArray(s.evidence.wouldDrops) ? s.evidence.wouldDrops.length : Number(s.evidence.wouldDrops));
  const passing = steps.filter((s) => s.status === 'pass');
  ready = (passing.find((s) => drops(s) > 0) ?? passing[0]!).namespace;
  blocked = steps.find((s) => s.status === 'blocked')!.namespace;
}, 180_000);

let repo: string;
let child: ChildProcess | undefined;
beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), 'tighten-promote-repo-'));
  await cp(fresh, repo, { recursive: true });
});
afterEach(async () => {
  child?.kill();
  child = undefined;
  await rm(repo, { recursive: true, force: true });
});

const src = () => ['--flows', flows, '--cluster', cluster, '-q', '--repo', repo];
const promote = (...args: string[]) => run(sample, ['promote', ...args, ...src()]);
const rollback = (...args: string[]) => run(sample, ['rollback', ...args, '--repo', repo]);
const stateOf = async () => decodeState(await readFile(join(repo, STATE_FILE), 'utf8'), STATE_FILE);

interface StepDoc {
  namespace: string;
  gate?: { pass: boolean; reasons: string[]; checks: { name: string; pass: boolean }[] };
  wouldDrops?: { key: string; direction: string }[];
  forced?: { reason: string; overridden: string[] };
}

describe('tighten promote and rollback', () => {
  it('observe → audit: applies the namespace (root kustomization, stage lines only), records who and why, and recommend afterwards changes nothing', async () => {
    const before = await filesOf(repo);
    const r = await promote(ready, '--by', 'Alice <alice@example.com>');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`# tighten: promote ${ready} to audit`);
    expect(r.out).toContain('## Gates');
    expect(r.out).toContain('## Connectivity delta');
    expect(r.out).toContain('**no connectivity change**'); // audit drops nothing
    expect(r.out).toContain('```diff');
    expect(r.out).toContain(`tighten rollback ${ready} --to observe --repo `);
    const after = await filesOf(repo);
    const changed = [...after.keys()].filter((p) => after.get(p) !== before.get(p)).sort();
    expect(changed).toEqual(['kustomization.yaml', `namespaces/${ready}/evidence.yaml`, `namespaces/${ready}/kustomization.yaml`, STATE_FILE].sort());
    expect(after.get('kustomization.yaml')).toContain(`- namespaces/${ready}\n`);
    const state = await stateOf();
    expect(state.namespaces[ready]!.stage).toBe('audit');
    expect(state.namespaces[ready]!.history.at(-1)).toMatchObject({ from: 'observe', to: 'audit', by: 'Alice <alice@example.com>', why: 'gates pass' });
    expect(state.namespaces[ready]!.history.at(-1)!.forced).toBeUndefined();

    // The files promote wrote are the ones recommend writes at that stage.
    expect((await run(sample, ['recommend', ...src()])).code).toBe(0);
    expect(withoutState(await filesOf(repo))).toEqual(withoutState(after));
  });

  it('a blocked gate refuses with its reasons and writes nothing; --force --reason promotes and records the override', async () => {
    const before = await filesOf(repo);
    const r = await promote(blocked, '-o', 'json');
    expect(r.code).toBe(1);
    const doc = valid(JSON.parse(r.out)) as { refused: boolean; steps: StepDoc[] };
    expect(doc.refused).toBe(true);
    expect(doc.steps[0]!.gate!.pass).toBe(false);
    expect(doc.steps[0]!.gate!.reasons.length).toBeGreaterThan(0);
    expect(await filesOf(repo)).toEqual(before);
    const text = await promote(blocked);
    expect(text.out).toMatch(/refused/);
    expect(text.out).toMatch(/❌ \*\*\S+\*\*/);

    expect((await promote(blocked, '--force')).code).toBe(2);
    const forced = await promote(blocked, '--force', '--reason', 'owner signed off', '-o', 'json');
    expect(forced.code, forced.err).toBe(0);
    expect((valid(JSON.parse(forced.out)) as { steps: StepDoc[] }).steps[0]!.forced!.overridden).toEqual(doc.steps[0]!.gate!.reasons);
    const entry = (await stateOf()).namespaces[blocked]!.history.at(-1)!;
    expect(entry.forced).toBe(true);
    expect(entry.why).toContain('owner signed off (forced past: ');
  });

  it('a wave: several namespaces in one change; one blocked namespace refuses all of them', async () => {
    const before = await filesOf(repo);
    expect((await promote(ready, blocked)).code).toBe(1);
    expect(await filesOf(repo)).toEqual(before);
  });

  it('audit → enforce per direction (ingress first), gated on days observed and on accepted would-be drops; rollback restores each stage byte for byte', async () => {
    const observe = await filesOf(repo);
    expect((await promote(ready)).code).toBe(0);
    const audit = await filesOf(repo);

    // Three days of sample traffic: the default seven are not enough.
    const early = await promote(ready, '--to', 'enforce', '--direction', 'ingress', '-o', 'json');
    expect(early.code).toBe(1);
    const step = (JSON.parse(early.out) as { steps: StepDoc[] }).steps[0]!;
    expect(step.gate!.checks.find((c) => c.name === 'observed')!.pass).toBe(false);

    const config = 'gates:\n  minObservedDays: 2\n';
    const withConfig = (m: Map<string, string>) => withoutState(new Map([...m, ['tighten.yaml', config]]));
    await writeFile(join(repo, 'tighten.yaml'), config);
    const ingressDrops = (step.wouldDrops ?? []).filter((d) => d.direction === 'ingress').map((d) => d.key);
    expect(ingressDrops.length).toBeGreaterThan(0); // the sample's debug pods
    {
      const accepted = await run(sample, ['accept', ready, '--repo', repo, ...ingressDrops.flatMap((k) => ['--drop', k]), '--reason', 'debug traffic', '--expires', '30d']);
      expect(accepted.code, accepted.err).toBe(0);
    }
    const ingress = await promote(ready, '--to', 'enforce', '--direction', 'ingress');
    expect(ingress.code, ingress.out + ingress.err).toBe(0);
    expect(ingress.out).toContain(`tighten rollback ${ready} --to audit --direction ingress`);
    let state = await stateOf();
    expect(state.namespaces[ready]).toMatchObject({ stage: 'audit', enforced: ['ingress'] });
    const ingressFiles = await filesOf(repo);
    const policyFiles = [...ingressFiles.keys()].filter((p) => p.startsWith(`namespaces/${ready}/`) && !/\/(kustomization|evidence)\.yaml$/.test(p));
    expect(policyFiles.length).toBeGreaterThan(0);
    for (const p of policyFiles) {
      expect(ingressFiles.get(p)).toMatch(/enableDefaultDeny:\n {4}egress: false\n/);
      expect(ingressFiles.get(p)).not.toMatch(/ingress: false/);
    }
    // recommend writes the same bytes at this position.
    expect((await run(sample, ['recommend', ...src()])).code).toBe(0);
    expect(withoutState(await filesOf(repo))).toEqual(withoutState(ingressFiles));

    const egress = await promote(ready, '--to', 'enforce', '--direction', 'egress', '--force', '--reason', 'test');
    expect(egress.code, egress.err).toBe(0);
    state = await stateOf();
    expect(state.namespaces[ready]!.stage).toBe('enforce');
    for (const p of policyFiles) expect((await readFile(join(repo, p), 'utf8')).includes('enableDefaultDeny')).toBe(false);

    // Back, one step at a time, then all the way: each stage's files come back byte for byte.
    expect((await rollback(ready, '--direction', 'egress')).code).toBe(0);
    expect(withoutState(await filesOf(repo))).toEqual(withoutState(ingressFiles));
    expect((await rollback(ready)).code).toBe(0);
    expect(withoutState(await filesOf(repo))).toEqual(withConfig(audit));
    expect((await rollback(ready)).code).toBe(0);
    expect(withoutState(await filesOf(repo))).toEqual(withConfig(observe));
    state = await stateOf();
    expect(state.namespaces[ready]!.history.map((h) => `${h.from ?? ''}>${h.to}`)).toEqual(['>observe', 'observe>audit', 'audit>enforce', 'audit>enforce', 'enforce>audit', 'enforce>audit', 'audit>observe']);
    // Nothing below observe.
    const none = await rollback(ready);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/nothing to roll back/);
  });

  it('rollback --to observe from enforce in one step, and its summary says how to promote again', async () => {
    expect((await promote(ready)).code).toBe(0);
    const observeFiles = withoutState(new Map([...(await filesOf(fresh))]));
    expect((await promote(ready, '--to', 'enforce', '--force', '--reason', 'test')).code).toBe(0);
    const r = await rollback(ready, '--to', 'observe', '--reason', 'checkout broke');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`tighten promote ${ready} --to audit`);
    expect(r.out).toContain(`tighten promote ${ready} --to enforce`);
    expect(withoutState(await filesOf(repo))).toEqual(observeFiles);
    expect((await stateOf()).namespaces[ready]!.history.at(-1)).toMatchObject({ from: 'enforce', to: 'observe', why: 'checkout broke' });
  });

  it('an expired acceptance blocks again, and says so', async () => {
    expect((await promote(ready)).code).toBe(0);
    await writeFile(join(repo, 'tighten.yaml'), 'gates:\n  minObservedDays: 1\n');
    const probe = JSON.parse((await promote(ready, '--to', 'enforce', '--direction', 'ingress', '-o', 'json')).out) as { steps: StepDoc[] };
    const keys = (probe.steps[0]!.wouldDrops ?? []).filter((d) => d.direction === 'ingress').map((d) => d.key);
    expect(keys.length).toBeGreaterThan(0); // the sample's debug pods and jobs
    // Accepted a year before the traffic, for a day.
    expect((await run(sample, ['accept', ready, '--repo', repo, ...keys.flatMap((k) => ['--drop', k]), '--reason', 'old', '--expires', '1d', '--now', '2025-01-01T00:00:00Z'])).code).toBe(0);
    const r = await promote(ready, '--to', 'enforce', '--direction', 'ingress', '-o', 'json');
    expect(r.code).toBe(1);
    expect((JSON.parse(r.out) as { steps: StepDoc[] }).steps[0]!.gate!.reasons.join(' ')).toMatch(/acceptance expired 2025-01-02/);
  });

  it('a failing preflight blocks promotion (enableDefaultDeny is not honoured before Cilium 1.16)', async () => {
    const r = await promote(ready, '--cilium-version', '1.15', '-o', 'json');
    expect(r.code).toBe(1);
    const checks = (JSON.parse(r.out) as { steps: StepDoc[] }).steps[0]!.gate!.checks;
    expect(checks.find((c) => c.name === 'preflight')!.pass).toBe(false);
  });

  it('refuses to rewrite a generated file a person edited, naming it, and writes nothing', async () => {
    const path = [...(await filesOf(repo)).keys()].find((p) => p.startsWith(`namespaces/${ready}/`) && !/\/(kustomization|evidence)\.yaml$/.test(p))!;
    await writeFile(join(repo, path), `${await readFile(join(repo, path), 'utf8')}# my note\n`);
    const before = await filesOf(repo);
    const r = await promote(ready);
    expect(r.code).toBe(2);
    expect(r.err).toContain(path);
    expect(r.err).toMatch(/edited since/);
    expect(await filesOf(repo)).toEqual(before);
  });

  it('a corrupt or hand-broken state file is an error naming the file and line; nothing is written', async () => {
    const text = await readFile(join(repo, STATE_FILE), 'utf8');
    await writeFile(join(repo, STATE_FILE), text.replace(`  ${ready}:\n    stage: observe`, `  ${ready}:\n    stage: enforcing`));
    const before = await filesOf(repo);
    for (const r of [await promote(ready), await rollback(ready)]) {
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`${STATE_FILE}:\\d+: namespaces\\.${ready}\\.stage "enforcing" is not one of observe, audit, enforce`));
    }
    await writeFile(join(repo, STATE_FILE), 'namespaces: [\n');
    const r = await rollback(ready);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/tighten\.state\.yaml:\d+: not YAML/);
    expect(withoutState(await filesOf(repo))).toEqual(withoutState(before));
  });

  it('a concurrent second run is refused while another holds the lock', async () => {
    child = spawn(process.execPath, ['-e', 'setTimeout(()=>{},10000)'], { stdio: 'ignore' });
    await writeFile(join(repo, LOCK_FILE), `pid: ${child.pid}\nhost: ${hostname()}\nat: 2026-11-26T09:59:00.000Z\n`);
    const before = await filesOf(repo);
    for (const r of [await promote(ready), await rollback(ready, '--to', 'observe')]) {
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/another tighten run is writing this repository \(pid \d+/);
    }
    expect(await filesOf(repo)).toEqual(before);
  });

  it('names that cannot be namespaces, namespaces not in the rollout, an empty repository', async () => {
    for (const ns of ['../etc', 'Shop', 'a/b']) {
      const r = await promote(ns);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/not in the rollout|not an RFC 1123|not a namespace/);
    }
    const empty = await mkdtemp(join(tmpdir(), 'tighten-empty-'));
    try {
      const p = await run(sample, ['promote', ready, '--flows', flows, '--cluster', cluster, '-q', '--repo', empty]);
      expect(p.code).toBe(2);
      expect(p.err).toMatch(/not in the rollout .*run tighten recommend --namespace/);
      const r = await run(sample, ['rollback', ready, '--repo', empty]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/not in the rollout/);
      expect(await readdir(empty)).toEqual([]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
    expect((await run(sample, ['promote', ...src()])).code).toBe(2);
    expect((await promote(ready, '--to', 'observe')).code).toBe(2);
    expect((await promote(ready, '--direction', 'ingress')).err).toMatch(/'audit' covers both directions/);
  });

  it('--commit makes one git commit with the summary; the rollback command in it works', async () => {
    const git = (...args: string[]) => spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
    if (git('--version').status !== 0) return;
    git('init', '-q');
    git('-c', 'user.name=T', '-c', 'user.email=t@example.com', 'add', '-A');
    git('-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-qm', 'recommend');
    git('config', 'user.name', 'Bob');
    git('config', 'user.email', 'bob@example.com');
    const r = await promote(ready, '--commit');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/Committed as [0-9a-f]{7,}/);
    expect(git('log', '-1', '--format=%s').stdout.trim()).toBe(`tighten: promote ${ready} to audit`);
    expect(git('log', '-1', '--format=%b').stdout).toContain('## Policy diff');
    expect(git('status', '--porcelain').stdout).toBe('');
    expect((await stateOf()).namespaces[ready]!.history.at(-1)!.by).toBe('Bob <bob@example.com>');
    const rb = await rollback(ready, '--to', 'observe', '--commit');
    expect(rb.code, rb.err).toBe(0);
    expect(git('diff', 'HEAD~2', 'HEAD', '--stat', '--', '.', `:!${STATE_FILE}`).stdout).toBe('');
  });

  it('a NetworkPolicy repository: audit applies nothing (no audit mode), enforce applies the namespace', async () => {
    const np = await mkdtemp(join(tmpdir(), 'tighten-promote-np-'));
    try {
      expect((await run(sample, ['recommend', '--flows', flows, '--cluster', cluster, '-q', '--repo', np, '--format', 'networkpolicy'])).code).toBe(0);
      const root = await readFile(join(np, 'kustomization.yaml'), 'utf8');
      const args = ['--flows', flows, '--cluster', cluster, '-q', '--repo', np];
      expect((await run(sample, ['promote', ready, ...args])).code).toBe(0);
      expect(await readFile(join(np, 'kustomization.yaml'), 'utf8')).toBe(root);
      const policies = [...(await filesOf(np)).entries()].filter(([p]) => p.startsWith(`namespaces/${ready}/`) && !/\/(kustomization|evidence)\.yaml$/.test(p));
      expect((await run(sample, ['promote', ready, '--to', 'enforce', '--force', '--reason', 'test', ...args])).code).toBe(0);
      expect(await readFile(join(np, 'kustomization.yaml'), 'utf8')).toContain(`- namespaces/${ready}\n`);
      for (const [p, text] of policies) expect(await readFile(join(np, p), 'utf8')).toBe(text);
    } finally {
      await rm(np, { recursive: true, force: true });
    }
  });

  it('--commit outside a git work tree is refused before anything is written', async () => {
    const before = await filesOf(repo);
    const r = await rollback(ready, '--commit');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not in a git work tree|nothing to roll back/);
    expect(await filesOf(repo)).toEqual(before);
  });
});
