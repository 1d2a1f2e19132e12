/**
 * @module policy/evaluate/fast/fqdn — `toFQDNs` selectors compiled to one matcher per rule element
 * (cilium-semantics.md c.4; `pkg/fqdn/matchpattern/matchpattern.go`).
 *
 * Names are compared lower-case with one trailing dot. `matchName` is an exact name. `matchPattern`:
 * a lone `*` matches every valid name (one or more labels); from 1.19 a leading `**.` matches one or
 * more labels; every other `*` matches `[-a-zA-Z0-9_]*` and never crosses a dot; the match is anchored.
 */
import type { FQDNSelector } from '../../model/types.js';

/** Lower-case with exactly one trailing dot: `API.Example.com` → `api.example.com.`. */
export function normalizeName(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith('.') ? n : `${n}.`;
}

const LABEL_CHAR = '[-a-z0-9_]';
const ONE_OR_MORE_LABELS = `(?:${LABEL_CHAR}+\\.)+`;

/** Compiles one `matchPattern` into an anchored RegExp over normalized names. */
export function compilePattern(pattern: string, doubleStar: boolean): RegExp {
  const p = normalizeName(pattern);
  if (p === '*.' || p === '**.') return new RegExp(`^${ONE_OR_MORE_LABELS}$`);
  let head = '';
  let rest = p;
  if (doubleStar && p.startsWith('**.')) {
    head = ONE_OR_MORE_LABELS;
    rest = p.slice(3);
  }
  let body = '';
  for (const ch of rest) {
    if (ch === '*') body += `${LABEL_CHAR}*`;
    else body += ch.replace(/[.\\^$|?+()[\]{}-]/g, (c) => `\\${c}`);
  }
  return new RegExp(`^${head}${body}$`);
}

/** One rule element's `toFQDNs`: matches when any selector matches any of the destination's names. */
export class FqdnMatcher {
  private readonly names = new Set<string>();
  private readonly patterns: RegExp[] = [];
  /** Canonical text: equal matchers share one key. */
  readonly key: string;

  constructor(selectors: readonly FQDNSelector[], doubleStar: boolean) {
    const parts: string[] = [];
    for (const s of selectors) {
      if (s.matchName !== undefined && s.matchName !== '') {
        this.names.add(normalizeName(s.matchName));
        parts.push(`=${normalizeName(s.matchName)}`);
      }
      if (s.matchPattern !== undefined && s.matchPattern !== '') {
        this.patterns.push(compilePattern(s.matchPattern, doubleStar));
        parts.push(`~${normalizeName(s.matchPattern)}`);
      }
    }
    this.key = [...new Set(parts)].sort().join(',');
  }

  matchesName(name: string): boolean {
    const n = normalizeName(name);
    if (this.names.has(n)) return true;
    for (const re of this.patterns) if (re.test(n)) return true;
    return false;
  }

  matchesAny(names: readonly string[] | undefined): boolean {
    if (names === undefined) return false;
    for (const n of names) if (this.matchesName(n)) return true;
    return false;
  }
}
