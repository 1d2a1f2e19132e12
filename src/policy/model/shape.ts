/**
 * @module policy/model/shape — a small, hand-written description of the CRD and Kubernetes object shapes and one
 * walker that checks a parsed value against it. It reports every problem (not just the first) with its field
 * path, builds a fresh value from the known fields only, and keeps `undefined` and `[]` apart.
 *
 * What a shape checks is what the TypeScript types in `types.ts` can express (types, enums, required fields,
 * unknown fields). Everything beyond that is `sanitize`'s job.
 */
import type { FieldPath } from './problems.js';
import { didYouMean as didYouMeanAny } from '../../shared/suggest.js';
const didYouMean = (word: string, candidates: readonly string[]): string => didYouMeanAny(word, candidates, '; ');

export type Shape =
  /** `acceptInteger`: an integer is accepted and written as its decimal string (the CRD's `port` is a string). */
  | { readonly type: 'string'; readonly acceptInteger?: boolean }
  | { readonly type: 'integer'; readonly min: number; readonly max: number }
  | { readonly type: 'boolean' }
  /** `hints`: an extra sentence for particular wrong values (`world-ipv4` → "use world"). */
  | { readonly type: 'enum'; readonly values: readonly string[]; readonly hints?: Readonly<Record<string, string>> }
  | { readonly type: 'intOrString' }
  | { readonly type: 'list'; readonly of: Shape }
  /** A mapping from any string key to values of one shape (`matchLabels`). */
  | { readonly type: 'map'; readonly of: Shape; readonly voidIfEmpty?: boolean }
  | ObjectShape;

export interface ObjectShape {
  readonly type: 'object';
  readonly fields: Readonly<Record<string, Shape>>;
  readonly required?: readonly string[];
  /** A sentence added when a required field is missing. */
  readonly requiredHints?: Readonly<Record<string, string>>;
  /** Fields that are accepted and dropped (server-populated metadata, `status`). */
  readonly ignored?: readonly string[];
  /** A sentence for particular unknown fields (`toFQDNs` in `egressDeny`: deny rules have none). */
  readonly unknownHints?: Readonly<Record<string, string>>;
  /**
   * An empty object here means the same as an omitted one (`enableDefaultDeny: {}`, `matchLabels: {}`,
   * `rules: {}`), so the decoder drops it and the renderer never writes it.
   */
  readonly voidIfEmpty?: boolean;
}

/** One problem found while walking: where (for the message and the line) and what. */
export interface ShapeIssue {
  readonly path: FieldPath;
  readonly message: string;
}

/** Marks a value that failed its shape (the issue is already recorded); the field is left out of the result. */
const INVALID: unique symbol = Symbol('invalid');
/** Marks an empty `voidIfEmpty` object: left out of the result, no issue. */
const VOID: unique symbol = Symbol('void');

/** A plain mapping (not null, not a list). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "a list", "a mapping", "the number 2", "the string \"x\"" — for messages. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  return typeof v;
}

/**
 * Checks `value` against `shape`, recording issues under `path`. Returns the decoded value, or `undefined` when
 * it failed or is void (the caller leaves the field out).
 */
export function decodeShape(shape: Shape, value: unknown, path: FieldPath, issues: ShapeIssue[]): unknown {
  const r = walk(shape, value, path, issues);
  return r === INVALID || r === VOID ? undefined : r;
}

