/**
 * @module config/config — `tighten.yaml`, the configuration people write and keep in the GitOps
 * repository (PRODUCT.md §6): the label standard, team ownership, classification overrides, the knobs
 * of platform-service detection and the namespace-boundary thresholds.
 *
 * Every field is optional in the file; a decoded {@link TightenConfig} always has every field filled,
 * with the defaults documented here, so the core never needs its own fallbacks. A key written with an
 * empty value (`labels:` and nothing under it) means the default.
 */
import type { Labels } from '../cluster/index.js';
import type { PlatformRole } from '../inventory/index.js';
import { BUILTIN_VOLATILE_LABELS, matchesKeyList } from '../shared/labels.js';

/** The only `apiVersion` this version of tighten reads. */
export const CONFIG_API_VERSION = 'tighten/v1alpha1';
/** The only `kind` of a configuration file. */
export const CONFIG_KIND = 'Config';
/** The file name `readConfig` looks for in the repository directory. */
export const CONFIG_FILE_NAME = 'tighten.yaml';

export { BUILTIN_VOLATILE_LABELS };

/** The default order in which label keys are tried for a workload's selector (PRODUCT.md §5). */
export const DEFAULT_LABEL_PRIORITY = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app', 'k8s-app', 'name'] as const;

/** How selectors are chosen. */
export interface LabelsConfig {
  /**
   * Label keys tried first, in order, when choosing a workload's selector: the first one the workload's
   * pods carry is the selector; further keys (these, then any other stable key, alphabetically) are
   * added only when needed to tell the workload apart from another one in its namespace.
   * An empty list means: no preferred key, use the stable keys alphabetically.
   * @default ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app', 'k8s-app', 'name']
   */
  readonly priority: readonly string[];
  /**
   * Extra volatile label keys (or prefixes ending in `*`), added to {@link BUILTIN_VOLATILE_LABELS}.
   * @default []
   */
  readonly volatile: readonly string[];
}

/** Who owns a namespace. */
export interface TeamsConfig {
  /**
   * The Namespace label that names the owning team.
   * @default 'team'
   */
  readonly namespaceLabel: string;
  /**
   * Owning team per namespace; wins over the namespace label.
   * @default {}
   */
  readonly namespaces: Readonly<Record<string, string>>;
}

/**
 * Selects workloads. Every field given must match; an omitted field matches anything. `namespace` and
 * `name` may use `*` as a wildcard (`monitoring`, `prometheus-*`). `labels` are pod labels, all required.
 * At least one field must be given.
 */
export interface WorkloadMatcher {
  readonly namespace?: string;
  readonly name?: string;
  /** Workload kind, exactly as Kubernetes spells it (`Deployment`, `CronJob`, `Pod` …). */
  readonly kind?: string;
  readonly labels?: Labels;
}

/** A workload to treat as a platform service, with the role it plays. */
export interface PlatformMatcher extends WorkloadMatcher {
  readonly role: PlatformRole;
}

/**
 * Classification overrides: they win over detection. When several entries match one workload, the most
 * specific wins (an exact name beats a name pattern, which beats labels, kind and namespace; see
 * `matcherSpecificity`); among equally specific entries the order is platform, batch, debug, application,
 * then the order in the file.
 */
export interface ClassifyConfig {
  /** @default [] */
  readonly platform: readonly PlatformMatcher[];
  /** @default [] */
  readonly batch: readonly WorkloadMatcher[];
  /** @default [] */
  readonly debug: readonly WorkloadMatcher[];
  /** @default [] */
  readonly application: readonly WorkloadMatcher[];
}

/** An inclusive range of ports; a single port has `from === to`. Written `9090`, or `"9090-9999"`. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** Knobs of platform-service detection (well-known names always apply as well). */
export interface PlatformConfig {
  /**
   * Ports a DNS server answers on (UDP or TCP).
   * @default [53]
   */
  readonly dnsPorts: readonly PortRange[];
  /**
   * Ports that count as metrics endpoints when a scraper connects to them.
   * @default ['9090-9999', 10254, 15020, 15090]
   */
  readonly metricsPorts: readonly PortRange[];
  /**
   * Container port names that mark a metrics endpoint, whatever the number.
   * @default ['metrics', 'http-metrics', 'https-metrics', 'prometheus']
   */
  readonly metricsPortNames: readonly string[];
  /**
   * HTTP paths (seen by the L7 proxy) that mark a metrics endpoint, whatever the port.
   * @default ['/metrics']
   */
  readonly metricsPaths: readonly string[];
  /**
   * Ports of tracing collectors: OTLP gRPC/HTTP, Jaeger gRPC/HTTP/Thrift, Zipkin.
   * @default [4317, 4318, 14250, 14268, 9411, 6831, 6832]
   */
  readonly tracingPorts: readonly PortRange[];
  /**
   * Ports of secret managers (Vault).
   * @default [8200]
   */
  readonly secretsPorts: readonly PortRange[];
  /**
   * A service counts as shared by traffic shape (DNS, tracing, secrets) when it serves its port to at
   * least this many client workloads …
   * @default 3
   */
  readonly minClients: number;
  /**
   * … in at least this many namespaces. An ingress controller must forward to at least this many
   * namespaces other than its own.
   * @default 2
   */
  readonly minNamespaces: number;
  /**
   * A workload is a metrics scraper by traffic shape when it connects to metrics endpoints of at least
   * this many workloads (in at least `minNamespaces` namespaces), and those are most of what it connects to.
   * @default 4
   */
  readonly scraperMinTargets: number;
}

