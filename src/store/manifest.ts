/**
 * @module store/manifest — `manifest.json`, the one mutable file of a store: the segments that make up
 * the inventory (in ingest order), the files ingested (by content hash), where followed files were
 * read up to, the latest cluster snapshot and the settings. Replacing it (atomically) is what commits
 * an ingest or a compaction; segment files it does not name are not part of the store.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_STORE_SETTINGS, type FileFingerprint, type FollowPosition, type StoreSettings } from './flow-store.js';
import { StoreError } from './errors.js';
import { writeFileAtomic } from './files.js';

export const MANIFEST_FILE = 'manifest.json';
export const STORE_FORMAT = 'tighten-store';
export const STORE_VERSION = 1;

/** A segment as the manifest lists it. */
export interface SegmentRef {
  /** File stem under `segments/`: `<id>.json` (the state) and, when it has bucket rows, `<id>.parquet`. */
  readonly id: string;
  readonly flows: number;
  readonly bucketRows: number;
  readonly bytes: number;
  readonly firstTime?: string;
  readonly lastTime?: string;
}

/** A file ingested, and the segment its flows went into (which may since have been compacted away). */
export interface IngestedFile extends FileFingerprint {
  readonly segment: string;
}

export interface Manifest {
  readonly format: typeof STORE_FORMAT;
  readonly version: typeof STORE_VERSION;
  /** Incremented by every commit. */
  readonly generation: number;
  /** The number the next segment's id is made from. */
  readonly nextSegment: number;
  readonly segments: readonly SegmentRef[];
  readonly files: readonly IngestedFile[];
  readonly follow: readonly FollowPosition[];
  /** File name of the latest cluster snapshot under `clusters/`. */
  readonly cluster?: string;
  readonly settings: StoreSettings;
}

export const EMPTY_MANIFEST: Manifest = {
  format: STORE_FORMAT,
  version: STORE_VERSION,
  generation: 0,
  nextSegment: 1,
  segments: [],
  files: [],
  follow: [],
  settings: DEFAULT_STORE_SETTINGS,
};

/** Reads a store's manifest; an empty manifest when the store has none yet. */
export async function readManifest(dir: string): Promise<Manifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_MANIFEST;
    throw new StoreError(`${path}: cannot read the store's manifest (${(e as Error).message})`, path, { cause: e });
  }
  return decodeManifest(text, path);
}

/** Checks a manifest's text. @throws StoreError naming the file and what is wrong */
export function decodeManifest(text: string, path: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new StoreError(`${path}: corrupt store manifest, not JSON (${(cause as Error).message}); restore it from a backup, or move the store aside and ingest again`, path, { cause });
  }
  const bad = (what: string): never => {
    throw new StoreError(`${path}: not a tighten store manifest (${what}); restore it from a backup, or move the store aside and ingest again`, path);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('not an object');
  const m = raw as Record<string, unknown>;
  if (m.format !== STORE_FORMAT) return bad(`format is ${JSON.stringify(m.format)}, expected "${STORE_FORMAT}"`);
  if (typeof m.version !== 'number') return bad('no version');
  if (m.version > STORE_VERSION) throw new StoreError(`${path}: store version ${m.version} was written by a newer tighten (this one reads version ${STORE_VERSION}); upgrade tighten`, path);
  if (!Number.isSafeInteger(m.generation) || !Number.isSafeInteger(m.nextSegment)) return bad('generation or nextSegment is not a whole number');
  if (!Array.isArray(m.segments) || !Array.isArray(m.files) || !Array.isArray(m.follow)) return bad('segments, files or follow is not a list');
  for (const [i, s] of (m.segments as unknown[]).entries()) {
    const r = s as Record<string, unknown>;
    if (typeof r?.id !== 'string' || !/^seg-\d{8}$/.test(r.id) || typeof r.flows !== 'number' || typeof r.bucketRows !== 'number') return bad(`segments[${i}] is not a segment reference`);
  }
  for (const [i, f] of (m.files as unknown[]).entries()) {
    const r = f as Record<string, unknown>;
    if (typeof r?.sha256 !== 'string' || typeof r.name !== 'string' || typeof r.segment !== 'string') return bad(`files[${i}] is not an ingested file`);
  }
  if (m.cluster !== undefined && (typeof m.cluster !== 'string' || !/^[0-9a-f]{16,64}\.json$/.test(m.cluster))) return bad('cluster is not a snapshot file name');
  const settings = { ...DEFAULT_STORE_SETTINGS, ...(typeof m.settings === 'object' && m.settings !== null ? (m.settings as Partial<StoreSettings>) : {}) };
  for (const [k, v] of Object.entries(settings)) if (typeof v !== 'number' || !(v >= 0)) return bad(`settings.${k} is not a number`);
  return { ...(m as unknown as Manifest), settings };
}

/** Replaces the manifest atomically (the commit point of every change to a store). */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
}

/** `seg-00000042`. */
export const segmentId = (n: number): string => `seg-${String(n).padStart(8, '0')}`;
