/**
 * @module cli/sources — reads the sources a command names (`--flows`, `--cluster`) and folds flows
 * into an inventory: the shell around the inventory core, shared by every reading command.
 */
import type { ClusterSnapshot } from '../cluster/index.js';
import { readClusterSource, type KubeOptions } from './cluster-source.js';
import { readFlowInputs } from '../flows/index.js';
import { InventoryBuilder, type Inventory, type InventoryOptions } from '../inventory/index.js';
import { UsageError, formatLocation } from '../shared/errors.js';
import type { Io } from './io.js';
import { progressReporter } from './progress.js';
import { readStoredInventory } from './store-source.js';
import type { WindowOptions } from './window.js';

export interface SourceOptions {
  readonly flows: readonly string[];
  /** A flow store to read the inventory from instead of `flows` (`--store DIR`). */
  readonly store?: string;
  readonly cluster: readonly string[];
  /** Read the cluster from the live API (`--kube`) instead of `cluster`. */
  readonly kube?: KubeOptions;
  readonly namespaces: readonly string[];
  readonly window: WindowOptions;
  readonly progress: boolean;
}

/** Reads the cluster dump (when given) and the flows, and returns the folded inventory. */
export async function readInventory(opts: SourceOptions, io: Io): Promise<{ inventory: Inventory; cluster: ClusterSnapshot | undefined }> {
  if (opts.store !== undefined) return readStoredInventory({ ...opts, store: opts.store }, io);
  if (opts.flows.length === 0) throw new UsageError('no flows given: pass --flows FILE|DIR|- (Hubble JSON lines, e.g. from `hubble observe -o json`), or --store DIR (filled by `tighten observe`)');
  const cluster = await readClusterSource(opts, io);
  for (const w of cluster?.warnings ?? []) io.stderr.write(`warning: ${w.source ? `${w.source}: ` : ''}${w.message}\n`);
  const ignored = Object.entries(cluster?.ignoredKinds ?? {});
  if (ignored.length > 0) {
    io.stderr.write(`note: ignored ${ignored.map(([k, n]) => `${n} ${k}`).join(', ')} from the cluster dump\n`);
  }
  const builderOptions: InventoryOptions = {
    ...(cluster ? { cluster } : {}),
    ...opts.window,
    ...(opts.namespaces.length > 0 ? { namespaces: opts.namespaces } : {}),
  };
  const builder = new InventoryBuilder(builderOptions);
  const progress = progressReporter(io, opts.progress);
  const stats = await readFlowInputs(
    opts.flows,
    { flow: (f, at) => builder.add(f, at), lost: (l) => builder.addLost(l.numEventsLost) },
    { stdin: io.stdin, onProgress: progress.onProgress },
  );
  progress.done();
  for (const e of stats.errors) io.stderr.write(`warning: ${formatLocation(e.file, e.line)}: skipped: ${e.message}\n`);
  if (stats.skipped > stats.errors.length) io.stderr.write(`warning: ${stats.skipped - stats.errors.length} more malformed line(s) skipped\n`);
  for (const w of stats.warnings) io.stderr.write(`warning: ${formatLocation(w.file, w.line)}: ${w.message}\n`);
  const inventory = builder.finish({
    files: stats.files,
    linesRead: stats.linesRead,
    flows: stats.flows,
    skipped: stats.skipped,
    ignored: stats.ignored,
    lostEvents: stats.lostEvents,
    errors: stats.errors,
  });
  return { inventory, cluster };
}
