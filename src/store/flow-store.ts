/**
 * @module store/flow-store — the flow inventory on disk behind one interface (PRODUCT.md §4): the
 * embedded store (DuckDB-written segment files in a directory) and the ClickHouse store (`clickhouse://…`).
 *
 * What is stored is the inventory builder's mergeable fold state ({@link InventoryState}), one batch
 * per ingest, never finished edges: a reader merges the batches and finishes the inventory itself,
 * so reading from a store gives the same inventory as folding the same flows from files.
 */
import type { ClusterSnapshot } from '../cluster/index.js';
import type { DecodeSummary, Inventory, InventoryOptions, InventoryState } from '../inventory/index.js';

/** An input file as ingested: its content hash (SHA-256 of the bytes as stored, gzip or not), name and size. */
export interface FileFingerprint {
  readonly sha256: string;
  /** The path as given on the command line (for messages and the decode summary). */
  readonly name: string;
  readonly bytes: number;
}

/** Where a followed file was read up to, so a restarted `observe --follow` resumes there. */
export interface FollowPosition {
  /** The file's absolute path. */
  readonly path: string;
  /** `dev:ino` of the file that was read: a different one at the path means it was rotated. */
  readonly inode: string;
  /** Bytes of it consumed (up to the end of the last complete line). */
  readonly offset: number;
}

/** A Hubble flow `uuid` seen recently, with its flow time, for deduplication across ingests. */
export interface SeenUuid {
  readonly uuid: string;
  readonly timeMs: number;
}

/** What one ingest adds to a store: committed all at once, or not at all. */
export interface IngestBatch {
  readonly state: InventoryState;
  /** What reading the inputs saw (lines, flows, skipped lines, lost events …). */
  readonly decode: StoredDecodeSummary;
  /** The files this batch read: a later batch with the same content is refused. */
  readonly files: readonly FileFingerprint[];
  /** Uuids of the batch's flows within the store's deduplication horizon of its last flow. */
  readonly uuids: readonly SeenUuid[];
  /** The followed file's position after this batch. */
  readonly follow?: FollowPosition;
  /** The cluster snapshot the flows were resolved with; becomes the store's latest. */
  readonly cluster?: ClusterSnapshot;
}

/** The decode summary a store keeps per batch (no `notEdges`: those are part of the state). */
export type StoredDecodeSummary = Omit<DecodeSummary, 'notEdges'>;

/** What committing a batch did. */
export interface CommitResult {
  /** The segment written; undefined when the batch was empty and nothing was written. */
  readonly segment?: string;
  /** True when the commit also compacted the store. */
  readonly compacted: boolean;
}

/** Options of reading an inventory out of a store: the inventory options, without the cluster by default. */
export interface StoreReadOptions extends Omit<InventoryOptions, 'cluster'> {
  /** The cluster to resolve identities with; @default the store's latest snapshot. */
  readonly cluster?: ClusterSnapshot;
  /**
   * The reader needs no hourly buckets: the store may hand them over rolled up into days (each edge's
   * flows, first and last seen, and hours with traffic stay the same; only its bucket list is
   * coarser), which is far less to read. The ClickHouse store does so on the server, window or not;
   * the embedded store in DuckDB, when the read has no window. @default false
   */
  readonly daysSuffice?: boolean;
}

/** An inventory read out of a store, with the cluster snapshot it was finished with. */
export interface StoredInventory {
  readonly inventory: Inventory;
  readonly cluster: ClusterSnapshot | undefined;
}

/** A store's settings, kept in the store. */
export interface StoreSettings {
  /** Days (UTC) that ended at least this long before the store's last flow are rolled up from hourly buckets into one each at compaction. @default 48 */
  readonly rollupAfterHours: number;
  /** Days that ended at least this long before the store's last flow are dropped at compaction. @default 720 (30 days) */
  readonly retentionHours: number;
  /** How far back (in flow time, from a batch's last flow) flow uuids are kept for deduplication. @default 600 */
  readonly uuidHorizonSeconds: number;
  /** A commit that leaves more segments than this compacts the store. @default 16 */
  readonly compactAfterSegments: number;
}

export const DEFAULT_STORE_SETTINGS: StoreSettings = { rollupAfterHours: 48, retentionHours: 720, uuidHorizonSeconds: 600, compactAfterSegments: 16 };

/** Figures about a store, for `observe`'s summary and the benches. */
export interface StoreStatus {
  readonly location: string;
  readonly segments: number;
  readonly files: number;
  /** Flows decoded into the store, over all batches. */
  readonly flows: number;
  /** Stored bucket rows (an edge's hour or day; in ClickHouse, as stored, before the server merges them all). */
  readonly bucketRows: number;
  readonly bytes: number;
  readonly firstTime?: string;
  readonly lastTime?: string;
  readonly settings: StoreSettings;
}

/**
 * The flow inventory on disk. Writers are serialised by the store (a process may wait for another's
 * commit); readers never wait and always see whole commits.
 */
export interface FlowStore {
  /** Where the store is, for messages (a directory, or a URL without its password). */
  readonly location: string;
  /** Which of these content hashes are already in the store. */
  knownFiles(sha256s: readonly string[]): Promise<ReadonlySet<string>>;
  /** Uuids of recently stored flows, for deduplication (bounded by the store's horizon; a ClickHouse store's, of this collector). */
  recentUuids(): Promise<ReadonlyMap<string, number>>;
  /** Where a followed file was read up to, if it was followed before. */
  followPosition(path: string): Promise<FollowPosition | undefined>;
  /** The latest cluster snapshot stored, if any. */
  latestCluster(): Promise<ClusterSnapshot | undefined>;
  /**
   * Adds a batch atomically: after a crash at any point the store holds either all of it or none of it.
   * @throws StoreError when one of its files was stored meanwhile by another process (nothing is added)
   */
  commit(batch: IngestBatch): Promise<CommitResult>;
  /** Merges the store's batches and finishes the inventory. */
  readInventory(options?: StoreReadOptions): Promise<StoredInventory>;
  /** Merges all segments into one, rolling up old hours into days and dropping what is past retention. */
  compact(): Promise<void>;
  status(): Promise<StoreStatus>;
  /** The store's settings (cheap, unlike {@link status}). */
  settings(): Promise<StoreSettings>;
  /** Changes settings (kept in the store). */
  configure(settings: Partial<StoreSettings>): Promise<StoreSettings>;
}
