/**
 * @module cli/commands/recommend — `tighten recommend`: the recommended policy set from the observed traffic,
 * written into the GitOps repository (platform baseline, one policy per workload, kustomizations, evidence, state),
 * each namespace at its stage; then a summary.
 */
import { isAbsolute, join, relative } from 'node:path';
import { readConfig } from '../../config/index.js';
import { writeRecommendation, type PolicyFormat } from '../../gitops/index.js';
import { renderRecommend, type RecommendFormat } from '../../report/recommend.js';
import type { ExitCode } from '../../shared/errors.js';
import { understand } from '../../understand/index.js';
import type { KubeOptions } from '../cluster-source.js';
import type { Io } from '../io.js';
import { readInventory } from '../sources.js';
import type { WindowOptions } from '../window.js';
import { evaluateOptionsOf } from '../../policy/cluster-options.js';

export interface RecommendCommandOptions {
  readonly flows: readonly string[];
  /** A flow store (`tighten observe --store DIR`) to read instead of flows. */
  readonly store?: string;
  readonly cluster: readonly string[];
  /** Read the cluster from the live API (`--kube`) instead of `cluster`. */
  readonly kube?: KubeOptions;
  readonly namespaces: readonly string[];
  readonly window: WindowOptions;
  /** @default the current directory */
  readonly repo?: string;
  readonly format: PolicyFormat;
  readonly force: boolean;
  readonly ciliumVersion?: string;
  readonly fqdnPatterns: readonly string[];
  readonly output: RecommendFormat;
  readonly quiet: boolean;
}

export async function recommendCommand(opts: RecommendCommandOptions, io: Io): Promise<ExitCode> {
  const repo = opts.repo === undefined ? io.cwd : isAbsolute(opts.repo) ? opts.repo : join(io.cwd, opts.repo);
  const config = await readConfig(repo);
  // The whole inventory is read (classification needs every namespace's traffic); the rollout is the state's
  // namespaces plus those named, or — on a fresh repository without --namespace — every application namespace.
  const { inventory, cluster } = await readInventory(
    { flows: opts.flows, ...(opts.store !== undefined ? { store: opts.store } : {}), cluster: opts.cluster, kube: opts.kube, namespaces: [], window: opts.window, progress: !opts.quiet && opts.output !== 'json' },
    io,
  );
  const evaluate = evaluateOptionsOf(cluster, opts.ciliumVersion);
  const understanding = understand(inventory, cluster, config);
  const { result, plan, warnings: notes } = await writeRecommendation(repo, inventory, understanding, cluster, config, {
    namespaces: opts.namespaces,
    format: opts.format,
    force: opts.force,
    evaluate,
    fqdnPatterns: [...config.recommend.fqdnPatterns, ...opts.fqdnPatterns],
  });
  for (const w of notes) io.stderr.write(`warning: ${w}\n`);

  const warnings: string[] = [];
  if (evaluate.enableNonDefaultDenyPolicies === false) {
    warnings.push('cilium-config sets enable-non-default-deny-policies to false: enableDefaultDeny false is ignored, so the baseline and every audit-stage policy would enforce. Do not apply this repository before the flag is true.');
  }
  const version = /^v?(\d+)\.(\d+)/.exec(evaluate.ciliumVersion ?? '');
  if (version !== null && (Number(version[1]) < 1 || (Number(version[1]) === 1 && Number(version[2]) < 16))) {
    warnings.push(`Cilium ${evaluate.ciliumVersion} ignores enableDefaultDeny (added in 1.16): the baseline and every audit-stage policy would enforce. Do not apply this repository before upgrading.`);
  }
  const shown = relative(io.cwd, repo) || '.';
  const { output, exitCode } = renderRecommend({ repo: shown, format: opts.format, result, plan, warnings }, opts.output);
  io.stdout.write(output);
  return exitCode;
}
