import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile, access } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generatePolicies } from '../policy/generate/index.js';
import { handFixture } from '../policy/generate/test-support/fixtures.js';
import type { RolloutState } from '../rollout/evidence.js';
import { positionOf } from '../rollout/stages.js';
import {
  atStage,
  decodeState,
  GitopsLockError,
  GitopsStateError,
  LOCK_FILE,
  migrateState,
  renderState,
  STATE_FILE,
  STATE_VERSION,
  withStateLock,
  writeRecommendation,
  type RepoState,
} from './index.js';

const V1 = `# Written by tighten: stages, their history and the hashes of generated files. Do not edit by hand.
apiVersion: tighten/v1alpha1
kind: State
namespaces:
  shop:
    stage: audit
    history:
    - at: "2026-11-02T11:00:00Z"
      to: observe
      why: first recommended
    - at: "2026-11-03T11:00:00Z"
      from: observe
      to: audit
      why: promote
      by: ana
files:
  namespaces/shop/web.yaml: sha256:${'a'.repeat(64)}
`;

const FULL: RepoState = {
  namespaces: {
    shop: {
      stage: 'audit',
      enforced: ['ingress'],
      workloads: { web: 'enforce', 'api.v2': 'audit' },
      history: [
        { at: '2026-11-02T11:00:00Z', to: 'observe', why: 'first recommended' },
        { at: '2026-11-03T11:00:00Z', from: 'observe', to: 'audit', why: 'incident 42 (forced past: preflight was not run)', by: 'ana', forced: true },
        { at: '2026-11-10T11:00:00Z', from: 'audit', to: 'audit', why: 'promote', by: 'ana', directions: ['ingress'] },
      ],
    },
    data: { stage: 'observe', history: [] },
  },
  acceptances: [
    { namespace: 'shop', key: 'egress shop/web -> world 203.0.113.9 TCP/443', reason: 'legacy partner, moving in Q1', expires: '2027-01-31T00:00:00Z', by: 'ana' },
    { namespace: 'shop', key: 'ingress data/etl -> shop/api TCP/8080', reason: 'nightly job', expires: '2026-12-01T00:00:00.5+01:00' },
  ],
  files: { 'namespaces/shop/web.yaml': `sha256:${'b'.repeat(64)}` },
};

describe('state file version 2', () => {
  it('a version 1 file (no version field) is read and migrated; written back at version 2', () => {
    const state = decodeState(V1, STATE_FILE);
    expect(state.namespaces.shop).toEqual({ stage: 'audit', history: expect.any(Array) });
    expect(state.namespaces.shop!.history[1]).toEqual({ at: '2026-11-03T11:00:00Z', from: 'observe', to: 'audit', why: 'promote', by: 'ana' });
    expect(state.extra).toBeUndefined();
    const text = renderState(state);
    expect(text).toContain(`\nversion: ${STATE_VERSION}\n`);
    expect(decodeState(text, STATE_FILE)).toEqual(state);
  });

  it('migrateState 1 → 2 adds the version and keeps everything else', () => {
    const doc = { apiVersion: 'tighten/v1alpha1', kind: 'State', namespaces: { shop: { stage: 'observe' } }, other: 1 };
    expect(migrateState(doc)).toEqual({ ...doc, version: 2 });
    expect(migrateState({ ...doc, version: 2 })).toEqual({ ...doc, version: 2 });
  });

  it('round trip: enforced directions, workload stages, history directions/forced/by, acceptances', () => {
    const text = renderState(FULL);
    expect(text).toMatch(/shop:\n {4}stage: audit\n {4}enforced:\n {4}- ingress\n {4}workloads:\n {6}api\.v2: audit\n {6}web: enforce\n/);
    expect(text).toContain('acceptances:');
    expect(decodeState(text, STATE_FILE)).toEqual(FULL);
    expect(renderState(decodeState(text, STATE_FILE))).toBe(text);
  });

  it('is what the rollout core reads: positions and acceptances', () => {
    const state: RolloutState = decodeState(renderState(FULL), STATE_FILE);
    const shop = state.namespaces.shop!;
    expect(positionOf(shop.stage, shop.enforced)).toEqual({ ingress: 'enforce', egress: 'audit' });
    expect(state.acceptances).toHaveLength(2);
  });

  it('fields of a later version are still kept, next to the known ones', () => {
    const text = renderState({ ...FULL, extra: { hooks: { x: 1 } } });
    expect(decodeState(text, STATE_FILE).extra).toEqual({ hooks: { x: 1 } });
  });
});

