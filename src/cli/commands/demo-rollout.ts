/**
 * @module cli/commands/demo-rollout — the staged rollout of `tighten demo`, walked on the sample the way a platform
 * engineer would: preflight → plan → the first wave to audit → the lowest-risk namespace enforced, ingress then
 * egress → a day later, a new dependency dropped → `watch` says so and how to roll back → rollback → simulate shows
 * what the policies lack → recommend picks it up → promote again. Each step runs the real command (in-process) and
 * prints its command line and the lines that matter; the full pull-request summaries are written beside the
 * repository.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Inventory } from '../../inventory/index.js';
import { newPortTraffic } from '../../sample/later.js';
import type { ExitCode } from '../../shared/errors.js';
import { bufferIo, type Io } from '../io.js';
import { acceptCommand } from './accept.js';
import { planCommand } from './plan.js';
import { preflightCommand } from './preflight.js';
import { promoteCommand } from './promote.js';
import { recommendCommand } from './recommend.js';
import { rollbackCommand } from './rollback.js';
import { simulateCommand } from './simulate.js';
import { watchCommand } from './watch.js';

export interface RolloutWalkInput {
  /** The demo's folder, the repository, the sample's files (absolute). */
  readonly dir: string;
  readonly repo: string;
  readonly flowsFile: string;
  readonly clusterFile: string;
  readonly inventory: Inventory;
}

interface PlanStepDoc {
  readonly namespace: string;
  readonly status: string;
  readonly fromStage: string;
  readonly to: string;
  readonly risk: { readonly rank: number };
}
interface StageChangeDoc {
  readonly refused: boolean;
  readonly title: string;
  readonly steps: readonly { readonly namespace: string; readonly gate?: { readonly reasons: readonly string[] }; readonly wouldDrops?: readonly { readonly key: string; readonly direction: string }[] }[];
  readonly files: readonly { readonly path: string }[];
  readonly undo: readonly string[];
}

