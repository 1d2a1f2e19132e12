/**
 * @module store/clickhouse — the flow inventory on ClickHouse behind the {@link FlowStore} interface:
 * `--store clickhouse://USER@HOST:8123/DB`, a batch ledger for collectors that retry, a spool for
 * collectors that lose the server.
 */
export { ClickHouseStore, openClickHouseStore, type ClickHouseStoreOptions } from './store.js';
export { isClickHouseLocation, parseClickHouseLocation, type ClickHouseLocation } from './location.js';
export { ClickHouseError } from './http.js';
export { SCHEMA_VERSION } from './schema.js';
