/**
 * @module store/batch-state — what every store backend keeps of a batch besides its bucket rows, and how batches'
 * decode summaries add up: shared by the embedded store and the ClickHouse one. Pure.
 */
import type { EdgeState, InventoryState } from '../inventory/index.js';
import type { StoreSettings, StoredDecodeSummary } from './flow-store.js';

/** Decode errors kept over all batches of a store. */
const ERRORS_KEPT = 5;

export const EMPTY_STATE: InventoryState = {
  edges: [],
  workloads: [],
  namesByIp: [],
  pendingIdentities: [],
  identityWorkloads: [],
  notEdges: {},
  unresolvedExamples: [],
  unresolvedCount: 0,
  lostEvents: 0,
};

/** The state kept beside the bucket rows: edges are listed only for their summaries (drop reasons, L7), without buckets. */
export function metaState(state: InventoryState): InventoryState {
  const edges: EdgeState[] = [];
  for (const e of state.edges) {
    if (e.dropReasons === undefined && e.dns === undefined && e.http === undefined && e.l7Truncated === undefined) continue;
    edges.push({ ...e, buckets: [] });
  }
  return { ...state, edges };
}

export type MutableDecode = { -readonly [K in keyof StoredDecodeSummary]: StoredDecodeSummary[K] extends readonly (infer T)[] ? T[] : StoredDecodeSummary[K] };

export function emptyDecode(): MutableDecode {
  return { files: [], linesRead: 0, flows: 0, skipped: 0, ignored: 0, lostEvents: 0, errors: [] };
}

/** Adds a batch's decode summary to the store's. */
export function addDecode(into: MutableDecode, d: StoredDecodeSummary): void {
  into.files.push(...d.files);
  into.linesRead += d.linesRead;
  into.flows += d.flows;
  into.skipped += d.skipped;
  into.ignored += d.ignored;
  into.lostEvents += d.lostEvents;
  for (const e of d.errors) if (into.errors.length < ERRORS_KEPT) into.errors.push(e);
}

const HOUR_MS = 3_600_000;

/** What a compaction keeps, in hours since the epoch: both bounds fall on midnight UTC, so days roll up and go whole. */
export interface CompactionCutoffs {
  /** Hourly buckets of days before this hour are rolled up into one bucket per day. */
  readonly rollBeforeHour: number;
  /** Buckets starting before this hour are dropped. */
  readonly dropBeforeHour: number;
}

/**
 * The cutoffs of a compaction of a store whose newest flow is at `lastTime`: days that ended at least
 * `rollupAfterHours` before it are rolled up, days that ended at least `retentionHours` before it go.
 */
export function compactionCutoffs(lastTime: string, settings: Pick<StoreSettings, 'rollupAfterHours' | 'retentionHours'>): CompactionCutoffs {
  const lastHour = Math.floor(Date.parse(lastTime) / HOUR_MS);
  const midnightBefore = (hour: number): number => Math.floor(hour / 24) * 24;
  return { rollBeforeHour: midnightBefore(lastHour - settings.rollupAfterHours), dropBeforeHour: midnightBefore(lastHour - settings.retentionHours) };
}
