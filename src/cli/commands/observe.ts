/**
 * @module cli/commands/observe — `tighten observe`: fold Hubble flows (files, directories, stdin, or a
 * followed exporter file) into the persistent flow inventory (`--store DIR`, default `.tighten/`),
 * with the cluster snapshot they were resolved with, so later commands read `--store` instead of
 * the flows and need no `--cluster`.
 */
import { readCluster, type ClusterSnapshot } from '../../cluster/index.js';
import { OBSERVE_FORMATS, renderObserve, type ObserveFormat } from '../../report/observe.js';
import { UsageError, formatLocation, type ExitCode } from '../../shared/errors.js';
import { DEFAULT_STORE_DIR, followIntoStore, ingestInputs, isClickHouseLocation, openFlowStore, type ObserveProgress, type StoreSettings } from '../../store/index.js';
import type { Io } from '../io.js';

export { OBSERVE_FORMATS };

export interface ObserveCommandOptions {
  /** A directory or `clickhouse://…`. @default `.tighten` in the current directory */
  readonly store?: string;
  /** ClickHouse only: this collector's id in the batch ledger. @default the host name */
  readonly collectorId?: string;
  /** ClickHouse only: where batches wait while the server cannot be reached. @default under the OS temp dir */
  readonly spool?: string;
  /** Files, directories, `-` for stdin. */
  readonly inputs: readonly string[];
  /** A file to follow instead (a Hubble exporter file). */
  readonly follow?: string;
  readonly cluster: readonly string[];
  readonly namespaces: readonly string[];
  /** Commit a followed file's or stdin's flows at least this often. @default 10000 */
  readonly flushMs?: number;
  /** Settings to change in the store (kept there). */
  readonly settings: Partial<StoreSettings>;
  readonly output: ObserveFormat;
  readonly quiet: boolean;
  /** Ends `--follow` (and stdin) cleanly: the flows read so far are committed. */
  readonly signal?: AbortSignal;
}

export async function observeCommand(opts: ObserveCommandOptions, io: Io): Promise<ExitCode> {
  if (opts.follow === undefined && opts.inputs.length === 0) {
    throw new UsageError('nothing to observe: pass flow files or directories, - for standard input (hubble observe --follow -o json | tighten observe -), or --follow FILE for a Hubble exporter file');
  }
  if (opts.follow !== undefined && opts.inputs.length > 0) throw new UsageError('--follow FILE takes no other inputs: run one observe per source');
  if ((opts.collectorId !== undefined || opts.spool !== undefined) && !isClickHouseLocation(opts.store ?? DEFAULT_STORE_DIR)) {
    throw new UsageError('--collector-id and --spool are for a ClickHouse store (--store clickhouse://HOST:8123/DB); a directory store needs neither');
  }
  const store = await openFlowStore(opts.store ?? DEFAULT_STORE_DIR, {
    create: true,
    cwd: io.cwd,
    ...(opts.collectorId !== undefined ? { collectorId: opts.collectorId } : {}),
    ...(opts.spool !== undefined ? { spoolDir: opts.spool } : {}),
  });
  if (Object.keys(opts.settings).length > 0) await store.configure(opts.settings);
  let cluster: ClusterSnapshot | undefined;
  if (opts.cluster.length > 0) {
    cluster = await readCluster(opts.cluster);
    for (const w of cluster.warnings) io.stderr.write(`warning: ${w.source ? `${w.source}: ` : ''}${w.message}\n`);
  } else {
    cluster = await store.latestCluster();
  }
  const showProgress = !opts.quiet && opts.output !== 'json';
  let drawn = false;
  const onProgress = (p: ObserveProgress): void => {
    if (!showProgress) return;
    const parts = [
      `${p.flows.toLocaleString('en-US')} flows (${p.flowsPerSecond.toLocaleString('en-US')}/s)`,
      `${p.edges.toLocaleString('en-US')} edges pending`,
      ...(p.lagSeconds !== undefined ? [`lag ${p.lagSeconds < 100 ? p.lagSeconds.toFixed(1) : Math.round(p.lagSeconds).toLocaleString('en-US')}s`] : []),
      `${p.lostEvents.toLocaleString('en-US')} lost events`,
      `${p.skipped.toLocaleString('en-US')} skipped lines`,
      `${p.duplicates.toLocaleString('en-US')} duplicates`,
      `${p.commits} commits`,
      ...(p.event !== undefined && p.event !== 'opened' ? [`file ${p.event}`] : []),
    ];
    const line = `observe: ${parts.join(', ')}`;
    if (io.stderrIsTTY) io.stderr.write(`\r${line}\u001b[K`);
    else io.stderr.write(`${line}\n`);
    drawn = true;
  };
  const common = {
    ...(cluster ? { cluster } : {}),
    namespaces: opts.namespaces,
    ...(opts.flushMs !== undefined ? { flushMs: opts.flushMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    onProgress,
  };
  const summary =
    opts.follow !== undefined
      ? await followIntoStore(store, opts.follow, common)
      : await ingestInputs(store, opts.inputs, { ...common, stdin: io.stdin });
  if (drawn && io.stderrIsTTY) io.stderr.write('\r\u001b[K');
  for (const e of summary.errors) io.stderr.write(`warning: ${formatLocation(e.file, e.line)}: skipped: ${e.message}\n`);
  if (summary.skipped > summary.errors.length) io.stderr.write(`warning: ${summary.skipped - summary.errors.length} more malformed line(s) skipped\n`);
  const { output, exitCode } = renderObserve(summary, opts.output);
  io.stdout.write(output);
  return exitCode;
}
