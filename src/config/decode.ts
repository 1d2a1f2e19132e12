/**
 * @module config/decode — `tighten.yaml` text → {@link TightenConfig} (pure).
 *
 * Checked by hand over the YAML syntax tree rather than with a schema library, so that every problem
 * names the line of the offending key or value. All problems of a file are reported at once, each as
 * `file:line: field: what is wrong`, with "Did you mean …?" for misspelt keys and values.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { WORKLOAD_KINDS } from '../cluster/index.js';
import { PLATFORM_ROLES, type PlatformRole } from '../inventory/index.js';
import { InputError, formatLocation } from '../shared/errors.js';
import {
  CONFIG_API_VERSION,
  CONFIG_KIND,
  DEFAULT_CONFIG,
  type BoundariesConfig,
  type ClassifyConfig,
  type LabelsConfig,
  type OpaqueSection,
  type PlatformConfig,
  type PlatformMatcher,
  type PortRange,
  type RecommendConfig,
  type TeamsConfig,
  type TightenConfig,
  type WorkloadMatcher,
} from './config.js';
import { didYouMean } from '../shared/suggest.js';

const TOP_KEYS = ['apiVersion', 'kind', 'labels', 'teams', 'classify', 'platform', 'boundaries', 'recommend', 'criticality', 'gates', 'thresholds'] as const;
const LABELS_KEYS = ['priority', 'volatile'] as const;
const TEAMS_KEYS = ['namespaceLabel', 'namespaces'] as const;
const CLASSIFY_KEYS = ['platform', 'batch', 'debug', 'application'] as const;
const MATCHER_KEYS = ['namespace', 'name', 'kind', 'labels'] as const;
const PLATFORM_MATCHER_KEYS = [...MATCHER_KEYS, 'role'] as const;
const PLATFORM_KEYS = [
  'dnsPorts',
  'metricsPorts',
  'metricsPortNames',
  'metricsPaths',
  'tracingPorts',
  'secretsPorts',
  'minClients',
  'minNamespaces',
  'scraperMinTargets',
] as const;
const BOUNDARIES_KEYS = ['fanInNamespaces', 'fanOutNamespaces', 'crossShare'] as const;
const RECOMMEND_KEYS = ['fqdnPatterns'] as const;
/** Cilium's `matchPattern` alphabet: letters, digits, `-`, `_`, `.` and `*` (pkg/fqdn/matchpattern). */
const FQDN_PATTERN = /^[-a-zA-Z0-9_.*]+\.?$/;

/** A Kubernetes label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
const LABEL_KEY = /^(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A volatile entry: a label key, or a key prefix followed by `*`. */
const LABEL_KEY_PATTERN = /^(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?\/)?(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?\*$/;

interface Issue {
  readonly line: number | undefined;
  readonly path: string;
  readonly message: string;
}

/**
 * Decodes the text of a `tighten.yaml`. An empty file (or one with only comments) gives the defaults.
 * @param file the file's name, for messages (and `source` of the result)
 * @throws InputError naming the file, line and field of every problem found
 */
export function decodeConfig(text: string, file: string): TightenConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = first.linePos?.[0].line ?? lineCounter.linePos(Math.max(0, Math.min(first.pos[0], text.length - 1))).line;
    const what = first.code === 'MULTIPLE_DOCS' ? 'a configuration file holds one YAML document; remove the `---` separator' : first.message.replace(/ at line \d+, column \d+:?\s*$/s, '');
    throw new InputError(`${formatLocation(file, line)}: not valid YAML: ${what}`, { file, ...(line !== undefined ? { line } : {}) });
  }
  const reader = new Reader(doc, lineCounter);
  const config = reader.config(doc.contents, file);
  if (reader.issues.length > 0) {
    const lines = reader.issues.map((i) => `${formatLocation(file, i.line)}: ${i.path === '' ? '' : `${i.path}: `}${i.message}`);
    const message = lines.length === 1 ? lines[0]! : `${file}: ${lines.length} problems:\n${lines.map((l) => `  ${l}`).join('\n')}`;
    const line = reader.issues[0]!.line;
    throw new InputError(message, { file, ...(line !== undefined ? { line } : {}) });
  }
  return config;
}

