/**
 * @module cli/commands/demo — `tighten demo`: generate the bundled sample cluster and its traffic,
 * run the inventory on it, and print what a newcomer should see first.
 */
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { readConfig } from '../../config/index.js';
import { renderDemoSummary } from '../../report/demo.js';
import { renderInventory } from '../../report/inventory.js';
import type { SampleSizeName } from '../../sample/index.js';
import { writeSample } from '../../sample/write.js';
import { EXIT, type ExitCode } from '../../shared/errors.js';
import { understand } from '../../understand/index.js';
import type { Io } from '../io.js';
import { readInventory } from '../sources.js';

export interface DemoCommandOptions {
  /** @default 'tighten-demo' in the current directory */
  readonly dir?: string;
  readonly size: SampleSizeName;
  readonly seed: number;
  readonly quiet: boolean;
}

export async function demoCommand(opts: DemoCommandOptions, io: Io): Promise<ExitCode> {
  const dir = join(io.cwd, opts.dir ?? 'tighten-demo');
  const say = (line: string) => {
    if (!opts.quiet) io.stderr.write(`${line}\n`);
  };
  say(`Generating the sample cluster (size ${opts.size}, seed ${opts.seed}) into ${dir} …`);
  const written = await writeSample(dir, { size: opts.size, seed: opts.seed }, {
    onProgress: (n) => say(`  ${n.toLocaleString('en-US')} flows written`),
  });
  say('Folding the flows into the inventory …');
  const config = await readConfig(dir);
  const { inventory, cluster } = await readInventory(
    { flows: [written.flowsFile], cluster: [written.clusterFile], namespaces: [], window: {}, progress: !opts.quiet },
    io,
  );
  const understanding = understand(inventory, cluster, config);
  const inventoryFile = join(dir, 'inventory.json');
  await writeFile(inventoryFile, renderInventory({ inventory, understanding }, 'json').output);
  const rel = (p: string) => relative(io.cwd, p) || '.';
  io.stdout.write(
    renderDemoSummary(inventory, understanding, {
      dir: rel(dir),
      clusterFile: rel(written.clusterFile),
      flowsFile: rel(written.flowsFile),
      inventoryFile: rel(inventoryFile),
      flowLines: written.flows,
    }),
  );
  return EXIT.ok;
}
