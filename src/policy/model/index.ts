/**
 * @module policy/model — CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy and Kubernetes NetworkPolicy: types
 * (Cilium's field names), decode, sanitize (Cilium's and Kubernetes' validation), render. The only public surface
 * of `src/policy/model`.
 *
 * The usual pipeline: `readPolicies` (or `decodePolicies` / `decodePolicyObject`) → `sanitizePolicies` → the
 * evaluators, and `renderPolicies` to write policies out.
 */
export * from './types.js';
export { decodePolicies, decodePolicyObject, type DecodeOptions, type DecodedPolicies, type SkippedObject } from './decode.js';
export { readPolicies, readPolicyFiles, type PolicyFiles } from './read.js';
export {
  DEFAULT_CILIUM_VERSION,
  MAX_ICMP_FIELDS,
  MAX_PORTS,
  sanitizePolicies,
  sanitizePolicy,
  validatePolicy,
  type SanitizedPolicy,
  type SanitizeOptions,
} from './sanitize.js';
export { renderPolicies, renderPolicy } from './render.js';
export { POLICY_KINDS, describePolicy, formatPolicyProblem, type PolicyId, type PolicyKind, type PolicyProblem } from './problems.js';
