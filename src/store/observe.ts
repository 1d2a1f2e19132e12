/**
 * @module store/observe — feeds flows into a {@link FlowStore}: files, directories and stdin
 * ({@link ingestInputs}), a growing exporter file ({@link followIntoStore}), or a live source such as Hubble Relay
 * ({@link ingestSource}).
 *
 * Idempotency. A file whose content (SHA-256 of its bytes) is already stored is skipped whole; a flow
 * whose Hubble `uuid` was stored within the store's horizon is skipped; stdin and followed files are
 * committed in batches (every few seconds or flows), a followed file with the offset read up to, so a
 * restarted follow resumes where the last commit ended. Files are committed once, at the end: an
 * interrupted ingest of files stores nothing of them.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import type { ClusterSnapshot } from '../cluster/index.js';
import { LineSplitter, STDIN_NAME, decodeHubbleLine, listFlowInputs, readFlowInputs, type DecodeIssue, type DecodeStats, type FlowSource, type SourcePosition } from '../flows/index.js';
import { UsageError } from '../shared/errors.js';
import type { FileFingerprint, FlowStore, IngestBatch, StoreStatus, StoredDecodeSummary } from './flow-store.js';
import { tailFile, type TailEvent } from './follow.js';
import { FlowIngest } from './ingest.js';

export interface ObserveOptions {
  readonly cluster?: ClusterSnapshot;
  readonly namespaces?: readonly string[];
  /** Standard input, for the input `-`. */
  readonly stdin?: NodeJS.ReadableStream;
  /** Commit stdin's and a followed file's flows at least this often. @default 10000 */
  readonly flushMs?: number;
  /** … or after this many flows. @default 500000 */
  readonly flushFlows?: number;
  /** Called about once a second (`progressMs`). */
  readonly onProgress?: (p: ObserveProgress) => void;
  /** @default 1000 */
  readonly progressMs?: number;
  readonly signal?: AbortSignal;
  /** Receives the ingest of a live source (followed file, Relay), so a newer cluster snapshot can be handed to it. */
  readonly onStart?: (ingest: FlowIngest) => void;
}

/** A progress snapshot. */
export interface ObserveProgress {
  readonly flows: number;
  readonly flowsPerSecond: number;
  /** Edges of the batch not yet committed. */
  readonly edges: number;
  readonly bytesRead: number;
  /** Seconds between now and the latest flow's time (how far behind live traffic the store is); streams only. */
  readonly lagSeconds?: number | undefined;
  readonly lostEvents: number;
  readonly skipped: number;
  readonly duplicates: number;
  readonly commits: number;
  /** Follow only: what happened to the file lately. */
  readonly event?: TailEvent['kind'];
}

/** What an observe run did. */
export interface ObserveSummary {
  readonly inputs: readonly { readonly name: string; readonly stored: 'now' | 'already' }[];
  readonly flows: number;
  readonly duplicates: number;
  readonly skipped: number;
  readonly lostEvents: number;
  readonly commits: number;
  readonly errors: readonly DecodeIssue[];
  readonly store: StoreStatus;
}

const ERRORS_KEPT = 5;

/** SHA-256 of a file's bytes. */
export async function fingerprintFile(path: string, name = path): Promise<FileFingerprint> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), name, bytes };
}

/** Counters of what a batch's decode saw, for its stored decode summary. */
class DecodeTally {
  linesRead = 0;
  flows = 0;
  skipped = 0;
  ignored = 0;
  lostEvents = 0;
  errors: DecodeIssue[] = [];
  files: string[] = [];

  take(): StoredDecodeSummary {
    const d: StoredDecodeSummary = { files: this.files, linesRead: this.linesRead, flows: this.flows, skipped: this.skipped, ignored: this.ignored, lostEvents: this.lostEvents, errors: this.errors };
    this.linesRead = this.flows = this.skipped = this.ignored = this.lostEvents = 0;
    this.errors = [];
    this.files = [];
    return d;
  }
}

/**
 * Ingests files and directories, or `-` (stdin) alone. Files already stored (same content) are skipped;
 * the rest are committed as one batch at the end. Stdin is committed in batches while it is read (every
 * `flushMs` or `flushFlows`), since it cannot be read again, and once more when it ends or `signal`
 * aborts.
 * @throws UsageError when `-` is given with files
 */
