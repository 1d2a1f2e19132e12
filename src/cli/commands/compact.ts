/**
 * @module cli/commands/compact — `tighten compact`: rolls a flow store's old hours up into days and drops
 * what is past retention, now rather than when the store would on its own. The embedded store also
 * compacts as it grows; a ClickHouse store compacts only here (run it on a schedule: one runs at a time).
 */
import { renderCompaction, type ObserveFormat } from '../../report/observe.js';
import type { ExitCode } from '../../shared/errors.js';
import { DEFAULT_STORE_DIR, openFlowStore, type StoreSettings } from '../../store/index.js';
import type { Io } from '../io.js';

export interface CompactCommandOptions {
  /** A directory or `clickhouse://…`. @default `.tighten` in the current directory */
  readonly store?: string;
  /** Settings to change first (kept in the store). */
  readonly settings: Partial<StoreSettings>;
  readonly output: ObserveFormat;
}

export async function compactCommand(opts: CompactCommandOptions, io: Io): Promise<ExitCode> {
  const store = await openFlowStore(opts.store ?? DEFAULT_STORE_DIR, { cwd: io.cwd });
  if (Object.keys(opts.settings).length > 0) await store.configure(opts.settings);
  const before = await store.status();
  await store.compact();
  const { output, exitCode } = renderCompaction({ before, after: await store.status() }, opts.output);
  io.stdout.write(output);
  return exitCode;
}
