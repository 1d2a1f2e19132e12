/**
 * @module cli/stage-change — what `promote` and `rollback` share once each has decided its moves: write them under
 * the state lock (checking the repository did not change since it was read), work out the connectivity delta of
 * the applied policies, commit when asked, and assemble the summary. The shell around `gitops/transition.ts`.
 */
import { relative } from 'node:path';
import type { ClusterSnapshot } from '../cluster/index.js';
import {
  STATE_FILE,
  appliedPolicies,
  applyPlan,
  commitPaths,
  isGitWorkTree,
  planTransitions,
  readRepository,
  renderState,
  withStateLock,
  type NamespaceMove,
  type RepositoryContents,
  type TransitionPlan,
} from '../gitops/index.js';
import type { Inventory } from '../inventory/index.js';
import { diffPolicySets, type PolicyDiff } from '../policy/diff.js';
import { buildDiffUniverse } from '../policy/diff-universe.js';
import { compileEvaluator, type EvaluateOptions } from '../policy/evaluate/index.js';
import type { IdentityContext } from '../policy/endpoints.js';
import type { LoadedPolicy } from '../policy/model/index.js';
import { TransitionError, UsageError } from '../shared/errors.js';
import type { TransitionFormat } from '../report/transition.js';
import type { DirectionChoice } from '../rollout/index.js';
import type { RolloutSources } from './rollout-context.js';
import type { Io } from './io.js';

export interface Connectivity {
  readonly diff?: PolicyDiff;
  readonly note?: string;
}

/** What `promote` and `rollback` both take: the namespaces, who and why, the sources, the output. */
export interface StageChangeOptions extends RolloutSources {
  readonly namespaces: readonly string[];
  readonly direction: DirectionChoice;
  /** Why, for the history (`--reason`). */
  readonly reason?: string;
  /** Who; @default git config user.name <user.email> */
  readonly by?: string;
  /** Commit the change with its summary as the message (`--commit`). */
  readonly commit: boolean;
  readonly output: TransitionFormat;
  readonly quiet: boolean;
}

/** The connectivity change of the applied policies: before the change, and with the plan's files. */
export function connectivityDelta(
  plan: TransitionPlan,
  contents: RepositoryContents,
  repo: string,
  sources: { readonly cluster?: ClusterSnapshot; readonly inventory?: Inventory; readonly identities: IdentityContext; readonly existing: readonly LoadedPolicy[]; readonly evaluate: EvaluateOptions },
): Connectivity {
  if (sources.cluster === undefined && sources.inventory === undefined) {
    return { note: 'Not computed: pass the cluster dump (`--cluster`) or the traffic (`--flows`) to see what becomes allowed or denied.' };
  }
  const after = new Map(contents.files);
  for (const a of plan.actions) if (a.content !== undefined) after.set(a.path, a.content);
  const oldSet = appliedPolicies(contents.files, plan.appliedBefore, repo, sources.evaluate);
  const newSet = appliedPolicies(after, plan.appliedAfter, repo, sources.evaluate);
  const { endpoints, observed } = buildDiffUniverse({
    ...(sources.cluster ? { cluster: sources.cluster } : {}),
    ...(sources.inventory ? { inventory: sources.inventory } : {}),
    identities: sources.identities,
    policies: [...sources.existing, ...oldSet, ...newSet],
  });
  const diff = diffPolicySets(
    { source: 'applied before', policies: oldSet },
    { source: 'applied after', policies: newSet },
    { endpoints, ...(observed ? { observed } : {}), existing: sources.existing, options: { clusterName: sources.identities.clusterName, ...sources.evaluate } },
    compileEvaluator,
  );
  return { diff };
}

export interface AppliedChange {
  readonly plan: TransitionPlan;
  /** The repository as it was when the change was planned (under the lock). */
  readonly contents: RepositoryContents;
}

/**
 * Plans `moves` on the repository and writes them, holding the state lock from the read to the last write.
 * @param expected the state as the command judged it: a run that changed it meanwhile makes this one stop
 */
export async function writeStageChange(repo: string, expected: RepositoryContents | undefined, moves: (contents: RepositoryContents) => readonly NamespaceMove[], io: Io): Promise<AppliedChange> {
  return withStateLock(
    repo,
    async () => {
      const contents = await readRepository(repo);
      if (expected !== undefined && renderState(contents.state) !== renderState(expected.state)) {
        throw new TransitionError(`${STATE_FILE} changed while tighten was reading the traffic (another run?): run the command again`);
      }
      const plan = planTransitions(contents, moves(contents));
      await applyPlan(repo, plan);
      return { plan, contents };
    },
    { warn: (m) => io.stderr.write(`warning: ${m}\n`) },
  );
}

/** Checks up front that `--commit` can work: the repository is in a git work tree. */
export async function checkCommit(repo: string, commit: boolean): Promise<void> {
  if (commit && !(await isGitWorkTree(repo))) throw new UsageError(`--commit: ${repo} is not in a git work tree (git init it, or leave out --commit)`);
}

/** Commits the files the plan changed and the state file. */
export async function commitStageChange(repo: string, plan: TransitionPlan, title: string, body: string): Promise<string> {
  const paths = [...plan.actions.filter((a) => a.action !== 'unchanged' && a.action !== 'skip').map((a) => a.path), STATE_FILE];
  return commitPaths(repo, paths, `${title}\n\n${body}`);
}

/** `--repo R` for a command line, when the repository is not the current directory. */
export function repoFlag(repo: string, io: Io): string {
  const rel = relative(io.cwd, repo);
  return rel === '' ? '' : ` --repo ${/^[\w./-]+$/.test(rel) ? rel : JSON.stringify(rel)}`;
}