export async function ingestInputs(store: FlowStore, inputs: readonly string[], options: ObserveOptions = {}): Promise<ObserveSummary> {
  const listed = await listFlowInputs(inputs);
  if (listed.includes('-') && listed.length > 1) {
    // Stdin is committed in batches as it is read, files all at once: mixed, an interruption could store part of a file.
    throw new UsageError('- (standard input) cannot be observed together with files in one run: run one observe per source');
  }
  const fingerprints: FileFingerprint[] = [];
  for (const i of listed) if (i !== '-') fingerprints.push(await fingerprintFile(i.path));
  const known = await store.knownFiles(fingerprints.map((f) => f.sha256));
  const seen = new Set<string>();
  const fresh: FileFingerprint[] = [];
  const report: { name: string; stored: 'now' | 'already' }[] = [];
  const toRead: string[] = [];
  let fp = 0;
  for (const i of listed) {
    if (i === '-') {
      toRead.push('-');
      report.push({ name: STDIN_NAME, stored: 'now' });
      continue;
    }
    const f = fingerprints[fp++]!;
    if (known.has(f.sha256) || seen.has(f.sha256)) {
      report.push({ name: f.name, stored: 'already' });
      continue;
    }
    seen.add(f.sha256);
    fresh.push(f);
    toRead.push(f.name);
    report.push({ name: f.name, stored: 'now' });
  }
  if (toRead.length === 0) {
    return { inputs: report, flows: 0, duplicates: 0, skipped: 0, lostEvents: 0, commits: 0, errors: [], store: await store.status() };
  }

  const ingest = new FlowIngest({ ...ingestOptions(options), known: await store.recentUuids(), horizonMs: (await store.settings()).uuidHorizonSeconds * 1000 });
  const streaming = toRead.includes('-');
  const tally = new DecodeTally();
  let commits = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const commit = (batch: IngestBatch): void => {
    queue = queue.then(async () => {
      await store.commit(batch);
      commits++;
    });
  };
  const flushMs = options.flushMs ?? 10_000;
  const flushFlows = options.flushFlows ?? 500_000;
  let lastFlush = Date.now();
  let totalFlows = 0;
  const started = Date.now();
  let lastProgress = started;
  let bytesRead = 0;
  let skippedSoFar = 0;

  const onFlow = (flow: Parameters<FlowIngest['add']>[0], at: SourcePosition): void => {
    totalFlows++;
    tally.flows++;
    ingest.add(flow, at);
    if ((totalFlows & 1023) !== 0) return;
    const now = Date.now();
    if (streaming && (now - lastFlush >= flushMs || ingest.flows >= flushFlows)) {
      lastFlush = now;
      commit(ingest.takeBatch(tally.take()));
    }
    if (options.onProgress && now - lastProgress >= (options.progressMs ?? 1000)) {
      lastProgress = now;
      const p = { ...progressOf(ingest, totalFlows, started, bytesRead, commits), skipped: skippedSoFar };
      // Lag says how far behind live traffic a stream is; for files it would only say how old they are.
      options.onProgress(streaming ? p : { ...p, lagSeconds: undefined });
    }
  };
  let stats: DecodeStats;
  try {
    stats = await readFlowInputs(
      toRead,
      { flow: onFlow, lost: (l) => { ingest.addLost(l.numEventsLost); tally.lostEvents += l.numEventsLost; } },
      { ...(options.stdin ? { stdin: options.stdin } : {}), ...(options.signal ? { signal: options.signal } : {}), onProgress: (p) => { bytesRead = p.bytesRead; skippedSoFar = p.skipped ?? 0; }, progressIntervalMs: 250 },
    );
  } catch (e) {
    await queue;
    if (!(streaming && options.signal?.aborted === true)) throw e;
    // Interrupted while reading standard input: what was read of it is committed, as a flush would have.
    commit(ingest.takeBatch({ ...tally.take(), files: [STDIN_NAME] }));
    await queue;
    return { inputs: report, flows: totalFlows - ingest.duplicates, duplicates: ingest.duplicates, skipped: 0, lostEvents: ingest.lostEvents, commits, errors: [], store: await store.status() };
  }
  await queue;
  // The last batch carries what the earlier ones did not: the rest of the counts, the file names, the errors.
  const decode: StoredDecodeSummary = {
    files: stats.files,
    linesRead: stats.linesRead,
    flows: tally.flows,
    skipped: stats.skipped,
    ignored: stats.ignored,
    lostEvents: tally.lostEvents,
    errors: stats.errors,
  };
  commit(ingest.takeBatch(decode, fresh));
  await queue;
  return {
    inputs: report,
    flows: totalFlows - ingest.duplicates,
    duplicates: ingest.duplicates,
    skipped: stats.skipped,
    lostEvents: stats.lostEvents,
    commits,
    errors: stats.errors.slice(0, ERRORS_KEPT),
    store: await store.status(),
  };
}

