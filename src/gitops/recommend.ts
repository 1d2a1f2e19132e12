/**
 * @module gitops/recommend — the whole of `recommend` once the inventory is read: the repository's state and
 * hand-written policies, the generated set, the plan, and the writes. For the `recommend` command and for
 * `tighten demo`, which writes the recommended repository of its sample.
 */
import type { ClusterSnapshot } from '../cluster/index.js';
import type { TightenConfig } from '../config/index.js';
import type { Inventory } from '../inventory/index.js';
import { existingPoliciesOf, generatePolicies, isManagedByTighten, type GenerateResult } from '../policy/generate/index.js';
import type { EvaluateOptions } from '../policy/evaluate/index.js';
import { sanitizePolicies, type LoadedPolicy } from '../policy/model/index.js';
import type { Understanding } from '../understand/index.js';
import { planRepository, type PolicyFormat, type RepoPlan } from './plan.js';
import { withStateLock } from './lock.js';
import { applyPlan, readRepository } from './repository.js';

export interface WriteRecommendationOptions {
  /** Namespaces to add to the rollout (to those of the state file). @default [] (a fresh repository: every application namespace) */
  readonly namespaces?: readonly string[];
  /** @default 'cilium' */
  readonly format?: PolicyFormat;
  /** Overwrite files a person edited. @default false */
  readonly force?: boolean;
  readonly evaluate?: EvaluateOptions;
  /** @default [] */
  readonly fqdnPatterns?: readonly string[];
}

export interface WrittenRecommendation {
  readonly result: GenerateResult;
  readonly plan: RepoPlan;
  /** Cluster policies and hand-written files that were not respected (they do not decode or validate), and repository files not read. */
  readonly warnings: readonly string[];
}

/**
 * Reads the repository `repo`, generates the set for the state's namespaces plus `namespaces` (respecting the
 * dump's policies and the repository's hand-written ones), plans the files and writes them, holding the state lock
 * (`tighten.state.lock`) from the read to the last write.
 */
export async function writeRecommendation(
  repo: string,
  inventory: Inventory,
  understanding: Understanding,
  cluster: ClusterSnapshot | undefined,
  config: TightenConfig,
  options: WriteRecommendationOptions = {},
): Promise<WrittenRecommendation> {
  const lockWarnings: string[] = [];
  return withStateLock(repo, () => writeLocked(repo, inventory, understanding, cluster, config, options, lockWarnings), { warn: (m) => lockWarnings.push(m) });
}

async function writeLocked(
  repo: string,
  inventory: Inventory,
  understanding: Understanding,
  cluster: ClusterSnapshot | undefined,
  config: TightenConfig,
  options: WriteRecommendationOptions,
  lockWarnings: readonly string[],
): Promise<WrittenRecommendation> {
  const contents = await readRepository(repo);
  const warnings: string[] = [...lockWarnings, ...contents.warnings];
  const sanitizeOptions = options.evaluate?.ciliumVersion ? { ciliumVersion: options.evaluate.ciliumVersion } : {};
  const fromCluster = existingPoliciesOf(cluster, sanitizeOptions);
  for (const p of fromCluster.problems) warnings.push(`cluster policy not respected: ${p}`);
  const handWritten: LoadedPolicy[] = [];
  for (const p of contents.handWrittenPolicies) {
    try {
      handWritten.push(...sanitizePolicies([p], sanitizeOptions).policies);
    } catch (e) {
      warnings.push(`${(e as Error).message.split('\n')[0]} (left out of the policies respected)`);
    }
  }
  const rollout = [...new Set([...Object.keys(contents.state.namespaces), ...(options.namespaces ?? [])])].sort();
  const result = generatePolicies(inventory, understanding, cluster, config, {
    ...(rollout.length > 0 ? { namespaces: rollout } : {}),
    existing: [...fromCluster.policies, ...handWritten.filter((p) => !isManagedByTighten(p))],
    ...(options.evaluate ? { evaluate: options.evaluate } : {}),
    fqdnPatterns: options.fqdnPatterns ?? [],
  });
  const plan = planRepository(result, contents, {
    ...(options.format ? { format: options.format } : {}),
    force: options.force ?? false,
    now: inventory.window.now ?? inventory.window.until ?? '',
  });
  await applyPlan(repo, plan);
  return { result, plan, warnings };
}
