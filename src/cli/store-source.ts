/**
 * @module cli/store-source — `--store DIR` (or `--store clickhouse://…`) on reading commands: the inventory read out of a flow store
 * (filled by `tighten observe`) instead of folded from `--flows`, with the store's latest cluster
 * snapshot unless `--cluster` (or `--kube`) is given. The same flows give the same inventory either way.
 */
import type { ClusterSnapshot } from '../cluster/index.js';
import { readClusterSource } from './cluster-source.js';
import type { Inventory } from '../inventory/index.js';
import { UsageError, formatLocation } from '../shared/errors.js';
import { openFlowStore } from '../store/index.js';
import type { Io } from './io.js';
import type { SourceOptions } from './sources.js';

/** Reads the inventory out of `opts.store`. @throws UsageError when flows are given too */
export async function readStoredInventory(opts: SourceOptions & { readonly store: string }, io: Io): Promise<{ inventory: Inventory; cluster: ClusterSnapshot | undefined }> {
  if (opts.flows.length > 0) throw new UsageError('pass either --flows or --store, not both: to add flows to the store, run `tighten observe --store DIR FILES…` first');
  const store = await openFlowStore(opts.store, { cwd: io.cwd });
  const given = await readClusterSource(opts, io);
  for (const w of given?.warnings ?? []) io.stderr.write(`warning: ${w.source ? `${w.source}: ` : ''}${w.message}\n`);
  // No command's output depends on hourly buckets: days (with their hours of traffic) suffice.
  const { inventory, cluster } = await store.readInventory({
    daysSuffice: true,
    ...(given ? { cluster: given } : {}),
    ...opts.window,
    ...(opts.namespaces.length > 0 ? { namespaces: opts.namespaces } : {}),
  });
  for (const e of inventory.decode.errors) io.stderr.write(`warning: ${formatLocation(e.file, e.line)}: skipped: ${e.message}\n`);
  return { inventory, cluster };
}
