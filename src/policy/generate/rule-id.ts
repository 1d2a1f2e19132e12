/**
 * @module policy/generate/rule-id — stable rule ids: a hash of a rule element's canonical content, its
 * section and the policy it belongs to. The id lives in the evidence file, never in the policy, so a policy
 * file changes only when its rules do (PRODUCT.md §5 "Evidence"). Pure.
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level and `undefined` fields left out: equal content, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const keys = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** What a rule id is computed from. */
export interface RuleIdInput {
  readonly kind: string;
  /** Omitted for cluster-wide policies. */
  readonly namespace?: string;
  readonly name: string;
  /** The rule's `endpointSelector`: stands for its spec, whatever its index in `specs`. */
  readonly subject: unknown;
  readonly section: 'ingress' | 'egress';
  readonly element: unknown;
  /** `canonicalJson(subject)` and `canonicalJson(element)`, when the caller has them already. */
  readonly subjectText?: string;
  readonly elementText?: string;
}

/**
 * `r-` and 12 hex digits of the SHA-256 of the policy's kind, namespace and name, the subject selector of its
 * rule, the section and the element's canonical JSON. Positions (in `specs`, in the section's list) are
 * deliberately left out: adding a rule before it does not change its id.
 */
export function ruleId(input: RuleIdInput): string {
  const text = [
    input.kind,
    input.namespace ?? '',
    input.name,
    input.subjectText ?? canonicalJson(input.subject),
    input.section,
    input.elementText ?? canonicalJson(input.element),
  ].join('\u0000');
  return `r-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
}
