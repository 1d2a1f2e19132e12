/**
 * @module flows/flow-source — where decoded flows go (a {@link FlowSink}) and where they come from
 * (a {@link FlowSource}), with the statistics a read produces.
 *
 * Modelled on the Hubble CLI's `IOReaderObserver`: a file reader implements the same interface a live
 * client will, so the core never knows whether flows came from a file, stdin or Hubble Relay.
 */
import type { Flow, LostEvents } from './flow.js';

/** Where a record came from: a file path as given (`<stdin>` for standard input) and a 1-based line. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
}

/**
 * Receives decoded records in input order. Called synchronously from the reader's loop, so a slow
 * sink slows reading down (back-pressure) rather than buffering flows in memory. A sink that throws
 * stops the read; the error propagates unchanged.
 */
export interface FlowSink {
  flow(flow: Flow, at: SourcePosition): void;
  /** Optional: `lost_events` records. When absent they are only counted in {@link DecodeStats}. */
  lost?(lost: LostEvents, at: SourcePosition): void;
}

/** A line that was skipped because it did not decode, and why. */
export interface DecodeIssue {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** What is wrong, without the file and line (e.g. `not JSON: Unexpected token …`). */
  readonly message: string;
}

/** Something about an input worth telling the user that did not stop the read. */
export interface DecodeWarning {
  readonly file: string;
  /** 1-based line; undefined when the warning is about the whole file (e.g. an empty file). */
  readonly line?: number;
  readonly message: string;
}

/** What a read saw. Counts cover every input read. */
export interface DecodeStats {
  /** Files read, in order (`<stdin>` for standard input); directories appear as their files. */
  readonly files: readonly string[];
  /** Lines read, blank ones included (so the last line number of a single file). */
  readonly linesRead: number;
  /** Flows delivered to the sink. */
  readonly flows: number;
  /** Malformed lines skipped: not JSON, not a Hubble record, or a flow without a usable time. */
  readonly skipped: number;
  /** Valid non-flow events skipped: `agent_event`, `debug_event`, `node_status`. */
  readonly ignored: number;
  /** `lost_events` records seen. */
  readonly lostEventRecords: number;
  /** Sum of their `num_events_lost`: events Hubble or Cilium could not deliver (a gap in the data). */
  readonly lostEvents: number;
  /** Bytes read from the inputs as stored (compressed size for gzip files). */
  readonly bytesRead: number;
  /** Bytes of JSON text after decompression. */
  readonly bytesDecoded: number;
  /** The first few skipped lines (`maxReportedErrors`), with file and line. */
  readonly errors: readonly DecodeIssue[];
  /** Things worth telling the user that did not stop the read, e.g. an empty file. */
  readonly warnings: readonly DecodeWarning[];
}

/** A snapshot of a read in progress, for a progress line on stderr. */
export interface ReadProgress {
  /** The file being read. */
  readonly file: string;
  readonly bytesRead: number;
  /** Total size of all input files as stored; undefined when stdin is among the inputs. */
  readonly totalBytes: number | undefined;
  readonly linesRead: number;
  readonly flows: number;
  /** Malformed lines skipped so far. */
  readonly skipped?: number;
  readonly elapsedMs: number;
}

/**
 * Anything that produces flows: files and stdin today, Hubble Relay later.
 * `run` resolves with the statistics once the source is exhausted, and rejects with
 * `signal.reason` when aborted.
 */
export interface FlowSource {
  /** Human-readable description of the source, e.g. the file names. */
  readonly name: string;
  run(sink: FlowSink, signal?: AbortSignal): Promise<DecodeStats>;
}
