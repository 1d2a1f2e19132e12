/**
 * @module understand/understand — the "understand" step in one call: classify every workload, find the
 * hygiene, boundary, coverage and ownership issues, and name each namespace's owning team (pure).
 */
import type { ClusterSnapshot } from '../cluster/index.js';
import type { TightenConfig } from '../config/index.js';
import type { Finding, Inventory } from '../inventory/index.js';
import { classifyWorkloads, type WorkloadClassification } from './classify.js';
import { findIssues, teamsByNamespace } from './findings/index.js';

/** What the understand step found. */
export interface Understanding {
  /** Every workload of the inventory, in (namespace, name, kind) order. */
  readonly classifications: readonly WorkloadClassification[];
  /** Sorted: severity (error first), code, subject. Does not repeat the inventory's own `input-*` findings. */
  readonly findings: readonly Finding[];
  /** Owning team per namespace (the dump's, the configured and the inventory's namespaces); undefined when none. */
  readonly teams: Readonly<Record<string, string | undefined>>;
}

/**
 * Classifies, finds issues and maps teams.
 * @param now the reference time (RFC 3339); @default the inventory's `window.now`
 */
export function understand(inventory: Inventory, cluster: ClusterSnapshot | undefined, config: TightenConfig, now?: string): Understanding {
  const classifications = classifyWorkloads(inventory, cluster, config);
  return {
    classifications,
    findings: findIssues(inventory, cluster, classifications, config, now ?? inventory.window.now),
    teams: teamsByNamespace(cluster, config, inventory.workloads.map((w) => w.namespace)),
  };
}
