/**
 * @module gitops/state — `tighten.state.yaml`, written only by tighten (PRODUCT.md §6): each namespace's stage (with
 * the directions enforced ahead of the other, and optionally each workload's own stage) and its history, the
 * would-be drops a person accepted (each with an expiry), and the hash of every file tighten generated, so that a
 * file a person edited is recognised and not overwritten. Fields this version does not know are kept as they are.
 *
 * The file carries a `version` (files without one are version 1, as the first `recommend` wrote them); older
 * versions are migrated on read ({@link migrateState}) and written back at {@link STATE_VERSION}. A file that does
 * not validate is a {@link GitopsStateError} naming the file, the line and the field.
 */
import { createHash } from 'node:crypto';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { isDns1123Label, isDns1123Subdomain } from '../shared/dns-names.js';
import { GitopsStateError } from './errors.js';
import { renderYaml } from './yaml.js';

/** The file name, at the repository's root. */
export const STATE_FILE = 'tighten.state.yaml';
export const STATE_API_VERSION = 'tighten/v1alpha1';
export const STATE_KIND = 'State';
/** The version this tighten writes. 1: stages, history, files (no `version` field); 2: adds `version`, `enforced`, `workloads`, `acceptances`, history `directions`. */
export const STATE_VERSION = 2;

/**
 * Rollout stages. `observe`: policies written but not referenced by the root kustomization (nothing of the
 * namespace is applied); `audit`: applied with `enableDefaultDeny` false both ways (nothing new is dropped);
 * `enforce`: applied without it.
 */
export const STAGES = ['observe', 'audit', 'enforce'] as const;
export type Stage = (typeof STAGES)[number];

/** Policy directions (as `rollout/stages.ts` names them). */
export const DIRECTIONS = ['ingress', 'egress'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** One stage change. `from` is omitted for the first stage of a namespace. */
export interface StageChange {
  readonly at: string;
  readonly from?: Stage;
  readonly to: Stage;
  readonly why: string;
  readonly by?: string;
  readonly forced?: boolean;
  /** The directions that moved, when not both (`from` and `to` are namespace-level stages). */
  readonly directions?: readonly Direction[];
}

export interface NamespaceState {
  readonly stage: Stage;
  /** Directions enforced ahead of the other while `stage` is `audit` (rollout's `positionOf`). Omitted when none. */
  readonly enforced?: readonly Direction[];
  /** Workloads with a stage of their own, by workload name. Omitted when none. */
  readonly workloads?: Readonly<Record<string, Stage>>;
  readonly history: readonly StageChange[];
}

/** A would-be drop a person accepted: it does not block enforcement of `namespace` until `expires` (RFC 3339). */
export interface AcceptanceRecord {
  readonly namespace: string;
  /** The would-be drop's key (`<direction> <source> -> <destination> <protocol>/<port>`). */
  readonly key: string;
  readonly reason: string;
  readonly expires: string;
  readonly by?: string;
}

export interface RepoState {
  readonly namespaces: Readonly<Record<string, NamespaceState>>;
  /** Repository-relative path (forward slashes) → `sha256:<hex>` of the bytes tighten last wrote there. */
  readonly files: Readonly<Record<string, string>>;
  /** Accepted would-be drops. Omitted (or empty) when none. */
  readonly acceptances?: readonly AcceptanceRecord[];
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

/** RFC 3339 date-time (`2026-11-26T10:00:00Z`, `…T10:00:00.123+01:00`), and a real instant. */
export function isRfc3339(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s));
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The version a parsed document declares: 1 without a `version` field. @throws GitopsStateError (via `bad`) */
function versionOf(raw: Record<string, unknown>, bad: (path: readonly (string | number)[], what: string) => never): number {
  const v = raw.version;
  if (v === undefined) return 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return bad(['version'], `version ${JSON.stringify(v)} is not a positive whole number`);
  if (v > STATE_VERSION) return bad(['version'], `version ${v} is newer than this tighten reads (${STATE_VERSION}): upgrade tighten`);
  return v;
}

/** One step per version: the document of version `n` (a key) to version `n + 1`. Operate on plain parsed YAML. */
const MIGRATIONS: Readonly<Record<number, (doc: Record<string, unknown>) => Record<string, unknown>>> = {
  // 1 → 2: a version field; the new fields are all optional (no direction enforced ahead, no workload stage, nothing accepted).
  1: (doc) => ({ ...doc, version: 2 }),
};

/**
 * Brings a parsed state document from `from` (its {@link versionOf}; 1 when it has no `version`) to
 * {@link STATE_VERSION}. Pure; the keys it keeps are the ones read, so validation can still point at their lines.
 */
export function migrateState(doc: Record<string, unknown>, from = typeof doc.version === 'number' ? doc.version : 1): Record<string, unknown> {
  let out = doc;
  for (let v = from; v < STATE_VERSION; v++) {
    const step = MIGRATIONS[v];
    if (step === undefined) throw new GitopsStateError(`no migration of tighten.state.yaml from version ${v}`);
    out = step(out);
  }
  return out;
}

/** The 1-based line of `path` in the document (the value's, else its key's, else the nearest parent's). */
function lineOf(contents: YamlNode | null | undefined, path: readonly (string | number)[], counter: LineCounter): number | undefined {
  let node: unknown = contents;
  let line: number | undefined = node && (node as YamlNode).range ? counter.linePos((node as YamlNode).range![0]).line : undefined;
  for (const seg of path) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (pair === undefined) break;
      if (isScalar(pair.key) && pair.key.range) line = counter.linePos(pair.key.range[0]).line;
      next = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') next = node.items[seg];
    else break;
    if (next === null || next === undefined) break;
    // A mapping's value that is itself a collection starts on the key's line (or the next one): keep the key's.
    const range = (next as YamlNode).range;
    if (range && !(isMap(node) && (isMap(next) || isSeq(next)))) line = counter.linePos(range[0]).line;
    node = next;
  }
  return line;
}

