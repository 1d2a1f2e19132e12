/**
 * @module store/embedded — the embedded {@link FlowStore}: a directory of immutable segment files
 * written by DuckDB, listed by one manifest.
 *
 * ```
 * DIR/manifest.json            segments in ingest order, files ingested (SHA-256), follow positions, settings
 * DIR/segments/<id>.parquet    bucket rows of one ingest (or compaction)
 * DIR/segments/<id>.json       the rest of its fold state, its decode summary, recent flow uuids
 * DIR/clusters/<sha>.json      cluster snapshots; the manifest names the latest
 * DIR/lock                     present while a writer commits
 * ```
 *
 * DuckDB locks a database file to one process, so the store keeps no database file: each process
 * opens an in-memory DuckDB to write or read segment files. Writers take the lock only to commit
 * (write a segment, then replace the manifest atomically); readers never lock: they read the
 * manifest and the segments it names, and re-read the manifest when a compaction removed a segment
 * under them. A writer killed at any point leaves the previous manifest, hence the previous store;
 * files it wrote that no manifest names are removed by the next commit.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ClusterSnapshot } from '../cluster/index.js';
import { InventoryBuilder, rollUpState, type InventoryState } from '../inventory/index.js';
import { StoreError } from './errors.js';
import { writeFileAtomic } from './files.js';
import {
  type CommitResult,
  type FlowStore,
  type FollowPosition,
  type IngestBatch,
  type StoreReadOptions,
  type StoreSettings,
  type StoreStatus,
  type StoredInventory,
} from './flow-store.js';
import { withWriterLock, type LockOptions } from './lock.js';
import { MANIFEST_FILE, readManifest, segmentId, writeManifest, type Manifest, type SegmentRef } from './manifest.js';
import { SEGMENT_DIR, SEGMENT_FORMAT, readBuckets, readSegmentMeta, segmentPaths, writeSegment, type SegmentMeta } from './segment.js';
import { EMPTY_STATE, addDecode, compactionCutoffs, emptyDecode, metaState } from './batch-state.js';

const CLUSTER_DIR = 'clusters';

export interface OpenStoreOptions {
  /** Create the directory when it does not exist (writers); readers want an existing store. @default false */
  readonly create?: boolean;
  readonly lock?: LockOptions;
}

/**
 * Opens the store in `dir`.
 * @throws StoreError when it does not exist and `create` is false, or `dir` is not a store
 */
export async function openStore(dir: string, options: OpenStoreOptions = {}): Promise<EmbeddedStore> {
  const location = resolve(dir);
  const st = await stat(location).catch(() => undefined);
  if (st === undefined) {
    if (!options.create) throw new StoreError(`${dir}: no flow store here; fill one first with \`tighten observe --store ${dir} FILES…\``, dir);
    await mkdir(join(location, SEGMENT_DIR), { recursive: true });
  } else if (!st.isDirectory()) {
    throw new StoreError(`${dir}: not a directory; --store names the directory a flow store is kept in`, dir);
  } else if (!options.create && (await stat(join(location, MANIFEST_FILE)).catch(() => undefined)) === undefined) {
    throw new StoreError(`${dir}: no flow store here (no ${MANIFEST_FILE}); fill one first with \`tighten observe --store ${dir} FILES…\``, dir);
  } else {
    await mkdir(join(location, SEGMENT_DIR), { recursive: true }).catch(() => undefined);
  }
  return new EmbeddedStore(location, options.lock ?? {});
}

export class EmbeddedStore implements FlowStore {
  readonly location: string;
  private readonly lockOptions: LockOptions;

  constructor(location: string, lockOptions: LockOptions) {
    this.location = location;
    this.lockOptions = lockOptions;
  }

  async knownFiles(sha256s: readonly string[]): Promise<ReadonlySet<string>> {
    const m = await readManifest(this.location);
    const stored = new Set(m.files.map((f) => f.sha256));
    return new Set(sha256s.filter((s) => stored.has(s)));
  }

  async recentUuids(): Promise<ReadonlyMap<string, number>> {
    return this.readWithRetry(async (m) => {
      const out = new Map<string, number>();
      const last = lastTimeOf(m.segments);
      if (last === undefined) return out;
      const from = Date.parse(last) - m.settings.uuidHorizonSeconds * 1000;
      for (const s of m.segments) {
        if (s.lastTime === undefined || Date.parse(s.lastTime) < from) continue;
        const meta = await readSegmentMeta(this.location, s.id);
        for (const [u, t] of meta.uuids) if (t >= from) out.set(u, t);
      }
      return out;
    });
  }

  async followPosition(path: string): Promise<FollowPosition | undefined> {
    const m = await readManifest(this.location);
    return m.follow.find((f) => f.path === resolve(path));
  }

