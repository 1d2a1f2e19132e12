/**
 * @module flows/read — the I/O shell that reads Hubble JSON-lines inputs (files, directories, stdin;
 * plain or gzip) and pushes decoded flows to a {@link FlowSink}.
 *
 * Malformed lines among good ones are skipped and counted, as the Hubble CLI does; a file in which
 * every line fails, a truncated gzip stream, a missing path, or inputs without a single flow are
 * input errors ({@link InputError}), each naming the file and, where it helps, the line.
 */
import { createReadStream, type Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError, formatLocation } from '../shared/errors.js';
import { decodeHubbleLine } from './decode.js';
import type { DecodeIssue, DecodeStats, DecodeWarning, FlowSink, FlowSource, ReadProgress, SourcePosition } from './flow-source.js';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter, LineTooLongError } from './line-splitter.js';

/** Options of {@link readFlowInputs}. */
export interface ReadFlowOptions {
  /** Standard input, read for the input `-`. @default process.stdin */
  readonly stdin?: NodeJS.ReadableStream;
  /** Called at most about once a second while reading, for a progress line. @default none */
  readonly onProgress?: (progress: ReadProgress) => void;
  /** How many skipped lines are reported in {@link DecodeStats.errors} (all are counted). @default 5 */
  readonly maxReportedErrors?: number;
  /** Stops the read; it then rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
  /**
   * Read buffer size in bytes. At 1 MiB or more, Node hands ASCII chunks to V8 as external strings,
   * which makes line splitting several times faster. @default 1 MiB
   */
  readonly highWaterMark?: number;
  /** Longest accepted line in bytes; a longer one is an input error. @default 64 MiB */
  readonly maxLineBytes?: number;
  /** Minimum time between two `onProgress` calls. @default 1000 */
  readonly progressIntervalMs?: number;
}

/** The display name of standard input in positions, stats and messages. */
export const STDIN_NAME = '<stdin>';

const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
const FORMAT_HINT = 'expected JSON lines from `hubble observe -o jsonpb` or the Hubble exporter';

type Input = { readonly kind: 'file'; readonly path: string; readonly size: number } | { readonly kind: 'stdin' };

/** Mutable counters behind {@link DecodeStats}. */
interface Counters {
  linesRead: number;
  flows: number;
  skipped: number;
  ignored: number;
  lostEventRecords: number;
  lostEvents: number;
  bytesRead: number;
  bytesDecoded: number;
}

/** Failures of the byte stream itself, told apart from errors thrown by the sink. */
class StreamFailure extends Error {
  readonly kind: 'gzip' | 'read';
  constructor(kind: 'gzip' | 'read', cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.kind = kind;
  }
}

/**
 * Reads Hubble JSON lines from `inputs` and pushes every flow (and lost-events record) to `sink`,
 * in input order.
 *
 * - An input is a file, a directory (all non-hidden files below it, recursively, sorted by path) or
 *   `-` for standard input. Gzip is recognised by its magic bytes, whatever the file is called.
 * - Blank lines are skipped. Malformed lines are skipped and counted; the first few are reported in
 *   `errors` with file and line. `agent_event`, `debug_event` and `node_status` records are counted
 *   as `ignored`.
 * - An empty file is a warning.
 *
 * @throws InputError when an input does not exist or cannot be read; when a gzip stream is truncated
 *   or corrupt (records before the damage have already reached the sink); when a file has lines but
 *   every one of them failed to decode (it is not a Hubble flow file); and when all inputs together
 *   hold no flow and no lost-events record.
 */
