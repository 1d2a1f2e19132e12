/**
 * @module policy/evaluate/corpora/shared — test-only helpers for the conformance suite: where the shared
 * corpora live, reading their files, turning policy YAML into LoadedPolicy, building endpoints the way
 * Cilium labels them, and the expected-verdict vocabulary of the corpora.
 *
 * The corpora are read in place from `../shared/corpora/` (next to the project); nothing is copied into
 * the project. When that folder is absent every corpus test skips with a message saying so.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { decodePolicies, type LoadedPolicy, type Policy } from '../../model/index.js';
import type { Connection, Endpoint, Verdict } from '../types.js';

/** `/work/shared/` seen from src/policy/evaluate/corpora/. */
export const SHARED_ROOT = new URL('../../../../../shared/', import.meta.url);
export const CORPORA_ROOT = new URL('corpora/', SHARED_ROOT);

export function corpusDir(name: string): URL {
  return new URL(`${name}/`, CORPORA_ROOT);
}

/** Undefined when the corpus is there; otherwise the reason its tests skip. */
export function corpusMissing(name: string): string | undefined {
  const dir = corpusDir(name);
  return existsSync(fileURLToPath(dir)) ? undefined : `shared corpus ${fileURLToPath(dir)} is absent (expected ../shared next to the project)`;
}

export function readText(url: URL): string {
  return readFileSync(fileURLToPath(url), 'utf8');
}

