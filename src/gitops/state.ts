/**
 * @module gitops/state — `tighten.state.yaml`, written only by tighten (PRODUCT.md §6): each namespace's stage
 * and its history, and the hash of every file tighten generated, so that a file a person edited is recognised and
 * not overwritten. Later stages add fields; fields this version does not know are kept as they are.
 */
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { isDns1123Label } from '../shared/dns-names.js';
import { GitopsStateError } from './errors.js';
import { renderYaml } from './yaml.js';

/** The file name, at the repository's root. */
export const STATE_FILE = 'tighten.state.yaml';
export const STATE_API_VERSION = 'tighten/v1alpha1';
export const STATE_KIND = 'State';

/**
 * Rollout stages. `observe`: policies written but not referenced by the root kustomization (nothing of the
 * namespace is applied); `audit`: applied with `enableDefaultDeny` false both ways (nothing new is dropped);
 * `enforce`: applied without it.
 */
export const STAGES = ['observe', 'audit', 'enforce'] as const;
export type Stage = (typeof STAGES)[number];

/** One stage change. `from` is omitted for the first stage of a namespace. */
export interface StageChange {
  readonly at: string;
  readonly from?: Stage;
  readonly to: Stage;
  readonly why: string;
  readonly by?: string;
  readonly forced?: boolean;
}

export interface NamespaceState {
  readonly stage: Stage;
  readonly history: readonly StageChange[];
}

export interface RepoState {
  readonly namespaces: Readonly<Record<string, NamespaceState>>;
  /** Repository-relative path (forward slashes) → `sha256:<hex>` of the bytes tighten last wrote there. */
  readonly files: Readonly<Record<string, string>>;
  /** Top-level fields of a later version, kept as read. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export const EMPTY_STATE: RepoState = { namespaces: {}, files: {} };

/** `sha256:<hex>` of a text's UTF-8 bytes. */
export function hashText(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

/** A repository-relative path tighten may write: forward slashes, no `..`, not absolute, no empty segment. */
export function isSafeRelativePath(p: string): boolean {
  if (p === '' || p.startsWith('/') || p.includes('\\') || p.includes('\0')) return false;
  return p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads the state file's text.
 * @throws GitopsStateError naming the file and the field, for anything tighten did not write
 */
export function decodeState(text: string, file: string): RepoState {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (cause) {
    throw new GitopsStateError(`${file}: not YAML (${(cause as Error).message.split('\n')[0]}); restore it from git (git checkout -- ${STATE_FILE})`, file, { cause });
  }
  if (raw === null || raw === undefined) return EMPTY_STATE;
  const bad = (what: string): never => {
    throw new GitopsStateError(`${file}: ${what}; this file is written by tighten only — restore it from git (git checkout -- ${STATE_FILE})`, file);
  };
  if (!isRecord(raw)) return bad('not a mapping');
  const { apiVersion, kind, namespaces, files, ...extra } = raw;
  if (apiVersion !== STATE_API_VERSION) bad(`apiVersion ${JSON.stringify(apiVersion)} is not ${STATE_API_VERSION}${typeof apiVersion === 'string' ? ' (written by another version of tighten?)' : ''}`);
  if (kind !== STATE_KIND) bad(`kind ${JSON.stringify(kind)} is not ${STATE_KIND}`);
  const ns: Record<string, NamespaceState> = {};
  if (namespaces !== undefined && namespaces !== null) {
    if (!isRecord(namespaces)) bad('namespaces is not a mapping');
    for (const [name, v] of Object.entries(namespaces as Record<string, unknown>)) {
      if (!isDns1123Label(name)) bad(`namespaces: ${JSON.stringify(name)} is not a namespace name (RFC 1123 label)`);
      if (!isRecord(v)) return bad(`namespaces.${name} is not a mapping`);
      if (!(STAGES as readonly unknown[]).includes(v.stage)) bad(`namespaces.${name}.stage ${JSON.stringify(v.stage)} is not one of ${STAGES.join(', ')}`);
      const history: StageChange[] = [];
      if (v.history !== undefined && !Array.isArray(v.history)) bad(`namespaces.${name}.history is not a list`);
      for (const [i, h] of ((v.history as unknown[] | undefined) ?? []).entries()) {
        const where = `namespaces.${name}.history[${i}]`;
        if (!isRecord(h)) return bad(`${where} is not a mapping`);
        if (typeof h.at !== 'string') bad(`${where}.at is not a time`);
        if (!(STAGES as readonly unknown[]).includes(h.to)) bad(`${where}.to ${JSON.stringify(h.to)} is not a stage`);
        if (h.from !== undefined && !(STAGES as readonly unknown[]).includes(h.from)) bad(`${where}.from ${JSON.stringify(h.from)} is not a stage`);
        history.push({
          at: h.at as string,
          ...(h.from !== undefined ? { from: h.from as Stage } : {}),
          to: h.to as Stage,
          why: typeof h.why === 'string' ? h.why : '',
          ...(typeof h.by === 'string' ? { by: h.by } : {}),
          ...(h.forced === true ? { forced: true } : {}),
        });
      }
      ns[name] = { stage: v.stage as Stage, history };
    }
  }
  const fs: Record<string, string> = {};
  if (files !== undefined && files !== null) {
    if (!isRecord(files)) bad('files is not a mapping');
    for (const [path, hash] of Object.entries(files as Record<string, unknown>)) {
      if (!isSafeRelativePath(path)) bad(`files: ${JSON.stringify(path)} is not a path inside the repository`);
      if (typeof hash !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(hash)) bad(`files.${path} is not a sha256 hash`);
      fs[path] = hash as string;
    }
  }
  return { namespaces: ns, files: fs, ...(Object.keys(extra).length > 0 ? { extra } : {}) };
}

const sortedRecord = <T>(r: Readonly<Record<string, T>>): Record<string, T> => Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The state as YAML: keys in a fixed order, namespaces and files sorted, one trailing newline. */
export function renderState(state: RepoState): string {
  const doc = {
    apiVersion: STATE_API_VERSION,
    kind: STATE_KIND,
    namespaces: sortedRecord(state.namespaces),
    files: sortedRecord(state.files),
    ...(state.extra !== undefined ? sortedRecord(state.extra) : {}),
  };
  return `# Written by tighten: stages, their history and the hashes of generated files. Do not edit by hand.\n${renderYaml(doc as unknown as Record<string, unknown>)}`;
}