describe('validation names the file, the line and the field', () => {
  const head = 'apiVersion: tighten/v1alpha1\nkind: State\nversion: 2\n';
  const cases: [string, string, number, RegExp][] = [
    ['stage', `${head}namespaces:\n  shop:\n    stage: enforced\n`, 6, /namespaces\.shop\.stage "enforced"/],
    ['namespace name', `${head}namespaces:\n  Shop_1:\n    stage: audit\n`, 5, /"Shop_1" is not a namespace name/],
    ['enforced direction', `${head}namespaces:\n  shop:\n    stage: audit\n    enforced: [ingress, sideways]\n`, 7, /enforced\[1\] "sideways"/],
    ['enforced outside audit', `${head}namespaces:\n  shop:\n    stage: observe\n    enforced: [ingress]\n`, 7, /applies only at stage audit/],
    ['enforced both', `${head}namespaces:\n  shop:\n    stage: audit\n    enforced: [egress, ingress]\n`, 7, /both directions: that is stage enforce/],
    ['workload stage', `${head}namespaces:\n  shop:\n    stage: audit\n    workloads:\n      web: on\n`, 8, /workloads\.web "on"/],
    ['workload name', `${head}namespaces:\n  shop:\n    stage: audit\n    workloads:\n      ../x: audit\n`, 8, /"\.\.\/x" is not a workload name/],
    ['history to', `${head}namespaces:\n  shop:\n    stage: audit\n    history:\n    - at: "2026-11-02T11:00:00Z"\n      to: live\n`, 9, /history\[0\]\.to "live"/],
    ['history forced', `${head}namespaces:\n  shop:\n    stage: audit\n    history:\n    - at: "2026-11-02T11:00:00Z"\n      to: audit\n      forced: yes please\n`, 10, /history\[0\]\.forced/],
    ['history directions', `${head}namespaces:\n  shop:\n    stage: audit\n    history:\n    - at: "2026-11-02T11:00:00Z"\n      to: audit\n      directions: ingress\n`, 10, /directions is not a list/],
    ['acceptance expires', `${head}acceptances:\n- namespace: shop\n  key: egress a -> b TCP/1\n  reason: ok\n  expires: next week\n`, 8, /acceptances\[0\]\.expires "next week" is not an RFC 3339 time/],
    ['acceptance date only', `${head}acceptances:\n- namespace: shop\n  key: k\n  reason: ok\n  expires: "2026-12-01"\n`, 8, /expires "2026-12-01" is not an RFC 3339/],
    ['acceptance reason', `${head}acceptances:\n- namespace: shop\n  key: k\n  expires: "2026-12-01T00:00:00Z"\n`, 5, /acceptances\[0\]\.reason is missing/],
    ['acceptance namespace', `${head}files: {}\nacceptances:\n- namespace: ../etc\n  key: k\n  reason: r\n  expires: "2026-12-01T00:00:00Z"\n`, 6, /acceptances\[0\]\.namespace "\.\.\/etc"/],
    ['acceptances not a list', `${head}acceptances: yes\n`, 4, /acceptances is not a list/],
    ['version newer', `apiVersion: tighten/v1alpha1\nkind: State\nversion: 9\n`, 3, /version 9 is newer than this tighten reads \(2\): upgrade tighten/],
    ['version not a number', `apiVersion: tighten/v1alpha1\nkind: State\nversion: two\n`, 3, /version "two" is not a positive whole number/],
    ['files hash', `${head}files:\n  a/b.yaml: md5:00\n`, 5, /files\.a\/b\.yaml is not a sha256 hash/],
    ['kind', `apiVersion: tighten/v1alpha1\nkind: Config\n`, 2, /kind "Config" is not State/],
  ];
  it.each(cases)('%s', (_what, text, line, message) => {
    let error: unknown;
    try {
      decodeState(text, '/repo/tighten.state.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GitopsStateError);
    const e = error as GitopsStateError;
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(`/repo/tighten.state.yaml:${line}: `)).toBe(true);
    expect(e).toMatchObject({ file: '/repo/tighten.state.yaml', line, exitCode: 2, code: 'E_GITOPS_STATE' });
  });

  it('text that is not YAML names its line', () => {
    expect(() => decodeState('apiVersion: tighten/v1alpha1\nkind: State\nnamespaces: [\n', STATE_FILE)).toThrow(/^tighten\.state\.yaml:\d+: not YAML/);
  });
});

describe('per-direction atStage', () => {
  const policy = (() => {
    const f = handFixture([{ id: 'shop/web', labels: { app: 'web' } }, { id: 'shop/api', labels: { app: 'api' } }], [{ from: 'shop/web', to: 'shop/api', port: 8080 }]);
    return generatePolicies(f.inventory, f.understanding, f.cluster, f.config, {}).perWorkload[0]!.policy;
  })();

  it('audit with ingress enforced keeps only egress open; egress enforced only ingress; both or enforce: none', () => {
    expect(atStage(policy, 'audit', ['ingress']).spec!.enableDefaultDeny).toEqual({ egress: false });
    expect(atStage(policy, 'audit', ['egress']).spec!.enableDefaultDeny).toEqual({ ingress: false });
    expect(atStage(policy, 'audit', ['ingress', 'egress']).spec).not.toHaveProperty('enableDefaultDeny');
    expect(atStage(policy, 'enforce', ['ingress']).spec).not.toHaveProperty('enableDefaultDeny');
    expect(atStage(policy, 'audit').spec!.enableDefaultDeny).toEqual({ ingress: false, egress: false });
    // observe is never enforcing, whatever the list says.
    expect(atStage(policy, 'observe', ['ingress']).spec!.enableDefaultDeny).toEqual({ ingress: false, egress: false });
    const { enableDefaultDeny: _e, ...rest } = atStage(policy, 'audit', ['ingress']).spec!;
    const { enableDefaultDeny: _f, ...expected } = atStage(policy, 'enforce').spec!;
    expect(rest).toEqual(expected);
  });
});

describe('withStateLock', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tighten-lock-'));
  });
  afterEach(() => {
    child?.kill();
    child = undefined;
  });
  const exists = (p: string) => access(p).then(() => true, () => false);

  it('holds tighten.state.lock (pid, host, time) while fn runs, and removes it after, also on error', async () => {
    const seen = await withStateLock(dir, async () => readFile(join(dir, LOCK_FILE), 'utf8'), { now: () => new Date('2026-11-26T10:00:00Z') });
    expect(seen).toBe(`pid: ${process.pid}\nhost: ${hostname()}\nat: 2026-11-26T10:00:00.000Z\n`);
    expect(await exists(join(dir, LOCK_FILE))).toBe(false);
    await expect(withStateLock(dir, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await exists(join(dir, LOCK_FILE))).toBe(false);
  });

  it('a second run nested in the first is refused, naming the holder', async () => {
    await withStateLock(dir, async () => {
      await expect(withStateLock(dir, async () => 1)).rejects.toThrow(new RegExp(`another tighten run is writing this repository \\(pid ${process.pid} on `));
    });
  });

  it('a lock held by a live process is refused with GitopsLockError, and left in place', async () => {
    child = spawn(process.execPath, ['-e', 'setTimeout(()=>{},5000)'], { stdio: 'ignore' });
    const pid = child.pid!;
    const held = `pid: ${pid}\nhost: ${hostname()}\nat: 2026-11-26T09:59:00.000Z\n`;
    await writeFile(join(dir, LOCK_FILE), held);
    let ran = false;
    const run = withStateLock(dir, async () => (ran = true));
    await expect(run).rejects.toBeInstanceOf(GitopsLockError);
    await expect(withStateLock(dir, async () => 1)).rejects.toThrow(`pid ${pid} on ${hostname()}, since 2026-11-26T09:59:00.000Z`);
    expect(ran).toBe(false);
    expect(await readFile(join(dir, LOCK_FILE), 'utf8')).toBe(held);
  });

  it('a stale lock (its process gone) is taken over, with a warning', async () => {
    const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    const pid = dead.pid!;
    await new Promise((resolve) => dead.on('exit', resolve));
    await writeFile(join(dir, LOCK_FILE), `pid: ${pid}\nhost: ${hostname()}\nat: 2026-11-26T09:00:00.000Z\n`);
    const warnings: string[] = [];
    const out = await withStateLock(dir, async () => (await readFile(join(dir, LOCK_FILE), 'utf8')).split('\n')[0], { warn: (m) => warnings.push(m) });
    expect(out).toBe(`pid: ${process.pid}`);
    expect(warnings).toEqual([expect.stringContaining(`took over a stale lock (pid ${pid} on ${hostname()}`)]);
    expect(await exists(join(dir, LOCK_FILE))).toBe(false);
  });

  it('a lock of another host, or one that cannot be read, is respected', async () => {
    await writeFile(join(dir, LOCK_FILE), `pid: 1\nhost: elsewhere.example\nat: 2026-11-26T09:00:00.000Z\n`);
    await expect(withStateLock(dir, async () => 1)).rejects.toThrow(/pid 1 on elsewhere\.example.*remove .*tighten\.state\.lock if it is not running on elsewhere\.example/);
    await writeFile(join(dir, LOCK_FILE), '');
    await expect(withStateLock(dir, async () => 1)).rejects.toThrow(/cannot be read/);
  });
});

