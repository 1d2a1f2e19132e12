import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from '../cli/commands/serve.js';
import { STATE_FILE } from '../gitops/index.js';
import { captureIo, type CapturedIo } from '../test-support/io.js';
import type { BoardDocument, DropsDocument, HygieneDocument, MapDocument, PoliciesDocument, SessionDocument } from './api-types.js';
import { readDashboardData } from './data.js';
import { buildMap } from './views.js';
import { copyRepo, runCli, writeDemo, type DemoData } from './test-support/demo.js';

const TOKEN = 'a-test-token-0123456789abcdef';

/** Every file under `dir` (relative path → text), the lock left out. */
async function filesOf(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.name.endsWith('.lock')) continue;
      if (e.isDirectory()) await walk(path);
      else out.set(path, await readFile(join(dir, path), 'utf8'));
    }
  };
  await walk('');
  return out;
}
const withoutState = (m: Map<string, string>) => new Map([...m].filter(([p]) => p !== STATE_FILE));
/** The state file without the times and authors of its history (they differ between two runs). */
const stateShape = (text: string) => text.replace(/^(\s*-?\s*)(at|by): .*$/gm, '$1$2: …');

let demo: DemoData;
let readOnly: RunningDashboard;
let readOnlyIo: CapturedIo;

const get = async <T>(d: RunningDashboard, path: string): Promise<{ status: number; headers: Headers; body: T }> => {
  const res = await fetch(new URL(path, d.url));
  return { status: res.status, headers: res.headers, body: (await res.json()) as T };
};
const post = async (d: RunningDashboard, path: string, body: unknown, token?: string) => {
  const res = await fetch(new URL(path, d.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token !== undefined ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

async function start(repo: string, io: CapturedIo, tokenFile?: string): Promise<RunningDashboard> {
  return startDashboard({ flows: [demo.flows], cluster: [demo.cluster], window: {}, repo, listen: '127.0.0.1:0', ...(tokenFile !== undefined ? { tokenFile } : {}), log: true }, io);
}

beforeAll(async () => {
  demo = await writeDemo('tighten-serve-');
  readOnlyIo = captureIo('', demo.dir);
  readOnly = await start(demo.repo, readOnlyIo);
}, 120_000);

afterAll(async () => {
  await readOnly?.close();
  if (demo !== undefined) await rm(demo.dir, { recursive: true, force: true });
});

describe('tighten serve: the API', () => {
  it('listens on 127.0.0.1 and sets a strict content security policy, nosniff and no-store on every response', async () => {
    expect(readOnly.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    for (const path of ['/', '/api/session', '/api/nope']) {
      const res = await fetch(new URL(path, readOnly.url));
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
      await res.arrayBuffer();
    }
  });

  it('serves the built page with no inline script and nothing from another origin', async () => {
    const res = await fetch(readOnly.url);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<script type="module"[^>]* src="\/assets\/[^"]+\.js"/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const js = await fetch(new URL(script, readOnly.url));
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it('answers unknown paths, unknown namespaces and path tricks with 404 JSON', async () => {
    for (const path of ['/api/nope', '/api/namespaces/nope/policies', '/assets/../../package.json', '/%2e%2e/package.json']) {
      const r = await get<{ kind: string; status: number }>(readOnly, path);
      expect(r.status, path).toBe(404);
      expect(r.body.kind).toBe('Error');
    }
  });

  it('refuses a Host header that is not this machine (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL('/api/session', readOnly.url);
      request({ host: u.hostname, port: u.port, path: u.pathname, headers: { Host: 'attacker.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(421);
  });

  it('session: counts and namespaces of the inventory, read-only without a token', async () => {
    const { body } = await get<SessionDocument>(readOnly, '/api/session');
    const inv = JSON.parse((await runCli(demo.dir, ['inventory', '--flows', demo.flows, '--cluster', demo.cluster, '-q', '-o', 'json'])).out) as { workloads: unknown[]; edges: unknown[] };
    expect(body).toMatchObject({ kind: 'Session', writable: false, generation: 1 });
    expect(body.counts.workloads).toBe(inv.workloads.length);
    expect(body.counts.edges).toBe(inv.edges.length);
    expect(body.namespaces).toContain('boutique');
  });

  it('map: every inventory edge once, with its status; every edge between laid-out nodes; would-be drops among them', async () => {
    const { body: map } = await get<MapDocument>(readOnly, '/api/map');
    const sim = JSON.parse((await runCli(demo.dir, ['simulate', '--repo', demo.repo, '--flows', demo.flows, '--cluster', demo.cluster, '--as-enforced', '-q', '-o', 'json'])).out) as {
      edges: { wouldDrop: boolean; verdict: string }[];
    };
    expect(map.edges).toHaveLength(sim.edges.length);
    const ids = new Set(map.nodes.map((n) => n.id));
    expect(ids.size).toBe(map.nodes.length);
    for (const e of map.edges) {
      expect(ids.has(e.source) && ids.has(e.target)).toBe(true);
      expect(e.status === 'would-drop').toBe(sim.edges[e.id]!.wouldDrop && sim.edges[e.id]!.verdict !== 'DROPPED');
    }
    expect(map.totals['would-drop']).toBe(sim.edges.filter((e) => e.wouldDrop).length);
    expect(map.totals['would-drop']).toBeGreaterThan(0);
    expect(Object.values(map.totals).reduce((a, b) => a + b, 0)).toBe(map.edges.length);
    // Each node sits inside its group's box.
    const boxes = new Map(map.groups.map((g) => [g.id, g]));
    for (const n of map.nodes) {
      const b = boxes.get(n.group)!;
      expect(n.x > b.x && n.x < b.x + b.width && n.y > b.y && n.y < b.y + b.height).toBe(true);
    }
    expect(map.nodes.some((n) => n.class === 'external' && n.id.startsWith('fqdn:'))).toBe(true);
    expect(map.nodes.some((n) => n.class === 'platform')).toBe(true);
    expect(map.nodes.some((n) => n.class === 'entity')).toBe(true);
  });

  it('map layout is computed once and deterministically: the same data gives the same positions', async () => {
    const data = await readDashboardData({ flows: [demo.flows], cluster: [demo.cluster], window: {}, repo: demo.repo }, captureIo('', demo.dir));
    const again = buildMap(data.context.inventory, data.context.understanding, data.context.simulation);
    expect(JSON.stringify(again)).toBe(JSON.stringify(data.map));
    const { body } = await get<MapDocument>(readOnly, '/api/map');
    expect(JSON.stringify(body)).toBe(JSON.stringify(data.map));
  });

  it('drops: each would-be drop names a would-drop map edge and carries the rule that would allow it or why none can be written', async () => {
    const [{ body: drops }, { body: map }] = await Promise.all([get<DropsDocument>(readOnly, '/api/drops'), get<MapDocument>(readOnly, '/api/map')]);
    const would = drops.items.filter((i) => i.status === 'would-drop');
    expect(would.length).toBeGreaterThanOrEqual(map.totals['would-drop']);
    for (const i of would) {
      expect(map.edges[i.edge]!.status).toBe('would-drop');
      expect(i.suggestion?.yaml ?? i.suggestion?.blocked).toBeTruthy();
    }
    expect(would.some((i) => i.suggestion?.yaml?.includes('toPorts'))).toBe(true);
    // Policy files are named within the repository, never by the server's paths.
    expect(would.some((i) => /\(namespaces\/[a-z-]+\/[a-z-]+\.yaml\)/.test(i.suggestion?.where ?? ''))).toBe(true);
    expect(JSON.stringify(drops)).not.toContain(demo.dir);
    for (const i of drops.items.filter((x) => x.status === 'dropped')) expect(map.edges[i.edge]!.status).toBe('dropped');
  });

  it('board: the same steps, gates and waves as tighten plan', async () => {
    const { body: board } = await get<BoardDocument>(readOnly, '/api/board');
    const plan = JSON.parse((await runCli(demo.dir, ['plan', '--flows', demo.flows, '--cluster', demo.cluster, '--repo', demo.repo, '-q', '-o', 'json'])).out) as {
      waves: { number: number; teams: { steps: { namespace: string; status: string; to: string; command: string; risk: { score: number } }[] }[] }[];
    };
    const steps = plan.waves.flatMap((w) => w.teams.flatMap((t) => t.steps.map((s) => ({ ...s, wave: w.number }))));
    expect(steps.length).toBeGreaterThan(0);
    for (const s of steps) {
      const n = board.namespaces.find((x) => x.namespace === s.namespace)!;
      expect(n).toMatchObject({ status: s.status, wave: s.wave, next: { to: s.to, command: s.command }, risk: { score: s.risk.score } });
      expect(n.blockers.length > 0).toBe(s.status === 'blocked');
    }
    expect(board.waves.map((w) => w.number)).toEqual(plan.waves.map((w) => w.number));
  });

  it('hygiene: the findings of tighten inventory, every workload with its first and last seen', async () => {
    const { body } = await get<HygieneDocument>(readOnly, '/api/hygiene');
    const inv = JSON.parse((await runCli(demo.dir, ['inventory', '--flows', demo.flows, '--cluster', demo.cluster, '-q', '-o', 'json'])).out) as { workloads: { name: string; lastSeen?: string }[]; findings: { code: string }[] };
    expect(body.findings.map((f) => f.code).sort()).toEqual(inv.findings.map((f) => f.code).sort());
    expect(body.workloads).toHaveLength(inv.workloads.length);
    expect(body.workloads.filter((w) => w.lastSeen !== undefined)).toHaveLength(inv.workloads.filter((w) => w.lastSeen !== undefined).length);
  });

  it('policies: a namespace\'s files and the diff of its next promotion, nothing written', async () => {
    const before = await filesOf(demo.repo);
    const { body } = await get<PoliciesDocument>(readOnly, '/api/namespaces/boutique/policies');
    expect(body.position).toEqual({ ingress: 'observe', egress: 'observe' });
    expect(body.files.map((f) => f.path)).toContain('namespaces/boutique/frontend.yaml');
    expect(body.next?.title).toBe('boutique: observe → audit');
    expect(body.next?.files.map((f) => f.path)).toContain('kustomization.yaml');
    expect(body.next?.diff).toMatch(/^\+- namespaces\/boutique$/m);
    expect(body.next?.connectivity).not.toBe('');
    expect(await filesOf(demo.repo)).toEqual(before);
  });

  it('read-only without a token: promote and rollback are refused with 403, and nothing is written', async () => {
    const before = await filesOf(demo.repo);
    for (const path of ['/api/promote', '/api/rollback']) expect((await post(readOnly, path, { namespaces: ['boutique'] }, TOKEN)).status).toBe(403);
    expect(await filesOf(demo.repo)).toEqual(before);
  });
});

describe('tighten serve --token-file: promote and rollback', () => {
  let dashboard: RunningDashboard;
  let io: CapturedIo;
  let repo: string;
  let target: string;

  beforeAll(async () => {
    repo = await copyRepo(demo);
    const tokenFile = join(demo.dir, 'token');
    await writeFile(tokenFile, `${TOKEN}\n`);
    io = captureIo('', demo.dir);
    dashboard = await start(repo, io, tokenFile);
    const board = (await get<BoardDocument>(dashboard, '/api/board')).body;
    target = board.namespaces.find((n) => n.status === 'pass' && n.next?.to === 'audit')!.namespace;
  }, 60_000);
  afterAll(async () => dashboard?.close());

  it('refuses without the token (401) or with a wrong one (401), and a malformed request (400); nothing written', async () => {
    const before = await filesOf(repo);
    expect((await post(dashboard, '/api/promote', { namespaces: [target] })).status).toBe(401);
    expect((await post(dashboard, '/api/promote', { namespaces: [target] }, `${TOKEN}x`)).status).toBe(401);
    expect((await post(dashboard, '/api/rollback', { namespaces: [target] }, 'short')).status).toBe(401);
    expect((await post(dashboard, '/api/promote', { namespaces: ['../etc'] }, TOKEN)).status).toBe(400);
    expect((await post(dashboard, '/api/promote', { namespaces: [target], to: 'everything' }, TOKEN)).status).toBe(400);
    expect(await filesOf(repo)).toEqual(before);
    expect((await get<SessionDocument>(dashboard, '/api/session')).body.writable).toBe(true);
  });

  it('promote writes exactly what tighten promote writes, and the views are read again; rollback restores the files', async () => {
    const fresh = await filesOf(repo);
    const viaCli = await copyRepo(demo);
    const cli = await runCli(demo.dir, ['promote', target, '--flows', demo.flows, '--cluster', demo.cluster, '--repo', viaCli, '-q', '-o', 'json']);
    expect(cli.code).toBe(0);

    const r = await post(dashboard, '/api/promote', { namespaces: [target] }, TOKEN);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ kind: 'StageChange', change: 'promote', refused: false });
    const cliDoc = JSON.parse(cli.out) as Record<string, unknown>;
    // The same document, but for the repository's name in it and in the undo command.
    const unnamed = (doc: unknown) => JSON.parse(JSON.stringify(doc).replaceAll(repo.split('/').pop()!, 'REPO').replaceAll(viaCli.split('/').pop()!, 'REPO')) as unknown;
    expect(unnamed(r.body)).toEqual(unnamed(cliDoc));

    const viaApi = await filesOf(repo);
    const byCli = await filesOf(viaCli);
    expect(withoutState(viaApi)).toEqual(withoutState(byCli));
    expect(stateShape(viaApi.get(STATE_FILE)!)).toBe(stateShape(byCli.get(STATE_FILE)!));
    expect(withoutState(viaApi)).not.toEqual(withoutState(fresh));

    const session = (await get<SessionDocument>(dashboard, '/api/session')).body;
    expect(session.generation).toBe(2);
    const n = (await get<BoardDocument>(dashboard, '/api/board')).body.namespaces.find((x) => x.namespace === target)!;
    expect(n.position).toEqual({ ingress: 'audit', egress: 'audit' });

    const back = await post(dashboard, '/api/rollback', { namespaces: [target], to: 'observe' }, TOKEN);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ change: 'rollback', refused: false });
    expect(withoutState(await filesOf(repo))).toEqual(withoutState(fresh));
  });

  it('a refused promotion is 409 with the gate\'s reasons, and writes nothing', async () => {
    const board = (await get<BoardDocument>(dashboard, '/api/board')).body;
    const blocked = board.namespaces.find((n) => n.status === 'blocked')!;
    const before = await filesOf(repo);
    const r = await post(dashboard, '/api/promote', { namespaces: [blocked.namespace] }, TOKEN);
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ refused: true });
    expect(await filesOf(repo)).toEqual(before);
  });

  it('the token appears in no response and no log line', async () => {
    const pages = await Promise.all(['/', '/api/session', '/api/board', '/api/map', '/api/drops', '/api/hygiene'].map(async (p) => (await fetch(new URL(p, dashboard.url))).text()));
    for (const text of pages) expect(text).not.toContain(TOKEN);
    expect(io.out() + io.err()).not.toContain(TOKEN);
    expect(io.err()).toMatch(/^POST \/api\/promote 200 \d+ms$/m);
    expect(io.err()).toMatch(/^POST \/api\/promote 401 \d+ms$/m);
  });
});

describe('the pieces of the guard', () => {
  it('parseListen takes HOST:PORT and [IPv6]:PORT, and refuses the rest', async () => {
    const { parseListen } = await import('../cli/commands/serve.js');
    expect(parseListen('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListen('localhost:9')).toEqual({ host: 'localhost', port: 9 });
    for (const bad of ['8080', '127.0.0.1', '127.0.0.1:99999', '::1:80', 'host:port']) expect(() => parseListen(bad), bad).toThrow(/--listen must be HOST:PORT/);
  });

  it('tokenMatches: only the exact token', async () => {
    const { tokenMatches } = await import('./app.js');
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    for (const other of [undefined, '', `${TOKEN} `, TOKEN.slice(0, -1), TOKEN.toUpperCase()]) expect(tokenMatches(TOKEN, other)).toBe(false);
  });

  it('decodeStageChangeRequest names the bad field, and keeps promote-only flags off a rollback', async () => {
    const { decodeStageChangeRequest } = await import('./app.js');
    expect(decodeStageChangeRequest('promote', { namespaces: ['a'], to: 'enforce', direction: 'ingress', approve: true })).toEqual({ namespaces: ['a'], to: 'enforce', direction: 'ingress', approve: true });
    expect(decodeStageChangeRequest('rollback', { namespaces: ['a'], to: 'observe', force: true })).toEqual({ namespaces: ['a'], to: 'observe' });
    expect(() => decodeStageChangeRequest('promote', [])).toThrow(/JSON object/);
    expect(() => decodeStageChangeRequest('promote', { namespaces: [] })).toThrow(/namespaces/);
    expect(() => decodeStageChangeRequest('promote', { namespaces: ['A_b'] })).toThrow(/namespaces/);
    expect(() => decodeStageChangeRequest('rollback', { namespaces: ['a'], to: 'enforce' })).toThrow(/to must be one of audit, observe/);
    expect(() => decodeStageChangeRequest('promote', { namespaces: ['a'], direction: 'sideways' })).toThrow(/direction/);
    expect(() => decodeStageChangeRequest('promote', { namespaces: ['a'], force: 'yes' })).toThrow(/force must be true or false/);
  });
});
