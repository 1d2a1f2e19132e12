/**
 * @module policy/evaluate/fast/selector — label selectors sanitized, scoped and compiled once
 * (cilium-semantics.md a.1–a.5). A {@link SelectorSpec} is the editable, sanitized form (what
 * Cilium's `Sanitize` + `getEndpointSelector` produce); a {@link SelectorTable} interns specs into
 * {@link CompiledSelector}s, so equal selectors across policies are matched once per identity.
 */
import type { LabelSelector, LabelSelectorRequirement } from '../../model/types.js';
import type { IdentityLabels } from './labels.js';

/** The source that matches a label of any source (a key written without a prefix). */
export const ANY = 'any';

/**
 * The Kubernetes operators plus `InOrAbsentLocal`: the 1.19 local-cluster filter, which a pod or remote
 * node without a cluster label also passes (an identity written without its cluster label is taken as
 * local; real pod identities always carry it).
 */
export type Operator = LabelSelectorRequirement['operator'] | 'InOrAbsentLocal';

/** One sanitized requirement: `source:key operator values` (matchLabels entries are `In [value]`). */
export interface Requirement {
  /** A label source (`k8s`, `reserved`, …) or {@link ANY}. */
  readonly source: string;
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

/**
 * Splits a user-written selector key the way Cilium's `GetExtendedKeyFrom` does: `k8s:app` → k8s/app,
 * `reserved:host` → reserved/host, `$host` → reserved/host, `app` (no source) → any/app.
 */
export function parseSelectorKey(text: string): { source: string; key: string } {
  if (text.startsWith('$')) return { source: 'reserved', key: text.slice(1) };
  const colon = text.indexOf(':');
  if (colon < 0) return { source: ANY, key: text };
  return { source: colon === 0 ? ANY : text.slice(0, colon), key: text.slice(colon + 1) };
}

/** A sanitized selector that scoping can still edit (`AddMatch` overwrites a matchLabels entry). */
export class SelectorSpec {
  private readonly labels = new Map<string, { source: string; key: string; value: string }>();
  private readonly exprs: Requirement[] = [];

  /**
   * @param fixedSource when set (Kubernetes NetworkPolicy selectors: `k8s`), every key is in that
   *   source verbatim; otherwise keys carry their own source prefix (CNP/CCNP).
   * @param keyPrefix prepended to every key (NetworkPolicy namespaceSelector: the namespace-labels prefix).
   */
  static of(selector: LabelSelector | undefined, fixedSource?: string, keyPrefix = ''): SelectorSpec {
    const spec = new SelectorSpec();
    spec.merge(selector, fixedSource, keyPrefix);
    return spec;
  }

  merge(selector: LabelSelector | undefined, fixedSource?: string, keyPrefix = ''): this {
    const split = (k: string): { source: string; key: string } =>
      fixedSource === undefined ? parseSelectorKey(k) : { source: fixedSource, key: keyPrefix + k };
    for (const [k, value] of Object.entries(selector?.matchLabels ?? {})) {
      const { source, key } = split(k);
      this.addMatch(source, key, value);
    }
    for (const e of selector?.matchExpressions ?? []) {
      const { source, key } = split(e.key);
      this.exprs.push({ source, key, operator: e.operator, values: [...(e.values ?? [])] });
    }
    return this;
  }

  /** Whether a matchLabels or matchExpressions key is exactly `source:key`. */
  hasKey(source: string, key: string): boolean {
    return this.labels.has(`${source}:${key}`) || this.exprs.some((e) => e.source === source && e.key === key);
  }

  /** Whether a key of this source starts with `prefix` (`reserved` with '' = any reserved key). */
  hasKeyPrefix(source: string, prefix: string): boolean {
    for (const l of this.labels.values()) if (l.source === source && l.key.startsWith(prefix)) return true;
    return this.exprs.some((e) => e.source === source && e.key.startsWith(prefix));
  }

  /** `AddMatch`: sets matchLabels `source:key` to value, replacing what was there. */
  addMatch(source: string, key: string, value: string): this {
    this.labels.set(`${source}:${key}`, { source, key, value });
    return this;
  }

  addExpression(source: string, key: string, operator: Operator, values: readonly string[] = []): this {
    this.exprs.push({ source, key, operator, values });
    return this;
  }

  requirements(): Requirement[] {
    const reqs: Requirement[] = [];
    for (const l of this.labels.values()) reqs.push({ source: l.source, key: l.key, operator: 'In', values: [l.value] });
    reqs.push(...this.exprs);
    return reqs;
  }
}

const OP_IN = 0;
const OP_NOT_IN = 1;
const OP_EXISTS = 2;
const OP_NOT_EXISTS = 3;
const OP_IN_OR_ABSENT_LOCAL = 4;
const OPS: Record<Operator, number> = {
  In: OP_IN,
  NotIn: OP_NOT_IN,
  Exists: OP_EXISTS,
  DoesNotExist: OP_NOT_EXISTS,
  InOrAbsentLocal: OP_IN_OR_ABSENT_LOCAL,
};

interface CompiledRequirement {
  /** Look up by key alone (source `any`) or by `source:key`. */
  readonly any: boolean;
  readonly lookup: string;
  readonly op: number;
  readonly values: ReadonlySet<string>;
}

/** A selector ready to match: requirements ANDed; no requirement selects everything. */
export interface CompiledSelector {
  /** Dense id within its {@link SelectorTable}: the index of per-identity match caches. */
  readonly id: number;
  /** Canonical text (sorted requirements); equal selectors share one compiled selector. */
  readonly canonical: string;
  readonly requirements: readonly CompiledRequirement[];
}

/** `In`/`NotIn` follow k8s `labels.Selector` over Cilium's `LabelArray.Has/Get` (`pkg/labels/array.go`). */
export function selectorMatches(sel: CompiledSelector, labels: IdentityLabels): boolean {
  for (const r of sel.requirements) {
    const v = r.any ? labels.byKey.get(r.lookup) : labels.bySourceKey.get(r.lookup);
    switch (r.op) {
      case OP_IN:
        if (v === undefined || !r.values.has(v)) return false;
        break;
      case OP_NOT_IN:
        if (v !== undefined && r.values.has(v)) return false;
        break;
      case OP_EXISTS:
        if (v === undefined) return false;
        break;
      case OP_NOT_EXISTS:
        if (v !== undefined) return false;
        break;
      default:
        if (v === undefined ? !(labels.isPod || labels.isNode) : !r.values.has(v)) return false;
    }
  }
  return true;
}

function canonicalOf(reqs: readonly Requirement[]): string {
  return reqs
    .map((r) => `${r.source}:${r.key} ${r.operator} ${[...new Set(r.values)].sort().join(',')}`)
    .sort()
    .join(';');
}

/** Interns selectors: compile each distinct one once. */
export class SelectorTable {
  private readonly byCanonical = new Map<string, CompiledSelector>();
  private readonly list: CompiledSelector[] = [];

  get size(): number {
    return this.list.length;
  }

  compile(spec: SelectorSpec): CompiledSelector {
    const reqs = spec.requirements();
    const canonical = canonicalOf(reqs);
    const known = this.byCanonical.get(canonical);
    if (known !== undefined) return known;
    const compiled: CompiledSelector = {
      id: this.list.length,
      canonical,
      requirements: reqs.map((r) => ({
        any: r.source === ANY,
        lookup: r.source === ANY ? r.key : `${r.source}:${r.key}`,
        op: OPS[r.operator] ?? OP_IN,
        values: new Set(r.values),
      })),
    };
    this.byCanonical.set(canonical, compiled);
    this.list.push(compiled);
    return compiled;
  }
}