describe('recommend and the version 2 state', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tighten-state2-'));
  });
  afterEach(() => {
    child?.kill();
    child = undefined;
  });
  const fixture = () => handFixture([{ id: 'shop/web', labels: { app: 'web' } }, { id: 'shop/api', labels: { app: 'api' } }], [{ from: 'shop/web', to: 'shop/api', port: 8080 }]);

  it('writes a namespace at audit with ingress enforced as such, a workload at its own stage, and keeps enforced, workloads and acceptances', async () => {
    const f = fixture();
    await writeRecommendation(dir, f.inventory, f.understanding, f.cluster, f.config);
    const first = decodeState(await readFile(join(dir, STATE_FILE), 'utf8'), STATE_FILE);
    const state: RepoState = {
      ...first,
      namespaces: { shop: { ...first.namespaces.shop!, stage: 'audit', enforced: ['ingress'], workloads: { web: 'enforce' } } },
      acceptances: FULL.acceptances!,
    };
    await writeFile(join(dir, STATE_FILE), renderState(state));
    const written = await writeRecommendation(dir, f.inventory, f.understanding, f.cluster, f.config);
    expect(written.plan.applied).toEqual(['shop']);
    // api follows the namespace (ingress enforced ahead of egress); web has a stage of its own, enforce.
    const api = await readFile(join(dir, 'namespaces/shop/api.yaml'), 'utf8');
    expect(api).toMatch(/enableDefaultDeny:\n\s+egress: false\n/);
    expect(api).not.toMatch(/ingress: false/);
    const web = await readFile(join(dir, 'namespaces/shop/web.yaml'), 'utf8');
    expect(web).not.toMatch(/enableDefaultDeny/);
    const after = decodeState(await readFile(join(dir, STATE_FILE), 'utf8'), STATE_FILE);
    expect(after.namespaces).toEqual(state.namespaces);
    expect(after.acceptances).toEqual(state.acceptances);
    expect(await access(join(dir, LOCK_FILE)).then(() => true, () => false)).toBe(false);
  });

  it('a concurrent second run is refused while another holds the lock, and writes nothing', async () => {
    child = spawn(process.execPath, ['-e', 'setTimeout(()=>{},5000)'], { stdio: 'ignore' });
    await writeFile(join(dir, LOCK_FILE), `pid: ${child.pid}\nhost: ${hostname()}\nat: 2026-11-26T09:59:00.000Z\n`);
    const f = fixture();
    await expect(writeRecommendation(dir, f.inventory, f.understanding, f.cluster, f.config)).rejects.toThrow(GitopsLockError);
    expect(await access(join(dir, STATE_FILE)).then(() => true, () => false)).toBe(false);
  });
});