/**
 * Reads the state file's text, migrating an older version to the current one.
 * @throws GitopsStateError naming the file, the line and the field, for anything tighten did not write
 */
export function decodeState(text: string, file: string): RepoState {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? counter.linePos(e.pos[0]).line;
    throw new GitopsStateError(`${file}${line !== undefined ? `:${line}` : ''}: not YAML (${e.message.split('\n')[0]}); restore it from git (git checkout -- ${STATE_FILE})`, file, { cause: e }, line);
  }
  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined) return EMPTY_STATE;
  const bad = (path: readonly (string | number)[], what: string): never => {
    const line = lineOf(doc.contents as YamlNode | null, path, counter);
    throw new GitopsStateError(`${file}${line !== undefined ? `:${line}` : ''}: ${what}; this file is written by tighten only — restore it from git (git checkout -- ${STATE_FILE})`, file, undefined, line);
  };
  if (!isRecord(raw)) return bad([], 'not a mapping');
  if (raw.apiVersion !== STATE_API_VERSION) bad(['apiVersion'], `apiVersion ${JSON.stringify(raw.apiVersion)} is not ${STATE_API_VERSION}${typeof raw.apiVersion === 'string' ? ' (written by another version of tighten?)' : ''}`);
  if (raw.kind !== STATE_KIND) bad(['kind'], `kind ${JSON.stringify(raw.kind)} is not ${STATE_KIND}`);
  const migrated = migrateState(raw, versionOf(raw, bad));
  const { apiVersion: _a, kind: _k, version: _v, namespaces, files, acceptances, ...extra } = migrated;
  const isStage = (v: unknown): v is Stage => (STAGES as readonly unknown[]).includes(v);

  const directions = (v: unknown, path: (string | number)[]): Direction[] => {
    if (!Array.isArray(v)) return bad(path, `${path.join('.')} is not a list of directions`);
    for (const [i, d] of v.entries()) if (!(DIRECTIONS as readonly unknown[]).includes(d)) bad([...path, i], `${path.join('.')}[${i}] ${JSON.stringify(d)} is not one of ${DIRECTIONS.join(', ')}`);
    if (new Set(v).size !== v.length) bad(path, `${path.join('.')} lists a direction twice`);
    return DIRECTIONS.filter((d) => v.includes(d));
  };

  const ns: Record<string, NamespaceState> = {};
  if (namespaces !== undefined && namespaces !== null) {
    if (!isRecord(namespaces)) bad(['namespaces'], 'namespaces is not a mapping');
    for (const [name, v] of Object.entries(namespaces as Record<string, unknown>)) {
      const at = ['namespaces', name];
      if (!isDns1123Label(name)) bad(at, `namespaces: ${JSON.stringify(name)} is not a namespace name (RFC 1123 label)`);
      if (!isRecord(v)) return bad(at, `namespaces.${name} is not a mapping`);
      if (!isStage(v.stage)) bad([...at, 'stage'], `namespaces.${name}.stage ${JSON.stringify(v.stage)} is not one of ${STAGES.join(', ')}`);
      const stage = v.stage as Stage;
      let enforced: Direction[] = [];
      if (v.enforced !== undefined && v.enforced !== null) {
        enforced = directions(v.enforced, [...at, 'enforced']);
        if (enforced.length > 0 && stage !== 'audit') bad([...at, 'enforced'], `namespaces.${name}.enforced applies only at stage audit (the stage is ${stage})`);
        if (enforced.length === DIRECTIONS.length) bad([...at, 'enforced'], `namespaces.${name}.enforced lists both directions: that is stage enforce`);
      }
      const workloads: Record<string, Stage> = {};
      if (v.workloads !== undefined && v.workloads !== null) {
        if (!isRecord(v.workloads)) bad([...at, 'workloads'], `namespaces.${name}.workloads is not a mapping of workload names to stages`);
        for (const [w, s] of Object.entries(v.workloads as Record<string, unknown>)) {
          if (!isDns1123Subdomain(w)) bad([...at, 'workloads', w], `namespaces.${name}.workloads: ${JSON.stringify(w)} is not a workload name (RFC 1123 subdomain)`);
          if (!isStage(s)) bad([...at, 'workloads', w], `namespaces.${name}.workloads.${w} ${JSON.stringify(s)} is not one of ${STAGES.join(', ')}`);
          workloads[w] = s as Stage;
        }
      }
      const history: StageChange[] = [];
      if (v.history !== undefined && !Array.isArray(v.history)) bad([...at, 'history'], `namespaces.${name}.history is not a list`);
      for (const [i, h] of ((v.history as unknown[] | undefined) ?? []).entries()) {
        const hp = [...at, 'history', i];
        const where = `namespaces.${name}.history[${i}]`;
        if (!isRecord(h)) return bad(hp, `${where} is not a mapping`);
        if (typeof h.at !== 'string') bad([...hp, 'at'], `${where}.at is not a time`);
        if (!isStage(h.to)) bad([...hp, 'to'], `${where}.to ${JSON.stringify(h.to)} is not a stage`);
        if (h.from !== undefined && !isStage(h.from)) bad([...hp, 'from'], `${where}.from ${JSON.stringify(h.from)} is not a stage`);
        if (h.by !== undefined && typeof h.by !== 'string') bad([...hp, 'by'], `${where}.by is not text`);
        if (h.forced !== undefined && typeof h.forced !== 'boolean') bad([...hp, 'forced'], `${where}.forced is not true or false`);
        const dirs = h.directions !== undefined && h.directions !== null ? directions(h.directions, [...hp, 'directions']) : [];
        history.push({
          at: h.at as string,
          ...(h.from !== undefined ? { from: h.from as Stage } : {}),
          to: h.to as Stage,
          why: typeof h.why === 'string' ? h.why : '',
          ...(typeof h.by === 'string' ? { by: h.by } : {}),
          ...(h.forced === true ? { forced: true } : {}),
          ...(dirs.length > 0 ? { directions: dirs } : {}),
        });
      }
      ns[name] = { stage, ...(enforced.length > 0 ? { enforced } : {}), ...(Object.keys(workloads).length > 0 ? { workloads } : {}), history };
    }
  }

  const accepted: AcceptanceRecord[] = [];
  if (acceptances !== undefined && acceptances !== null) {
    if (!Array.isArray(acceptances)) bad(['acceptances'], 'acceptances is not a list');
    for (const [i, a] of (acceptances as unknown[]).entries()) {
      const ap = ['acceptances', i];
      const where = `acceptances[${i}]`;
      if (!isRecord(a)) return bad(ap, `${where} is not a mapping`);
      if (typeof a.namespace !== 'string' || !isDns1123Label(a.namespace)) bad([...ap, 'namespace'], `${where}.namespace ${JSON.stringify(a.namespace)} is not a namespace name (RFC 1123 label)`);
      if (typeof a.key !== 'string' || a.key.trim() === '') bad([...ap, 'key'], `${where}.key is missing (the would-be drop accepted)`);
      if (typeof a.reason !== 'string' || a.reason.trim() === '') bad([...ap, 'reason'], `${where}.reason is missing (why the drop is accepted)`);
      if (typeof a.expires !== 'string' || !isRfc3339(a.expires)) bad([...ap, 'expires'], `${where}.expires ${JSON.stringify(a.expires)} is not an RFC 3339 time (e.g. 2026-12-31T00:00:00Z)`);
      if (a.by !== undefined && typeof a.by !== 'string') bad([...ap, 'by'], `${where}.by is not text`);
      accepted.push({ namespace: a.namespace as string, key: a.key as string, reason: a.reason as string, expires: a.expires as string, ...(typeof a.by === 'string' ? { by: a.by } : {}) });
    }
  }

  const fs: Record<string, string> = {};
  if (files !== undefined && files !== null) {
    if (!isRecord(files)) bad(['files'], 'files is not a mapping');
    for (const [path, hash] of Object.entries(files as Record<string, unknown>)) {
      if (!isSafeRelativePath(path)) bad(['files', path], `files: ${JSON.stringify(path)} is not a path inside the repository`);
      if (typeof hash !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(hash)) bad(['files', path], `files.${path} is not a sha256 hash`);
      fs[path] = hash as string;
    }
  }
  return { namespaces: ns, files: fs, ...(accepted.length > 0 ? { acceptances: accepted } : {}), ...(Object.keys(extra).length > 0 ? { extra } : {}) };
}

