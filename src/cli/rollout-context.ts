/**
 * @module cli/rollout-context — everything `plan` and `promote` judge a step on, read once: the repository (its
 * configuration, state and policies, validated per namespace), the traffic and the cluster, the understanding, an
 * `--as-enforced` simulation of the repository's policies, the preflight on the dump's `cilium-config`, and each
 * rollout namespace's gate evidence. The shell around `rollout/`'s pure core.
 */
import { isAbsolute, join } from 'node:path';
import type { ClusterSnapshot, WorkloadRef } from '../cluster/index.js';
import { readConfig, type TightenConfig } from '../config/index.js';
import { namespaceDir, policyFileName, readRepository, type RepositoryContents } from '../gitops/index.js';
import type { Inventory } from '../inventory/index.js';
import { evaluateOptionsOf } from '../policy/cluster-options.js';
import { compileEvaluator, type EvaluateOptions } from '../policy/evaluate/index.js';
import { identityContext, type IdentityContext } from '../policy/endpoints.js';
import { decodePolicyObject, readPolicies, sanitizePolicies, type LoadedPolicy } from '../policy/model/index.js';
import { simulate, type SimulationReport } from '../policy/simulate.js';
import {
  checkPreflight,
  gateEvidence,
  rolloutConfig,
  summarizePreflight,
  type GateEvidence,
  type PolicyValidation,
  type PreflightResult,
  type RolloutConfig,
} from '../rollout/index.js';
import { understand, type Understanding } from '../understand/index.js';
import type { KubeOptions } from './cluster-source.js';
import type { Io } from './io.js';
import { readInventory } from './sources.js';
import type { WindowOptions } from './window.js';

/** What the rollout is judged from, as `plan`, `promote`, `rollback` and `serve` take it. */
export interface RolloutSources {
  readonly flows: readonly string[];
  /** A flow store to read the inventory from instead of `flows` (`--store DIR`). */
  readonly store?: string | undefined;
  readonly cluster: readonly string[];
  /** Read the cluster from the live API (`--kube`) instead of `cluster`. */
  readonly kube?: KubeOptions | undefined;
  readonly window: WindowOptions;
  /** @default the current directory */
  readonly repo?: string | undefined;
  readonly ciliumVersion?: string | undefined;
}

/** How to judge it. */
export interface RolloutReadOptions {
  /** `--approve`: critical namespaces may enforce. */
  readonly approve: boolean;
  /** Show progress on stderr while reading flows. */
  readonly progress: boolean;
}

export interface RolloutContext {
  /** The repository's folder, absolute. */
  readonly repo: string;
  readonly config: TightenConfig;
  readonly contents: RepositoryContents;
  readonly inventory: Inventory;
  readonly cluster: ClusterSnapshot | undefined;
  readonly understanding: Understanding;
  readonly evaluate: EvaluateOptions;
  readonly identities: IdentityContext;
  /** The cluster's own policies, sanitized. */
  readonly existing: readonly LoadedPolicy[];
  /** The reference time: the inventory's "now". */
  readonly now: Date;
  /** The namespaces of the rollout: in the state file or with a folder. */
  readonly namespaces: readonly string[];
  readonly simulation: SimulationReport;
  readonly preflight: PreflightResult;
  readonly rollout: RolloutConfig;
  readonly evidence: Readonly<Record<string, GateEvidence>>;
}

const errorMessage = (e: unknown): string => (e as Error).message.split('\n')[0] ?? String(e);

/** The repository's folder, absolute (`--repo`, else the current directory). */
export const repoDir = (repo: string | undefined, io: Io): string => (repo === undefined ? io.cwd : isAbsolute(repo) ? repo : join(io.cwd, repo));

export async function readRolloutContext(opts: RolloutSources, how: RolloutReadOptions, io: Io): Promise<RolloutContext> {
  const repo = repoDir(opts.repo, io);
  const config = await readConfig(repo);
  const contents = await readRepository(repo);
  for (const w of contents.warnings) io.stderr.write(`warning: ${w}\n`);
  const { inventory, cluster } = await readInventory({ flows: opts.flows, ...(opts.store !== undefined ? { store: opts.store } : {}), cluster: opts.cluster, kube: opts.kube, namespaces: [], window: opts.window, progress: how.progress }, io);
  const understanding = understand(inventory, cluster, config);
  const evaluate = evaluateOptionsOf(cluster, opts.ciliumVersion);
  const now = new Date(inventory.window.now ?? inventory.window.until ?? Date.now());

  const folders = [...contents.files.keys()].flatMap((p) => (p.startsWith('namespaces/') ? [p.split('/')[1]!] : []));
  const namespaces = [...new Set([...Object.keys(contents.state.namespaces), ...folders])].sort();

  // The repository's policies, validated per namespace, then simulated as enforced.
  const sanitizeOptions = evaluate.ciliumVersion ? { ciliumVersion: evaluate.ciliumVersion } : {};
  const loaded = namespaces.length > 0 || contents.files.size > 0 ? await readPolicies([repo]) : [];
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
  for (const ns of namespaces) validation[ns] ??= { valid: true, problems: [] };
  const existing = sanitizePolicies((cluster?.policies ?? []).map((p) => decodePolicyObject(p.object, { file: p.source })), sanitizeOptions).policies;
  const identities = identityContext(cluster);
  const simulation = simulate({ inventory, existing, candidate, identities, options: evaluate, asEnforced: true, labelPriority: config.labels.priority }, compileEvaluator);

  const preflight = checkPreflight(cluster?.ciliumConfig, {
    ...(opts.ciliumVersion !== undefined ? { ciliumVersion: opts.ciliumVersion } : {}),
    ...(cluster?.ciliumAgent !== undefined ? { ciliumAgent: cluster.ciliumAgent } : {}),
  });
  const hasFile = (w: WorkloadRef): boolean => {
    try {
      return contents.files.has(`${namespaceDir(w.namespace)}/${policyFileName(w.name)}`);
    } catch {
      return false;
    }
  };
  const workloadsWithoutPolicy = understanding.classifications.filter((c) => c.class === 'application' && !hasFile(c.workload)).map((c) => c.workload);
  const namespaceLabels = Object.fromEntries((cluster?.namespaces ?? []).map((n) => [n.name, n.labels]));
  const rollout = rolloutConfig(config);
  for (const w of rollout.warnings) io.stderr.write(`warning: ${w}\n`);
  const sources = { inventory, understanding, namespaceLabels, simulation, state: contents.state, preflight: summarizePreflight(preflight), workloadsWithoutPolicy, validation, approved: how.approve };
  const evidence: Record<string, GateEvidence> = {};
  // Acceptances expire on the calendar: judged at the clock (or --now), whatever the traffic's last flow.
  const acceptancesAt = opts.window.now !== undefined ? new Date(opts.window.now) : new Date();
  for (const ns of namespaces) evidence[ns] = { ...gateEvidence(ns, sources, rollout, now), acceptancesAt };
  return { repo, config, contents, inventory, cluster, understanding, evaluate, identities, existing, now, namespaces, simulation, preflight, rollout, evidence };
}
