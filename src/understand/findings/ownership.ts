/**
 * @module understand/findings/ownership — which team owns each namespace (for plans grouped by team and
 * for reviews), and namespaces that name none (pure).
 */
import type { ClusterSnapshot } from '../../cluster/index.js';
import type { TightenConfig } from '../../config/index.js';
import type { Finding, Inventory } from '../../inventory/index.js';
import type { WorkloadClassification } from '../classify.js';
import { compareStrings } from '../facts.js';

/**
 * The owning team of each namespace: `teams.namespaces` in tighten.yaml, else the Namespace's label named by
 * `teams.namespaceLabel` (default `team`), else undefined. Keys are the dump's namespaces, the configured
 * ones and `namespaces`, sorted.
 * @param namespaces further namespaces to include (e.g. those of the inventory when there is no dump)
 */
export function teamsByNamespace(
  cluster: ClusterSnapshot | undefined,
  config: TightenConfig,
  namespaces: Iterable<string> = [],
): Record<string, string | undefined> {
  const labels = new Map((cluster?.namespaces ?? []).map((n) => [n.name, n.labels]));
  const names = new Set<string>([...labels.keys(), ...Object.keys(config.teams.namespaces), ...namespaces]);
  const out: Record<string, string | undefined> = {};
  for (const ns of [...names].sort(compareStrings)) {
    const label = labels.get(ns)?.[config.teams.namespaceLabel];
    out[ns] = config.teams.namespaces[ns] ?? (label !== undefined && label.trim() !== '' ? label : undefined);
  }
  return out;
}

/** `ownership-no-team` (info) for each namespace with application or batch workloads and no owning team. */
export function findOwnershipIssues(
  inventory: Inventory,
  cluster: ClusterSnapshot | undefined,
  classifications: readonly WorkloadClassification[],
  config: TightenConfig,
): Finding[] {
  const owned = new Set(classifications.filter((c) => c.class === 'application' || c.class === 'batch').map((c) => c.workload.namespace));
  const teams = teamsByNamespace(cluster, config, inventory.workloads.map((w) => w.namespace));
  const label = config.teams.namespaceLabel;
  return [...owned]
    .sort(compareStrings)
    .filter((ns) => teams[ns] === undefined)
    .map((ns) => ({
      code: 'ownership-no-team',
      severity: 'info',
      subject: { namespace: ns },
      message: `Namespace ${ns} names no owning team: label it (kubectl label namespace ${ns} ${label}=<team>) or map it under teams.namespaces in tighten.yaml, so that plans group its changes by team and reviews reach the right people.`,
    }));
}