const sortedRecord = <T>(r: Readonly<Record<string, T>>): Record<string, T> => Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** A namespace's entry as written: optional fields only when they say something. */
function renderNamespace(n: NamespaceState): Record<string, unknown> {
  const enforced = n.stage === 'audit' ? DIRECTIONS.filter((d) => n.enforced?.includes(d)) : [];
  return {
    stage: n.stage,
    ...(enforced.length > 0 ? { enforced } : {}),
    ...(n.workloads !== undefined && Object.keys(n.workloads).length > 0 ? { workloads: sortedRecord(n.workloads) } : {}),
    history: n.history.map((h) => ({
      at: h.at,
      ...(h.from !== undefined ? { from: h.from } : {}),
      to: h.to,
      why: h.why,
      ...(h.by !== undefined ? { by: h.by } : {}),
      ...(h.forced === true ? { forced: true } : {}),
      ...(h.directions !== undefined && h.directions.length > 0 ? { directions: [...h.directions] } : {}),
    })),
  };
}

/** The state as YAML at {@link STATE_VERSION}: keys in a fixed order, namespaces and files sorted, one trailing newline. */
export function renderState(state: RepoState): string {
  const acceptances = (state.acceptances ?? []).map((a) => ({ namespace: a.namespace, key: a.key, reason: a.reason, expires: a.expires, ...(a.by !== undefined ? { by: a.by } : {}) }));
  const doc = {
    apiVersion: STATE_API_VERSION,
    kind: STATE_KIND,
    version: STATE_VERSION,
    namespaces: Object.fromEntries(Object.entries(sortedRecord(state.namespaces)).map(([k, v]) => [k, renderNamespace(v)])),
    ...(acceptances.length > 0 ? { acceptances } : {}),
    files: sortedRecord(state.files),
    ...(state.extra !== undefined ? sortedRecord(state.extra) : {}),
  };
  return `# Written by tighten: stages, their history and the hashes of generated files. Do not edit by hand.\n${renderYaml(doc as unknown as Record<string, unknown>)}`;
}
