/**
 * @module cli/commands/promote — `tighten promote NS…`: move namespaces one stage on (observe → audit, or audit →
 * enforce per direction), a wave in one change. Each step's gate is checked on the same evidence `plan` shows; a
 * step that does not pass refuses the whole change (exit 1, nothing written) unless `--force --reason` records the
 * override in the history. The files are rewritten at the new stage, the state updated, and the pull-request
 * summary printed: gates, would-be drops, connectivity delta, policy diff and the rollback command; `--commit`
 * commits it. Rollback: `cli/commands/rollback.ts`.
 */
import { relative } from 'node:path';
import {
  checkGate,
  decidePromotion,
  enforcedAhead,
  historyEntry,
  positionOf,
  promotion,
  stageOf,
  type DirectionChoice,
  type Stage,
  type Transition,
} from '../../rollout/index.js';
import { gitIdentity, type NamespaceMove } from '../../gitops/index.js';
import { renderTransition, transitionTitle, type TransitionStep, type TransitionView } from '../../report/transition.js';
import { TransitionError, UsageError, type ExitCode } from '../../shared/errors.js';
import type { Io } from '../io.js';
import { readRolloutContext } from '../rollout-context.js';
import { checkCommit, commitStageChange, connectivityDelta, repoFlag, writeStageChange, type StageChangeOptions } from '../stage-change.js';

export interface PromoteCommandOptions extends StageChangeOptions {
  /** @default the next stage */
  readonly to?: Stage;
  readonly approve: boolean;
  /** `--force --reason "…"`: promote past failing gates, recorded in the history. */
  readonly force: boolean;
}

/** The rollback commands that undo `steps`, one per target and direction, namespaces together. */
export function undoPromotion(steps: readonly { namespace: string; transition: Transition }[], repoFlagText: string): string[] {
  const byCommand = new Map<string, string[]>();
  for (const { namespace, transition } of steps) {
    const from = transition.moves[0]!.from;
    const dirs = transition.moves.map((m) => m.direction);
    const args = `--to ${from}${from !== 'observe' && dirs.length === 1 ? ` --direction ${dirs[0]}` : ''}`;
    byCommand.set(args, [...(byCommand.get(args) ?? []), namespace]);
  }
  return [...byCommand].map(([args, ns]) => `tighten rollback ${ns.join(' ')} ${args}${repoFlagText}`);
}

export async function promoteCommand(opts: PromoteCommandOptions, io: Io): Promise<ExitCode> {
  if (opts.namespaces.length === 0) throw new UsageError('name the namespaces to promote: tighten promote NS… [--to audit|enforce] (tighten plan lists the next steps)');
  if (opts.force && (opts.reason === undefined || opts.reason.trim() === '')) throw new UsageError('--force needs --reason "…": a forced promotion is recorded with why');
  if (!opts.force && opts.reason !== undefined && opts.reason.trim() === '') throw new UsageError('--reason is empty');
  const ctx = await readRolloutContext(opts, { approve: opts.approve, progress: !opts.quiet && opts.output !== 'json' }, io);
  await checkCommit(ctx.repo, opts.commit);
  const namespaces = [...new Set(opts.namespaces)];
  const state = ctx.contents.state;

  // Every step decided first: one refused step refuses the change.
  const steps: (TransitionStep & { transition: Transition; decision: ReturnType<typeof decidePromotion> })[] = [];
  for (const ns of namespaces) {
    const entry = state.namespaces[ns];
    const evidence = ctx.evidence[ns];
    if (entry === undefined || evidence === undefined) throw new TransitionError(`namespace ${ns} is not in the rollout of ${relative(io.cwd, ctx.repo) || '.'}: run tighten recommend --namespace ${ns} first`);
    const from = positionOf(entry.stage, entry.enforced);
    let transition: Transition;
    try {
      transition = promotion(from, opts.to, opts.direction);
    } catch (e) {
      throw new TransitionError(`${ns}: ${(e as Error).message}`, { cause: e });
    }
    const moved = transition.moves.map((m) => m.direction);
    const direction: DirectionChoice = moved.length === 1 ? moved[0]! : 'both';
    const gate = checkGate(ns, transition.moves[0]!.from, transition.stage, direction, { ...evidence, position: from }, ctx.rollout, ctx.now);
    const decision = decidePromotion(gate, opts.force ? { reason: opts.reason! } : undefined);
    steps.push({ namespace: ns, from, to: transition.to, gate, decision, transition, ...(evidence.wouldDrops !== undefined ? { wouldDrops: evidence.wouldDrops } : {}) });
  }
  const repoShown = relative(io.cwd, ctx.repo) || '.';
  if (steps.some((s) => !s.decision.allowed)) {
    const { output, exitCode } = renderTransition({ kind: 'promote', repo: repoShown, steps, refused: true }, opts.output);
    io.stdout.write(output);
    return exitCode;
  }

  const by = opts.by ?? (await gitIdentity(ctx.repo));
  const at = new Date(opts.window.now ?? Date.now());
  const moves: NamespaceMove[] = steps.map((s) => ({
    namespace: s.namespace,
    stage: stageOf(s.transition.to),
    enforced: enforcedAhead(s.transition.to),
    entry: historyEntry(s.transition, at, opts.reason?.trim() || 'gates pass', by, s.decision),
  }));
  const { plan, contents } = await writeStageChange(ctx.repo, ctx.contents, () => moves, io);
  const connectivity = connectivityDelta(plan, contents, ctx.repo, { ...(ctx.cluster ? { cluster: ctx.cluster } : {}), inventory: ctx.inventory, identities: ctx.identities, existing: ctx.existing, evaluate: ctx.evaluate });
  const view: TransitionView = {
    kind: 'promote',
    repo: repoShown,
    steps,
    refused: false,
    files: plan.actions.map((action) => ({ action, ...(plan.before.has(action.path) ? { before: plan.before.get(action.path)! } : {}) })),
    ...(connectivity.diff ? { connectivity: connectivity.diff } : {}),
    ...(connectivity.note ? { connectivityNote: connectivity.note } : {}),
    handWritten: plan.handWritten,
    undo: undoPromotion(steps, repoFlag(ctx.repo, io)),
  };
  let commit: string | undefined;
  if (opts.commit) commit = await commitStageChange(ctx.repo, plan, transitionTitle(view), renderTransition(view, 'markdown').output);
  const { output, exitCode } = renderTransition(commit !== undefined ? { ...view, commit } : view, opts.output);
  io.stdout.write(output);
  return exitCode;
}