/** Walks the syntax tree, collecting issues; each method returns undefined where the value is unusable. */
class Reader {
  readonly issues: Issue[] = [];
  private readonly doc: Document;
  private readonly lines: LineCounter;

  constructor(doc: Document, lines: LineCounter) {
    this.doc = doc;
    this.lines = lines;
  }

  config(root: unknown, file: string): TightenConfig {
    const node = this.resolve(root);
    if (node === null || (isScalar(node) && node.value === null)) return { ...DEFAULT_CONFIG, source: file };
    const f = this.fields(node, '', TOP_KEYS, 'the top level');
    if (f === undefined) return DEFAULT_CONFIG;
    const apiVersion = f.get('apiVersion');
    if (apiVersion !== undefined) {
      const v = this.string(apiVersion, 'apiVersion');
      if (v !== undefined && v !== CONFIG_API_VERSION) this.report(apiVersion, 'apiVersion', `"${v}" is not supported; this tighten reads "${CONFIG_API_VERSION}".`);
    }
    const kind = f.get('kind');
    if (kind !== undefined) {
      const v = this.string(kind, 'kind');
      if (v !== undefined && v !== CONFIG_KIND) this.report(kind, 'kind', `expected "${CONFIG_KIND}", got "${v}".`);
    }
    const opaque = (key: 'criticality' | 'gates' | 'thresholds'): { [k: string]: OpaqueSection } => {
      const n = f.get(key);
      const v = n === undefined ? undefined : this.opaque(n, key);
      return v === undefined ? {} : { [key]: v };
    };
    return {
      apiVersion: CONFIG_API_VERSION,
      kind: CONFIG_KIND,
      labels: this.labels(f.get('labels')),
      teams: this.teams(f.get('teams')),
      classify: this.classify(f.get('classify')),
      platform: this.platform(f.get('platform')),
      boundaries: this.boundaries(f.get('boundaries')),
      recommend: this.recommend(f.get('recommend')),
      ...opaque('criticality'),
      ...opaque('gates'),
      ...opaque('thresholds'),
      source: file,
    };
  }

  private labels(node: Node | undefined): LabelsConfig {
    const d = DEFAULT_CONFIG.labels;
    const f = node === undefined ? undefined : this.fields(node, 'labels', LABELS_KEYS);
    if (f === undefined) return d;
    const priority = this.stringList(f.get('priority'), 'labels.priority', (v) =>
      LABEL_KEY.test(v) ? undefined : `"${v}" is not a Kubernetes label key.`,
    );
    const volatile = this.stringList(f.get('volatile'), 'labels.volatile', (v) =>
      LABEL_KEY.test(v) || LABEL_KEY_PATTERN.test(v) ? undefined : `"${v}" is neither a label key nor a key prefix ending in "*".`,
    );
    return { priority: priority ?? d.priority, volatile: volatile ?? d.volatile };
  }

  private teams(node: Node | undefined): TeamsConfig {
    const d = DEFAULT_CONFIG.teams;
    const f = node === undefined ? undefined : this.fields(node, 'teams', TEAMS_KEYS);
    if (f === undefined) return d;
    const labelNode = f.get('namespaceLabel');
    let namespaceLabel = labelNode === undefined ? undefined : this.string(labelNode, 'teams.namespaceLabel');
    if (namespaceLabel !== undefined && !LABEL_KEY.test(namespaceLabel)) {
      this.report(labelNode!, 'teams.namespaceLabel', `"${namespaceLabel}" is not a Kubernetes label key.`);
      namespaceLabel = undefined;
    }
    const namespaces = this.stringMap(f.get('namespaces'), 'teams.namespaces');
    return { namespaceLabel: namespaceLabel ?? d.namespaceLabel, namespaces: namespaces ?? d.namespaces };
  }

