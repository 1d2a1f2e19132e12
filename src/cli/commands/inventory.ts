/**
 * @module cli/commands/inventory — `tighten inventory`: who talks to whom, per namespace and
 * workload, ingress and egress apart.
 */
import { INVENTORY_FORMATS, renderInventory, type InventoryFormat } from '../../report/inventory.js';
import type { ExitCode } from '../../shared/errors.js';
import type { Io } from '../io.js';
import { readInventory } from '../sources.js';
import type { WindowOptions } from '../window.js';

export interface InventoryCommandOptions {
  readonly flows: readonly string[];
  readonly cluster: readonly string[];
  readonly namespaces: readonly string[];
  readonly window: WindowOptions;
  readonly output: InventoryFormat;
  readonly quiet: boolean;
}

export { INVENTORY_FORMATS };

export async function inventoryCommand(opts: InventoryCommandOptions, io: Io): Promise<ExitCode> {
  const { inventory } = await readInventory(
    { flows: opts.flows, cluster: opts.cluster, namespaces: opts.namespaces, window: opts.window, progress: !opts.quiet && opts.output !== 'json' },
    io,
  );
  const { output, exitCode } = renderInventory(inventory, opts.output);
  io.stdout.write(output);
  return exitCode;
}
