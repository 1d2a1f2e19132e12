/**
 * @module store/ingest — one ingest session: flows folded into an inventory builder, deduplicated by
 * their Hubble `uuid`, cut into batches for a {@link FlowStore}.
 *
 * Deduplication by uuid is bounded: a flow is dropped when a flow with the same uuid was stored or
 * seen within the horizon (in flow time) before the latest flow; beyond it a repeated uuid counts
 * again. Re-fed files are caught whole by their content hash instead (see `observe`).
 */
import type { ClusterSnapshot } from '../cluster/index.js';
import type { Flow, SourcePosition } from '../flows/index.js';
import { InventoryBuilder } from '../inventory/index.js';
import type { FileFingerprint, FollowPosition, IngestBatch, SeenUuid, StoredDecodeSummary } from './flow-store.js';

export interface IngestOptions {
  /** The cluster snapshot to resolve peers with. */
  readonly cluster?: ClusterSnapshot;
  /** Keep only edges with a workload in one of these namespaces at either end. @default all */
  readonly namespaces?: readonly string[];
  /** Uuids already stored (from `FlowStore.recentUuids`). */
  readonly known?: ReadonlyMap<string, number>;
  /** The deduplication horizon in ms of flow time. @default 600000 */
  readonly horizonMs?: number;
  /**
   * Keep batches' uuids in the store, for the next run to deduplicate against. A followed file needs
   * not: the next run resumes at the stored offset exactly, and a uuid per flow is most of what a
   * collector would send. Flows are deduplicated within the run either way. @default true
   */
  readonly storeUuids?: boolean;
}

/** Uuids with their flow time, forgetting those older than a horizon before the latest. */
class RecentUuids {
  readonly map = new Map<string, number>();
  private latest = Number.NEGATIVE_INFINITY;
  private added = 0;
  private readonly horizonMs: number;
  constructor(horizonMs: number) {
    this.horizonMs = horizonMs;
  }

  has(uuid: string): boolean {
    return this.map.has(uuid);
  }

  add(uuid: string, t: number): void {
    this.map.set(uuid, t);
    if (t > this.latest) this.latest = t;
    // Flows arrive roughly in time order, so the oldest entries are at the head of the map.
    if (++this.added % 4096 === 0) this.evict();
  }

  evict(): void {
    const from = this.latest - this.horizonMs;
    for (const [u, t] of this.map) {
      if (t >= from) break;
      this.map.delete(u);
    }
  }
}

/** Folds flows for a store, one batch at a time. */
export class FlowIngest {
  private readonly options: IngestOptions;
  private readonly horizonMs: number;
  private readonly seen: RecentUuids;
  private pending: RecentUuids;
  private builder: InventoryBuilder;
  /** The snapshot new batches resolve peers with ({@link setCluster} changes it), and the one the current batch uses. */
  private cluster: ClusterSnapshot | undefined;
  private builderCluster: ClusterSnapshot | undefined;
  /** Flows folded into the current batch. */
  flows = 0;
  /** Flows dropped as already stored or seen (same uuid), over the session. */
  duplicates = 0;
  /** Lost events reported by Hubble, over the session. */
  lostEvents = 0;
  /** The latest flow time of the session, ms. */
  lastFlowMs: number | undefined;

  constructor(options: IngestOptions = {}) {
    this.options = options;
    this.horizonMs = options.horizonMs ?? 600_000;
    this.seen = new RecentUuids(this.horizonMs);
    for (const [u, t] of options.known ?? []) this.seen.add(u, t);
    this.pending = new RecentUuids(this.horizonMs);
    this.cluster = options.cluster;
    this.builder = this.newBuilder();
  }

  /**
   * A newer cluster snapshot (a long-running observe watching the live cluster): the next batch resolves peers
   * with it, and stores it as the store's latest; the batch being folded keeps the one it started with.
   */
  setCluster(cluster: ClusterSnapshot): void {
    this.cluster = cluster;
  }

  /** Folds a flow unless its uuid was seen within the horizon; returns whether it was folded. */
  add(flow: Flow, at?: SourcePosition): boolean {
    const uuid = flow.uuid;
    if (uuid !== undefined) {
      if (this.seen.has(uuid) || this.pending.has(uuid)) {
        this.duplicates++;
        return false;
      }
      this.pending.add(uuid, flow.timeMs);
    }
    if (this.lastFlowMs === undefined || flow.timeMs > this.lastFlowMs) this.lastFlowMs = flow.timeMs;
    this.builder.add(flow, at);
    this.flows++;
    return true;
  }

  addLost(count: number): void {
    this.builder.addLost(count);
    this.lostEvents += count;
  }

  /** Edges in the current batch (for progress lines). */
  get edges(): number {
    return this.builder.edgeCount;
  }

  /**
   * Cuts the batch folded so far and starts a new one. Its uuids move to the seen set, so later
   * batches of the session are deduplicated against it too.
   */
  takeBatch(decode: StoredDecodeSummary, files: readonly FileFingerprint[] = [], follow?: FollowPosition): IngestBatch {
    const state = this.builder.exportState();
    this.pending.evict();
    const uuids: SeenUuid[] = [];
    const keep = this.options.storeUuids ?? true;
    for (const [uuid, timeMs] of this.pending.map) {
      if (keep) uuids.push({ uuid, timeMs });
      this.seen.add(uuid, timeMs);
    }
    this.pending = new RecentUuids(this.horizonMs);
    const cluster = this.builderCluster;
    this.builder = this.newBuilder();
    this.flows = 0;
    return {
      state,
      decode,
      files,
      uuids,
      ...(follow !== undefined ? { follow } : {}),
      ...(cluster !== undefined ? { cluster } : {}),
    };
  }

  private newBuilder(): InventoryBuilder {
    this.builderCluster = this.cluster;
    return new InventoryBuilder({
      ...(this.cluster !== undefined ? { cluster: this.cluster } : {}),
      ...(this.options.namespaces !== undefined && this.options.namespaces.length > 0 ? { namespaces: this.options.namespaces } : {}),
    });
  }
}