function walk(shape: Shape, value: unknown, path: FieldPath, issues: ShapeIssue[]): unknown {
  const fail = (message: string): typeof INVALID => {
    issues.push({ path, message });
    return INVALID;
  };
  if (value === null || value === undefined) {
    return fail('empty (null); give it a value or remove it (an empty mapping is written {})');
  }
  switch (shape.type) {
    case 'string':
      if (typeof value === 'string') return value;
      if (shape.acceptInteger === true && typeof value === 'number' && Number.isInteger(value)) return String(value);
      if (typeof value === 'number' || typeof value === 'boolean') return fail(`expected a string, got ${describeValue(value)}; quote it: "${String(value)}"`);
      return fail(`expected a string, got ${describeValue(value)}`);
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value)) {
        if (value < shape.min || value > shape.max) return fail(`${value} is out of range (${shape.min}–${shape.max})`);
        return value;
      }
      if (typeof value === 'string' && /^\d+$/.test(value)) return fail(`expected an integer, got ${describeValue(value)}; remove the quotes`);
      return fail(`expected an integer, got ${describeValue(value)}`);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return fail(`expected true or false, got ${describeValue(value)}`);
    case 'enum': {
      if (typeof value === 'string' && shape.values.includes(value)) return value;
      const shown = typeof value === 'string' ? JSON.stringify(value) : describeValue(value);
      const hint = typeof value === 'string' ? (shape.hints?.[value] ?? didYouMean(value, shape.values)) : '';
      return fail(`${shown} is not one of ${shape.values.join(', ')}${hint}`);
    }
    case 'intOrString':
      if (typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value))) return value;
      return fail(`expected an integer or a string, got ${describeValue(value)}`);
    case 'list': {
      if (!Array.isArray(value)) {
        const hint = isRecord(value) ? '; write it as a list item, starting with "- "' : '';
        return fail(`expected a list, got ${describeValue(value)}${hint}`);
      }
      const out: unknown[] = [];
      let ok = true;
      value.forEach((item, i) => {
        const r = walk(shape.of, item, [...path, i], issues);
        if (r === INVALID) ok = false;
        // A void element still has a place in the list: list elements are never dropped.
        else out.push(r === VOID ? {} : r);
      });
      return ok ? out : INVALID;
    }
    case 'map': {
      if (!isRecord(value)) return fail(`expected a mapping, got ${describeValue(value)}`);
      const out: Record<string, unknown> = {};
      let ok = true;
      for (const [k, v] of Object.entries(value)) {
        const r = walk(shape.of, v, [...path, k], issues);
        if (r === INVALID) ok = false;
        else Object.defineProperty(out, k, { value: r, enumerable: true, writable: true, configurable: true });
      }
      if (!ok) return INVALID;
      return shape.voidIfEmpty === true && Object.keys(out).length === 0 ? VOID : out;
    }
    case 'object':
      return walkObject(shape, value, path, issues);
  }
}

function walkObject(shape: ObjectShape, value: unknown, path: FieldPath, issues: ShapeIssue[]): unknown {
  if (!isRecord(value)) {
    issues.push({ path, message: `expected a mapping, got ${describeValue(value)}` });
    return INVALID;
  }
  const known = Object.keys(shape.fields);
  const out: Record<string, unknown> = {};
  let ok = true;
  for (const [k, v] of Object.entries(value)) {
    const fieldShape = Object.hasOwn(shape.fields, k) ? shape.fields[k] : undefined;
    if (fieldShape === undefined) {
      if (shape.ignored?.includes(k) === true) continue;
      const hint = shape.unknownHints?.[k];
      const suggestion = didYouMean(k, known);
      const tail = hint !== undefined ? `; ${hint}` : suggestion !== '' ? suggestion : `; known fields here: ${known.join(', ')}`;
      issues.push({ path: [...path, k], message: `unknown field${tail}` });
      ok = false;
      continue;
    }
    // A field set to null is omitted, as the API server and Go's JSON decoding treat it (`to:` with nothing
    // after it is a NetworkPolicy rule to every destination).
    if (v === null || v === undefined) continue;
    const r = walk(fieldShape, v, [...path, k], issues);
    if (r === INVALID) ok = false;
    else if (r !== VOID) out[k] = r;
  }
  for (const k of shape.required ?? []) {
    if (value[k] === null || value[k] === undefined) {
      const hint = shape.requiredHints?.[k];
      issues.push({ path: [...path, k], message: `required${hint !== undefined ? `; ${hint}` : ''}` });
      ok = false;
    }
  }
  if (!ok) return INVALID;
  return shape.voidIfEmpty === true && Object.keys(out).length === 0 ? VOID : out;
}

/** Every field path a shape knows, for comparing against a CRD schema (`[]` for list items, `{}` for map values). */
export function listShapePaths(shape: Shape, prefix = ''): string[] {
  switch (shape.type) {
    case 'list':
      return listShapePaths(shape.of, `${prefix}[]`);
    case 'map':
      return listShapePaths(shape.of, `${prefix}{}`);
    case 'object':
      return Object.entries(shape.fields).flatMap(([k, s]) => [`${prefix}.${k}`, ...listShapePaths(s, `${prefix}.${k}`)]);
    default:
      return [];
  }
}