  private classify(node: Node | undefined): ClassifyConfig {
    const d = DEFAULT_CONFIG.classify;
    const f = node === undefined ? undefined : this.fields(node, 'classify', CLASSIFY_KEYS);
    if (f === undefined) return d;
    const platform = this.list(f.get('platform'), 'classify.platform', (n, p) => this.matcher(n, p, true) as PlatformMatcher | undefined);
    const plain = (key: 'batch' | 'debug' | 'application') => this.list(f.get(key), `classify.${key}`, (n, p) => this.matcher(n, p, false));
    return {
      platform: platform ?? d.platform,
      batch: plain('batch') ?? d.batch,
      debug: plain('debug') ?? d.debug,
      application: plain('application') ?? d.application,
    };
  }

  private matcher(node: Node, path: string, withRole: boolean): WorkloadMatcher | PlatformMatcher | undefined {
    const f = this.fields(node, path, withRole ? PLATFORM_MATCHER_KEYS : MATCHER_KEYS);
    if (f === undefined) return undefined;
    const out: { namespace?: string; name?: string; kind?: string; labels?: Record<string, string>; role?: PlatformRole } = {};
    const ns = f.get('namespace');
    if (ns !== undefined) out.namespace = this.string(ns, `${path}.namespace`);
    const name = f.get('name');
    if (name !== undefined) out.name = this.string(name, `${path}.name`);
    const kindNode = f.get('kind');
    if (kindNode !== undefined) {
      const kind = this.string(kindNode, `${path}.kind`);
      if (kind !== undefined && !(WORKLOAD_KINDS as readonly string[]).includes(kind)) {
        const hint = didYouMean(kind, WORKLOAD_KINDS);
        // Custom owner kinds (Argo Rollout …) are allowed; only a near miss of a known kind is an error.
        if (hint !== '') this.report(kindNode, `${path}.kind`, `unknown workload kind "${kind}".${hint}`);
        else out.kind = kind;
      } else if (kind !== undefined) out.kind = kind;
    }
    const labels = this.stringMap(f.get('labels'), `${path}.labels`);
    if (labels !== undefined) out.labels = labels;
    if (withRole) {
      const roleNode = f.get('role');
      if (roleNode === undefined) this.report(node, path, `a platform entry needs a role: one of ${PLATFORM_ROLES.join(', ')}.`);
      else {
        const role = this.string(roleNode, `${path}.role`);
        if (role !== undefined) {
          if ((PLATFORM_ROLES as readonly string[]).includes(role)) out.role = role as PlatformRole;
          else this.report(roleNode, `${path}.role`, `unknown role "${role}"; expected one of ${PLATFORM_ROLES.join(', ')}.${didYouMean(role, PLATFORM_ROLES)}`);
        }
      }
    }
    // Fields with a bad value were reported already; only an entry that gives none is the catch-all mistake.
    if (!MATCHER_KEYS.some((k) => f.has(k))) {
      this.report(node, path, 'an entry that names no namespace, name, kind or labels would match every workload; give at least one.');
      return undefined;
    }
    for (const [k, v] of Object.entries(out)) if (v === undefined) delete (out as Record<string, unknown>)[k];
    return out as WorkloadMatcher;
  }

  private platform(node: Node | undefined): PlatformConfig {
    const d = DEFAULT_CONFIG.platform;
    const f = node === undefined ? undefined : this.fields(node, 'platform', PLATFORM_KEYS);
    if (f === undefined) return d;
    const ports = (key: 'dnsPorts' | 'metricsPorts' | 'tracingPorts' | 'secretsPorts') => this.portList(f.get(key), `platform.${key}`) ?? d[key];
    const int = (key: 'minClients' | 'minNamespaces' | 'scraperMinTargets') => {
      const n = f.get(key);
      return (n === undefined ? undefined : this.number(n, `platform.${key}`, { min: 1, integer: true })) ?? d[key];
    };
    return {
      dnsPorts: ports('dnsPorts'),
      metricsPorts: ports('metricsPorts'),
      metricsPortNames: this.stringList(f.get('metricsPortNames'), 'platform.metricsPortNames') ?? d.metricsPortNames,
      metricsPaths:
        this.stringList(f.get('metricsPaths'), 'platform.metricsPaths', (v) => (v.startsWith('/') ? undefined : `"${v}" is not an HTTP path; paths start with "/".`)) ??
        d.metricsPaths,
      tracingPorts: ports('tracingPorts'),
      secretsPorts: ports('secretsPorts'),
      minClients: int('minClients'),
      minNamespaces: int('minNamespaces'),
      scraperMinTargets: int('scraperMinTargets'),
    };
  }