export function listFiles(dir: URL): string[] {
  return readdirSync(fileURLToPath(dir), { withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => d.name)
    .sort();
}

/** Every YAML/JSON document of a text, as plain JS (empty documents dropped), `List`/`*List` items flattened. */
export function parseObjects(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const doc of parseAllDocuments(text)) {
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    visit(value);
  }
  return out;
  function visit(value: unknown, itemKind?: string): void {
    if (Array.isArray(value)) {
      value.forEach((v) => visit(v, itemKind));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const o = value as Record<string, unknown>;
    if (Array.isArray(o.items) && typeof o.kind === 'string' && o.kind.endsWith('List')) {
      // The items of a typed list (PodList …) may leave out their kind.
      const kind = o.kind === 'List' ? undefined : o.kind.slice(0, -'List'.length);
      o.items.forEach((v) => visit(v, kind));
      return;
    }
    out.push(o.kind === undefined && itemKind !== undefined ? { kind: itemKind, ...o } : o);
  }
}

// ---- policies -------------------------------------------------------------------------------------------

/**
 * Corpus files that Kubernetes accepts but `decodePolicies` rejects, with the reason; these are read with a
 * plain YAML parse instead. Any other decode error fails the test that loads the file.
 */
export const DECODE_FALLBACKS: Readonly<Record<string, string>> = {
  'cilium-starwars/examples/minikube/sw_l3_l4_policy.yaml':
    'a top-level `description` (outside spec) is no CRD field: the API server prunes it with a warning and kubectl apply succeeds; decodePolicies rejects the unknown field',
};

const POLICY_KINDS = new Set(['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'NetworkPolicy']);

/** Drops `null` (YAML `to:` with nothing after it): the API server treats it as omitted. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

/**
 * The policies in a YAML text, decoded by the model's `decodePolicies` (its errors fail the test that loads
 * the file, naming the file). For the files in DECODE_FALLBACKS, a plain parse that keeps the three
 * policy kinds, drops nulls, drops unknown top-level fields and fills in `defaultNamespace`.
 */
export function loadPolicies(text: string, file: string, defaultNamespace?: string): LoadedPolicy[] {
  if (DECODE_FALLBACKS[file] === undefined) {
    return [...decodePolicies(text, file, defaultNamespace === undefined ? {} : { defaultNamespace }).policies];
  }
  return parseObjects(text)
    .filter((o) => typeof o.kind === 'string' && POLICY_KINDS.has(o.kind))
    .map((o, i) => {
      const { apiVersion, kind, metadata: md, spec, specs } = withoutNulls(o) as Record<string, unknown>;
      const clean = { apiVersion, kind, metadata: md, spec, ...(specs !== undefined ? { specs } : {}) } as Record<string, unknown> & {
        metadata?: Record<string, unknown>;
      };
      const metadata = { ...(clean.metadata ?? {}) };
      if (clean.kind !== 'CiliumClusterwideNetworkPolicy' && metadata.namespace === undefined && defaultNamespace !== undefined) {
        metadata.namespace = defaultNamespace;
      }
      if (clean.kind === 'CiliumClusterwideNetworkPolicy') delete metadata.namespace;
      return { policy: { ...clean, metadata } as unknown as Policy, source: { file, document: i + 1 } };
    });
}

// ---- endpoints ---------------------------------------------------------------------------------------------

export interface PodSpec {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  readonly serviceAccount?: string;
  /** @default "default" */
  readonly cluster?: string;
  readonly ip?: string;
  readonly namedPorts?: Endpoint['namedPorts'];
}

/**
 * A pod's identity as Cilium labels it (cilium-semantics.md a.2, a.3): its labels and the well-known
 * namespace, namespace-label, service-account and cluster labels, all with the k8s source. The namespace
 * always carries `kubernetes.io/metadata.name` (the API server sets it).
 */
export function podEndpoint(p: PodSpec): Endpoint {
  const labels = Object.entries(p.labels).map(([k, v]) => `k8s:${k}=${v}`);
  labels.push(`k8s:io.kubernetes.pod.namespace=${p.namespace}`);
  labels.push(`k8s:io.cilium.k8s.policy.cluster=${p.cluster ?? 'default'}`);
  labels.push(`k8s:io.cilium.k8s.policy.serviceaccount=${p.serviceAccount ?? 'default'}`);
  const nsLabels = { 'kubernetes.io/metadata.name': p.namespace, ...(p.namespaceLabels ?? {}) };
  for (const [k, v] of Object.entries(nsLabels)) labels.push(`k8s:io.cilium.k8s.namespace.labels.${k}=${v}`);
  return {
    labels,
    ...(p.ip !== undefined ? { ip: p.ip } : {}),
    ...(p.namedPorts !== undefined ? { namedPorts: p.namedPorts } : {}),
  };
}

export function worldEndpoint(ip?: string, names?: readonly string[]): Endpoint {
  return { labels: ['reserved:world'], ...(ip !== undefined ? { ip } : {}), ...(names !== undefined ? { names } : {}) };
}

// ---- expected verdicts (the cilium-connectivity vocabulary) --------------------------------------------------

export const EXPECTED_VERDICTS = [
  'allow',
  'allow-l3l4',
  'deny',
  'deny-egress-default',
  'deny-egress-policy',
  'deny-ingress-default',
  'deny-ingress-policy',
] as const;
export type ExpectedVerdict = (typeof EXPECTED_VERDICTS)[number];

const isDenied = (d: Verdict['egress']): boolean => d.decision === 'denied-default' || d.decision === 'denied-rule';
const needsL7 = (v: Verdict): boolean => v.egress.needsL7Check === true || v.ingress.needsL7Check === true;

/**
 * Whether a verdict is what the corpus expects:
 * - allow: both directions let it through, no L7 check; allow-l3l4: the same, with an L7 check;
 * - deny-egress-*: the source's egress drops it (by default deny / by a deny rule);
 * - deny-ingress-*: egress lets it through and the destination's ingress drops it;
 * - deny: dropped somewhere.
 */
export function verdictIs(v: Verdict, expected: ExpectedVerdict): boolean {
  switch (expected) {
    case 'allow':
      return v.allowed && !needsL7(v);
    case 'allow-l3l4':
      return v.allowed && needsL7(v);
    case 'deny':
      return !v.allowed;
    case 'deny-egress-default':
      return v.egress.decision === 'denied-default';
    case 'deny-egress-policy':
      return v.egress.decision === 'denied-rule';
    case 'deny-ingress-default':
      return !isDenied(v.egress) && v.ingress.decision === 'denied-default';
    case 'deny-ingress-policy':
      return !isDenied(v.egress) && v.ingress.decision === 'denied-rule';
    default:
      return false;
  }
}

/** A short text of a verdict for failure messages. */
export function describeVerdict(v: Verdict): string {
  const dir = (d: Verdict['egress']): string =>
    `${d.decision}${d.needsL7Check ? '+L7' : ''}${d.by.length > 0 ? ` by ${d.by.map((r) => `${r.name}/${r.section}[${r.index}]`).join(',')}` : ''}`;
  return `egress ${dir(v.egress)}; ingress ${dir(v.ingress)}`;
}

export function describeEndpoint(e: Endpoint): string {
  const ns = e.labels.find((l) => l.startsWith('k8s:io.kubernetes.pod.namespace='))?.split('=')[1];
  const own = e.labels.filter((l) => !l.includes('io.kubernetes.pod.namespace') && !l.includes('io.cilium.k8s.'));
  return `${ns !== undefined ? `${ns}/` : ''}{${own.join(',')}}${e.ip !== undefined ? `@${e.ip}` : ''}`;
}

export function describeConnection(c: Connection): string {
  return `${describeEndpoint(c.source)} -> ${describeEndpoint(c.destination)} ${c.protocol}/${c.port}`;
}