/** Runs the walk-through; returns what to print and the flow files the repository was last judged on. */
export async function walkRollout(input: RolloutWalkInput, io: Io): Promise<{ readonly output: string; readonly flows: readonly string[] }> {
  let flows: readonly string[] = [input.flowsFile];
  const done = (lines: readonly string[]) => ({ output: lines.join('\n'), flows });
  const out: string[] = ['', 'The staged rollout, step by step (each step a reviewable change of the repository):', ''];
  const rel = (p: string) => relative(io.cwd, p) || '.';
  const summaries = join(input.dir, 'rollout');
  await mkdir(summaries, { recursive: true });
  const src = { flows: [input.flowsFile], cluster: [input.clusterFile], window: {}, repo: input.repo, quiet: true } as const;
  const srcArgs = `--flows ${rel(input.flowsFile)} --cluster ${rel(input.clusterFile)} --repo ${rel(input.repo)}`;
  const say = (command: string, lines: readonly string[]) => out.push(`  $ ${command}`, ...lines.map((l) => `    ${l}`), '');
  const run = async (f: (io: Io) => Promise<ExitCode>): Promise<{ code: ExitCode; out: string }> => {
    const b = bufferIo(io.cwd);
    const code = await f(b);
    return { code, out: b.out() };
  };
  let saved = 0;
  const save = async (name: string, text: string): Promise<string> => {
    const file = join(summaries, `${String(++saved).padStart(2, '0')}-${name}.md`);
    await writeFile(file, text);
    return rel(file);
  };
  // 1. Preflight.
  const preflight = await run((b) => preflightCommand({ cluster: src.cluster, output: 'text' }, b));
  say(`tighten preflight --cluster ${rel(input.clusterFile)}`, [preflight.out.trim().split('\n').at(-1)!]);

  // 2. Plan: the first wave.
  const planJson = await run((b) => planCommand({ ...src, namespaces: [], for: [], approve: false, output: 'json' }, b));
  const steps = (JSON.parse(planJson.out) as { waves: { number: number; teams: { steps: PlanStepDoc[] }[] }[] }).waves.flatMap((w) => w.teams.flatMap((t) => t.steps.map((s) => ({ ...s, wave: w.number }))));
  const firstWave = steps.filter((s) => s.wave === 1);
  const ready = firstWave.filter((s) => s.status === 'pass').map((s) => s.namespace);
  say(`tighten plan ${srcArgs}`, [
    `wave 1: ${firstWave.map((s) => `${s.namespace} ${s.fromStage} → ${s.to} ${s.status === 'pass' ? 'ready' : 'blocked'}`).join(', ')}`,
    '(each blocked step says what unblocks it: tighten plan prints the gates)',
  ]);
  if (ready.length === 0) return done([...out, '  No namespace is ready for audit: the walk-through stops here.', '']);

  // 3. The ready steps of the first wave to audit, in one change.
  const audit = await stageChange(run, { ...src, namespaces: ready, to: 'audit', direction: 'both' });
  if (audit.refused) return done([...out, '  The first wave was refused: the walk-through stops here.', '']);
  say(`tighten promote ${ready.join(' ')} ${srcArgs}`, [audit.title, `${audit.files} files changed; full summary: ${await save('promote-audit', audit.markdown)}`, `undo: ${audit.undo.join(' && ')}`]);

  // 4. The lowest-risk namespace at audit with a workload-to-workload connection inside it, to enforce.
  const ranked = steps.filter((s) => ready.includes(s.namespace)).sort((a, b) => a.risk.rank - b.risk.rank);
  const target = ranked.map((s) => s.namespace).find((ns) => busiestInside(input.inventory, ns) !== undefined);
  if (target === undefined) return done([...out, '  No namespace at audit has traffic inside it to show enforcement on: the walk-through stops here.', '']);
  const edge = busiestInside(input.inventory, target)!;
  const config = join(input.repo, 'tighten.yaml');
  const configText = await readFile(config, 'utf8').catch(() => '');
  if (!/minObservedDays/.test(configText)) await writeFile(config, `${configText}# The sample holds three days of traffic; a real rollout observes a week or more (the default, 7).\ngates:\n  minObservedDays: 2\n`);
  out.push(`  (${rel(config)}: gates.minObservedDays 2 — the sample holds three days of traffic; the default is 7)`, '');

  for (const direction of ['ingress', 'egress'] as const) {
    let change = await stageChange(run, { ...src, namespaces: [target], to: 'enforce', direction });
    if (change.refused) {
      const drops = (change.doc.steps[0]?.wouldDrops ?? []).filter((d) => d.direction === direction).map((d) => d.key);
      say(`tighten promote ${target} --to enforce --direction ${direction} ${srcArgs}`, ['refused:', ...(change.doc.steps[0]?.gate?.reasons ?? []).map((r) => `  ${r}`)]);
      if (drops.length === 0) return done([...out, '  Blocked by more than would-be drops: the walk-through stops here (tighten plan says what to do).', '']);
      const reason = 'ad-hoc debug pods and a one-off job: not to be allowed';
      await run((b) => acceptCommand({ namespace: target, drops, reason, expires: '30d', commit: false, repo: input.repo }, b));
      say(`tighten accept ${target} ${drops.map((d) => `--drop "${d}"`).join(' ')} --reason "${reason}" --expires 30d --repo ${rel(input.repo)}`, [`${drops.length} would-be drop${drops.length === 1 ? '' : 's'} accepted for 30 days`]);
      change = await stageChange(run, { ...src, namespaces: [target], to: 'enforce', direction });
      if (change.refused) return done([...out, `  Still refused: ${(change.doc.steps[0]?.gate?.reasons ?? []).join('; ')}. The walk-through stops here.`, '']);
    }
    say(`tighten promote ${target} --to enforce --direction ${direction} ${srcArgs}`, [change.title, `${change.files} files changed; full summary: ${await save(`promote-enforce-${direction}`, change.markdown)}`, `undo: ${change.undo.join(' && ')}`]);
  }

  // 5. A day later: a new release of the service listens on a second port, and its caller uses it — dropped.
  const newPort = edge.port + 1;
  const day = Date.parse(input.inventory.window.until ?? input.inventory.window.now ?? '2026-11-05T00:00:00Z');
  const nine = Math.ceil(day / 3_600_000) * 3_600_000 + 9 * 3_600_000;
  const at = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const lines = (await readFile(input.flowsFile, 'utf8')).split('\n').filter(Boolean);
  const calls = (start: number, uuidPrefix: string) =>
    newPortTraffic(lines, { namespace: target, source: edge.source, destination: edge.destination, port: edge.port, newPort, start: at(start), max: 100 }).map((l) => l.replace('"uuid":"1a7e0000-', `"uuid":"${uuidPrefix}-`));
  const dropped = calls(nine, '1a7e0001').map((l) => l.replace('"verdict":"FORWARDED"', '"verdict":"DROPPED","drop_reason_desc":"POLICY_DENIED"'));
  const droppedFile = join(input.dir, 'flows-day4-dropped.jsonl');
  await writeFile(droppedFile, dropped.join(''));
  out.push(`  A day later, a new release of ${target}/${edge.destination} also listens on ${newPort}/TCP, and ${edge.source} starts calling it: enforced, the calls are dropped (${rel(droppedFile)}).`, '');

  // 6. watch catches the drops, names the missing rule, and says how to roll back.
  const watched = await run((b) => watchCommand({ flows: [droppedFile], cluster: src.cluster, repo: input.repo, namespaces: [], output: 'text', onThreshold: 'alert', threshold: { distinct: 2, windowMs: 600_000 }, repeatAfterMs: 3_600_000, sliceMs: 1_000, reloadMs: 2_000, quiet: true }, b));
  const watchLines = watched.out.split('\n').filter((l) => /^(DROP|ALERT| {11}roll back)/.test(l)).map((l) => l.replace(/ {2}fix: .*$/, '  fix: a patch to the policy file (shown by watch)'));
  say(`tighten watch ${rel(droppedFile)} --repo ${rel(input.repo)} --cluster ${rel(input.clusterFile)} --threshold 2/10m`, watchLines.length > 0 ? watchLines : ['no drop seen']);

  // 7. Roll back to audit, as the alert says: nothing is dropped any more, while the policy catches up.
  const back = await run((b) => rollbackCommand({ namespaces: [target], to: 'audit', direction: 'both', reason: `new dependency ${edge.source} → ${edge.destination}:${newPort}`, commit: false, flows: [], cluster: src.cluster, window: {}, repo: input.repo, output: 'markdown', quiet: true }, b));
  say(`tighten rollback ${target} --to audit --reason "new dependency" --repo ${rel(input.repo)}`, [back.out.split('\n')[0]!.replace(/^# /, ''), `full summary: ${await save('rollback', back.out)}`]);

  // 8. At audit the calls go through; simulate, as if enforced, shows what the policies still lack.
  const laterFile = join(input.dir, 'flows-day4.jsonl');
  const later = calls(nine + 3_600_000, '1a7e0002');
  await writeFile(laterFile, later.join(''));
  const all = [input.flowsFile, droppedFile, laterFile];
  flows = all;
  const allArgs = all.map((f) => `--flows ${rel(f)}`).join(' ') + ` --cluster ${rel(input.clusterFile)}`;
  out.push(`  Back at audit, the calls go through (${rel(laterFile)}).`, '');
  // Since the rollback: the earlier drops of the same calls are not would-be drops any more.
  const since = at(nine + 3_600_000);
  const sim = await run((b) => simulateCommand({ policies: [input.repo], flows: all, cluster: src.cluster, namespaces: [target], window: { since }, asEnforced: true, output: 'json', quiet: true }, b));
  const edges = (JSON.parse(sim.out) as { edges?: { port: number; flows: number; wouldDrop: boolean; ingress?: { decision: string }; egress?: { decision: string } }[] }).edges ?? [];
  const would = edges.filter((e) => e.wouldDrop && e.port === newPort);
  const why = would[0] === undefined ? '' : (['egress', 'ingress'] as const).filter((d) => would[0]![d]?.decision.startsWith('denied')).map((d) => `${d} ${would[0]![d]!.decision.replace('denied-default', 'default deny').replace('denied-rule', 'denied by a rule')}`).join(', ');
  say(`tighten simulate --repo ${rel(input.repo)} ${allArgs} --namespace ${target} --since ${since} --as-enforced`, [
    would.length > 0
      ? `would drop: ${target}/${edge.source} → ${target}/${edge.destination} ${newPort}/TCP (${would.reduce((n, e) => n + e.flows, 0)} flows): ${why} — no rule allows the new port`
      : `no drop found for ${newPort}/TCP`,
  ]);

  // 9. Recommend on all the traffic: the new port is allowed.
  const rec = await run((b) => recommendCommand({ ...src, flows: all, namespaces: [], format: 'cilium', force: false, fqdnPatterns: [], output: 'json' }, b));
  const changed = ((JSON.parse(rec.out) as { files?: { changed?: { path: string }[] } }).files?.changed ?? []).map((f) => f.path).filter((p) => !p.endsWith('evidence.yaml'));
  say(`tighten recommend ${allArgs} --repo ${rel(input.repo)}`, [`policies rewritten: ${changed.length > 0 ? changed.join(', ') : 'none'} (and the evidence files)`]);

  // 10. Promote again, both directions at once.
  const again = await stageChange(run, { ...src, flows: all, namespaces: [target], to: 'enforce', direction: 'both' });
  say(
    `tighten promote ${target} --to enforce ${allArgs} --repo ${rel(input.repo)}`,
    again.refused ? ['refused:', ...(again.doc.steps[0]?.gate?.reasons ?? []).map((r) => `  ${r}`)] : [again.title, `${again.files} files changed; full summary: ${await save('promote-again', again.markdown)}`],
  );
  out.push(`  The history of every step is in ${rel(join(input.repo, 'tighten.state.yaml'))}; the summaries are in ${rel(summaries)}/.`, '');
  return done(out);
}

/** The busiest forwarded TCP connection between two workloads of `ns` (the caller and the service by name). */
function busiestInside(inventory: Inventory, ns: string): { source: string; destination: string; port: number } | undefined {
  let best: { source: string; destination: string; port: number; flows: number } | undefined;
  for (const e of inventory.edges) {
    const s = e.source;
    const d = e.destination;
    if (e.protocol !== 'TCP' || e.verdict !== 'FORWARDED' || !('namespace' in s) || !('namespace' in d)) continue;
    if (s.namespace !== ns || d.namespace !== ns || s.kind !== 'Deployment' || d.kind !== 'Deployment' || s.name === d.name) continue;
    if (best === undefined || e.flows > best.flows) best = { source: s.name, destination: d.name, port: e.port, flows: e.flows };
  }
  return best === undefined ? undefined : { source: best.source, destination: best.destination, port: best.port };
}

interface StageChangeArgs {
  readonly flows: readonly string[];
  readonly cluster: readonly string[];
  readonly window: Record<string, never>;
  readonly repo: string;
  readonly quiet: boolean;
  readonly namespaces: readonly string[];
  readonly to: 'audit' | 'enforce';
  readonly direction: 'ingress' | 'egress' | 'both';
}

/**
 * One promotion, run as a person would (markdown: the summary a reviewer reads). A refused one wrote nothing, so it
 * is asked again as JSON for the gate's reasons and would-be drop keys.
 */
async function stageChange(
  run: (f: (io: Io) => Promise<ExitCode>) => Promise<{ code: ExitCode; out: string }>,
  a: StageChangeArgs,
): Promise<{ refused: boolean; doc: StageChangeDoc; title: string; files: number; undo: readonly string[]; markdown: string }> {
  const base = { ...a, approve: false, force: false, commit: false };
  const md = await run((b) => promoteCommand({ ...base, output: 'markdown' }, b));
  const title = md.out.split('\n')[0]!.replace(/^# /, '');
  if (md.code !== 0) {
    // Refused: nothing was written, so asking again for the facts as JSON is safe.
    const json = await run((b) => promoteCommand({ ...base, output: 'json' }, b));
    return { refused: true, doc: JSON.parse(json.out) as StageChangeDoc, title, files: 0, undo: [], markdown: md.out };
  }
  const files = (/^(\d+) files? changed\.$/m.exec(md.out)?.[1] ?? '0');
  const undo = [...md.out.matchAll(/^tighten rollback .*$/gm)].map((m) => m[0]);
  return { refused: false, doc: { refused: false, title, steps: [], files: [], undo }, title, files: Number(files), undo, markdown: md.out };
}