/**
 * Follows a growing file (a Hubble exporter file) into the store until `signal` aborts, committing a
 * batch with the offset read up to every `flushMs` or `flushFlows`, and once more at the end. Resumes
 * at the stored offset when the file is the one read before (same `dev:ino`, not shorter).
 */
export async function followIntoStore(store: FlowStore, path: string, options: ObserveOptions = {}): Promise<ObserveSummary> {
  const abs = resolve(path);
  const start = await store.followPosition(abs);
  const ingest = new FlowIngest({ ...ingestOptions(options), known: await store.recentUuids(), horizonMs: (await store.settings()).uuidHorizonSeconds * 1000, storeUuids: false });
  options.onStart?.(ingest);
  const tally = new DecodeTally();
  const errors: DecodeIssue[] = [];
  let skipped = 0;
  let lostEvents = 0;
  let totalFlows = 0;
  let bytesRead = 0;
  let commits = 0;
  let inode = '';
  let consumed = start?.offset ?? 0;
  let committedAt: { inode: string; offset: number } | undefined = start;
  let lastEvent: TailEvent['kind'] | undefined;
  let line = 0;
  const flushMs = options.flushMs ?? 10_000;
  const flushFlows = options.flushFlows ?? 500_000;
  const started = Date.now();
  let lastFlush = started;
  let lastProgress = started;

  const onLine = (text: string): void => {
    line++;
    tally.linesRead++;
    const d = decodeHubbleLine(text);
    if (d === undefined) return;
    switch (d.kind) {
      case 'flow':
        totalFlows++;
        tally.flows++;
        ingest.add(d.flow, { file: path, line });
        return;
      case 'lost':
        ingest.addLost(d.lost.numEventsLost);
        tally.lostEvents += d.lost.numEventsLost;
        lostEvents += d.lost.numEventsLost;
        return;
      case 'ignored':
        tally.ignored++;
        return;
      case 'error': {
        skipped++;
        tally.skipped++;
        const issue = { file: path, line, message: d.message };
        if (errors.length < ERRORS_KEPT) errors.push(issue);
        if (tally.errors.length < ERRORS_KEPT) tally.errors.push(issue);
        return;
      }
    }
  };
  let splitter = new LineSplitter(onLine);

  const flush = async (): Promise<void> => {
    if (tally.linesRead === 0 && committedAt?.inode === inode && committedAt.offset === consumed) return;
    const taken = tally.take();
    const decode = taken.linesRead > 0 ? { ...taken, files: [path] } : taken;
    const position = { path: abs, inode, offset: consumed };
    await store.commit(ingest.takeBatch(decode, [], position));
    committedAt = { inode, offset: consumed };
    commits++;
    lastFlush = Date.now();
  };
  const progress = (): void => {
    const now = Date.now();
    if (!options.onProgress || now - lastProgress < (options.progressMs ?? 1000)) return;
    lastProgress = now;
    options.onProgress({ ...progressOf(ingest, totalFlows, started, bytesRead, commits), skipped, lostEvents, ...(lastEvent ? { event: lastEvent } : {}) });
  };

  await tailFile(
    abs,
    {
      data(chunk, ino, offset) {
        inode = ino;
        bytesRead += chunk.length;
        const nl = chunk.lastIndexOf(10);
        splitter.push(chunk);
        if (nl >= 0) consumed = offset + nl + 1;
      },
      event(e) {
        lastEvent = e.kind;
        if (e.kind === 'waiting') return;
        // A new stream: a partial line left from the old one is completed as it is (and most likely skipped).
        if (e.kind !== 'opened') splitter.end();
        splitter = new LineSplitter(onLine);
        inode = e.inode;
        consumed = e.kind === 'opened' ? e.offset : 0;
        line = 0;
      },
    },
    {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(start !== undefined ? { start: { inode: start.inode, offset: start.offset } } : {}),
      pollMs: 200,
      checkpoint: async () => {
        if (Date.now() - lastFlush >= flushMs || ingest.flows >= flushFlows) await flush();
        progress();
      },
    },
  );
  if (inode !== '') await flush();
  return { inputs: [{ name: path, stored: 'now' }], flows: totalFlows - ingest.duplicates, duplicates: ingest.duplicates, skipped, lostEvents, commits, errors, store: await store.status() };
}

