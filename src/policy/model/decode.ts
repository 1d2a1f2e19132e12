/**
 * @module policy/model/decode — policy files and parsed objects → {@link LoadedPolicy} (pure).
 *
 * Reads YAML (several documents separated by `---`) or JSON (one object, a `List`/`*List` with `items`, or an
 * array) with the `yaml` package, keeps CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (cilium.io/v2)
 * and Kubernetes NetworkPolicy (networking.k8s.io/v1), and returns every other object in `skipped`.
 *
 * Shapes are checked by hand (`schema.ts`): field types, enums, required fields and unknown fields (with
 * "did you mean", because a misspelt field silently changes what a policy means). Every problem of a file is
 * reported at once as `file:line: document N (Kind ns/name): field.path: what is wrong`. What the types cannot
 * express (CIDR syntax, port ranges, which fields may be combined …) is `sanitizePolicy`'s job.
 *
 * Normalisations, each one a thing the API server or Cilium would do as well:
 * - a field set to null (`to:` with nothing after it) counts as omitted, as in Go's JSON decoding; a null list
 *   item or map value is an error;
 * - an integer `port` becomes its string (`80` → `"80"`): the CRD's `port` is a string;
 * - empty objects that mean the same as an omitted one are dropped: `matchLabels: {}`, `enableDefaultDeny: {}`,
 *   `rules: {}`, `log: {}`, `metadata.labels: {}`, `metadata.annotations: {}`;
 * - server-populated metadata (`uid`, `resourceVersion`, `managedFields` …), `status`, and a `description` next to
 *   `spec` (not in the CRD; Cilium's Star Wars demo has one) are dropped, as is `metadata.namespace` of a
 *   CiliumClusterwideNetworkPolicy (a cluster-scoped object has none).
 * Nothing else changes: an omitted list stays omitted and `[]` stays `[]`, which mean different things.
 */
import { LineCounter, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import { InputError, PolicyError } from '../../shared/errors.js';
import { POLICY_KINDS, describePolicy, formatPath, formatWhere, joinProblemLines, type FieldPath, type PolicyKind } from './problems.js';
import { metadataShape, networkPolicySpecShape, ruleShape } from './schema.js';
import { decodeShape, describeValue, isRecord, type ObjectShape, type ShapeIssue } from './shape.js';
import { didYouMean as didYouMeanAny, suggest } from '../../shared/suggest.js';
const didYouMean = (word: string, candidates: readonly string[]): string => didYouMeanAny(word, candidates, '; ');
import type { LoadedPolicy, Policy, PolicySource } from './types.js';

export interface DecodeOptions {
  /**
   * The namespace of a CiliumNetworkPolicy or NetworkPolicy that gives none, as `kubectl apply -n` would use.
   * Without it such an object is an error: tighten cannot guess the namespace a policy was meant for.
   */
  readonly defaultNamespace?: string;
}

/** An object that is not one of the three policy kinds, with where it was found. */
export interface SkippedObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly document: number;
  readonly item?: number;
}

export interface DecodedPolicies {
  /** The policies, in the order of the file. */
  readonly policies: readonly LoadedPolicy[];
  /** Objects of other kinds (and documents with no `kind`), in the order of the file; empty documents are not listed. */
  readonly skipped: readonly SkippedObject[];
}

const API_VERSION: Readonly<Record<PolicyKind, string>> = {
  CiliumNetworkPolicy: 'cilium.io/v2',
  CiliumClusterwideNetworkPolicy: 'cilium.io/v2',
  NetworkPolicy: 'networking.k8s.io/v1',
};

const ciliumTop: ObjectShape = {
  type: 'object',
  fields: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: metadataShape, spec: ruleShape, specs: { type: 'list', of: ruleShape } },
  required: ['metadata'],
  // Cilium's own Star Wars demo puts `description` beside `spec`; the API server prunes it, and so do we.
  ignored: ['status', 'description'],
};
const networkPolicyTop: ObjectShape = {
  type: 'object',
  fields: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: metadataShape, spec: networkPolicySpecShape },
  required: ['metadata', 'spec'],
  ignored: ['status'],
};

/**
 * Decodes the policies in the text of one file.
 * @param file the file's name, for messages and `source`
 * @throws InputError when the text is not YAML/JSON; PolicyError naming file, line, document, object and field of
 *   every invalid policy (and of a policy defined twice)
 */
