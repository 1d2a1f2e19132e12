/**
 * @module rollout/config — a typed reading of `tighten.yaml`'s `gates` and `criticality` sections, which
 * `config/` keeps as written. Tolerant: a value of the wrong type falls back to its default and is reported in
 * `warnings`, so a typo never makes a gate silently laxer than documented. Pure.
 *
 * ```yaml
 * gates:
 *   minObservedDays: 7          # audit → enforce: days of flows at least
 *   minObservedDaysCritical: 14 # … for a critical namespace
 *   dropWindowDays: 7           # would-be drops seen in the last N days count
 *   policyMapMaxEntries: 16384  # Cilium's bpf-policy-map-max
 *   baselineEntries: 8          # policy-map entries every endpoint needs besides its own peers
 *   waveSize: 5                 # steps per wave in `tighten plan`
 * criticality:
 *   labels: [criticality, tier] # namespace labels read, in order
 *   namespaces: { payments: critical, sandbox: low }
 * ```
 */
import type { TightenConfig } from '../config/index.js';

/** Criticality levels, least critical first. `high` and `critical` make a namespace critical. */
export const CRITICALITY_LEVELS = ['low', 'normal', 'high', 'critical'] as const;
export type Criticality = (typeof CRITICALITY_LEVELS)[number];

export interface GatesConfig {
  /** @default 7 */
  readonly minObservedDays: number;
  /** @default 14 */
  readonly minObservedDaysCritical: number;
  /** Would-be drops whose last flow is older than this many days before `now` do not count. @default 7 */
  readonly dropWindowDays: number;
  /** Cilium's default `bpf-policy-map-max`. @default 16384 */
  readonly policyMapMaxEntries: number;
  /** Entries every endpoint needs whatever its peers (DNS, health, host, reserved identities). @default 8 */
  readonly baselineEntries: number;
  /** At most this many steps per wave. @default 5 */
  readonly waveSize: number;
}

export interface CriticalityConfig {
  /** Namespace label keys read for a criticality, first match wins. @default ['criticality', 'tier'] */
  readonly labels: readonly string[];
  /** Criticality per namespace; wins over labels. @default {} */
  readonly namespaces: Readonly<Record<string, Criticality>>;
}

export interface RolloutConfig {
  readonly gates: GatesConfig;
  readonly criticality: CriticalityConfig;
  /** Values that could not be read and fell back to their default, with the key. Empty when all is well. */
  readonly warnings: readonly string[];
}

export const DEFAULT_GATES: GatesConfig = {
  minObservedDays: 7,
  minObservedDaysCritical: 14,
  dropWindowDays: 7,
  policyMapMaxEntries: 16384,
  baselineEntries: 8,
  waveSize: 5,
};
export const DEFAULT_ROLLOUT_CONFIG: RolloutConfig = { gates: DEFAULT_GATES, criticality: { labels: ['criticality', 'tier'], namespaces: {} }, warnings: [] };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A criticality from a label or config value: `low`, `normal`/`medium`, `high`, `critical` (any case);
 * undefined for anything else (`tier: frontend` says nothing about criticality).
 */
export function parseCriticality(value: string): Criticality | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'medium') return 'normal';
  return (CRITICALITY_LEVELS as readonly string[]).includes(v) ? (v as Criticality) : undefined;
}

/** The rollout's reading of the configuration; defaults for what is absent. */
export function rolloutConfig(config: Pick<TightenConfig, 'gates' | 'criticality'>): RolloutConfig {
  const warnings: string[] = [];
  const gates: Record<string, number> = { ...DEFAULT_GATES };
  const g = config.gates;
  if (g !== undefined) {
    for (const [key, value] of Object.entries(g)) {
      if (!(key in DEFAULT_GATES)) warnings.push(`gates.${key}: unknown key (known: ${Object.keys(DEFAULT_GATES).join(', ')})`);
      else if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (key === 'waveSize' && value < 1)) warnings.push(`gates.${key}: ${JSON.stringify(value)} is not a usable number; using ${String(gates[key])}`);
      else gates[key] = value;
    }
  }
  let labels: readonly string[] = DEFAULT_ROLLOUT_CONFIG.criticality.labels;
  const namespaces: Record<string, Criticality> = {};
  const c = config.criticality;
  if (c !== undefined) {
    if (c.labels !== undefined) {
      if (Array.isArray(c.labels) && c.labels.every((l) => typeof l === 'string')) labels = c.labels as string[];
      else warnings.push(`criticality.labels: not a list of label keys; using ${labels.join(', ')}`);
    }
    if (c.namespaces !== undefined) {
      if (!isRecord(c.namespaces)) warnings.push('criticality.namespaces: not a mapping of namespace to level');
      else
        for (const [ns, level] of Object.entries(c.namespaces)) {
          const parsed = typeof level === 'string' ? parseCriticality(level) : undefined;
          if (parsed === undefined) warnings.push(`criticality.namespaces.${ns}: ${JSON.stringify(level)} is not one of ${CRITICALITY_LEVELS.join(', ')}`);
          else namespaces[ns] = parsed;
        }
    }
    for (const key of Object.keys(c)) if (key !== 'labels' && key !== 'namespaces') warnings.push(`criticality.${key}: unknown key (known: labels, namespaces)`);
  }
  return { gates: gates as unknown as GatesConfig, criticality: { labels, namespaces }, warnings };
}

/**
 * A namespace's criticality: the configured level, else the first configured label with a recognised value,
 * else `normal`. Returns where it came from, for explanations.
 */
export function criticalityOf(namespace: string, labels: Readonly<Record<string, string>>, config: RolloutConfig): { level: Criticality; source: string } {
  const configured = config.criticality.namespaces[namespace];
  if (configured !== undefined) return { level: configured, source: `tighten.yaml criticality.namespaces.${namespace}` };
  for (const key of config.criticality.labels) {
    const v = labels[key];
    const level = v === undefined ? undefined : parseCriticality(v);
    if (level !== undefined) return { level, source: `namespace label ${key}=${v}` };
  }
  return { level: 'normal', source: 'default (no criticality label or configuration)' };
}

/** `high` and `critical` namespaces are critical: longer observation and an explicit approval. */
export const isCritical = (level: Criticality): boolean => level === 'high' || level === 'critical';
