/**
 * @module policy/model/render — policies → deterministic YAML (pure). The same policies, in any order, give the
 * same bytes, so a re-run produces no git diff.
 *
 * - Objects are sorted by kind, namespace and name; documents are separated by `---`; the text ends in one newline.
 * - Keys come in Kubernetes' order at the top (`apiVersion`, `kind`, `metadata`, `spec`, `specs`) and in
 *   `metadata` (`name`, `namespace`, `labels`, `annotations`), and sorted everywhere else. List order is kept.
 * - `undefined` fields are left out, and so are empty objects whose emptiness means the same as omission
 *   (`matchLabels: {}`, `enableDefaultDeny: {}`, `rules: {}`, `log: {}`, `labels: {}`, `annotations: {}`).
 *   **Empty lists are kept** (`fromEndpoints: []` selects nothing; leaving it out would select everything), and
 *   so are other empty objects (`endpointSelector: {}` selects every pod).
 * - Strings that YAML 1.1 (kubectl) or 1.2 would read as something else (`"80"`, `"yes"`, `"on"`, `"0o17"`) are
 *   quoted; lines are never folded.
 */
import { Document, parse, Scalar, visit } from 'yaml';
import { VOID_WHEN_EMPTY_KEYS } from './schema.js';
import type { Policy } from './types.js';

const TOP_ORDER = ['apiVersion', 'kind', 'metadata', 'spec', 'specs'];
const METADATA_ORDER = ['name', 'namespace', 'labels', 'annotations'];

/** All policies as one YAML stream; the empty string for none. */
export function renderPolicies(policies: readonly Policy[]): string {
  const rendered = policies.map((p) => ({ key: sortKey(p), text: renderPolicy(p) }));
  rendered.sort((a, b) => compare(a.key, b.key) || compare(a.text, b.text));
  return rendered.map((r) => r.text).join('---\n');
}

/** One policy as a YAML document (no `---`), ending in a newline. */
export function renderPolicy(policy: Policy): string {
  const doc = new Document(canonical(policy, []), { version: '1.2' });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && isAmbiguous(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ lineWidth: 0, indentSeq: false });
}

function sortKey(p: Policy): string {
  return `${p.kind}\u0000${p.metadata.namespace ?? ''}\u0000${p.metadata.name}`;
}

/** Code-unit order: independent of the locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A plain copy with keys in canonical order and the void fields left out. */
function canonical(value: unknown, path: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, [...path, '[]']));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([k, v]) => v !== undefined && !(VOID_WHEN_EMPTY_KEYS.has(k) && isEmptyObject(v)));
  const order = path.length === 0 ? TOP_ORDER : path.length === 1 && path[0] === 'metadata' ? METADATA_ORDER : [];
  const rank = (k: string): number => {
    const i = order.indexOf(k);
    return i < 0 ? order.length : i;
  };
  entries.sort(([a], [b]) => rank(a) - rank(b) || compare(a, b));
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: canonical(v, [...path, k]), enumerable: true, writable: true, configurable: true });
  return out;
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}

const ambiguity = new Map<string, boolean>();

/** Whether a plain scalar with this text would not read back as this string under YAML 1.1 or 1.2. */
function isAmbiguous(s: string): boolean {
  let r = ambiguity.get(s);
  if (r === undefined) {
    r = !readsBackAs(s, '1.1') || !readsBackAs(s, '1.2');
    if (ambiguity.size > 10_000) ambiguity.clear();
    ambiguity.set(s, r);
  }
  return r;
}

function readsBackAs(s: string, version: '1.1' | '1.2'): boolean {
  try {
    return parse(s, { version }) === s;
  } catch {
    return true; // not a plain scalar at all: the stringifier quotes it by itself
  }
}
