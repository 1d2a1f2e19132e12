/**
 * @module shared/suggest — "did you mean …?" for misspelt keys and values (as cdk8s does): in
 * `tighten.yaml`, and in policies, where a misspelt field (`toEndpoint`) silently widens a rule.
 */

/** Edit distance with adjacent transpositions (optimal string alignment), so `lables` is one edit from `labels`. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate closest to `word`, when it is close enough to be a likely misspelling: a case-insensitive
 * match, a candidate the word begins (at least three letters: `fanin` → `fanInNamespaces`), or at most a
 * third of the word's length in edits, rounded up (at least one, at most three). Ties go to the earlier
 * candidate. Undefined when nothing is close.
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const exactIgnoringCase = candidates.find((c) => c.toLowerCase() === lower);
  if (exactIgnoringCase !== undefined) return exactIgnoringCase;
  if (lower.length >= 3) {
    const completion = candidates.find((c) => c.toLowerCase().startsWith(lower));
    if (completion !== undefined) return completion;
  }
  const limit = Math.min(3, Math.max(1, Math.ceil(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const dist = editDistance(lower, c.toLowerCase());
    if (dist <= limit && dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  return best;
}

/** ` Did you mean "x"?` (or, with `separator: '; '`, `; did you mean "x"?`) or the empty string. */
export function didYouMean(word: string, candidates: readonly string[], separator = ' '): string {
  const s = suggest(word, candidates);
  if (s === undefined) return '';
  return separator === ' ' ? ` Did you mean "${s}"?` : `${separator}did you mean "${s}"?`;
}
