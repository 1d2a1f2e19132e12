/**
 * @module cli/commands/plan — `tighten plan`: the ordered next steps of the rollout (PRODUCT.md §6). Reads the
 * traffic and the cluster (as `recommend` does), the repository's state and policies, simulates those policies as
 * enforced, runs the preflight on the dump's `cilium-config`, builds each namespace's gate evidence
 * (`cli/rollout-context.ts`) and prints the plan: waves, teams, each step's gate, its evidence, what unblocks it and
 * the `tighten promote` command.
 */
import { relative } from 'node:path';
import { renderPlan, type PlanFormat } from '../../report/plan.js';
import { planRollout } from '../../rollout/index.js';
import type { ExitCode } from '../../shared/errors.js';
import type { Io } from '../io.js';
import { readRolloutContext, type RolloutSources } from '../rollout-context.js';

export interface PlanCommandOptions extends RolloutSources {
  /** Only these namespaces' steps; empty: every namespace of the rollout. */
  readonly namespaces: readonly string[];
  /** Namespaces whose step decides the exit code. */
  readonly for: readonly string[];
  /** `--approve`: critical namespaces may enforce. */
  readonly approve: boolean;
  readonly output: PlanFormat;
  readonly quiet: boolean;
}

export async function planCommand(opts: PlanCommandOptions, io: Io): Promise<ExitCode> {
  const ctx = await readRolloutContext(opts, { approve: opts.approve, progress: !opts.quiet && opts.output !== 'json' }, io);
  const scope = opts.namespaces.length > 0 ? opts.namespaces : ctx.namespaces;
  const plan = planRollout([...scope, ...opts.for], ctx.evidence, ctx.contents.state, ctx.rollout, ctx.now);
  const { output, exitCode } = renderPlan({ repo: relative(io.cwd, ctx.repo) || '.', plan, evidence: ctx.evidence, preflight: ctx.preflight, for: opts.for }, opts.output);
  io.stdout.write(output);
  return exitCode;
}
