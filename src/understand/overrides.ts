/**
 * @module understand/overrides — matches `tighten.yaml` `classify` entries against workloads (pure).
 */
import type { TightenConfig, WorkloadMatcher } from '../config/index.js';
import type { InventoryWorkload, PlatformRole, WorkloadClass } from '../inventory/index.js';

/** The override that applies to a workload: which list and entry, and what it says. */
export interface Override {
  readonly class: WorkloadClass;
  readonly role?: PlatformRole;
  readonly index: number;
  /** `classify.platform[0]`. */
  readonly where: string;
  readonly matcher: WorkloadMatcher;
}

const CLASS_ORDER = ['platform', 'batch', 'debug', 'application'] as const;

const isPattern = (s: string): boolean => s.includes('*');

/** `*` matches any run of characters; everything else literally. */
export function globMatch(pattern: string, value: string): boolean {
  if (!isPattern(pattern)) return pattern === value;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

/** True when every field the matcher gives matches the workload. */
export function matchesWorkload(m: WorkloadMatcher, w: Pick<InventoryWorkload, 'namespace' | 'kind' | 'name' | 'labels'>): boolean {
  if (m.namespace !== undefined && !globMatch(m.namespace, w.namespace)) return false;
  if (m.name !== undefined && !globMatch(m.name, w.name)) return false;
  if (m.kind !== undefined && m.kind !== w.kind) return false;
  if (m.labels !== undefined) for (const [k, v] of Object.entries(m.labels)) if (w.labels[k] !== v) return false;
  return true;
}

/**
 * How specific a matcher is: an exact name beats a name pattern, which beats labels (more labels beat
 * fewer), which beat a kind, which beats an exact namespace, which beats a namespace pattern.
 */
export function matcherSpecificity(m: WorkloadMatcher): number {
  let s = 0;
  if (m.name !== undefined) s += isPattern(m.name) ? 2000 : 4000;
  if (m.labels !== undefined) s += 100 * Math.min(9, Object.keys(m.labels).length);
  if (m.kind !== undefined) s += 20;
  if (m.namespace !== undefined) s += isPattern(m.namespace) ? 1 : 2;
  return s;
}

/** The override for a workload: the most specific matching entry (see {@link matcherSpecificity}). */
export function findOverride(w: Pick<InventoryWorkload, 'namespace' | 'kind' | 'name' | 'labels'>, config: TightenConfig): Override | undefined {
  let best: Override | undefined;
  let bestScore = -1;
  for (const cls of CLASS_ORDER) {
    config.classify[cls].forEach((m, index) => {
      if (!matchesWorkload(m, w)) return;
      const score = matcherSpecificity(m);
      if (score <= bestScore) return;
      bestScore = score;
      const role = 'role' in m ? (m as { role: PlatformRole }).role : undefined;
      best = { class: cls, index, where: `classify.${cls}[${index}]`, matcher: m, ...(role !== undefined ? { role } : {}) };
    });
  }
  return best;
}

/** `namespace monitoring, name prometheus-*` — what an entry names, for evidence. */
export function describeMatcher(m: WorkloadMatcher): string {
  const parts: string[] = [];
  if (m.namespace !== undefined) parts.push(`namespace ${m.namespace}`);
  if (m.kind !== undefined) parts.push(`kind ${m.kind}`);
  if (m.name !== undefined) parts.push(`name ${m.name}`);
  if (m.labels !== undefined) parts.push(`labels ${Object.entries(m.labels).map(([k, v]) => `${k}=${v}`).join(',')}`);
  return parts.join(', ');
}