/** Options of {@link ingestSource}: those of observe, and what the source reported besides flows. */
export interface SourceIngestOptions extends ObserveOptions {
  /** Notes to store with the next batch (a live source's gaps: reconnect windows, unavailable nodes). */
  readonly takeNotes?: () => DecodeIssue[];
}

/**
 * Ingests a live {@link FlowSource} (Hubble Relay) until it ends or `signal` aborts, committing a batch every
 * `flushMs` (also while the stream is quiet) or `flushFlows`, and once more at the end. Flows seen before (same
 * `uuid` within the horizon, e.g. replayed on a reconnect) are not counted again.
 */
export async function ingestSource(store: FlowStore, source: FlowSource, options: SourceIngestOptions = {}): Promise<ObserveSummary> {
  const ingest = new FlowIngest({ ...ingestOptions(options), known: await store.recentUuids(), horizonMs: (await store.settings()).uuidHorizonSeconds * 1000 });
  options.onStart?.(ingest);
  const tally = new DecodeTally();
  let commits = 0;
  let totalFlows = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const flush = (): void => {
    const notes = options.takeNotes?.() ?? [];
    if (tally.linesRead === 0 && tally.flows === 0 && ingest.flows === 0 && notes.length === 0) return;
    const decode = tally.take();
    const batch = ingest.takeBatch({ ...decode, files: [source.name], errors: [...decode.errors, ...notes].slice(0, ERRORS_KEPT * 4) });
    queue = queue.then(async () => {
      await store.commit(batch);
      commits++;
    });
  };
  const flushMs = options.flushMs ?? 10_000;
  const flushFlows = options.flushFlows ?? 500_000;
  const started = Date.now();
  let lastFlush = started;
  let lastProgress = started;
  const tick = (): void => {
    const now = Date.now();
    if (now - lastFlush >= flushMs || ingest.flows >= flushFlows) {
      lastFlush = now;
      flush();
    }
    if (options.onProgress && now - lastProgress >= (options.progressMs ?? 1000)) {
      lastProgress = now;
      options.onProgress(progressOf(ingest, totalFlows, started, 0, commits));
    }
  };
  const timer = setInterval(tick, Math.min(1000, flushMs));
  let stats: DecodeStats | undefined;
  try {
    stats = await source.run(
      {
        flow: (flow, at) => {
          totalFlows++;
          tally.flows++;
          tally.linesRead++;
          ingest.add(flow, at);
          if ((totalFlows & 1023) === 0) tick();
        },
        lost: (l) => {
          ingest.addLost(l.numEventsLost);
          tally.lostEvents += l.numEventsLost;
        },
      },
      options.signal,
    );
  } catch (e) {
    if (options.signal?.aborted !== true) {
      clearInterval(timer);
      flush(); // what was read before the failure is kept
      await queue;
      throw e;
    }
  } finally {
    clearInterval(timer);
  }
  flush();
  await queue;
  return {
    inputs: [{ name: source.name, stored: 'now' }],
    flows: totalFlows - ingest.duplicates,
    duplicates: ingest.duplicates,
    skipped: stats?.skipped ?? 0,
    lostEvents: ingest.lostEvents,
    commits,
    errors: (stats?.errors ?? []).slice(0, ERRORS_KEPT),
    store: await store.status(),
  };
}

function ingestOptions(o: ObserveOptions): { cluster?: ClusterSnapshot; namespaces?: readonly string[] } {
  return { ...(o.cluster ? { cluster: o.cluster } : {}), ...(o.namespaces && o.namespaces.length > 0 ? { namespaces: o.namespaces } : {}) };
}

function progressOf(ingest: FlowIngest, flows: number, started: number, bytesRead: number, commits: number): ObserveProgress {
  const now = Date.now();
  const secs = Math.max((now - started) / 1000, 0.001);
  return {
    flows,
    flowsPerSecond: Math.round(flows / secs),
    edges: ingest.edges,
    bytesRead,
    ...(ingest.lastFlowMs !== undefined ? { lagSeconds: Math.max(0, (now - ingest.lastFlowMs) / 1000) } : {}),
    lostEvents: ingest.lostEvents,
    skipped: 0,
    duplicates: ingest.duplicates,
    commits,
  };
}
