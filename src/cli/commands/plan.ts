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
import type { KubeOptions } from '../cluster-source.js';
import type { Io } from '../io.js';
import { readRolloutContext } from '../rollout-context.js';
import type { WindowOptions } from '../window.js';

export interface PlanCommandOptions {
  readonly flows: readonly string[];
  /** A flow store (`tighten observe --store DIR`) to read instead of flows. */
  readonly store?: string;
  readonly cluster: readonly string[];
  /** Read the cluster from the live API (`--kube`) instead of `cluster`. */
  readonly kube?: KubeOptions | undefined;
  readonly window: WindowOptions;
  /** @default the current directory */
  readonly repo?: string;
  /** Only these namespaces' steps; empty: every namespace of the rollout. */
  readonly namespaces: readonly string[];
  /** Namespaces whose step decides the exit code. */
  readonly for: readonly string[];
  /** `--approve`: critical namespaces may enforce. */
  readonly approve: boolean;
  readonly ciliumVersion?: string;
  readonly output: PlanFormat;
  readonly quiet: boolean;
}

export async function planCommand(opts: PlanCommandOptions, io: Io): Promise<ExitCode> {
  const ctx = await readRolloutContext(
    {
      flows: opts.flows,
      ...(opts.store !== undefined ? { store: opts.store } : {}),
      cluster: opts.cluster,
      kube: opts.kube,
      window: opts.window,
      ...(opts.repo !== undefined ? { repo: opts.repo } : {}),
      approve: opts.approve,
      ...(opts.ciliumVersion !== undefined ? { ciliumVersion: opts.ciliumVersion } : {}),
      progress: !opts.quiet && opts.output !== 'json',
    },
    io,
  );
  const scope = opts.namespaces.length > 0 ? opts.namespaces : ctx.namespaces;
  const plan = planRollout([...scope, ...opts.for], ctx.evidence, ctx.contents.state, ctx.rollout, ctx.now);
  const { output, exitCode } = renderPlan({ repo: relative(io.cwd, ctx.repo) || '.', plan, evidence: ctx.evidence, preflight: ctx.preflight, for: opts.for }, opts.output);
  io.stdout.write(output);
  return exitCode;
}
