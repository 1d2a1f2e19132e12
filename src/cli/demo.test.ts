import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeState, STATE_FILE } from '../gitops/index.js';
import { captureIo } from '../test-support/io.js';
import { main } from './index.js';

let dir: string;
let out: string;
let code: number;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-demo-'));
  const io = captureIo('', dir);
  code = await main(['demo', '--dir', 'demo', '-q'], io);
  out = io.out();
}, 180_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tighten demo', () => {
  it('walks the staged rollout: preflight, plan, a wave to audit, ingress then egress enforced, a new dependency dropped and caught by watch, rollback, simulate, recommend, promote again', async () => {
    expect(code).toBe(0);
    const walk = out.slice(out.indexOf('The staged rollout, step by step'));
    const order = [
      /\$ tighten preflight --cluster demo\/cluster\.yaml\n {4}\d+ passed, \d+ warnings?, 0 failed/,
      /\$ tighten plan .*\n {4}wave 1: /,
      /\$ tighten promote [a-z-]+( [a-z-]+)* --flows .*\n {4}tighten: promote .* to audit\n/,
      /\$ tighten promote (\S+) --to enforce --direction ingress .*\n {4}tighten: promote \1 to ingress=enforce egress=audit/,
      /\$ tighten promote (\S+) --to enforce --direction egress .*\n {4}tighten: promote \1 to enforce/,
      /A day later, a new release of .*: enforced, the calls are dropped/,
      /\$ tighten watch .*\n {4}DROP +(\S+) \(enforce\) (ingress|egress): .*default deny/,
      /\n {4}ALERT +\S+: 2 distinct drops .*\n {15}roll back: tighten rollback \S+ --to audit --repo demo\/repo/,
      /\$ tighten rollback (\S+) --to audit .*\n {4}tighten: rollback \1 to audit/,
      /\$ tighten simulate .*--as-enforced\n {4}would drop: \S+ → \S+ \d+\/TCP \(\d+ flows\): .*default deny/,
      /\$ tighten recommend .*\n {4}policies rewritten: namespaces\/\S+\.yaml/,
      /\$ tighten promote (\S+) --to enforce --flows .*\n {4}tighten: promote \1 to enforce\n/,
    ];
    let at = 0;
    for (const re of order) {
      const m = re.exec(walk.slice(at));
      expect(m, `${re} after …${walk.slice(at, at + 200)}`).not.toBeNull();
      at += m!.index + m![0].length;
    }
    const target = /\$ tighten rollback (\S+) --to audit/.exec(walk)![1]!;
    const state = decodeState(await readFile(join(dir, 'demo/repo', STATE_FILE), 'utf8'), STATE_FILE);
    expect(state.namespaces[target]!.stage).toBe('enforce');
    expect(state.namespaces[target]!.history.map((h) => `${h.from ?? ''}>${h.to}${h.directions ? `(${h.directions.join()})` : ''}`)).toEqual([
      '>observe',
      'observe>audit',
      'audit>enforce(ingress)',
      'audit>enforce(egress)',
      'enforce>audit',
      'audit>enforce',
    ]);
    expect((state.acceptances ?? []).length).toBeGreaterThan(0);
    expect((await readdir(join(dir, 'demo/rollout'))).sort()).toEqual(['01-promote-audit.md', '02-promote-enforce-ingress.md', '03-promote-enforce-egress.md', '04-rollback.md', '05-promote-again.md']);
    expect(await readFile(join(dir, 'demo/rollout/04-rollback.md'), 'utf8')).toContain('## Promote again');
  });
  it('ends by offering tighten serve on its data: the exact command, which serves the repository it wrote', async () => {
    const line = out.trimEnd().split('\n').at(-1)!;
    expect(line).toBe('See it all in the dashboard: tighten serve --flows demo/flows.jsonl --flows demo/flows-day4-dropped.jsonl --flows demo/flows-day4.jsonl --cluster demo/cluster.yaml --repo demo/repo');
    const args = line.slice(line.indexOf('tighten serve ') + 'tighten serve '.length).split(' ');
    const { startDashboard } = await import('./commands/serve.js');
    const values = (flag: string) => args.flatMap((a, i) => (args[i - 1] === flag ? [join(dir, a)] : []));
    const dashboard = await startDashboard({ flows: values('--flows'), cluster: values('--cluster'), window: {}, repo: values('--repo')[0]!, listen: '127.0.0.1:0', log: false }, captureIo('', dir));
    try {
      const board = (await (await fetch(new URL('/api/board', dashboard.url))).json()) as { namespaces: { namespace: string; position: { ingress: string } }[] };
      expect(board.namespaces.some((n) => n.position.ingress === 'enforce')).toBe(true);
    } finally {
      await dashboard.close();
    }
  });
});
