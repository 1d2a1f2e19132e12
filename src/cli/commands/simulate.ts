/**
 * @module cli/commands/simulate — `tighten simulate`: replay the observed traffic against the
 * cluster's policies plus a candidate set, and say what would be dropped, why, and the rule that fixes it.
 */
import { readConfig } from '../../config/index.js';
import { compileEvaluator } from '../../policy/evaluate/index.js';
import { identityContext } from '../../policy/endpoints.js';
import { decodePolicyObject, readPolicies, sanitizePolicies } from '../../policy/model/index.js';
import { simulate } from '../../policy/simulate.js';
import { renderSimulation, type SimulationFormat } from '../../report/simulation.js';
import { UsageError, type ExitCode } from '../../shared/errors.js';
import type { KubeOptions } from '../cluster-source.js';
import type { Io } from '../io.js';
import { readInventory } from '../sources.js';
import type { WindowOptions } from '../window.js';
import { evaluateOptionsOf } from '../../policy/cluster-options.js';

export interface SimulateCommandOptions {
  readonly policies: readonly string[];
  readonly flows: readonly string[];
  /** A flow store (`tighten observe --store DIR`) to read instead of flows. */
  readonly store?: string;
  readonly cluster: readonly string[];
  /** Read the cluster from the live API (`--kube`) instead of `cluster`. */
  readonly kube?: KubeOptions;
  readonly namespaces: readonly string[];
  readonly window: WindowOptions;
  readonly asEnforced: boolean;
  readonly ciliumVersion?: string;
  readonly output: SimulationFormat;
  readonly repo?: string;
  readonly quiet: boolean;
}

export async function simulateCommand(opts: SimulateCommandOptions, io: Io): Promise<ExitCode> {
  if (opts.policies.length === 0) throw new UsageError('no policies given: pass --policies FILE|DIR (or --repo DIR)');
  const config = await readConfig(opts.repo ?? io.cwd);
  const { inventory, cluster } = await readInventory(
    { flows: opts.flows, ...(opts.store !== undefined ? { store: opts.store } : {}), cluster: opts.cluster, kube: opts.kube, namespaces: opts.namespaces, window: opts.window, progress: !opts.quiet && opts.output !== 'json' },
    io,
  );
  const options = evaluateOptionsOf(cluster, opts.ciliumVersion);
  const sanitizeOptions = options.ciliumVersion ? { ciliumVersion: options.ciliumVersion } : {};
  const existing = sanitizePolicies((cluster?.policies ?? []).map((p) => decodePolicyObject(p.object, { file: p.source })), sanitizeOptions);
  const candidate = sanitizePolicies(await readPolicies(opts.policies), sanitizeOptions);
  for (const w of [...existing.warnings, ...candidate.warnings]) {
    io.stderr.write(`warning: ${w.policy.kind} ${w.policy.namespace ? `${w.policy.namespace}/` : ''}${w.policy.name}: ${w.path}: ${w.message}\n`);
  }
  const report = simulate(
    {
      inventory,
      existing: existing.policies,
      candidate: candidate.policies,
      identities: identityContext(cluster),
      options,
      asEnforced: opts.asEnforced,
      labelPriority: config.labels.priority,
    },
    compileEvaluator,
  );
  const { output, exitCode } = renderSimulation(report, opts.output);
  io.stdout.write(output);
  return exitCode;
}