  async latestCluster(): Promise<ClusterSnapshot | undefined> {
    return this.clusterOf(await readManifest(this.location));
  }

  async commit(batch: IngestBatch): Promise<CommitResult> {
    return withWriterLock(
      this.location,
      async () => {
        const m = await readManifest(this.location);
        const stored = new Set(m.files.map((f) => f.sha256));
        const again = batch.files.find((f) => stored.has(f.sha256));
        if (again !== undefined) {
          throw new StoreError(`${again.name}: was stored by another run while this one read it; nothing of this run was stored (run it again to ingest the other inputs)`, again.name);
        }
        const id = segmentId(m.nextSegment);
        let cluster = m.cluster;
        let clusterHash: string | undefined;
        if (batch.cluster !== undefined) {
          const text = `${JSON.stringify(batch.cluster)}\n`;
          clusterHash = createHash('sha256').update(text).digest('hex');
          cluster = `${clusterHash.slice(0, 32)}.json`;
          const path = join(this.location, CLUSTER_DIR, cluster);
          if ((await stat(path).catch(() => undefined)) === undefined) {
            await mkdir(join(this.location, CLUSTER_DIR), { recursive: true });
            await writeFileAtomic(path, text);
          }
        }
        const times = timeRange(batch.state);
        const meta: SegmentMeta = {
          format: SEGMENT_FORMAT,
          version: 1,
          id,
          state: metaState(batch.state),
          decode: batch.decode,
          uuids: batch.uuids.map((u) => [u.uuid, u.timeMs] as const),
          ...(clusterHash !== undefined ? { cluster: clusterHash } : {}),
        };
        const { bytes, bucketRows } = await writeSegment(this.location, meta, batch.state.edges);
        const ref: SegmentRef = { id, flows: batch.decode.flows, bucketRows, bytes, ...times };
        const follow = batch.follow;
        let next: Manifest = {
          ...m,
          generation: m.generation + 1,
          nextSegment: m.nextSegment + 1,
          segments: [...m.segments, ref],
          files: [...m.files, ...batch.files.map((f) => ({ ...f, segment: id }))],
          follow: follow === undefined ? m.follow : [...m.follow.filter((f) => f.path !== follow.path), follow],
          ...(cluster !== undefined ? { cluster } : {}),
        };
        await writeManifest(this.location, next);
        await this.removeUnreferenced(next);
        let compacted = false;
        if (next.segments.length > next.settings.compactAfterSegments) {
          next = await this.compactLocked(next);
          compacted = true;
        }
        return { segment: id, compacted };
      },
      this.lockOptions,
    );
  }

  async readInventory(options: StoreReadOptions = {}): Promise<StoredInventory> {
    return this.readWithRetry(async (m) => {
      const cluster = options.cluster ?? (await this.clusterOf(m));
      const builder = new InventoryBuilder({ ...options, ...(cluster ? { cluster } : {}) });
      const decode = emptyDecode();
      for (const s of m.segments) {
        const meta = await readSegmentMeta(this.location, s.id);
        builder.mergeState(meta.state);
        addDecode(decode, meta.decode);
      }
      // Days suffice only without a window: the builder cuts a window per bucket it is given.
      const days = options.daysSuffice === true && options.since === undefined && options.until === undefined && options.sinceMs === undefined;
      const edges = await readBuckets(this.location, m.segments.filter((s) => s.bucketRows > 0).map((s) => s.id), { days });
      builder.mergeState({ ...EMPTY_STATE, edges });
      return { inventory: builder.finish(decode), cluster };
    });
  }

  async compact(): Promise<void> {
    await withWriterLock(this.location, async () => {
      await this.compactLocked(await readManifest(this.location));
    }, this.lockOptions);
  }

  async status(): Promise<StoreStatus> {
    const m = await readManifest(this.location);
    let bytes = 0;
    for (const dir of ['', SEGMENT_DIR, CLUSTER_DIR]) {
      for (const name of await readdir(join(this.location, dir)).catch(() => [] as string[])) {
        const st = await stat(join(this.location, dir, name)).catch(() => undefined);
        if (st?.isFile()) bytes += st.size;
      }
    }
    const first = m.segments.map((s) => s.firstTime).filter((t): t is string => t !== undefined).sort()[0];
    const last = lastTimeOf(m.segments);
    return {
      location: this.location,
      segments: m.segments.length,
      files: m.files.length,
      flows: m.segments.reduce((n, s) => n + s.flows, 0),
      bucketRows: m.segments.reduce((n, s) => n + s.bucketRows, 0),
      bytes,
      ...(first !== undefined ? { firstTime: first } : {}),
      ...(last !== undefined ? { lastTime: last } : {}),
      settings: m.settings,
    };
  }

  async settings(): Promise<StoreSettings> {
    return (await readManifest(this.location)).settings;
  }

