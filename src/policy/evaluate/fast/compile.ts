/**
 * @module policy/evaluate/fast/compile — {@link compileEvaluator}: the fast evaluator. Compiles a
 * set of CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy and Kubernetes NetworkPolicy once
 * (Cilium's policy repository), then resolves per identity and per identity pair on demand and
 * memoises, the way the agent turns the repository into per-endpoint map state.
 *
 * Decisions where cilium-semantics.md leaves room (see also each module):
 * - An allow that matches in a direction whose selecting rules all say `enableDefaultDeny: false`
 *   is reported `allowed` with its rules; without one the direction is `not-isolated`; denies bite.
 * - Traffic from `reserved:host` to a local endpoint is always allowed at ingress (allow-localhost,
 *   b.7): `allowed` with no rule when no written allow matches, unless a deny matches.
 * - `needsL7Check`: some matching L7 allow (http, kafka, dns, l7proto, SNI, listener) is not shadowed
 *   by a plain allow covering no more ports (same port key or narrower; an L3-only allow does not
 *   shadow, the datapath prefers the most specific key). Never in a default-allow direction from 1.18.
 * - `toServices`, `toGroups`/`fromGroups`, `cidrGroupRef`/`cidrGroupSelector` need objects the
 *   policies do not carry (Services, cloud groups, CiliumCIDRGroups): they match nothing.
 * - `fromNodes`/`toNodes` (1.16+) select identities carrying `reserved:remote-node` whose labels
 *   satisfy the selector (keys without a source match any source, e.g. `node:`/`k8s:`).
 * - From 1.19 the local-cluster filter passes a pod or remote node written without a cluster label
 *   (real pod identities always carry it); the `cluster` entity counts such a pod as local too.
 * - An endpoint with no labels is an address without an identity: world.
 * - World and unmanaged endpoints are identities per (labels, address, names), as Cilium allocates
 *   CIDR/FQDN identities; pass the same `labels` array (or Endpoint object) again to hit the caches.
 * - `fromRequires`/`toRequires` (before 1.19) are ANDed into every endpoint peer of the subject's rules
 *   in that direction; from 1.19 they do not exist (the API server prunes them).
 * - A CNP subject selector keeps a namespace requirement written without the `k8s:` source: Cilium's
 *   `AddMatch` overwrites only `k8s:io.kubernetes.pod.namespace`, so `io.kubernetes.pod.namespace:
 *   other` (source any) is ANDed with the pin and selects nothing.
 * - Kubernetes NetworkPolicy rules are translated whatever `policyTypes` says (as network_policy.go
 *   does); `policyTypes` only adds the deny-all element to a direction without rules.
 */
import type { CompileEvaluator } from '../types.js';
import { CompiledEvaluator } from './evaluator.js';
import { resolveOptions } from './options.js';
import { compileRepository } from './rules.js';

/**
 * Compiles `policies` once (assumes they passed `sanitize`) into an {@link Evaluator} that decides
 * a connection per direction, naming the rules that decided it.
 *
 * @throws InputError when `options.ciliumVersion` or `options.policyEnforcementMode` is malformed.
 */
export const compileEvaluator: CompileEvaluator = (policies, options) => {
  const resolved = resolveOptions(options);
  return new CompiledEvaluator(compileRepository(policies, resolved), resolved);
};
