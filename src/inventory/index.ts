/**
 * @module inventory — resolve flow endpoints to peers and fold flows into the flow inventory.
 */
export * from './model.js';
export { InventoryBuilder, buildInventory, rollUpState, compareEdges, peerSortKey, normaliseName, type InventoryOptions, type FlowPosition, type InventoryState, type EdgeState, type BucketState, type WorkloadState } from './build.js';
export { resolveEndpoint, inferWorkload, buildClusterLookup, isPrivateAddress, type Resolution, type ClusterLookup } from './resolve.js';
export { parseIdentityLabel, podLabelsOf, reservedNamesOf, labelValue } from './labels.js';
