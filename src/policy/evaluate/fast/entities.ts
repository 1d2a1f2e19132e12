/**
 * @module policy/evaluate/fast/entities — `fromEntities`/`toEntities` as bits of an identity's entity
 * mask (cilium-semantics.md c.2, `pkg/policy/api/entity.go:15-146`). Each identity computes its mask
 * once; an entity peer is then one AND.
 */
import type { PolicyEntity } from '../../model/types.js';

/**
 * - `all`: every identity, world included.
 * - `world`: `reserved:world`, `reserved:world-ipv4`, `reserved:world-ipv6` (and CIDR/FQDN identities).
 * - `cluster`: host, remote-node, init, ingress, health, unmanaged, kube-apiserver, and every identity
 *   labelled `k8s:io.cilium.k8s.policy.cluster=<local cluster>`.
 * - the others: the reserved label of the same name (an identity may carry several, e.g. the host
 *   that runs the API server carries `reserved:host` and `reserved:kube-apiserver`).
 * - `none`: nothing (0).
 */
export const ENTITY_BIT = {
  all: 1,
  world: 2,
  cluster: 4,
  host: 8,
  'remote-node': 16,
  'kube-apiserver': 32,
  health: 64,
  init: 128,
  ingress: 256,
  unmanaged: 512,
  none: 0,
} as const satisfies Record<PolicyEntity, number>;

/** The mask an entity peer tests; an unknown entity name selects nothing. */
export function entityMask(entity: string): number {
  return Object.hasOwn(ENTITY_BIT, entity) ? ENTITY_BIT[entity as PolicyEntity] : 0;
}
