/**
 * @module store/open — picks the {@link FlowStore} backend from a `--store` value: `clickhouse://…`
 * opens the ClickHouse store, anything else is a directory for the embedded store.
 */
import { resolve } from 'node:path';
import { isClickHouseLocation, openClickHouseStore } from './clickhouse/index.js';
import { openStore } from './embedded.js';
import type { FlowStore } from './flow-store.js';

/** Options of {@link openFlowStore}. */
export interface OpenFlowStoreOptions {
  /** Create the store when it does not exist (writers). @default false */
  readonly create?: boolean;
  /** A directory location is resolved against this. @default process.cwd() */
  readonly cwd?: string;
  /** ClickHouse only: this collector's id in the batch ledger. @default the host name */
  readonly collectorId?: string;
  /** ClickHouse only: where batches wait while the server cannot be reached. @default under the OS temp dir */
  readonly spoolDir?: string;
  /** ClickHouse only: the environment, for `TIGHTEN_CLICKHOUSE_PASSWORD`. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** ClickHouse only: wait for a server that cannot be reached yet (collectors), telling each retry here; without it, opening fails at once. */
  readonly onServerRetry?: (retry: { readonly reason: string; readonly delayMs: number }) => void;
}

/**
 * Opens the store at `location`. A ClickHouse store opened to write (`create`) first commits the
 * batches its collector spooled in an earlier run and could not commit.
 * @throws StoreError naming the store when it cannot be opened
 */
export async function openFlowStore(location: string, options: OpenFlowStoreOptions = {}): Promise<FlowStore> {
  if (isClickHouseLocation(location)) {
    const store = await openClickHouseStore(location, {
      ...(options.create !== undefined ? { create: options.create } : {}),
      ...(options.collectorId !== undefined ? { collectorId: options.collectorId } : {}),
      ...(options.spoolDir !== undefined ? { spoolDir: options.spoolDir } : {}),
      ...(options.env !== undefined ? { env: options.env } : {}),
      ...(options.onServerRetry !== undefined ? { waitForServer: true, onRetry: options.onServerRetry } : {}),
    });
    if (options.create) await store.drainSpool();
    return store;
  }
  return openStore(resolve(options.cwd ?? process.cwd(), location), options.create !== undefined ? { create: options.create } : {});
}
