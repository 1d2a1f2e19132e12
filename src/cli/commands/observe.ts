/**
 * @module cli/commands/observe — `tighten observe`: fold Hubble flows (files, directories, stdin, or a
 * followed exporter file) into the persistent flow inventory (`--store DIR`, default `.tighten/`),
 * with the cluster snapshot they were resolved with, so later commands read `--store` instead of
 * the flows and need no `--cluster`.
 */
import type { ClusterSnapshot } from '../../cluster/index.js';
import type { DecodeIssue } from '../../flows/index.js';
import { describeGap, readRelayOptions, relayFlowSource, type RelayFlags } from '../../relay/index.js';
import { readClusterSource, resolveKubeOptions, type KubeOptions } from '../cluster-source.js';
import { OBSERVE_FORMATS, renderObserve, type ObserveFormat } from '../../report/observe.js';
import { UsageError, formatLocation, type ExitCode } from '../../shared/errors.js';
import { DEFAULT_STORE_DIR, followIntoStore, ingestInputs, ingestSource, isClickHouseLocation, openFlowStore, type FlowStore, type ObserveOptions, type ObserveProgress, type ObserveSummary, type StoreSettings } from '../../store/index.js';
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
  /** Hubble Relay instead (`--relay HOST:PORT` and its TLS flags): followed until interrupted, unless `--last N`. */
  readonly relay?: RelayFlags | undefined;
  /** Read the cluster from the live API (`--kube`), kept current while a live source runs. */
  readonly kube?: KubeOptions | undefined;
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
  const sources = [opts.follow !== undefined, opts.inputs.length > 0, opts.relay !== undefined].filter(Boolean).length;
  if (sources > 1) throw new UsageError('observe reads one source per run: flow files (or -), --follow FILE, or --relay HOST:PORT');
  if (opts.follow === undefined && opts.inputs.length === 0 && opts.relay === undefined) {
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
    onServerRetry: (r) => io.stderr.write(`warning: ${r.reason}; retrying in ${Math.round(r.delayMs / 100) / 10} s\n`),
  });
  if (Object.keys(opts.settings).length > 0) await store.configure(opts.settings);
  let cluster: ClusterSnapshot | undefined;
  if (opts.cluster.length > 0 || opts.kube !== undefined) {
    cluster = await readClusterSource(opts, io);
    for (const w of cluster?.warnings ?? []) io.stderr.write(`warning: ${w.source ? `${w.source}: ` : ''}${w.message}\n`);
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
  // A live source with --kube: the cluster is watched meanwhile, and each newer snapshot resolves the next batches.
  const stopWatch = new AbortController();
  let watching: Promise<void> | undefined;
  const live = { ...common, ...(opts.kube !== undefined ? { onStart: (ingest: Parameters<NonNullable<ObserveOptions['onStart']>>[0]) => (watching = watchCluster(opts.kube!, ingest, stopWatch.signal, io)) } : {}) };
  let summary: ObserveSummary;
  try {
    summary =
      opts.relay !== undefined
        ? await observeRelay(store, opts.relay, opts, live, io)
        : opts.follow !== undefined
          ? await followIntoStore(store, opts.follow, live)
          : await ingestInputs(store, opts.inputs, { ...common, stdin: io.stdin });
  } finally {
    stopWatch.abort();
    await watching;
  }
  if (drawn && io.stderrIsTTY) io.stderr.write('\r\u001b[K');
  for (const e of summary.errors) io.stderr.write(`warning: ${formatLocation(e.file, e.line)}: skipped: ${e.message}\n`);
  if (summary.skipped > summary.errors.length) io.stderr.write(`warning: ${summary.skipped - summary.errors.length} more malformed line(s) skipped\n`);
  const { output, exitCode } = renderObserve(summary, opts.output);
  io.stdout.write(output);
  return exitCode;
}

/**
 * Hubble Relay into the store: followed (unless `--last N`), the chosen namespaces filtered by the Relay, gaps
 * (reconnect windows, lost events, unavailable nodes) told on stderr and stored with the batch they fall in.
 */
async function observeRelay(store: FlowStore, flags: RelayFlags, opts: ObserveCommandOptions, common: ObserveOptions, io: Io): Promise<ObserveSummary> {
  // A restarted observe resumes at the newest flow stored; what the Relay sends again is known by its uuid.
  const resumeAt = flags.last === undefined ? (await store.status()).lastTime : undefined;
  const relay = await readRelayOptions(flags, {
    follow: flags.last === undefined,
    ...(resumeAt !== undefined ? { since: resumeAt } : {}),
    ...(opts.namespaces.length > 0 ? { namespaces: opts.namespaces } : {}),
  });
  const notes: DecodeIssue[] = [];
  const source = relayFlowSource({
    ...relay,
    onGap: (g) => {
      const text = describeGap(g);
      io.stderr.write(`gap: ${text}\n`);
      notes.push({ file: relay.address, line: 0, message: `gap: ${text}` });
    },
    onRetry: (r) => io.stderr.write(`warning: Relay: ${r.reason}; retrying in ${Math.round(r.delayMs / 100) / 10} s\n`),
  });
  return ingestSource(store, source, { ...common, takeNotes: () => notes.splice(0) });
}

/** Keeps `ingest`'s cluster snapshot current from the live API until `signal` aborts; a failure is a warning. */
async function watchCluster(kube: KubeOptions, ingest: Parameters<NonNullable<ObserveOptions['onStart']>>[0], signal: AbortSignal, io: Io): Promise<void> {
  const { watchKubeCluster } = await import('../../kube/index.js');
  await watchKubeCluster({ ...resolveKubeOptions(kube, io.cwd), env: io.env, signal, onWarning: (w) => io.stderr.write(`warning: ${w.message}\n`) }, (snapshot) => ingest.setCluster(snapshot)).catch((e: unknown) => {
    if (!signal.aborted) io.stderr.write(`warning: watching the cluster stopped: ${(e as Error).message}; the last snapshot stays in use\n`);
  });
}
