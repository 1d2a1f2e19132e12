/**
 * @module gitops/stage — a generated policy as a namespace's stage writes it (PRODUCT.md §2, §6). Pure.
 *
 * - `observe` and `audit`: `enableDefaultDeny: {ingress: false, egress: false}` — applied, it drops nothing new;
 *   observe files carry it too, so that promoting a namespace to audit only changes the root kustomization, and a
 *   file applied by mistake is harmless.
 * - `audit` with a direction enforced ahead of the other (`enforced` in the state file): that direction's field is
 *   removed (`enableDefaultDeny: {egress: false}` when ingress is enforced), so it is default-deny.
 * - `enforce`: the field is removed; both directions are default-deny.
 */
import type { CiliumNetworkPolicy } from '../policy/model/index.js';
import { DIRECTIONS, type Direction, type NamespaceState, type Stage } from './state.js';

/**
 * The policy as written at `stage`.
 * @param enforced directions enforced ahead of the other; used only at `audit` (as rollout's `positionOf`). @default []
 */
export function atStage(policy: CiliumNetworkPolicy, stage: Stage, enforced: readonly Direction[] = []): CiliumNetworkPolicy {
  const spec = policy.spec!;
  const { enableDefaultDeny: _ignored, ...rest } = spec;
  if (stage === 'enforce') return { ...policy, spec: rest };
  const open = stage === 'audit' ? DIRECTIONS.filter((d) => !enforced.includes(d)) : DIRECTIONS;
  if (open.length === 0) return { ...policy, spec: rest };
  return { ...policy, spec: { ...rest, enableDefaultDeny: Object.fromEntries(open.map((d) => [d, false])) } };
}

/**
 * The stage a workload's policy file is written at: the workload's own stage when the state gives it one (both
 * directions alike), else the namespace's, with the directions it enforces ahead of the other.
 */
export function workloadStage(ns: NamespaceState | undefined, workload: string): { readonly stage: Stage; readonly enforced: readonly Direction[] } {
  const own = ns?.workloads?.[workload];
  if (own !== undefined) return { stage: own, enforced: [] };
  return { stage: ns?.stage ?? 'observe', enforced: ns?.enforced ?? [] };
}