export async function readFlowInputs(
  inputs: readonly string[],
  sink: FlowSink,
  options: ReadFlowOptions = {},
): Promise<DecodeStats> {
  if (inputs.length === 0) {
    throw new InputError('no flow inputs given: pass Hubble flow files, directories, or - for standard input');
  }
  const signal = options.signal;
  signal?.throwIfAborted();
  const warnings: DecodeWarning[] = [];
  const files = await expandInputs(inputs, warnings);
  signal?.throwIfAborted();

  const counters: Counters = {
    linesRead: 0,
    flows: 0,
    skipped: 0,
    ignored: 0,
    lostEventRecords: 0,
    lostEvents: 0,
    bytesRead: 0,
    bytesDecoded: 0,
  };
  const errors: DecodeIssue[] = [];
  const names: string[] = [];
  const maxReported = options.maxReportedErrors ?? 5;
  const totalBytes = files.some((f) => f.kind === 'stdin')
    ? undefined
    : files.reduce((sum, f) => sum + (f.kind === 'file' ? f.size : 0), 0);
  const started = performance.now();
  let lastProgress = started;
  const interval = options.progressIntervalMs ?? 1000;
  const onProgress = options.onProgress;

  for (const input of files) {
    const name = input.kind === 'stdin' ? STDIN_NAME : input.path;
    names.push(name);
    const linesBefore = counters.linesRead;
    const flowsBefore = counters.flows;
    const lostBefore = counters.lostEventRecords;
    const ignoredBefore = counters.ignored;
    const skippedBefore = counters.skipped;
    const decodedBefore = counters.bytesDecoded;
    let firstError: DecodeIssue | undefined;

    const onLine = (text: string, line: number): void => {
      const decoded = decodeHubbleLine(text);
      if (decoded === undefined) return;
      switch (decoded.kind) {
        case 'flow':
          counters.flows++;
          sink.flow(decoded.flow, { file: name, line });
          return;
        case 'lost':
          counters.lostEventRecords++;
          counters.lostEvents += decoded.lost.numEventsLost;
          sink.lost?.(decoded.lost, { file: name, line });
          return;
        case 'ignored':
          counters.ignored++;
          return;
        case 'error': {
          counters.skipped++;
          const issue: DecodeIssue = { file: name, line, message: decoded.message };
          firstError ??= issue;
          if (errors.length < maxReported) errors.push(issue);
          return;
        }
      }
    };
    const splitter = new LineSplitter(onLine, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
    const raw =
      input.kind === 'stdin'
        ? (options.stdin ?? process.stdin)
        : createReadStream(input.path, { highWaterMark: options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK });

    try {
      for await (const chunk of decompressed(raw, counters)) {
        signal?.throwIfAborted();
        counters.bytesDecoded += chunk.length;
        splitter.push(chunk);
        counters.linesRead = linesBefore + splitter.lines;
        if (onProgress !== undefined) {
          const now = performance.now();
          if (now - lastProgress >= interval) {
            lastProgress = now;
            onProgress({
              file: name,
              bytesRead: counters.bytesRead,
              totalBytes,
              linesRead: counters.linesRead,
              flows: counters.flows,
              skipped: counters.skipped,
              elapsedMs: now - started,
            });
          }
        }
      }
      splitter.end();
      counters.linesRead = linesBefore + splitter.lines;
    } catch (e) {
      counters.linesRead = linesBefore + splitter.lines;
      throw toInputError(e, name, splitter.lines);
    }

    const fileFlows = counters.flows - flowsBefore;
    const fileLost = counters.lostEventRecords - lostBefore;
    const fileIgnored = counters.ignored - ignoredBefore;
    const fileSkipped = counters.skipped - skippedBefore;
    if (fileFlows === 0 && fileLost === 0 && fileIgnored === 0 && firstError !== undefined) {
      const all = fileSkipped > 1 ? ` (all ${fileSkipped} non-blank lines failed to decode)` : '';
      throw new InputError(
        `${name} is not a Hubble flow file: line ${firstError.line}: ${firstError.message}${all}; ${FORMAT_HINT}`,
        { file: name, line: firstError.line },
      );
    }
    if (counters.bytesDecoded === decodedBefore) {
      warnings.push({ file: name, message: 'empty file' });
    } else if (fileFlows === 0) {
      const what =
        fileIgnored > 0 || fileLost > 0
          ? `only ${[plural(fileLost, 'lost-events record'), plural(fileIgnored, 'agent/debug/node-status event')].filter((s) => !s.startsWith('0 ')).join(' and ')}`
          : 'only blank lines';
      warnings.push({ file: name, message: `no flows, ${what}` });
    }
  }

  const stats: DecodeStats = { files: names, ...counters, errors, warnings };
  if (counters.flows === 0 && counters.lostEventRecords === 0) {
    const single = inputs.length === 1 && files.length === 1 ? names[0] : undefined;
    const shown = warnings
      .slice(0, 5)
      .map((w) => (w.file === single && w.line === undefined ? w.message : `${formatLocation(w.file, w.line)}: ${w.message}`));
    const more = warnings.length > 5 ? `; and ${warnings.length - 5} more` : '';
    const detail = shown.length > 0 ? ` (${shown.join('; ')}${more})` : '';
    throw new InputError(`no flows in ${describeInputs(inputs)}${detail}; ${FORMAT_HINT}`, {
      file: inputs.length === 1 ? inputs[0] : undefined,
    });
  }
  return stats;
}

/**
 * A {@link FlowSource} over files, directories and stdin: {@link readFlowInputs} behind the source
 * interface, so that live sources can be swapped in later.
 */
export function fileFlowSource(inputs: readonly string[], options: Omit<ReadFlowOptions, 'signal'> = {}): FlowSource {
  const list = [...inputs];
  return {
    name: describeInputs(list),
    run: (sink, signal) => readFlowInputs(list, sink, signal === undefined ? options : { ...options, signal }),
  };
}

// ---- inputs ---------------------------------------------------------------------------------

/**
 * The inputs {@link readFlowInputs} reads for `inputs`, in the order it reads them: files as given or
 * found in directories (with their size), and `-` for standard input.
 * @throws InputError as readFlowInputs does for a missing path
 */
export async function listFlowInputs(inputs: readonly string[]): Promise<({ readonly path: string; readonly size: number } | '-')[]> {
  return (await expandInputs(inputs, [])).map((i) => (i.kind === 'stdin' ? '-' : { path: i.path, size: i.size }));
}


async function expandInputs(inputs: readonly string[], warnings: DecodeWarning[]): Promise<Input[]> {
  const out: Input[] = [];
  let stdinSeen = false;
  for (const input of inputs) {
    if (input === '-') {
      if (stdinSeen) throw new InputError('standard input (-) is given more than once', { file: STDIN_NAME });
      stdinSeen = true;
      out.push({ kind: 'stdin' });
      continue;
    }
    const st = await statInput(input);
    if (!st.isDirectory()) {
      out.push({ kind: 'file', path: input, size: st.size });
      continue;
    }
    const found: Input[] = [];
    await walk(input, found, new Set([await realpath(input)]));
    if (found.length === 0) warnings.push({ file: input, message: 'directory has no (non-hidden) files' });
    found.sort((a, b) => {
      const pa = a.kind === 'file' ? a.path : '';
      const pb = b.kind === 'file' ? b.path : '';
      return pa < pb ? -1 : pa > pb ? 1 : 0;
    });
    out.push(...found);
  }
  return out;
}

async function statInput(path: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new InputError(
        `${path}: no such file or directory (expected a Hubble flow file, a directory of them, or - for standard input)`,
        { file: path },
        { cause: e },
      );
    }
    throw new InputError(`${path}: cannot read: ${errorMessage(e)}`, { file: path }, { cause: e });
  }
}

