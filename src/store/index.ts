/**
 * @module store — the flow inventory on disk (PRODUCT.md §4): one {@link FlowStore} interface, the
 * embedded implementation (DuckDB-written segment files in a directory), the ClickHouse one
 * (`clickhouse://…`, for many collectors), and the feeders that fill
 * it from files, stdin and followed exporter files. The only public surface of `src/store/`.
 */
export type { CommitResult, FileFingerprint, FlowStore, FollowPosition, IngestBatch, SeenUuid, StoreReadOptions, StoreSettings, StoreStatus, StoredDecodeSummary, StoredInventory } from './flow-store.js';
export { DEFAULT_STORE_SETTINGS } from './flow-store.js';
export { EmbeddedStore, openStore, type OpenStoreOptions } from './embedded.js';
export { StoreError } from './errors.js';
export { openFlowStore, type OpenFlowStoreOptions } from './open.js';
export { ClickHouseStore, isClickHouseLocation, openClickHouseStore, type ClickHouseStoreOptions } from './clickhouse/index.js';
export { FlowIngest, type IngestOptions } from './ingest.js';
export { tailFile, type TailEvent, type TailHandler, type TailOptions } from './follow.js';
export { fingerprintFile, followIntoStore, ingestInputs, ingestSource, type ObserveOptions, type ObserveProgress, type ObserveSummary, type SourceIngestOptions } from './observe.js';
export { MANIFEST_FILE } from './manifest.js';

/** The store directory when `--store` is not given to `observe`. */
export const DEFAULT_STORE_DIR = '.tighten';
export { followFlowSource } from './follow-source.js';
