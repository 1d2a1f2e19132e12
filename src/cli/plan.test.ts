import { mkdtemp } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSample } from '../sample/write.js';
import { captureIo } from '../test-support/io.js';
import { main } from './index.js';

const validate = new Ajv2020({ allErrors: true }).compile(JSON.parse(readFileSync(new URL('../../schema/plan.json', import.meta.url), 'utf8')) as object);

let dir: string;
let flows: string;
let cluster: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-plan-'));
  const written = await writeSample(join(dir, 'sample'), { size: 'small', seed: 2 });
  flows = written.flowsFile;
  cluster = written.clusterFile;
  const io = captureIo('', dir);
  expect(await main(['recommend', '--flows', flows, '--cluster', cluster, '-q', '--repo', 'repo'], io)).toBe(0);
}, 120_000);

async function plan(args: string[]) {
  const io = captureIo('', dir);
  const code = await main(['plan', '--flows', flows, '--cluster', cluster, '-q', '--repo', 'repo', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

interface StepDoc {
  namespace: string;
  status: string;
  to: string;
  fromStage: string;
  direction: string;
  unblock: string[];
  command: string;
  checks: { name: string; pass: boolean }[];
  evidence: { workloadsWithoutPolicy: string[]; hygieneErrors: number };
}
const stepsOf = (doc: { waves: { teams: { steps: StepDoc[] }[] }[] }): StepDoc[] => doc.waves.flatMap((w) => w.teams.flatMap((t) => t.steps));

describe('tighten plan', () => {
  it('a fresh repository: every namespace observes; observe → audit ready, or blocked with its reasons', async () => {
    const r = await plan([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/tighten plan — repo at /);
    expect(r.out).toMatch(/5 steps in \d+ waves?: \d+ ready, \d+ blocked/);
    expect(r.out).toContain('Wave 1');
    expect(r.out).toMatch(/team \S+/);
    expect(r.out).toMatch(/BLOCKED \S+: observe → audit/);
    expect(r.out).toMatch(/PASS {4}\S+: observe → audit/);
    expect(r.out).toContain('FAIL hygiene: ');
    expect(r.out).toContain('FAIL policy-coverage: ');
    expect(r.out).toContain('to unblock: ');
    expect(r.out).toMatch(/\$ tighten promote \S+ --to audit/);
  });

  it('--for a blocked namespace exits 1; --for a ready one exits 0', async () => {
    const doc = JSON.parse((await plan(['-o', 'json'])).out);
    const steps = stepsOf(doc);
    const blocked = steps.find((s) => s.status === 'blocked')!;
    const ready = steps.find((s) => s.status === 'pass')!;
    expect(blocked).toBeDefined();
    expect(ready).toBeDefined();
    const b = await plan(['--for', blocked.namespace]);
    expect(b.code).toBe(1);
    expect(b.out).toContain(`blocked, asked for with --for: ${blocked.namespace}`);
    expect((await plan(['--for', ready.namespace])).code).toBe(0);
    expect((await plan(['--for', 'no-such-namespace'])).code).toBe(1);
  });

  it('--namespace limits the plan to those namespaces', async () => {
    const all = stepsOf(JSON.parse((await plan(['-o', 'json'])).out));
    const one = all[all.length - 1]!.namespace;
    const only = stepsOf(JSON.parse((await plan(['-o', 'json', '--namespace', one])).out));
    expect(only.map((s) => s.namespace)).toEqual([one]);
  });

  it('-o json is a RolloutPlan that validates against schema/plan.json', async () => {
    const r = await plan(['-o', 'json']);
    const doc = JSON.parse(r.out);
    expect(validate(doc), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(doc.kind).toBe('RolloutPlan');
    expect(doc.preflight.ok).toBe(true);
    expect(doc.done).toEqual([]);
    const steps = stepsOf(doc);
    expect(steps.map((s) => s.namespace).sort()).toEqual(['analytics', 'billing', 'boutique', 'cert-manager', 'marketing']);
    for (const s of steps) {
      expect([s.fromStage, s.to, s.direction]).toEqual(['observe', 'audit', 'both']);
      expect(s.command).toBe(`tighten promote ${s.namespace} --to audit`);
      expect(s.status === 'pass').toBe(s.checks.every((c) => c.pass));
      if (s.status === 'blocked') expect(s.unblock.length).toBeGreaterThan(0);
      if (s.evidence.workloadsWithoutPolicy.length > 0) expect(s.checks.find((c) => c.name === 'policy-coverage')!.pass).toBe(false);
      if (s.evidence.hygieneErrors > 0) expect(s.checks.find((c) => c.name === 'hygiene')!.pass).toBe(false);
    }
  });

  it('-o markdown groups waves and teams into tables', async () => {
    const r = await plan(['-o', 'markdown']);
    expect(r.out).toContain('## tighten plan — repo');
    expect(r.out).toContain('### Wave 1');
    expect(r.out).toContain('| step | gate | evidence | to unblock | command |');
  });

  it('a failing preflight blocks every step', async () => {
    const r = await plan(['--cilium-version', '1.15', '-o', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.preflight.ok).toBe(false);
    expect(stepsOf(doc).every((s) => s.status === 'blocked' && !s.checks.find((c) => c.name === 'preflight')!.pass)).toBe(true);
    const text = await plan(['--cilium-version', '1.15']);
    expect(text.out).toContain('preflight fails');
  });

  it('an empty repository has no steps; a namespace asked for is unknown', async () => {
    const io = captureIo('', dir);
    const code = await main(['plan', '--flows', flows, '--cluster', cluster, '-q', '--repo', 'empty', '--for', 'boutique', '-o', 'json'], io);
    expect(code).toBe(1);
    const doc = JSON.parse(io.out());
    expect(doc.waves).toEqual([]);
    expect(doc.unknown).toEqual(['boutique']);
  });
});
