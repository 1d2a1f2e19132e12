/**
 * @module cli/commands/plan — `tighten plan`: the ordered next steps of the rollout (PRODUCT.md §6). Reads the
 * traffic and the cluster (as `recommend` does), the repository's state and policies, simulates those policies as
 * enforced, runs the preflight on the dump's `cilium-config`, builds each namespace's gate evidence and prints
 * the plan: waves, teams, each step's gate, its evidence, what unblocks it and the `tighten promote` command.
 */
import { isAbsolute, join, relative } from 'node:path';
import { readConfig } from '../../config/index.js';
import { namespaceDir, policyFileName, readRepository } from '../../gitops/index.js';
import { compileEvaluator } from '../../policy/evaluate/index.js';
import { identityContext } from '../../policy/endpoints.js';
import { decodePolicyObject, readPolicies, sanitizePolicies, type LoadedPolicy } from '../../policy/model/index.js';
import { simulate } from '../../policy/simulate.js';
import { renderPlan, type PlanFormat } from '../../report/plan.js';
import { checkPreflight, gateEvidence, planRollout, rolloutConfig, summarizePreflight, type GateEvidence, type PolicyValidation } from '../../rollout/index.js';
import type { WorkloadRef } from '../../cluster/index.js';
import type { ExitCode } from '../../shared/errors.js';
import { understand } from '../../understand/index.js';
import type { Io } from '../io.js';
import { readInventory } from '../sources.js';
import type { WindowOptions } from '../window.js';
import { evaluateOptionsOf } from '../../policy/cluster-options.js';

export interface PlanCommandOptions {
  readonly flows: readonly string[];
  /** A flow store (`tighten observe --store DIR`) to read instead of flows. */
  readonly store?: string;
  readonly cluster: readonly string[];
  readonly window: WindowOptions;
  /** @default the current directory */
  readonly repo?: string;
  /** Namespaces whose step decides the exit code. */
  readonly for: readonly string[];
  /** `--approve`: critical namespaces may enforce. */
  readonly approve: boolean;
  readonly ciliumVersion?: string;
  readonly output: PlanFormat;
  readonly quiet: boolean;
}

const errorMessage = (e: unknown): string => (e as Error).message.split('\n')[0] ?? String(e);

export async function planCommand(opts: PlanCommandOptions, io: Io): Promise<ExitCode> {
  const repo = opts.repo === undefined ? io.cwd : isAbsolute(opts.repo) ? opts.repo : join(io.cwd, opts.repo);
  const config = await readConfig(repo);
  const contents = await readRepository(repo);
  for (const w of contents.warnings) io.stderr.write(`warning: ${w}\n`);
  const { inventory, cluster } = await readInventory(
    { flows: opts.flows, ...(opts.store !== undefined ? { store: opts.store } : {}), cluster: opts.cluster, namespaces: [], window: opts.window, progress: !opts.quiet && opts.output !== 'json' },
    io,
  );
  const understanding = understand(inventory, cluster, config);
  const evaluate = evaluateOptionsOf(cluster, opts.ciliumVersion);
  const now = new Date(inventory.window.now ?? inventory.window.until ?? Date.now());

  // The namespaces of the rollout: those in the state, those with a folder, and those asked for.
  const folders = [...contents.files.keys()].flatMap((p) => (p.startsWith('namespaces/') ? [p.split('/')[1]!] : []));
  const inRepo = [...new Set([...Object.keys(contents.state.namespaces), ...folders])].sort();

  // The repository's policies, validated per namespace, then simulated as enforced.
  const sanitizeOptions = evaluate.ciliumVersion ? { ciliumVersion: evaluate.ciliumVersion } : {};
  const loaded = inRepo.length > 0 || contents.files.size > 0 ? await readPolicies([repo]) : [];
  const byNs = new Map<string, LoadedPolicy[]>();
  for (const p of loaded) {
    const ns = p.policy.metadata?.namespace ?? '';
    byNs.set(ns, [...(byNs.get(ns) ?? []), p]);
  }
  const validation: Record<string, PolicyValidation> = {};
  const candidate: LoadedPolicy[] = [];
  for (const [ns, ps] of byNs) {
    try {
      const s = sanitizePolicies(ps, sanitizeOptions);
      candidate.push(...s.policies);
      if (ns !== '') validation[ns] = { valid: true, problems: s.warnings.map((w) => `${w.policy.kind} ${w.policy.name}: ${w.path}: ${w.message}`) };
    } catch (e) {
      if (ns !== '') validation[ns] = { valid: false, problems: [errorMessage(e)] };
      else io.stderr.write(`warning: cluster-wide policies not used: ${errorMessage(e)}\n`);
    }
  }
  for (const ns of inRepo) validation[ns] ??= { valid: true, problems: [] };
  const existing = sanitizePolicies((cluster?.policies ?? []).map((p) => decodePolicyObject(p.object, { file: p.source })), sanitizeOptions);
  const simulation = simulate(
    { inventory, existing: existing.policies, candidate, identities: identityContext(cluster), options: evaluate, asEnforced: true, labelPriority: config.labels.priority },
    compileEvaluator,
  );

  const preflight = checkPreflight(cluster?.ciliumConfig, opts.ciliumVersion !== undefined ? { ciliumVersion: opts.ciliumVersion } : {});
  const hasFile = (w: WorkloadRef): boolean => {
    try {
      return contents.files.has(`${namespaceDir(w.namespace)}/${policyFileName(w.name)}`);
    } catch {
      return false;
    }
  };
  const workloadsWithoutPolicy = understanding.classifications.filter((c) => c.class === 'application' && !hasFile(c.workload)).map((c) => c.workload);
  const namespaceLabels = Object.fromEntries((cluster?.namespaces ?? []).map((n) => [n.name, n.labels]));
  const rc = rolloutConfig(config);
  for (const w of rc.warnings) io.stderr.write(`warning: ${w}\n`);
  const sources = { inventory, understanding, namespaceLabels, simulation, state: contents.state, preflight: summarizePreflight(preflight), workloadsWithoutPolicy, validation, approved: opts.approve };
  const evidence: Record<string, GateEvidence> = {};
  for (const ns of inRepo) evidence[ns] = gateEvidence(ns, sources, rc, now);
  const plan = planRollout([...inRepo, ...opts.for], evidence, contents.state, rc, now);

  const { output, exitCode } = renderPlan({ repo: relative(io.cwd, repo) || '.', plan, evidence, preflight, for: opts.for }, opts.output);
  io.stdout.write(output);
  return exitCode;
}