/** Namespace-boundary thresholds (platform services and debug pods are left out of every count). */
export interface BoundariesConfig {
  /**
   * Report a namespace called from more than this many other namespaces.
   * @default 5
   */
  readonly fanInNamespaces: number;
  /**
   * Report a namespace calling into more than this many other namespaces.
   * @default 5
   */
  readonly fanOutNamespaces: number;
  /**
   * Report a namespace when more than this share (0–1) of its east-west flows cross namespaces.
   * @default 0.5
   */
  readonly crossShare: number;
}

/** A section kept as written, for later stages (criticality, gates, thresholds). */
export type OpaqueSection = Readonly<Record<string, unknown>>;

/** The decoded configuration: every field present, defaults filled in. */
/** How `tighten recommend` writes rules. */
export interface RecommendConfig {
  /**
   * `toFQDNs` wildcard patterns the team accepts (`*.s3.amazonaws.com`): an external name seen that one of
   * them matches is written as that `matchPattern` instead of one `matchName` per name. Without an entry
   * here, names are written one by one (PRODUCT.md §5: wildcards only where the configuration says so).
   * @default []
   */
  readonly fqdnPatterns: readonly string[];
}

export interface TightenConfig {
  /** @default 'tighten/v1alpha1' */
  readonly apiVersion: typeof CONFIG_API_VERSION;
  /** @default 'Config' */
  readonly kind: typeof CONFIG_KIND;
  readonly labels: LabelsConfig;
  readonly teams: TeamsConfig;
  readonly classify: ClassifyConfig;
  readonly platform: PlatformConfig;
  readonly boundaries: BoundariesConfig;
  readonly recommend: RecommendConfig;
  /** Accepted and kept as written; read by a later stage (risk ranking). Omitted when absent. */
  readonly criticality?: OpaqueSection;
  /** Accepted and kept as written; read by a later stage (rollout gates). Omitted when absent. */
  readonly gates?: OpaqueSection;
  /** Accepted and kept as written; read by a later stage. Omitted when absent. */
  readonly thresholds?: OpaqueSection;
  /** The file it was read from; omitted for the built-in defaults. */
  readonly source?: string;
}

const port = (p: number): PortRange => ({ from: p, to: p });

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The configuration when there is no `tighten.yaml` (and the base every decoded file starts from). */
export const DEFAULT_CONFIG: TightenConfig = deepFreeze({
  apiVersion: CONFIG_API_VERSION,
  kind: CONFIG_KIND,
  labels: { priority: [...DEFAULT_LABEL_PRIORITY], volatile: [] },
  teams: { namespaceLabel: 'team', namespaces: {} },
  classify: { platform: [], batch: [], debug: [], application: [] },
  platform: {
    dnsPorts: [port(53)],
    metricsPorts: [{ from: 9090, to: 9999 }, port(10254), port(15020), port(15090)],
    metricsPortNames: ['metrics', 'http-metrics', 'https-metrics', 'prometheus'],
    metricsPaths: ['/metrics'],
    tracingPorts: [port(4317), port(4318), port(14250), port(14268), port(9411), port(6831), port(6832)],
    secretsPorts: [port(8200)],
    minClients: 3,
    minNamespaces: 2,
    scraperMinTargets: 4,
  },
  boundaries: { fanInNamespaces: 5, fanOutNamespaces: 5, crossShare: 0.5 },
  recommend: { fqdnPatterns: [] },
} satisfies TightenConfig);

/** True when `port` lies in one of the ranges. */
export function portInRanges(port: number, ranges: readonly PortRange[]): boolean {
  return ranges.some((r) => port >= r.from && port <= r.to);
}

/**
 * True for label keys that must not be selected on: the built-in volatile keys and the configured
 * extras. An entry ending in `*` matches every key that starts with what precedes it.
 */
export function isVolatileLabel(key: string, config: TightenConfig): boolean {
  return matchesKeyList(key, BUILTIN_VOLATILE_LABELS) || matchesKeyList(key, config.labels.volatile);
}

