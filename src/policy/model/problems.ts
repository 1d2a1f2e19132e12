/**
 * @module policy/model/problems — how decode and sanitize name what they complain about: the file, the line
 * (when known), the document, the object and the field path, e.g.
 * `policies.yaml:14: document 3 (CiliumNetworkPolicy shop/web): spec.egress[0].toPorts[0].ports[0].protocol: …`.
 */
import type { PolicySource } from './types.js';

/** A path into an object: field names and list indexes. */
export type FieldPath = readonly (string | number)[];

/** The three policy kinds, as `kind` spells them. */
export const POLICY_KINDS = ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'NetworkPolicy'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

/** Identifies a policy object: kind, namespace (omitted for a CCNP) and name. */
export interface PolicyId {
  readonly kind: PolicyKind;
  readonly namespace?: string;
  readonly name: string;
}

/**
 * Something wrong with a policy. An `error` is what Cilium or Kubernetes would reject (or, where said so,
 * something tighten refuses because it is almost certainly a mistake); a `warning` is accepted but probably not
 * what was meant, or depends on a cluster setting tighten cannot see.
 */
export interface PolicyProblem {
  readonly severity: 'error' | 'warning';
  readonly policy: PolicyId;
  readonly source?: PolicySource;
  /** Field path in the object, e.g. `spec.egress[0].toPorts[0]`; empty for the object as a whole. */
  readonly path: string;
  readonly message: string;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `spec.egress[0].toPorts[0]`; keys that are not identifiers are quoted: `matchLabels["app.kubernetes.io/name"]`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** `CiliumNetworkPolicy shop/web`, `CiliumClusterwideNetworkPolicy dns`. */
export function describePolicy(id: { readonly kind: string; readonly namespace?: string | undefined; readonly name?: string | undefined }): string {
  const name = id.name === undefined || id.name === '' ? '<no name>' : id.name;
  return `${id.kind} ${id.namespace === undefined || id.namespace === '' ? '' : `${id.namespace}/`}${name}`;
}

/**
 * `file:line: document 3, items[2] (CiliumNetworkPolicy shop/web)` — leaving out what is unknown. An item of a
 * `List` and an element of a top-level JSON array are both shown as `items[i]`.
 */
export function formatWhere(source: PolicySource | undefined, line: number | undefined, what: string): string {
  if (source === undefined) return `(${what})`;
  const parts: string[] = [];
  if (source.document !== undefined) parts.push(`document ${source.document}`);
  if (source.item !== undefined) parts.push(`items[${source.item}]`);
  const file = line === undefined ? source.file : `${source.file}:${line}`;
  return `${file}: ${parts.length > 0 ? `${parts.join(', ')} ` : ''}(${what})`;
}

/** One problem as a line: `where: path: message` (the severity is left to the caller). */
export function formatPolicyProblem(p: PolicyProblem): string {
  const where = formatWhere(p.source, undefined, describePolicy(p.policy));
  return `${where}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`;
}

/** Joins problem lines into one message: the line itself when there is one, else a count and an indented list. */
export function joinProblemLines(lines: readonly string[], subject: string, limit = 50): string {
  if (lines.length === 1) return lines[0]!;
  const shown = lines.slice(0, limit).map((l) => `  ${l}`);
  if (lines.length > limit) shown.push(`  … and ${lines.length - limit} more`);
  return `${subject}: ${lines.length} problems:\n${shown.join('\n')}`;
}
