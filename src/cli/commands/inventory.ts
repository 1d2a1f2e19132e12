/**
 * @module cli/commands/inventory — `tighten inventory`: who talks to whom, per namespace and
 * workload, ingress and egress apart; what each workload is; what will make policy hard to keep.
 */
import { readConfig } from '../../config/index.js';
import { INVENTORY_FORMATS, renderInventory, type InventoryFormat } from '../../report/inventory.js';
import type { ExitCode } from '../../shared/errors.js';
import { understand } from '../../understand/index.js';
import type { KubeOptions } from '../cluster-source.js';
import type { Io } from '../io.js';
import { readInventory } from '../sources.js';
import type { WindowOptions } from '../window.js';

export interface InventoryCommandOptions {
  readonly flows: readonly string[];
  /** A flow store (`tighten observe --store DIR`) to read instead of flows. */
  readonly store?: string;
  readonly cluster: readonly string[];
  /** Read the cluster from the live API (`--kube`) instead of `cluster`. */
  readonly kube?: KubeOptions;
  readonly namespaces: readonly string[];
  readonly window: WindowOptions;
  readonly output: InventoryFormat;
  readonly quiet: boolean;
  /** Where `tighten.yaml` is; @default the current directory. */
  readonly repo?: string;
}

export { INVENTORY_FORMATS };

export async function inventoryCommand(opts: InventoryCommandOptions, io: Io): Promise<ExitCode> {
  const config = await readConfig(opts.repo ?? io.cwd);
  const { inventory, cluster } = await readInventory(
    { flows: opts.flows, ...(opts.store !== undefined ? { store: opts.store } : {}), cluster: opts.cluster, kube: opts.kube, namespaces: opts.namespaces, window: opts.window, progress: !opts.quiet && opts.output !== 'json' },
    io,
  );
  const understanding = understand(inventory, cluster, config);
  const { output, exitCode } = renderInventory({ inventory, understanding }, opts.output);
  io.stdout.write(output);
  return exitCode;
}
