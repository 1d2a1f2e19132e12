/**
 * @module policy/generate — inventory → recommended policy set: the platform baseline (cluster-wide, never
 * isolating), one CiliumNetworkPolicy per application and batch workload, the evidence of every rule under a
 * stable rule id, and what was left out and why. Pure. The only public surface of `src/policy/generate/`.
 */
export * from './types.js';
export { generatePolicies, defaultRollout, existingPoliciesOf, isManagedByTighten } from './generate.js';
export { generateBaseline, baselineName, isTightenBaseline, namespacesSelector, DEFAULT_DNS_SELECTOR } from './baseline.js';
export { canonicalJson, ruleId, type RuleIdInput } from './rule-id.js';
export { NAMESPACE_KEY, SelectorIndex, compileFqdnPattern, normaliseDnsName, peerSelector, type SelectorResult } from './peers.js';
export { RuleAccumulator, formatItem, toPortsOf, icmpsOf, type L4Item, type PeerL3, type BuiltElement } from './elements.js';
export { toNetworkPolicies, type NetworkPolicySet, type Unexpressed } from './network-policy.js';