export function decodePolicies(text: string, file: string, options: DecodeOptions = {}): DecodedPolicies {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (!Array.isArray(docs)) return { policies: [], skipped: [] }; // an empty stream
  const policies: LoadedPolicy[] = [];
  const skipped: SkippedObject[] = [];
  const problems: { line: number | undefined; text: string }[] = [];
  docs.forEach((doc, index) => {
    const document = index + 1;
    if (doc.errors.length > 0) {
      const first = doc.errors[0]!;
      const line = first.linePos?.[0].line ?? lineCounter.linePos(first.pos[0]).line;
      const what = first.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '');
      throw new InputError(`${file}:${line}: document ${document}: not valid YAML or JSON: ${what}`, { file, line });
    }
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (value === null || value === undefined) return; // an empty document
    const report = (base: FieldPath, source: PolicySource, header: string, issues: readonly ShapeIssue[]): void => {
      for (const issue of issues) {
        const line = lineOf(doc, lineCounter, [...base, ...issue.path]);
        const path = formatPath(issue.path);
        problems.push({ line, text: `${formatWhere(source, line, header)}: ${path === '' ? '' : `${path}: `}${issue.message}` });
      }
    };
    const visit = (raw: unknown, base: FieldPath, item: number | undefined): void => {
      const source: PolicySource = { file, document, ...(item !== undefined ? { item } : {}) };
      const r = decodeObject(raw, source, options);
      if (r.kind === 'policy') policies.push(r.policy);
      else if (r.kind === 'skip') skipped.push({ ...r.skipped, document, ...(item !== undefined ? { item } : {}) });
      else report(base, source, r.header, r.issues);
    };
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, [i], i));
    else if (isRecord(value) && isList(value)) (value.items as unknown[]).forEach((v, i) => visit(inheritKind(v, value), ['items', i], i));
    else visit(value, [], undefined);
  });
  problems.push(...duplicates(policies).map((text) => ({ line: undefined, text: `${file}: ${text}` })));
  if (problems.length > 0) {
    const line = problems[0]!.line;
    throw new PolicyError(joinProblemLines(problems.map((p) => p.text), file), { file, ...(line !== undefined ? { line } : {}) });
  }
  return { policies, skipped };
}

/**
 * Decodes one object that is already parsed (e.g. a policy kept raw in a cluster dump).
 * @throws PolicyError when it is not a valid CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy or NetworkPolicy
 */
export function decodePolicyObject(object: unknown, source: PolicySource, options: DecodeOptions = {}): LoadedPolicy {
  const r = decodeObject(object, source, options);
  if (r.kind === 'policy') return r.policy;
  if (r.kind === 'skip') {
    const what = r.skipped.kind === undefined ? 'an object with no kind' : `a ${r.skipped.kind}${r.skipped.apiVersion === undefined ? '' : ` (${r.skipped.apiVersion})`}`;
    throw new PolicyError(`${formatWhere(source, undefined, describePolicy({ kind: r.skipped.kind ?? 'object', name: r.skipped.name }))}: not a policy: ${what}`, { file: source.file });
  }
  const lines = r.issues.map((i) => {
    const path = formatPath(i.path);
    return `${formatWhere(source, undefined, r.header)}: ${path === '' ? '' : `${path}: `}${i.message}`;
  });
  throw new PolicyError(joinProblemLines(lines, source.file), { file: source.file });
}

