import { lstat, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatePolicies, type GenerateResult } from '../policy/generate/index.js';
import { handFixture, type HandEdge, type HandWorkload } from '../policy/generate/test-support/fixtures.js';
import { decodePolicies, type CiliumNetworkPolicy, type NetworkPolicy } from '../policy/model/index.js';
import {
  applyPlan,
  atStage,
  decodeState,
  GitopsStateError,
  hashText,
  planRepository,
  policyFileName,
  readRepository,
  renderState,
  STATE_FILE,
  type PlanOptions,
  type RepoPlan,
} from './index.js';

const WORKLOADS: HandWorkload[] = [
  { id: 'shop/web', labels: { app: 'web' } },
  { id: 'shop/api', labels: { app: 'api' } },
  { id: 'data/db', labels: { app: 'db' } },
  { id: 'kube-system/coredns', labels: { 'k8s-app': 'kube-dns' } },
];
const EDGES: HandEdge[] = [
  { from: 'shop/web', to: 'shop/api', port: 8080 },
  { from: 'shop/api', to: 'data/db', port: 5432 },
  { from: 'shop/web', to: 'kube-system/coredns', port: 53, protocol: 'UDP', dns: ['api.example.com'] },
  { from: 'shop/web', to: 'ip:192.0.2.7=api.example.com', port: 443 },
  { from: 'shop/api', to: 'entity:kube-apiserver', port: 443 },
];
const NOW = '2026-11-02T11:00:00Z';

const generate = (edges = EDGES, namespaces?: string[], workloads = WORKLOADS): GenerateResult => {
  const f = handFixture(workloads, edges);
  return generatePolicies(f.inventory, f.understanding, f.cluster, f.config, namespaces ? { namespaces } : {});
};

async function recommend(dir: string, result: GenerateResult, options: Partial<PlanOptions> = {}): Promise<RepoPlan> {
  const contents = await readRepository(dir);
  const plan = planRepository(result, contents, { now: NOW, ...options });
  await applyPlan(dir, plan);
  return plan;
}

async function tree(dir: string, rel = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(join(dir, rel))).sort()) {
    const path = rel === '' ? name : `${rel}/${name}`;
    if ((await lstat(join(dir, path))).isDirectory()) Object.assign(out, await tree(dir, path));
    else out[path] = await readFile(join(dir, path), 'utf8');
  }
  return out;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-gitops-'));
});

describe('recommend into an empty repository', () => {
  it('writes platform/, a folder per namespace, kustomizations, evidence and the state; new namespaces observe', async () => {
    const plan = await recommend(dir, generate());
    const files = await tree(dir);
    expect(Object.keys(files)).toEqual([
      'kustomization.yaml',
      'namespaces/data/db.yaml',
      'namespaces/data/evidence.yaml',
      'namespaces/data/kustomization.yaml',
      'namespaces/shop/api.yaml',
      'namespaces/shop/evidence.yaml',
      'namespaces/shop/kustomization.yaml',
      'namespaces/shop/web.yaml',
      'platform/dns.yaml',
      'platform/evidence.yaml',
      'platform/kube-apiserver.yaml',
      'platform/kustomization.yaml',
      STATE_FILE,
    ]);
    expect(plan.added).toEqual(['data', 'shop']);
    // Observe: the namespaces are not referenced by the root; the platform is.
    expect(parse(files['kustomization.yaml']!)).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['platform'] });
    expect(parse(files['namespaces/shop/kustomization.yaml']!).resources).toEqual(['api.yaml', 'web.yaml']);
    expect(parse(files['platform/kustomization.yaml']!).resources).toEqual(['dns.yaml', 'kube-apiserver.yaml']);
    // Evidence is never referenced.
    for (const [path, text] of Object.entries(files)) if (path.endsWith('kustomization.yaml')) expect(text).not.toContain('evidence');
    // Observe-stage policies carry enableDefaultDeny false: harmless if applied by mistake.
    const web = decodePolicies(files['namespaces/shop/web.yaml']!, 'web.yaml').policies[0]!.policy as CiliumNetworkPolicy;
    expect(web.spec!.enableDefaultDeny).toEqual({ ingress: false, egress: false });
    // The state: stages with history, hashes of every generated file.
    const state = decodeState(files[STATE_FILE]!, STATE_FILE);
    expect(state.namespaces).toEqual({
      data: { stage: 'observe', history: [{ at: NOW, to: 'observe', why: 'first recommended' }] },
      shop: { stage: 'observe', history: [{ at: NOW, to: 'observe', why: 'first recommended' }] },
    });
    for (const [path, text] of Object.entries(files)) if (path !== STATE_FILE) expect(state.files[path]).toBe(hashText(text));
    // Evidence: rule ids with counts.
    const evidence = parse(files['namespaces/shop/evidence.yaml']!) as { rules: Record<string, { flows: number; lastSeen: string }>; window: unknown };
    expect(Object.keys(evidence.rules).length).toBeGreaterThan(2);
    for (const [id, r] of Object.entries(evidence.rules)) {
      expect(id).toMatch(/^r-[0-9a-f]{12}$/);
      expect(typeof r.flows).toBe('number');
    }
  });

  it('re-running on the same data changes no byte, and writes nothing', async () => {
    await recommend(dir, generate());
    const before = await tree(dir);
    const again = await recommend(dir, generate());
    expect(again.actions.every((a) => a.action === 'unchanged')).toBe(true);
    expect(await tree(dir)).toEqual(before);
  });

  it('new traffic changes the evidence and the policy it adds a rule to, nothing else', async () => {
    await recommend(dir, generate());
    const before = await tree(dir);
    const plan = await recommend(dir, generate([...EDGES, { from: 'shop/api', to: 'shop/web', port: 9000 }]));
    expect(plan.actions.filter((a) => a.action !== 'unchanged').map((a) => a.path)).toEqual([
      'namespaces/shop/api.yaml',
      'namespaces/shop/evidence.yaml',
      'namespaces/shop/web.yaml',
    ]);
    const after = await tree(dir);
    expect(after['namespaces/data/db.yaml']).toBe(before['namespaces/data/db.yaml']);
  });
});