  async configure(settings: Partial<StoreSettings>): Promise<StoreSettings> {
    return withWriterLock(this.location, async () => {
      const m = await readManifest(this.location);
      const next = { ...m.settings, ...settings };
      if (JSON.stringify(next) !== JSON.stringify(m.settings) || m.generation === 0) {
        await writeManifest(this.location, { ...m, generation: m.generation + 1, settings: next });
      }
      return next;
    }, this.lockOptions);
  }

  /**
   * Merges every segment into one (in ingest order, so first-seen values stay first), rolls the days
   * past the rollup age into daily buckets, drops days past retention and uuids past the horizon,
   * swaps the manifest, and only then removes the old segments.
   */
  private async compactLocked(m: Manifest): Promise<Manifest> {
    if (m.segments.length === 0) return m;
    const builder = new InventoryBuilder({});
    const decode = emptyDecode();
    const uuids = new Map<string, number>();
    let clusterHash: string | undefined;
    for (const s of m.segments) {
      const meta = await readSegmentMeta(this.location, s.id);
      builder.mergeState(meta.state);
      addDecode(decode, meta.decode);
      for (const [u, t] of meta.uuids) uuids.set(u, t);
      clusterHash = meta.cluster ?? clusterHash;
    }
    builder.mergeState({ ...EMPTY_STATE, edges: await readBuckets(this.location, m.segments.filter((s) => s.bucketRows > 0).map((s) => s.id)) });
    const merged = builder.exportState();
    const last = merged.lastTime ?? lastTimeOf(m.segments);
    const cut = last === undefined ? undefined : compactionCutoffs(last, m.settings);
    const state = cut === undefined ? merged : rollUpState(merged, cut.rollBeforeHour, cut.dropBeforeHour);
    const from = last === undefined ? 0 : Date.parse(last) - m.settings.uuidHorizonSeconds * 1000;
    const id = segmentId(m.nextSegment);
    const meta: SegmentMeta = {
      format: SEGMENT_FORMAT,
      version: 1,
      id,
      state: metaState(state),
      decode,
      uuids: [...uuids].filter(([, t]) => t >= from),
      ...(clusterHash !== undefined ? { cluster: clusterHash } : {}),
    };
    const { bytes, bucketRows } = await writeSegment(this.location, meta, state.edges);
    const times = timeRange(state);
    const next: Manifest = {
      ...m,
      generation: m.generation + 1,
      nextSegment: m.nextSegment + 1,
      segments: [{ id, flows: m.segments.reduce((n, s) => n + s.flows, 0), bucketRows, bytes, ...times }],
    };
    await writeManifest(this.location, next);
    await this.removeUnreferenced(next);
    return next;
  }

  /** Removes segment files no manifest names: those compacted away and those of writers that died. Holds the lock. */
  private async removeUnreferenced(m: Manifest): Promise<void> {
    const keep = new Set(m.segments.map((s) => s.id));
    for (const name of await readdir(join(this.location, SEGMENT_DIR)).catch(() => [] as string[])) {
      const stem = name.replace(/\..*$/, '');
      if (!keep.has(stem)) await rm(join(this.location, SEGMENT_DIR, name), { force: true });
    }
  }

  private async clusterOf(m: Manifest): Promise<ClusterSnapshot | undefined> {
    if (m.cluster === undefined) return undefined;
    const path = join(this.location, CLUSTER_DIR, m.cluster);
    try {
      return JSON.parse(await readFile(path, 'utf8')) as ClusterSnapshot;
    } catch (cause) {
      throw new StoreError(`${path}: the store's cluster snapshot cannot be read (${(cause as Error).message}); pass --cluster, or observe again with --cluster`, path, { cause });
    }
  }

  /** Runs a read against the current manifest, again against a newer one if a segment vanished under it (a compaction). */
  private async readWithRetry<T>(read: (m: Manifest) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const m = await readManifest(this.location);
      try {
        return await read(m);
      } catch (e) {
        if (!(e instanceof StoreError) || attempt >= 4) throw e;
        const now = await readManifest(this.location);
        if (now.generation === m.generation) throw e;
      }
    }
  }
}



function timeRange(state: InventoryState): { firstTime?: string; lastTime?: string } {
  let first: string | undefined;
  for (const e of state.edges) for (const b of e.buckets) if (first === undefined || b.first < first) first = b.first;
  return { ...(first !== undefined ? { firstTime: first } : {}), ...(state.lastTime !== undefined ? { lastTime: state.lastTime } : {}) };
}

function lastTimeOf(segments: readonly SegmentRef[]): string | undefined {
  let last: string | undefined;
  for (const s of segments) if (s.lastTime !== undefined && (last === undefined || s.lastTime > last)) last = s.lastTime;
  return last;
}