  private boundaries(node: Node | undefined): BoundariesConfig {
    const d = DEFAULT_CONFIG.boundaries;
    const f = node === undefined ? undefined : this.fields(node, 'boundaries', BOUNDARIES_KEYS);
    if (f === undefined) return d;
    const count = (key: 'fanInNamespaces' | 'fanOutNamespaces') => {
      const n = f.get(key);
      return (n === undefined ? undefined : this.number(n, `boundaries.${key}`, { min: 0, integer: true })) ?? d[key];
    };
    const share = f.get('crossShare');
    return {
      fanInNamespaces: count('fanInNamespaces'),
      fanOutNamespaces: count('fanOutNamespaces'),
      crossShare: (share === undefined ? undefined : this.number(share, 'boundaries.crossShare', { min: 0, max: 1 })) ?? d.crossShare,
    };
  }

  private recommend(node: Node | undefined): RecommendConfig {
    const d = DEFAULT_CONFIG.recommend;
    const f = node === undefined ? undefined : this.fields(node, 'recommend', RECOMMEND_KEYS);
    if (f === undefined) return d;
    const fqdnPatterns = this.stringList(f.get('fqdnPatterns'), 'recommend.fqdnPatterns', (v) =>
      FQDN_PATTERN.test(v) && v.includes('*') ? undefined : `"${v}" is not a toFQDNs wildcard pattern (letters, digits, "-", "_", "." and at least one "*", e.g. "*.example.com").`,
    );
    return { fqdnPatterns: fqdnPatterns ?? d.fqdnPatterns };
  }

  // --- primitives ---------------------------------------------------------------------------------

  private resolve(node: unknown): Node | null {
    if (node === null || node === undefined) return null;
    return (isAlias(node) ? node.resolve(this.doc) ?? null : node) as Node | null;
  }

  private lineOf(node: unknown): number | undefined {
    const range = (node as { range?: readonly number[] } | null)?.range;
    return range === undefined ? undefined : this.lines.linePos(range[0]!).line;
  }

  private report(node: unknown, path: string, message: string): void {
    this.issues.push({ line: this.lineOf(node), path, message });
  }

  private isEmpty(node: Node | null): boolean {
    return node === null || (isScalar(node) && node.value === null);
  }

  /**
   * The entries of a mapping by key; unknown keys are reported with a suggestion. Undefined when the value
   * is empty (meaning: the defaults) or not a mapping (reported).
   */
  private fields(raw: unknown, path: string, known: readonly string[], where?: string): Map<string, Node> | undefined {
    const node = this.resolve(raw);
    if (this.isEmpty(node)) return undefined;
    if (!isMap(node)) {
      this.report(node, path, `expected a mapping (key: value lines), got ${describe(node)}.`);
      return undefined;
    }
    const out = new Map<string, Node>();
    for (const pair of node.items) {
      const keyNode = this.resolve(pair.key);
      const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
      if (key === undefined) {
        this.report(keyNode ?? node, path, 'keys must be plain strings.');
        continue;
      }
      if (!known.includes(key)) {
        const at = path === '' ? key : `${path}.${key}`;
        this.report(keyNode, at, `unknown key "${key}" in ${where ?? path}.${didYouMean(key, known)} Known keys: ${known.join(', ')}.`);
        continue;
      }
      const value = this.resolve(pair.value);
      if (this.isEmpty(value)) continue;
      out.set(key, value!);
    }
    return out;
  }

  private string(node: Node, path: string): string | undefined {
    if (isScalar(node) && typeof node.value === 'string') {
      if (node.value.trim() === '') {
        this.report(node, path, 'must not be empty.');
        return undefined;
      }
      return node.value;
    }
    this.report(node, path, `expected a string, got ${describe(node)}${isScalar(node) ? ' (quote it to make it a string)' : ''}.`);
    return undefined;
  }