describe('stages', () => {
  it('recommend never changes a stage; audit is applied with enableDefaultDeny false, enforce without it', async () => {
    await recommend(dir, generate());
    const state = decodeState(await readFile(join(dir, STATE_FILE), 'utf8'), STATE_FILE);
    const promoted = {
      ...state,
      namespaces: {
        shop: { stage: 'enforce' as const, history: [...state.namespaces.shop!.history, { at: NOW, from: 'audit' as const, to: 'enforce' as const, why: 'test' }] },
        data: { stage: 'audit' as const, history: state.namespaces.data!.history },
      },
    };
    await writeFile(join(dir, STATE_FILE), renderState(promoted));
    const plan = await recommend(dir, generate());
    expect(plan.stages).toEqual({ data: 'audit', shop: 'enforce' });
    expect(plan.applied).toEqual(['data', 'shop']);
    const files = await tree(dir);
    expect(parse(files['kustomization.yaml']!).resources).toEqual(['namespaces/data', 'namespaces/shop', 'platform']);
    expect(files['namespaces/shop/web.yaml']).not.toContain('enableDefaultDeny');
    expect(files['namespaces/data/db.yaml']).toContain('enableDefaultDeny');
    expect(decodeState(files[STATE_FILE]!, STATE_FILE).namespaces).toEqual(promoted.namespaces);
    // The baseline never enforces, whatever the stage.
    expect(files['platform/dns.yaml']).toContain('enableDefaultDeny');
  });

  it('atStage only touches enableDefaultDeny', () => {
    const p = generate().perWorkload[0]!.policy;
    expect(atStage(atStage(p, 'audit'), 'enforce')).toEqual(p);
    expect(atStage(p, 'observe')).toEqual(atStage(p, 'audit'));
  });

  it('namespaces given later join in observe; the baseline selects them all', async () => {
    await recommend(dir, generate(EDGES, ['shop']));
    const plan = await recommend(dir, generate(EDGES, ['data', 'shop']));
    expect(plan.added).toEqual(['data']);
    expect(await readFile(join(dir, 'platform/dns.yaml'), 'utf8')).toMatch(/- data\n\s+- shop/);
  });
});

