/**
 * @module kube/watch — keeps a {@link ClusterSnapshot} of a live cluster current for a long-running process:
 * list, then watch each resource from the list's `resourceVersion`, as client-go's reflector does
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes).
 *
 * - A watch the server ends (its timeout) is resumed from the last resourceVersion seen (bookmarks included).
 * - `410 Gone` (the resourceVersion was compacted away), at connect time or as an `ERROR` event, re-lists the
 *   resource and watches on from the new list.
 * - A dropped connection or a server error reconnects with exponential backoff.
 * - 401 and 403 stop the watch: retrying refused credentials helps no one. Only the `cilium-config` ConfigMap,
 *   which RBAC may let one `get` but not watch, is then left unwatched instead (a `watch-forbidden` warning).
 */
import { setMaxListeners } from 'node:events';
import type { ClusterSnapshot, ClusterWarning } from '../cluster/index.js';
import { KubeApiError, KubeClient, type WatchEvent } from './client.js';
import { loadKubeConfig } from './kubeconfig.js';
import { listKubeObjects, listResource, normalizeObject, snapshotOfListing, type KubeObject, type KubeReadOptions } from './read.js';
import { CILIUM_CONFIG, CLUSTER_RESOURCES, listPath, resourceName, type KubeResource } from './resources.js';

export interface KubeWatchOptions extends KubeReadOptions {
  /**
   * After a change, how long to gather further changes before emitting one snapshot: at most one snapshot per
   * interval, however busy the cluster. @default 1000
   */
  readonly debounceMs?: number;
  /** Reconnect delays: doubled after each failure from `initialMs`, up to `maxMs`. @default { initialMs: 500, maxMs: 30000 } */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Problems that do not stop the watch (a dropped connection, a re-list after 410 Gone). @default ignored */
  readonly onWarning?: (warning: ClusterWarning) => void;
}

/** One watched resource and what is known of it. */
interface Store {
  readonly resource: KubeResource;
  readonly namespace?: string;
  readonly fieldSelector?: string;
  /** By `namespace/name`. */
  objects: Map<string, KubeObject>;
  /** Where the next watch starts; undefined: re-list first. */
  resourceVersion: string | undefined;
}

/**
 * The server ends each watch after this long and it is resumed: a connection that died silently (no FIN, as
 * behind some load balancers) cannot stall the snapshot for longer.
 */
const WATCH_TIMEOUT_S = 300;

/** A stream shorter than this that brought nothing counts as a failure (backoff), so a closing server is not hammered. */
const SHORT_STREAM_MS = 1000;

/**
 * Lists the cluster, calls `onChange` with the first snapshot, then watches every resource and calls `onChange`
 * with a new snapshot (debounced) whenever objects are added, changed or deleted. Resolves when `signal`
 * aborts. Cilium CRDs missing at the start are not watched (the snapshot carries their `crd-missing` warning).
 *
 * @throws the errors of `readKubeCluster` for the first list; a KubeApiError when a watch or re-list is refused
 *   (401, 403).
 */
export async function watchKubeCluster(options: KubeWatchOptions, onChange: (snapshot: ClusterSnapshot) => void): Promise<void> {
  const client = new KubeClient(loadKubeConfig(options));
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const signal = stop.signal;
  setMaxListeners(4 * (CLUSTER_RESOURCES.length + 1), signal); // each watch and its requests listen for the stop
  const debounceMs = options.debounceMs ?? 1000;
  const backoff = options.backoff ?? { initialMs: 500, maxMs: 30_000 };
  const warn = options.onWarning ?? (() => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    const listing = await listKubeObjects(client, { ...options, signal });
    const stores: Store[] = listing.lists
      .filter((l) => l.items !== undefined)
      .map((l) => ({ resource: l.resource, objects: byKey(l.items ?? []), resourceVersion: l.resourceVersion }));
    // The ConfigMap is watched in the namespace it was found in, by name, so no other ConfigMap is read.
    const cmNamespace = namespaceOf(listing.ciliumConfig[0]) ?? CILIUM_CONFIG.namespace;
    stores.push({
      resource: CILIUM_CONFIG.resource,
      namespace: cmNamespace,
      fieldSelector: `metadata.name=${CILIUM_CONFIG.name}`,
      objects: byKey(listing.ciliumConfig),
      resourceVersion: undefined,
    });
    const emit = () => {
      timer = undefined;
      if (signal.aborted) return;
      const lists = stores.filter((s) => s.resource !== CILIUM_CONFIG.resource).map((s) => ({ resource: s.resource, items: [...s.objects.values()] }));
      const missing = listing.lists.filter((l) => l.items === undefined);
      const ciliumConfig = [...stores[stores.length - 1]!.objects.values()];
      onChange(snapshotOfListing({ context: client.context, lists: [...lists, ...missing], ciliumConfig, warnings: listing.warnings }));
    };
    const changed = () => {
      if (timer === undefined && !signal.aborted) timer = setTimeout(emit, debounceMs);
    };
    emit();
    await Promise.all(
      stores.map((store) =>
        watchStore(client, store, { ...options, signal }, changed, warn, backoff).catch((error: unknown) => {
          stop.abort(); // one refused watch stops them all
          throw error;
        }),
      ),
    );
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    stop.abort();
  }
}