  private number(node: Node, path: string, bounds: { min?: number; max?: number; integer?: boolean }): number | undefined {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isFinite(node.value)) {
      this.report(node, path, `expected a number, got ${describe(node)}.`);
      return undefined;
    }
    const v = node.value;
    if (bounds.integer === true && !Number.isInteger(v)) this.report(node, path, `expected a whole number, got ${v}.`);
    else if (bounds.min !== undefined && v < bounds.min) this.report(node, path, `must be at least ${bounds.min}, got ${v}.`);
    else if (bounds.max !== undefined && v > bounds.max) this.report(node, path, `must be at most ${bounds.max}, got ${v}.`);
    else return v;
    return undefined;
  }

  private list<T>(raw: Node | undefined, path: string, item: (node: Node, path: string) => T | undefined): T[] | undefined {
    if (raw === undefined) return undefined;
    if (!isSeq(raw)) {
      this.report(raw, path, `expected a list (lines starting with "- "), got ${describe(raw)}.`);
      return undefined;
    }
    const out: T[] = [];
    raw.items.forEach((child, i) => {
      const node = this.resolve(child);
      if (this.isEmpty(node)) {
        this.report(node ?? raw, `${path}[${i}]`, 'empty list entry.');
        return;
      }
      const v = item(node!, `${path}[${i}]`);
      if (v !== undefined) out.push(v);
    });
    return out;
  }

  private stringList(raw: Node | undefined, path: string, check?: (v: string) => string | undefined): string[] | undefined {
    return this.list(raw, path, (node, p) => {
      const v = this.string(node, p);
      if (v === undefined) return undefined;
      const problem = check?.(v);
      if (problem !== undefined) {
        this.report(node, p, problem);
        return undefined;
      }
      return v;
    });
  }

  private stringMap(raw: Node | undefined, path: string): Record<string, string> | undefined {
    if (raw === undefined) return undefined;
    if (!isMap(raw)) {
      this.report(raw, path, `expected a mapping (key: value lines), got ${describe(raw)}.`);
      return undefined;
    }
    const out: Record<string, string> = {};
    for (const pair of raw.items) {
      const keyNode = this.resolve(pair.key);
      if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
        this.report(keyNode ?? raw, path, 'keys must be plain strings.');
        continue;
      }
      const key = String(keyNode.value);
      const value = this.resolve(pair.value);
      if (value === null) {
        this.report(keyNode, `${path}.${key}`, 'has no value.');
        continue;
      }
      const v = this.string(value, `${path}.${key}`);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }

  private portList(raw: Node | undefined, path: string): PortRange[] | undefined {
    return this.list(raw, path, (node, p) => {
      const range = isScalar(node) ? parsePortRange(node.value) : undefined;
      if (range === undefined) this.report(node, p, `expected a port (1-65535) or a range "from-to", got ${describe(node)}.`);
      return range;
    });
  }

  private opaque(node: Node, path: string): OpaqueSection | undefined {
    if (!isMap(node)) {
      this.report(node, path, `expected a mapping (key: value lines), got ${describe(node)}.`);
      return undefined;
    }
    return node.toJS(this.doc) as OpaqueSection;
  }
}

function parsePortRange(v: unknown): PortRange | undefined {
  const valid = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;
  if (typeof v === 'number') return valid(v) ? { from: v, to: v } : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(v);
  if (m === null) return undefined;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  return valid(from) && valid(to) && from <= to ? { from, to } : undefined;
}

/** How a value looks, for messages: `a list`, `a mapping`, `the number 3`, `the string "x"`, `true`. */
function describe(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isSeq(node)) return 'a list';
  if (isMap(node)) return 'a mapping';
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'string') return `the string "${v}"`;
    if (typeof v === 'number') return `the number ${v}`;
    if (typeof v === 'boolean') return `${v}`;
    if (v === null) return 'nothing';
  }
  return 'an unexpected value';
}