/** Collects the non-hidden files below `dir`, following symbolic links but never the same directory twice. */
async function walk(dir: string, out: Input[], seen: Set<string>): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new InputError(`${dir}: cannot read directory: ${errorMessage(e)}`, { file: dir }, { cause: e });
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory() || entry.isSymbolicLink()) {
      const st = await statInput(path);
      if (st.isDirectory()) {
        const real = await realpath(path);
        if (seen.has(real)) continue;
        seen.add(real);
        await walk(path, out, seen);
        continue;
      }
      out.push({ kind: 'file', path, size: st.size });
    } else if (entry.isFile()) {
      const st = await statInput(path);
      out.push({ kind: 'file', path, size: st.size });
    }
  }
}

// ---- bytes ----------------------------------------------------------------------------------

/**
 * Yields the text bytes of a stream, gunzipping it when it starts with the gzip magic bytes
 * (0x1f 0x8b). Counts the bytes read as stored in `counters.bytesRead`.
 */
async function* decompressed(raw: NodeJS.ReadableStream, counters: Counters): AsyncGenerator<Buffer> {
  const it = (raw as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const next = async (): Promise<Buffer | undefined> => {
    let r: IteratorResult<Buffer | string>;
    try {
      r = await it.next();
    } catch (e) {
      throw new StreamFailure('read', e);
    }
    if (r.done === true) return undefined;
    const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    counters.bytesRead += chunk.length;
    return chunk;
  };
  try {
    // The magic needs two bytes, and a stream may deliver one at a time.
    let head = await next();
    while (head !== undefined && head.length < 2) {
      const more = await next();
      if (more === undefined) break;
      head = Buffer.concat([head, more]);
    }
    if (head === undefined) return;
    if (!(head[0] === 0x1f && head[1] === 0x8b)) {
      yield head;
      for (let c = await next(); c !== undefined; c = await next()) yield c;
      return;
    }
    const first = head;
    const compressed = Readable.from(
      (async function* () {
        yield first;
        for (let c = await next(); c !== undefined; c = await next()) yield c;
      })(),
      { objectMode: false },
    );
    const gunzip = createGunzip({ chunkSize: DEFAULT_HIGH_WATER_MARK });
    pipeline(compressed, gunzip, () => {
      // Errors surface through the iteration below; pipeline only tears the streams down.
    });
    try {
      for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
    } catch (e) {
      throw e instanceof StreamFailure ? e : new StreamFailure('gzip', e);
    }
  } finally {
    await it.return?.();
  }
}

function toInputError(e: unknown, file: string, lastLine: number): unknown {
  if (e instanceof StreamFailure) {
    if (e.kind === 'gzip') {
      const code = (e.cause as NodeJS.ErrnoException | undefined)?.code;
      const what = code === 'Z_BUF_ERROR' ? 'truncated gzip stream' : 'corrupt gzip stream';
      const where = lastLine === 0 ? 'before the first line' : `after line ${lastLine}`;
      const kept = lastLine === 0 ? '' : ' the flows before it were read;';
      return new InputError(
        `${file}: ${what} ${where} (${e.message});${kept} re-copy or re-export the file to read the rest`,
        { file, line: lastLine },
        { cause: e.cause },
      );
    }
    return new InputError(`${file}: cannot read: ${e.message}`, { file }, { cause: e.cause });
  }
  if (e instanceof LineTooLongError) {
    return new InputError(
      `${formatLocation(file, e.line)}: line longer than ${e.limit} bytes; is this a Hubble JSON-lines file? (${FORMAT_HINT})`,
      { file, line: e.line },
      { cause: e },
    );
  }
  return e;
}

function describeInputs(inputs: readonly string[]): string {
  const named = inputs.map((i) => (i === '-' ? STDIN_NAME : i));
  return named.length <= 3 ? named.join(', ') : `${named.slice(0, 3).join(', ')} and ${named.length - 3} more`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
