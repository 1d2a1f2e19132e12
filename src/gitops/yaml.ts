/**
 * @module gitops/yaml — a fast block-YAML writer for the repository's files. Pure.
 *
 * A repository of 5,000 policies and their evidence is tens of thousands of documents; the general-purpose `yaml`
 * package takes seconds (and most of the heap) to build and print its node trees. This writer prints plain data
 * directly, in the style of `renderPolicy` (policy/model/render.ts): block collections, sequences not indented under
 * their key, `[]` and `{}` for empty collections, no line folding. Each distinct string is rendered once by the
 * `yaml` package itself (and quoted when YAML 1.1 or 1.2 would read it back as something else, as `renderPolicy`
 * does), then remembered, so scalars come out exactly as there. `renderPolicyFast` gives `renderPolicy`'s bytes
 * (tested on every generated policy); anything it does not expect (a multi-line string, a list in a list) goes to
 * `renderPolicy` itself.
 */
import { Document, parse, Scalar, stringify, visit } from 'yaml';
import { renderPolicy, type Policy } from '../policy/model/index.js';

const TOP_ORDER = ['apiVersion', 'kind', 'metadata', 'spec', 'specs'];
const METADATA_ORDER = ['name', 'namespace', 'labels', 'annotations'];
/** Keys whose empty object means the same as their absence (policy/model/schema.ts VOID_WHEN_EMPTY_KEYS). */
const VOID_WHEN_EMPTY = new Set(['matchLabels', 'enableDefaultDeny', 'rules', 'log', 'labels', 'annotations']);

class Unsupported extends Error {}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readsBackAs(s: string, version: '1.1' | '1.2'): boolean {
  try {
    return parse(s, { version }) === s;
  } catch {
    return true;
  }
}

const valueCache = new Map<string, string>();
const keyCache = new Map<string, string>();

/** Words YAML 1.1 or 1.2 reads as booleans or null. */
const RESERVED_WORDS = new Set(['true', 'false', 'yes', 'no', 'on', 'off', 'y', 'n', 'null']);
/**
 * Strings both YAML versions read back as themselves and the `yaml` package prints plain: a letter first, then
 * letters, digits and `_ . / : - , ( ) ' = +` or single spaces, never `: ` or ` #`, no trailing `:` or space.
 */
const SAFE_PLAIN = /^[A-Za-z_][A-Za-z0-9_./:,()'=+-]*(?: [A-Za-z0-9_./:,()'=+-]+)*$/;

function isSafePlain(s: string): boolean {
  return s.length <= 200 && SAFE_PLAIN.test(s) && !s.endsWith(':') && !s.includes(': ') && !RESERVED_WORDS.has(s.toLowerCase());
}