async function watchStore(
  client: KubeClient,
  store: Store,
  options: KubeReadOptions & { readonly signal: AbortSignal },
  changed: () => void,
  warn: (w: ClusterWarning) => void,
  backoff: { readonly initialMs: number; readonly maxMs: number },
): Promise<void> {
  const { signal } = options;
  const name = resourceName(store.resource);
  const source = `kube:${client.context}`;
  let delay = backoff.initialMs;
  while (!signal.aborted) {
    try {
      if (store.resourceVersion === undefined) {
        const list = await listResource(client, store.resource, { ...options, ...(store.namespace !== undefined ? { namespace: store.namespace } : {}), ...(store.fieldSelector !== undefined ? { fieldSelector: store.fieldSelector } : {}) });
        const objects = byKey(list.items ?? []);
        if (!sameObjects(store.objects, objects)) {
          store.objects = objects;
          changed();
        }
        store.resourceVersion = list.resourceVersion ?? '0';
      }
      const started = Date.now();
      let events = 0;
      let gone = false;
      const one = new AbortController();
      const stopOne = () => one.abort();
      signal.addEventListener('abort', stopOne, { once: true });
      try {
        await client.watch(
          listPath(store.resource, store.namespace),
          { resourceVersion: store.resourceVersion, allowWatchBookmarks: 'true', fieldSelector: store.fieldSelector, timeoutSeconds: String(WATCH_TIMEOUT_S) },
          `watch ${name}`,
          (event) => {
            events++;
            if (applyEvent(store, event, changed) === 'gone') {
              gone = true;
              one.abort();
            }
          },
          one.signal,
        );
      } finally {
        signal.removeEventListener('abort', stopOne);
      }
      if (signal.aborted) return;
      if (gone) {
        warn({ code: 'watch-relist', source, message: `the watch of ${name} fell too far behind (410 Gone); listed it again` });
        store.resourceVersion = undefined;
        delay = backoff.initialMs;
        continue;
      }
      if (events === 0 && Date.now() - started < SHORT_STREAM_MS) {
        await sleep(delay, signal);
        delay = Math.min(delay * 2, backoff.maxMs);
      } else {
        delay = backoff.initialMs;
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof KubeApiError && error.status === 403 && store.resource === CILIUM_CONFIG.resource) {
        // RBAC may grant `get` on this one ConfigMap and nothing more: keep what the first read found.
        warn({ code: 'watch-forbidden', source, message: `${error.message}; cilium-config is not watched` });
        return;
      }
      if (error instanceof KubeApiError && (error.status === 401 || error.status === 403)) throw error;
      if (error instanceof KubeApiError && error.status === 410) {
        warn({ code: 'watch-relist', source, message: `the watch of ${name} fell too far behind (410 Gone); listed it again` });
        store.resourceVersion = undefined;
        continue;
      }
      warn({ code: 'watch-retry', source, message: `${error instanceof Error ? error.message : String(error)}; retrying in ${delay} ms` });
      await sleep(delay, signal);
      delay = Math.min(delay * 2, backoff.maxMs);
    }
  }
}

/** Applies one event to the store; `gone` when the server says the resourceVersion is too old. */
function applyEvent(store: Store, event: WatchEvent, changed: () => void): 'ok' | 'gone' {
  const object = isRecord(event.object) ? event.object : {};
  const meta = isRecord(object.metadata) ? object.metadata : {};
  if (event.type === 'ERROR') {
    // A Status object; 410 (Expired, Gone) asks for a re-list. Other errors end the stream and are retried.
    return object.code === 410 || object.reason === 'Expired' || object.reason === 'Gone' ? 'gone' : 'ok';
  }
  if (typeof meta.resourceVersion === 'string') store.resourceVersion = meta.resourceVersion;
  if (event.type === 'BOOKMARK') return 'ok';
  const key = keyOf(object);
  if (event.type === 'ADDED' || event.type === 'MODIFIED') {
    store.objects.set(key, normalizeObject(object, store.resource));
    changed();
  } else if (event.type === 'DELETED') {
    if (store.objects.delete(key)) changed();
  }
  return 'ok';
}

function byKey(objects: readonly KubeObject[]): Map<string, KubeObject> {
  return new Map(objects.map((o) => [keyOf(o), o]));
}

function keyOf(o: Readonly<Record<string, unknown>>): string {
  const m = (isRecord(o.metadata) ? o.metadata : {}) as { namespace?: unknown; name?: unknown };
  return `${typeof m.namespace === 'string' ? m.namespace : ''}/${typeof m.name === 'string' ? m.name : ''}`;
}

function namespaceOf(o: KubeObject | undefined): string | undefined {
  const m = o !== undefined && isRecord(o.metadata) ? o.metadata : {};
  return typeof m.namespace === 'string' ? m.namespace : undefined;
}

/** Same keys with the same resourceVersions: a re-list that found nothing new. */
function sameObjects(a: ReadonlyMap<string, KubeObject>, b: ReadonlyMap<string, KubeObject>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, o] of a) {
    const other = b.get(k);
    if (other === undefined || versionOf(other) !== versionOf(o)) return false;
  }
  return true;
}

function versionOf(o: KubeObject): unknown {
  return isRecord(o.metadata) ? o.metadata.resourceVersion : undefined;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
