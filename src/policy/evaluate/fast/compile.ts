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
 *   b.7): `allowed` with no rule, unless a deny matches.
 * - `needsL7Check` is set when every matching allow carries L7 (http, kafka, dns, l7proto, SNI,
 *   listener) — a plain matching allow shadows L7 — and never in a default-allow direction from 1.18
 *   (the L7 allow-all wildcard).
 * - `toServices`, `toGroups`/`fromGroups`, `cidrGroupRef`/`cidrGroupSelector` need objects the
 *   policies do not carry (Services, cloud groups, CiliumCIDRGroups): they match nothing.
 * - `fromNodes`/`toNodes` (1.16+) match identities carrying `reserved:remote-node` or `reserved:host`
 *   whose labels satisfy the selector (keys without a source match any source, e.g. `node:`/`k8s:`);
 *   no cluster label is added to them.
 * - `fromRequires`/`toRequires` (before 1.19) are ANDed into every endpoint peer of the subject's rules in that direction.
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
