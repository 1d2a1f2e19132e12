/**
 * @module watch/patch — a suggested rule as a patch to the exact repository file: the policy file with the rule
 * appended to `spec.ingress` or `spec.egress`, rendered as tighten writes policies, as a unified diff. Pure.
 */
import { parse } from 'yaml';
import { renderPolicyFast } from '../gitops/yaml.js';
import type { Policy } from '../policy/model/index.js';
import type { Suggestion } from '../policy/simulate.js';
import { unifiedDiff } from '../report/text-diff.js';

/**
 * The patch adding `suggestion`'s rule to the policy in `text` (the file at repository-relative `path`);
 * undefined when the suggestion names no rule, or the file does not hold one CiliumNetworkPolicy with a `spec`.
 */
export function suggestionPatch(path: string, text: string, suggestion: Suggestion): string | undefined {
  if (suggestion.yaml === undefined) return undefined;
  let policy: Policy;
  let element: unknown;
  try {
    policy = parse(text) as Policy;
    element = (parse(suggestion.yaml) as unknown[])[0];
  } catch {
    return undefined;
  }
  if (policy?.kind !== 'CiliumNetworkPolicy' || policy.spec === undefined || typeof element !== 'object' || element === null) return undefined;
  const spec = policy.spec as Record<string, unknown>;
  const rules = Array.isArray(spec[suggestion.direction]) ? (spec[suggestion.direction] as unknown[]) : [];
  const next = { ...policy, spec: { ...spec, [suggestion.direction]: [...rules, element] } } as Policy;
  const diff = unifiedDiff(path, text, renderPolicyFast(next));
  return diff === '' ? undefined : diff;
}
