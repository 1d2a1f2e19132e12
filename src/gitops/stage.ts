/**
 * @module gitops/stage — a generated policy as a namespace's stage writes it (PRODUCT.md §2, §6). Pure.
 *
 * - `observe` and `audit`: `enableDefaultDeny: {ingress: false, egress: false}` — applied, it drops nothing new;
 *   observe files carry it too, so that promoting a namespace to audit only changes the root kustomization, and a
 *   file applied by mistake is harmless.
 * - `enforce`: the field is removed; both directions are default-deny.
 */
import type { CiliumNetworkPolicy } from '../policy/model/index.js';
import type { Stage } from './state.js';

/** The policy as written at `stage`. */
export function atStage(policy: CiliumNetworkPolicy, stage: Stage): CiliumNetworkPolicy {
  const spec = policy.spec!;
  const { enableDefaultDeny: _ignored, ...rest } = spec;
  if (stage === 'enforce') return { ...policy, spec: rest };
  return { ...policy, spec: { ...rest, enableDefaultDeny: { ingress: false, egress: false } } };
}