/** How the `yaml` package, as `renderPolicy` drives it, prints a string value (or key) in a block map. */
function renderString(s: string, asKey: boolean): string {
  if (isSafePlain(s)) return s;
  const cache = asKey ? keyCache : valueCache;
  let out = cache.get(s);
  if (out !== undefined) return out;
  const doc = new Document(asKey ? { [s]: 1 } : { k: s }, { version: '1.2' });
  const ambiguous = !readsBackAs(s, '1.1') || !readsBackAs(s, '1.2');
  visit(doc, {
    Scalar(_key, node) {
      if (node.value === s && ambiguous) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  const text = doc.toString({ lineWidth: 0, indentSeq: false });
  out = asKey ? text.slice(0, text.length - ': 1\n'.length) : text.slice('k: '.length, text.length - 1);
  if (out.includes('\n')) throw new Unsupported('multi-line scalar');
  if (cache.size > 50_000) cache.clear();
  cache.set(s, out);
  return out;
}

/** For tighten's own files, where any faithful YAML will do: plain when safe, else a JSON string (valid YAML). */
function quickString(s: string): string {
  return isSafePlain(s) ? s : JSON.stringify(s);
}

function scalar(v: unknown, policy: boolean): string {
  if (typeof v === 'string') return policy ? renderString(v, false) : quickString(v);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  throw new Unsupported(`cannot write ${typeof v}`);
}

/** Keys in the order a writer wants them; `undefined` values are dropped by the writer. */
type KeyOrder = (keys: string[], path: readonly string[]) => string[];

const keepOrder: KeyOrder = (keys) => keys;
const policyOrder: KeyOrder = (keys, path) => {
  const order = path.length === 0 ? TOP_ORDER : path.length === 1 && path[0] === 'metadata' ? METADATA_ORDER : [];
  const rank = (k: string): number => {
    const i = order.indexOf(k);
    return i < 0 ? order.length : i;
  };
  return [...keys].sort((a, b) => rank(a) - rank(b) || cmp(a, b));
};

function entries(obj: Record<string, unknown>, path: readonly string[], order: KeyOrder, policy: boolean): [string, unknown][] {
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined && !(policy && VOID_WHEN_EMPTY.has(k) && isObject(obj[k]) && Object.keys(obj[k] as object).length === 0));
  return order(keys, path).map((k) => [k, obj[k]]);
}

function writeMap(obj: Record<string, unknown>, indent: string, firstPrefix: string, path: readonly string[], order: KeyOrder, policy: boolean, out: string[]): void {
  let first = true;
  for (const [k, v] of entries(obj, path, order, policy)) {
    const prefix = first ? firstPrefix : indent;
    first = false;
    const key = policy ? renderString(k, true) : quickString(k);
    const childPath = path.length < 2 ? [...path, k] : path;
    if (Array.isArray(v)) {
      if (v.length === 0) out.push(`${prefix}${key}: []\n`);
      else {
        out.push(`${prefix}${key}:\n`);
        writeSeq(v, indent, childPath, order, policy, out);
      }
    } else if (isObject(v)) {
      if (entries(v, childPath, order, policy).length === 0) out.push(`${prefix}${key}: {}\n`);
      else {
        out.push(`${prefix}${key}:\n`);
        writeMap(v, `${indent}  `, `${indent}  `, childPath, order, policy, out);
      }
    } else out.push(`${prefix}${key}: ${scalar(v, policy)}\n`);
  }
}

function writeSeq(items: readonly unknown[], indent: string, path: readonly string[], order: KeyOrder, policy: boolean, out: string[]): void {
  for (const item of items) {
    if (Array.isArray(item)) {
      if (item.length > 0) throw new Unsupported('a list in a list');
      out.push(`${indent}- []\n`);
    } else if (isObject(item)) {
      if (entries(item, path, order, policy).length === 0) out.push(`${indent}- {}\n`);
      else writeMap(item, `${indent}  `, `${indent}- `, path, order, policy, out);
    } else out.push(`${indent}- ${scalar(item, policy)}\n`);
  }
}

/** `renderPolicy(policy)`, fast: the same bytes. */
export function renderPolicyFast(policy: Policy): string {
  try {
    const out: string[] = [];
    writeMap(policy as unknown as Record<string, unknown>, '', '', [], policyOrder, true, out);
    return out.join('');
  } catch (e) {
    if (e instanceof Unsupported) return renderPolicy(policy);
    throw e;
  }
}

/**
 * Plain data as block YAML, keys in their insertion order (`undefined` values left out, empty collections as `[]`
 * and `{}`), one trailing newline. For tighten's own files: evidence, kustomizations, the state. What the fast path
 * does not expect (a multi-line string, a list in a list) is printed by the `yaml` package in the same style.
 */
export function renderYaml(data: Record<string, unknown>): string {
  const out: string[] = [];
  try {
    writeMap(data, '', '', [], keepOrder, false, out);
  } catch (e) {
    if (e instanceof Unsupported) return stringify(data, { lineWidth: 0, indentSeq: false });
    throw e;
  }
  return out.join('');
}