/** "Kind ns/name defined twice" messages for a list of policies (across files, too). */
export function duplicates(policies: readonly LoadedPolicy[]): string[] {
  const seen = new Map<string, LoadedPolicy>();
  const out: string[] = [];
  for (const p of policies) {
    const m = p.policy.metadata;
    const key = `${p.policy.kind}\u0000${m.namespace ?? ''}\u0000${m.name}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, p);
      continue;
    }
    const where = (s: PolicySource | undefined): string =>
      s === undefined ? 'an unnamed source' : `${s.file}${s.document !== undefined ? ` document ${s.document}` : ''}${s.item !== undefined ? ` items[${s.item}]` : ''}`;
    out.push(`${describePolicy({ kind: p.policy.kind, namespace: m.namespace, name: m.name })} is defined twice: in ${where(first.source)} and in ${where(p.source)}; the second would replace the first when applied`);
  }
  return out;
}

type ObjectResult =
  | { readonly kind: 'policy'; readonly policy: LoadedPolicy }
  | { readonly kind: 'skip'; readonly skipped: Omit<SkippedObject, 'document' | 'item'> }
  | { readonly kind: 'invalid'; readonly header: string; readonly issues: readonly ShapeIssue[] };

function decodeObject(raw: unknown, source: PolicySource, options: DecodeOptions): ObjectResult {
  if (!isRecord(raw)) {
    return { kind: 'invalid', header: 'not an object', issues: [{ path: [], message: `expected a Kubernetes object (a mapping with apiVersion and kind), got ${describeValue(raw)}` }] };
  }
  const kind = typeof raw.kind === 'string' ? raw.kind : undefined;
  const apiVersion = typeof raw.apiVersion === 'string' ? raw.apiVersion : undefined;
  const meta = isRecord(raw.metadata) ? raw.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : undefined;
  const rawNamespace = typeof meta.namespace === 'string' ? meta.namespace : undefined;
  const skip = (): ObjectResult => ({
    kind: 'skip',
    skipped: { ...(apiVersion !== undefined ? { apiVersion } : {}), ...(kind !== undefined ? { kind } : {}), ...(name !== undefined ? { name } : {}) },
  });
  if (kind === undefined) return skip();
  const group = apiVersion?.split('/')[0];
  const policyKind = (POLICY_KINDS as readonly string[]).includes(kind) ? (kind as PolicyKind) : undefined;
  if (policyKind === undefined) {
    // A misspelt kind in a policy API group would otherwise be skipped without a word.
    const close = group === 'cilium.io' || group === 'networking.k8s.io' ? suggest(kind, POLICY_KINDS) : undefined;
    if (close === undefined) return skip();
    return {
      kind: 'invalid',
      header: describePolicy({ kind, namespace: rawNamespace, name }),
      issues: [{ path: ['kind'], message: `unknown kind ${JSON.stringify(kind)}${didYouMean(kind, POLICY_KINDS)}` }],
    };
  }
  const expectedApiVersion = API_VERSION[policyKind];
  const namespaced = policyKind !== 'CiliumClusterwideNetworkPolicy';
  const namespace = namespaced ? (rawNamespace ?? options.defaultNamespace) : undefined;
  const header = describePolicy({ kind: policyKind, namespace, name });
  if (apiVersion !== expectedApiVersion) {
    // Same kind name in another API group (Calico's NetworkPolicy, say) is not ours.
    if (apiVersion !== undefined && group !== expectedApiVersion.split('/')[0]) return skip();
    const got = apiVersion === undefined ? 'missing' : JSON.stringify(apiVersion);
    return { kind: 'invalid', header, issues: [{ path: ['apiVersion'], message: `${got}: a ${policyKind} has apiVersion ${expectedApiVersion}` }] };
  }
  const issues: ShapeIssue[] = [];
  const decoded = decodeShape(policyKind === 'NetworkPolicy' ? networkPolicyTop : ciliumTop, raw, [], issues);
  if (namespaced && namespace === undefined && isRecord(raw.metadata)) {
    issues.push({
      path: ['metadata', 'namespace'],
      message: `required: a ${policyKind} is namespaced; add metadata.namespace (kubectl would use the current context's namespace)`,
    });
  }
  if (issues.length > 0 || !isRecord(decoded)) return { kind: 'invalid', header, issues };
  const metadata = { ...(decoded.metadata as Record<string, unknown>) };
  delete metadata.namespace;
  const policy = {
    apiVersion: expectedApiVersion,
    kind: policyKind,
    metadata: { name: metadata.name, ...(namespace !== undefined ? { namespace } : {}), ...metadata },
    ...(decoded.spec !== undefined ? { spec: decoded.spec } : {}),
    ...(decoded.specs !== undefined ? { specs: decoded.specs } : {}),
  } as unknown as Policy;
  return { kind: 'policy', policy: { policy, source } };
}

function isList(v: Record<string, unknown>): boolean {
  return typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items);
}

/**
 * Items of a typed list from the raw API (`CiliumNetworkPolicyList`) may lack apiVersion and kind; they are
 * the list's kind without `List`, in the list's apiVersion.
 */
function inheritKind(item: unknown, list: Record<string, unknown>): unknown {
  const listKind = list.kind as string;
  if (!isRecord(item) || listKind === 'List' || item.kind !== undefined) return item;
  return { apiVersion: list.apiVersion, kind: listKind.slice(0, -'List'.length), ...item };
}

/** The line of the field at `path` (of its key, for a mapping entry), or of the deepest part of it that exists. */
function lineOf(doc: Document, lineCounter: LineCounter, path: FieldPath): number | undefined {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair === undefined) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (item === undefined) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}
