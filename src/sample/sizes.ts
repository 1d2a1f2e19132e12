/**
 * @module sample/sizes — the named sample sizes and the options of {@link generateSample}, checked
 * and filled with their defaults.
 */
import { InputError } from '../shared/errors.js';
import { CORE_WORKLOAD_COUNT } from './topology.js';

/** How big a sample is: workloads in the dump, flow lines written, days of traffic. */
export interface SampleScale {
  /** Workloads in the dump; the fixed catalog's (about forty) are always there, synthetic apps make up the rest. */
  readonly workloads: number;
  /** Flow lines to write, approximately (every edge gets at least one connection). */
  readonly flows: number;
  /** Length of the window, in whole days. */
  readonly days: number;
  /** Nodes. @default max(3, ⌈workloads / 42⌉) */
  readonly nodes?: number;
}

export const SAMPLE_SIZE_NAMES = ['small', 'medium', 'large'] as const;
export type SampleSizeName = (typeof SAMPLE_SIZE_NAMES)[number];

/**
 * Named sizes: `small` (the demo: the catalog alone, a few thousand flows over 3 days), `medium`
 * (500 workloads, 250k flows, 3 days) and `large` (5,000 workloads in about 120 namespaces,
 * 10 M flows, 7 days, 120 nodes).
 */
export const SAMPLE_SIZES: Readonly<Record<SampleSizeName, Required<SampleScale>>> = {
  small: { workloads: CORE_WORKLOAD_COUNT, flows: 6_000, days: 3, nodes: 3 },
  medium: { workloads: 500, flows: 250_000, days: 3, nodes: 12 },
  large: { workloads: 5_000, flows: 10_000_000, days: 7, nodes: 120 },
};

export interface SampleOptions {
  /** A named size or a custom scale. @default 'small' */
  readonly size?: SampleSizeName | SampleScale;
  /** Seed of every random choice: the same seed gives the same bytes. @default 1 */
  readonly seed?: number;
  /** Start of the window, RFC 3339, a whole second (UTC). @default '2026-11-02T00:00:00Z' (a Monday) */
  readonly start?: string;
  /** Overrides the size's days. */
  readonly days?: number;
  /** The cluster's name (`cluster-name`, `io.cilium.k8s.policy.cluster`, node names). @default 'tighten-demo' */
  readonly clusterName?: string;
}

export const DEFAULT_SAMPLE_START = '2026-11-02T00:00:00Z';

export interface ResolvedSampleOptions {
  readonly size: string;
  readonly scale: Required<SampleScale>;
  readonly seed: number;
  readonly sinceMs: number;
  readonly untilMs: number;
  readonly clusterName: string;
}

/** Checks options and fills defaults. Throws {@link InputError} naming the bad option. */
export function resolveSampleOptions(options: SampleOptions = {}): ResolvedSampleOptions {
  const size = options.size ?? 'small';
  let name: string;
  let scale: SampleScale;
  if (typeof size === 'string') {
    const named = SAMPLE_SIZES[size as SampleSizeName] as Required<SampleScale> | undefined;
    if (named === undefined) throw new InputError(`unknown sample size '${size}'; use one of ${SAMPLE_SIZE_NAMES.join(', ')} or a custom { workloads, flows, days }`);
    name = size;
    scale = named;
  } else {
    name = 'custom';
    scale = size;
  }
  const days = options.days ?? scale.days;
  const workloads = Math.max(scale.workloads, CORE_WORKLOAD_COUNT);
  if (!Number.isInteger(days) || days < 1 || days > 90) throw new InputError(`sample days must be a whole number from 1 to 90, got ${days}`);
  if (!Number.isInteger(scale.workloads) || scale.workloads < 0 || scale.workloads > 60_000) throw new InputError(`sample workloads must be a whole number up to 60000, got ${scale.workloads}`);
  if (!Number.isFinite(scale.flows) || scale.flows < 0) throw new InputError(`sample flows must be a non-negative number, got ${scale.flows}`);
  const nodes = scale.nodes ?? Math.max(3, Math.ceil(workloads / 42));
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 2000) throw new InputError(`sample nodes must be a whole number from 1 to 2000, got ${nodes}`);
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new InputError(`sample seed must be an integer, got ${seed}`);
  const start = options.start ?? DEFAULT_SAMPLE_START;
  const sinceMs = Date.parse(start);
  if (!Number.isFinite(sinceMs) || sinceMs % 1000 !== 0 || !/(Z|[+-]\d\d:\d\d)$/.test(start)) {
    throw new InputError(`sample start must be an RFC 3339 time on a whole second, such as '${DEFAULT_SAMPLE_START}'; got '${start}'`);
  }
  const clusterName = options.clusterName ?? 'tighten-demo';
  if (!/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/.test(clusterName)) throw new InputError(`sample cluster name must be a DNS label of up to 32 characters, got '${clusterName}'`);
  return { size: name, scale: { workloads, flows: Math.round(scale.flows), days, nodes }, seed: seed >>> 0, sinceMs, untilMs: sinceMs + days * 86_400_000, clusterName };
}
