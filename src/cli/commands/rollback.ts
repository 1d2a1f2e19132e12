/**
 * @module cli/commands/rollback — `tighten rollback NS…`: take namespaces back a stage (enforce → audit by default,
 * audit → observe; `--to observe` from anywhere). Always allowed, no gates, and no traffic needed: it is the
 * emergency exit. The files come back byte for byte as they were at that stage; the summary says how to take the
 * step again. `--cluster`/`--flows` add the connectivity delta to the summary.
 */
import { relative } from 'node:path';
import type { ClusterSnapshot } from '../../cluster/index.js';
import { gitIdentity, readRepository, type NamespaceMove } from '../../gitops/index.js';
import type { Inventory } from '../../inventory/index.js';
import { evaluateOptionsOf } from '../../policy/cluster-options.js';
import { identityContext } from '../../policy/endpoints.js';
import { decodePolicyObject, sanitizePolicies } from '../../policy/model/index.js';
import { renderTransition, transitionTitle, type TransitionView } from '../../report/transition.js';
import { enforcedAhead, historyEntry, positionOf, rollback, stageOf, DIRECTIONS, type Stage, type Transition } from '../../rollout/index.js';
import { TransitionError, UsageError, type ExitCode } from '../../shared/errors.js';
import { readClusterSource } from '../cluster-source.js';
import type { Io } from '../io.js';
import { repoDir } from '../rollout-context.js';
import { readInventory } from '../sources.js';
import { checkCommit, commitStageChange, connectivityDelta, repoFlag, writeStageChange, type StageChangeOptions } from '../stage-change.js';

export interface RollbackCommandOptions extends StageChangeOptions {
  /** @default one step down from the most advanced direction */
  readonly to?: Exclude<Stage, 'enforce'>;
}

/** The promotions that take `steps` again: to audit first where they went back to observe, then to enforce. */
export function redoRollback(steps: readonly { namespace: string; transition: Transition }[], repoFlagText: string): string[] {
  const byCommand = new Map<string, string[]>();
  const add = (args: string, ns: string) => byCommand.set(args, [...(byCommand.get(args) ?? []), ns]);
  for (const { namespace, transition } of steps) {
    const t = transition;
    if (DIRECTIONS.some((d) => t.from[d] !== 'observe' && t.to[d] === 'observe')) add('--to audit', namespace);
    const enforce = DIRECTIONS.filter((d) => t.from[d] === 'enforce');
    if (enforce.length > 0) add(`--to enforce${enforce.length === 1 ? ` --direction ${enforce[0]}` : ''}`, namespace);
  }
  return [...byCommand].map(([args, ns]) => `tighten promote ${ns.join(' ')} ${args}${repoFlagText}`);
}

export async function rollbackCommand(opts: RollbackCommandOptions, io: Io): Promise<ExitCode> {
  if (opts.namespaces.length === 0) throw new UsageError('name the namespaces to roll back: tighten rollback NS… [--to audit|observe]');
  const repo = repoDir(opts.repo, io);
  await checkCommit(repo, opts.commit);
  let cluster: ClusterSnapshot | undefined;
  let inventory: Inventory | undefined;
  if (opts.flows.length > 0 || opts.store !== undefined) ({ cluster, inventory } = await readInventory({ flows: opts.flows, ...(opts.store !== undefined ? { store: opts.store } : {}), cluster: opts.cluster, kube: opts.kube, namespaces: [], window: opts.window, progress: !opts.quiet && opts.output !== 'json' }, io));
  else cluster = await readClusterSource({ cluster: opts.cluster, kube: opts.kube }, io);

  const namespaces = [...new Set(opts.namespaces)];
  const by = opts.by ?? (await gitIdentity(repo));
  const at = new Date(opts.window.now ?? Date.now());
  const steps: { namespace: string; transition: Transition }[] = [];
  const decide = (contents: Awaited<ReturnType<typeof readRepository>>): NamespaceMove[] => {
    steps.length = 0;
    return namespaces.map((ns) => {
      const entry = contents.state.namespaces[ns];
      if (entry === undefined) throw new TransitionError(`namespace ${ns} is not in the rollout of ${relative(io.cwd, repo) || '.'}: nothing to roll back`);
      let transition: Transition;
      try {
        transition = rollback(positionOf(entry.stage, entry.enforced), opts.to, opts.direction);
      } catch (e) {
        throw new TransitionError(`${ns}: ${(e as Error).message}`, { cause: e });
      }
      steps.push({ namespace: ns, transition });
      return { namespace: ns, stage: stageOf(transition.to), enforced: enforcedAhead(transition.to), entry: historyEntry(transition, at, opts.reason?.trim() || 'rollback', by) };
    });
  };
  // Decided under the lock, on the state as it is then: a rollback never waits for evidence.
  const { plan, contents } = await writeStageChange(repo, undefined, decide, io);

  const evaluate = evaluateOptionsOf(cluster, opts.ciliumVersion);
  const existing = sanitizePolicies((cluster?.policies ?? []).map((p) => decodePolicyObject(p.object, { file: p.source })), evaluate.ciliumVersion ? { ciliumVersion: evaluate.ciliumVersion } : {}).policies;
  const connectivity = connectivityDelta(plan, contents, repo, { ...(cluster ? { cluster } : {}), ...(inventory ? { inventory } : {}), identities: identityContext(cluster), existing, evaluate });
  const view: TransitionView = {
    kind: 'rollback',
    repo: relative(io.cwd, repo) || '.',
    steps: steps.map((s) => ({ namespace: s.namespace, from: s.transition.from, to: s.transition.to })),
    refused: false,
    files: plan.actions.map((action) => ({ action, ...(plan.before.has(action.path) ? { before: plan.before.get(action.path)! } : {}) })),
    ...(connectivity.diff ? { connectivity: connectivity.diff } : {}),
    ...(connectivity.note ? { connectivityNote: connectivity.note } : {}),
    handWritten: plan.handWritten,
    undo: redoRollback(steps, repoFlag(repo, io)),
  };
  let commit: string | undefined;
  if (opts.commit) commit = await commitStageChange(repo, plan, transitionTitle(view), renderTransition(view, 'markdown').output);
  const { output, exitCode } = renderTransition(commit !== undefined ? { ...view, commit } : view, opts.output);
  io.stdout.write(output);
  return exitCode;
}
