/**
 * @module policy/drift — the repository against the cluster (`tighten drift`): policies the cluster has that the
 * repository does not (applied by hand: the "manual exception store"), policies the repository applies that the
 * cluster lacks (not synced yet, or the GitOps controller is failing), policies whose content differs, and policies
 * of a namespace still at `observe` that are live anyway. Pure.
 *
 * Content is the policy's rules — `spec`/`specs` for Cilium's kinds, `spec` for a NetworkPolicy, where the API
 * server's defaults (`policyTypes`, `protocol: TCP`) are filled in on both sides first — plus its labels;
 * metadata the server or a controller adds (uid, resourceVersion, annotations, managedFields) is not content.
 */
import type { PolicyObject } from '../cluster/index.js';

/** A policy of the repository: where it is, and whether the root kustomization applies its folder. */
export interface RepoPolicy {
  readonly kind: PolicyObject['kind'];
  readonly namespace?: string;
  readonly name: string;
  /** Repository-relative path. */
  readonly file: string;
  readonly applied: boolean;
  readonly object: Readonly<Record<string, unknown>>;
}

export interface DriftEntry {
  readonly kind: PolicyObject['kind'];
  readonly namespace?: string;
  readonly name: string;
  /** The repository's file, when there is one. */
  readonly file?: string;
  /** Where the cluster's copy was read (the dump's file), when there is one. */
  readonly source?: string;
  /** For `differs`: the top-level paths whose content differs (`spec.ingress`, `metadata.labels`). */
  readonly fields?: readonly string[];
}

export interface DriftReport {
  /** In the cluster, not in the repository: hand-applied exceptions (or another tool's). */
  readonly onlyInCluster: readonly DriftEntry[];
  /** Applied by the repository, missing from the cluster. */
  readonly onlyInRepository: readonly DriftEntry[];
  /** In both, with different content. */
  readonly differs: readonly DriftEntry[];
  /** In the cluster although the repository does not apply it (its namespace is at observe). */
  readonly liveButNotApplied: readonly DriftEntry[];
  readonly inSync: number;
  /** Policies the repository proposes but does not apply, and the cluster rightly lacks. */
  readonly proposed: number;
}

const keyOf = (p: { kind: string; namespace?: string; name: string }): string => `${p.kind}\u0000${p.namespace ?? ''}\u0000${p.name}`;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value with object keys sorted, as JSON: equal content, equal text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isRecord(v)) {
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The NetworkPolicy spec with the API server's defaults filled in. */
function defaultedNetworkPolicySpec(spec: unknown): unknown {
  if (!isRecord(spec)) return spec;
  const withProtocol = (rules: unknown): unknown =>
    Array.isArray(rules)
      ? rules.map((r) => (isRecord(r) && Array.isArray(r.ports) ? { ...r, ports: r.ports.map((p) => (isRecord(p) && p.protocol === undefined ? { ...p, protocol: 'TCP' } : p)) } : r))
      : rules;
  const policyTypes = spec.policyTypes ?? ['Ingress', ...(spec.egress !== undefined ? ['Egress'] : [])];
  return { ...spec, policyTypes, ...(spec.ingress !== undefined ? { ingress: withProtocol(spec.ingress) } : {}), ...(spec.egress !== undefined ? { egress: withProtocol(spec.egress) } : {}) };
}

/** The content compared, by top-level path. */
function contentOf(kind: PolicyObject['kind'], object: Readonly<Record<string, unknown>>): Record<string, string> {
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  const labels = isRecord(metadata.labels) ? metadata.labels : {};
  const out: Record<string, string> = { 'metadata.labels': canonical(labels) };
  if (kind === 'NetworkPolicy') out.spec = canonical(defaultedNetworkPolicySpec(object.spec));
  else {
    out.spec = canonical(object.spec ?? null);
    out.specs = canonical(object.specs ?? null);
  }
  return out;
}

/** The fields whose content differs; for a spec, its first-level keys (`spec.ingress`). */
function differingFields(kind: PolicyObject['kind'], a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): string[] {
  const ca = contentOf(kind, a);
  const cb = contentOf(kind, b);
  const out: string[] = [];
  for (const field of Object.keys(ca)) {
    if (ca[field] === cb[field]) continue;
    const sa = field === 'spec' ? (kind === 'NetworkPolicy' ? defaultedNetworkPolicySpec(a.spec) : a.spec) : undefined;
    const sb = field === 'spec' ? (kind === 'NetworkPolicy' ? defaultedNetworkPolicySpec(b.spec) : b.spec) : undefined;
    if (isRecord(sa) && isRecord(sb)) {
      for (const k of [...new Set([...Object.keys(sa), ...Object.keys(sb)])].sort()) if (canonical(sa[k] ?? null) !== canonical(sb[k] ?? null)) out.push(`spec.${k}`);
    } else out.push(field);
  }
  return out;
}

const cmp = (a: DriftEntry, b: DriftEntry): number => {
  const x = keyOf(a);
  const y = keyOf(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Compares the repository's policies with the cluster's. */
export function detectDrift(repository: readonly RepoPolicy[], cluster: readonly PolicyObject[]): DriftReport {
  const inCluster = new Map(cluster.map((p) => [keyOf(p), p]));
  const inRepo = new Map(repository.map((p) => [keyOf(p), p]));
  const onlyInCluster: DriftEntry[] = [];
  const onlyInRepository: DriftEntry[] = [];
  const differs: DriftEntry[] = [];
  const liveButNotApplied: DriftEntry[] = [];
  let inSync = 0;
  let proposed = 0;
  const id = (p: { kind: PolicyObject['kind']; namespace?: string; name: string }) => ({ kind: p.kind, ...(p.namespace !== undefined ? { namespace: p.namespace } : {}), name: p.name });
  for (const [key, r] of inRepo) {
    const c = inCluster.get(key);
    if (!r.applied) {
      if (c === undefined) proposed++;
      else liveButNotApplied.push({ ...id(r), file: r.file, source: c.source });
      continue;
    }
    if (c === undefined) {
      onlyInRepository.push({ ...id(r), file: r.file });
      continue;
    }
    const fields = differingFields(r.kind, r.object, c.object);
    if (fields.length === 0) inSync++;
    else differs.push({ ...id(r), file: r.file, source: c.source, fields });
  }
  for (const [key, c] of inCluster) if (!inRepo.has(key)) onlyInCluster.push({ ...id(c), source: c.source });
  return {
    onlyInCluster: onlyInCluster.sort(cmp),
    onlyInRepository: onlyInRepository.sort(cmp),
    differs: differs.sort(cmp),
    liveButNotApplied: liveButNotApplied.sort(cmp),
    inSync,
    proposed,
  };
}

/** Whether anything drifted (what the exit code says). */
export const hasDrift = (r: DriftReport): boolean => r.onlyInCluster.length + r.onlyInRepository.length + r.differs.length + r.liveButNotApplied.length > 0;