describe('edits by people', () => {
  it('an edited generated file is not overwritten without force, is listed, and stays recognised as edited', async () => {
    await recommend(dir, generate());
    const path = join(dir, 'namespaces/shop/web.yaml');
    const edited = `${await readFile(path, 'utf8')}# reviewed by alice\n`;
    await writeFile(path, edited);
    const changed = generate([...EDGES, { from: 'shop/web', to: 'data/db', port: 5432 }]);
    const plan = await recommend(dir, changed);
    expect(plan.actions.find((a) => a.path === 'namespaces/shop/web.yaml')).toMatchObject({ action: 'skip', reason: expect.stringContaining('--force') });
    expect(await readFile(path, 'utf8')).toBe(edited);
    const again = await recommend(dir, changed);
    expect(again.actions.find((a) => a.path === 'namespaces/shop/web.yaml')!.action).toBe('skip');
    const forced = await recommend(dir, changed, { force: true });
    expect(forced.actions.find((a) => a.path === 'namespaces/shop/web.yaml')!.action).toBe('update');
    expect(await readFile(path, 'utf8')).toContain('5432');
  });

  it('a hand-written policy file in a namespace folder is left alone, kept in the kustomization, and read back', async () => {
    await mkdir(join(dir, 'namespaces/shop'), { recursive: true });
    const hand = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: extra, namespace: shop }\nspec:\n  endpointSelector: { matchLabels: { app: api } }\n  ingress: [{ fromEntities: [cluster] }]\n';
    await writeFile(join(dir, 'namespaces/shop/extra.yaml'), hand);
    const contents = await readRepository(dir);
    expect(contents.handWrittenPolicies.map((p) => p.policy.metadata.name)).toEqual(['extra']);
    await recommend(dir, generate());
    expect(await readFile(join(dir, 'namespaces/shop/extra.yaml'), 'utf8')).toBe(hand);
    expect(parse(await readFile(join(dir, 'namespaces/shop/kustomization.yaml'), 'utf8')).resources).toEqual(['api.yaml', 'extra.yaml', 'web.yaml']);
  });

  it('a file tighten did not write at a generated path is skipped', async () => {
    await mkdir(join(dir, 'namespaces/shop'), { recursive: true });
    await writeFile(join(dir, 'namespaces/shop/web.yaml'), '# mine\n');
    const plan = await recommend(dir, generate());
    expect(plan.actions.find((a) => a.path === 'namespaces/shop/web.yaml')).toMatchObject({ action: 'skip', reason: expect.stringContaining('not written by tighten') });
  });

  it('a workload gone from the data: its unedited file is deleted', async () => {
    await recommend(dir, generate());
    const gone = generate(
      EDGES.filter((e) => !e.from.includes('web') && !e.to.includes('web')),
      undefined,
      WORKLOADS.filter((w) => w.id !== 'shop/web'),
    );
    const plan = await recommend(dir, gone);
    expect(plan.actions.filter((a) => a.action === 'delete').map((a) => a.path)).toEqual(['namespaces/shop/web.yaml']);
    expect(Object.keys(await tree(dir))).not.toContain('namespaces/shop/web.yaml');
  });

  it('never writes through a symbolic link', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'tighten-outside-'));
    await mkdir(join(dir, 'namespaces'), { recursive: true });
    await symlink(outside, join(dir, 'namespaces/shop'));
    await expect(recommend(dir, generate())).rejects.toThrow(/symbolic link/);
    expect(await readdir(outside)).toEqual([]);
  });
});

describe('state file and names', () => {
  it('a corrupt state file is an error naming the file', () => {
    expect(() => decodeState('apiVersion: tighten/v1alpha1\nkind: State\nnamespaces: { shop: { stage: enforced } }\n', 'tighten.state.yaml')).toThrow(GitopsStateError);
    expect(() => decodeState('apiVersion: tighten/v1alpha1\nkind: State\nfiles: { ../../etc/passwd: "sha256:00" }\n', 'tighten.state.yaml')).toThrow(/not a path inside the repository/);
    expect(() => decodeState(': : :', 'tighten.state.yaml')).toThrow(/tighten.state.yaml/);
  });

  it('fields of a later version are kept', () => {
    const text = renderState({ namespaces: {}, files: {}, extra: { accepted: [{ edge: 'x', until: NOW }] } });
    expect(decodeState(text, STATE_FILE).extra).toEqual({ accepted: [{ edge: 'x', until: NOW }] });
  });

  it('names must be RFC 1123 before they become paths', () => {
    expect(policyFileName('web')).toBe('web.yaml');
    expect(policyFileName('kustomization')).toBe('kustomization.policy.yaml');
    for (const bad of ['../etc', 'a/b', 'Web', '', '.hidden', 'x'.repeat(254)]) expect(() => policyFileName(bad)).toThrow(GitopsStateError);
  });
});

describe('format networkpolicy', () => {
  it('writes NetworkPolicies with the baseline folded in, and lists what they cannot say', async () => {
    const plan = await recommend(dir, generate(), { format: 'networkpolicy' });
    const files = await tree(dir);
    expect(Object.keys(files).some((p) => p.startsWith('platform/'))).toBe(false);
    const web = decodePolicies(files['namespaces/shop/web.yaml']!, 'web.yaml').policies[0]!.policy as NetworkPolicy;
    expect(web.kind).toBe('NetworkPolicy');
    expect(web.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    // DNS from the baseline, as plain ports (its L7 rule cannot be said).
    expect(web.spec.egress).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [
        { protocol: 'TCP', port: 53 },
        { protocol: 'UDP', port: 53 },
      ],
    });
    const api = decodePolicies(files['namespaces/shop/api.yaml']!, 'api.yaml').policies[0]!.policy as NetworkPolicy;
    expect(api.spec.egress).toContainEqual({ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } }, podSelector: { matchLabels: { app: 'db' } } }], ports: [{ protocol: 'TCP', port: 5432 }] });
    const what = plan.unexpressed.map((u) => u.what).join('\n');
    expect(what).toContain('toFQDNs api.example.com');
    expect(what).toContain('kube-apiserver entity');
    expect(what).toContain('L7 rules');
    // NetworkPolicy has no audit: only enforce is applied.
    expect(parse(files['kustomization.yaml']!).resources).toEqual([]);
  });
});
