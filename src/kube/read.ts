/**
 * @module kube/read — lists a live cluster's objects (the kinds of `CLUSTER_RESOURCES` and the
 * `cilium-config` ConfigMap) page by page, and decodes them into a {@link ClusterSnapshot} exactly as a
 * `kubectl get -o yaml` dump of the same objects would be decoded.
 */
import { decodeClusterDocuments, type ClusterDocument, type ClusterSnapshot, type ClusterWarning } from '../cluster/index.js';
import { KubeApiError, KubeClient } from './client.js';
import { loadKubeConfig, type KubeEnvironment, type KubeOptions } from './kubeconfig.js';
import { CILIUM_CONFIG, CLUSTER_RESOURCES, listPath, objectPath, resourceName, type KubeResource } from './resources.js';

/** A Kubernetes object as the API returns it, with `apiVersion` and `kind` filled in. */
export type KubeObject = Record<string, unknown>;

/** Tuning of a live read. */
export interface KubeReadOptions extends KubeOptions, KubeEnvironment {
  /** Objects per page (`limit`); the API server may return fewer. @default 500 (as kubectl) */
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
}

/** The result of one list of a resource. */
export interface ResourceList {
  readonly resource: KubeResource;
  /** Undefined when the resource does not exist on the server (an optional CRD not installed). */
  readonly items?: readonly KubeObject[];
  /** The list's `metadata.resourceVersion`: where a watch starts. */
  readonly resourceVersion?: string;
}

/** Everything a live read found. */
export interface KubeListing {
  readonly context: string;
  /** Lists in `CLUSTER_RESOURCES` order. */
  readonly lists: readonly ResourceList[];
  /** The `cilium-config` ConfigMaps found (usually one, in kube-system); empty when none. */
  readonly ciliumConfig: readonly KubeObject[];
  readonly warnings: readonly ClusterWarning[];
}

/** Objects per list request when `pageSize` is not given: kubectl's `--chunk-size`. */
export const DEFAULT_PAGE_SIZE = 500;
/** Lists run side by side: enough to hide latency, few enough not to load the API server. */
const PARALLEL_LISTS = 4;
/** Times a paginated list restarts when its continue token expires (410 Gone) before giving up. */
const LIST_RESTARTS = 3;

/**
 * Reads the cluster of a kubeconfig context into a {@link ClusterSnapshot}. `sources` is `kube:CONTEXT`;
 * each object's source (in warnings and policies) is `kube:CONTEXT:PATH`.
 *
 * @throws InputError (a {@link KubeApiError} for the API) for a missing kubeconfig or context, an unreachable
 *   server, refused credentials (401), a forbidden list (403, naming the resource), or a resource the server
 *   lacks — except Cilium's CRDs, whose absence is a `crd-missing` warning.
 */
export async function readKubeCluster(options: KubeReadOptions = {}): Promise<ClusterSnapshot> {
  const client = new KubeClient(loadKubeConfig(options));
  return snapshotOfListing(await listKubeObjects(client, options));
}

/** Lists every resource tighten reads, and the `cilium-config` ConfigMap. */
export async function listKubeObjects(client: KubeClient, options: Pick<KubeReadOptions, 'pageSize' | 'signal'> = {}): Promise<KubeListing> {
  const warnings: ClusterWarning[] = [];
  // The first list alone: when the server is unreachable or refuses the credentials, the error names one
  // resource, the same every time, and no other request is made.
  const [first, ...rest] = CLUSTER_RESOURCES;
  const lists = [await listResource(client, first!, options), ...(await mapLimit(rest, PARALLEL_LISTS, (r) => listResource(client, r, options)))];
  for (const l of lists) {
    if (l.items === undefined) warnings.push(crdMissing(client.context, l.resource));
  }
  const ciliumConfig = await readCiliumConfig(client, options, warnings);
  return { context: client.context, lists, ciliumConfig, warnings };
}

/** The `crd-missing` warning: a Cilium CRD the API server does not serve. */
export function crdMissing(context: string, resource: KubeResource): ClusterWarning {
  return {
    code: 'crd-missing',
    source: `kube:${context}`,
    message: `the API server does not serve ${resourceName(resource)} (${listPath(resource)}): Cilium's CRDs are not installed, so no ${resource.kind} was read`,
  };
}

/** Decodes a listing, as `readCluster` would decode a dump of the same objects. */
export function snapshotOfListing(listing: KubeListing): ClusterSnapshot {
  const file = `kube:${listing.context}`;
  const documents: ClusterDocument[] = [];
  const add = (resource: KubeResource, object: KubeObject) => {
    const meta = (object.metadata ?? {}) as { namespace?: string; name?: string };
    documents.push({ source: `${file}:${objectPath(resource, meta.namespace, meta.name ?? '')}`, object, file });
  };
  for (const l of listing.lists) for (const o of l.items ?? []) add(l.resource, o);
  for (const o of listing.ciliumConfig) add(CILIUM_CONFIG.resource, o);
  const snapshot = decodeClusterDocuments(documents);
  return { ...snapshot, warnings: [...listing.warnings, ...snapshot.warnings], sources: [file] };
}

/**
 * Lists one resource in all namespaces (or `namespace`), page by page (`limit`, `continue`). A 404 of an
 * optional resource gives no `items`; an expired continue token (410) restarts the list from the start.
 */
export async function listResource(
  client: KubeClient,
  resource: KubeResource,
  options: Pick<KubeReadOptions, 'pageSize' | 'signal'> & { readonly namespace?: string; readonly fieldSelector?: string } = {},
): Promise<ResourceList> {
  const path = listPath(resource, options.namespace);
  const what = `list ${resourceName(resource)}${options.namespace !== undefined ? ` in namespace ${options.namespace}` : ''}`;
  const limit = String(options.pageSize ?? DEFAULT_PAGE_SIZE);
  for (let attempt = 0; ; attempt++) {
    const items: KubeObject[] = [];
    let token: string | undefined;
    let resourceVersion: string | undefined;
    try {
      do {
        const page = await client.getJson(path, { limit, continue: token, fieldSelector: options.fieldSelector }, what, options.signal);
        const body = isRecord(page) ? page : {};
        const meta = isRecord(body.metadata) ? body.metadata : {};
        for (const item of Array.isArray(body.items) ? body.items : []) if (isRecord(item)) items.push(normalizeObject(item, resource));
        resourceVersion = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : resourceVersion;
        token = typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
      } while (token !== undefined);
      return { resource, items, ...(resourceVersion !== undefined ? { resourceVersion } : {}) };
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404 && resource.optional === true) return { resource };
      if (error instanceof KubeApiError && error.status === 410 && attempt < LIST_RESTARTS) continue;
      throw error;
    }
  }
}

/**
 * The `cilium-config` ConfigMap: `kube-system/cilium-config`, else any ConfigMap of that name in any namespace
 * (a field selector, so no other ConfigMap is read). A search of all namespaces that RBAC forbids is a
 * `cilium-config-search-forbidden` warning: the ConfigMap is most likely not there at all.
 */
async function readCiliumConfig(client: KubeClient, options: Pick<KubeReadOptions, 'signal'>, warnings: ClusterWarning[]): Promise<KubeObject[]> {
  const { resource, namespace, name } = CILIUM_CONFIG;
  try {
    const object = await client.getJson(objectPath(resource, namespace, name), {}, `get configmap ${namespace}/${name}`, options.signal);
    return isRecord(object) ? [normalizeObject(object, resource)] : [];
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.status !== 404) throw error;
  }
  try {
    const found = await listResource(client, resource, { ...options, fieldSelector: `metadata.name=${name}` });
    return [...(found.items ?? [])];
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.status !== 403) throw error;
    warnings.push({
      code: 'cilium-config-search-forbidden',
      source: `kube:${client.context}`,
      message: `no ConfigMap ${namespace}/${name}, and listing ConfigMaps in all namespaces is forbidden, so no other namespace was searched for it`,
    });
    return [];
  }
}

/**
 * The object with `apiVersion` and `kind` first (list items lack them) and without `metadata.managedFields`
 * (server-side apply bookkeeping: large, and of no use to tighten).
 */
export function normalizeObject(item: Readonly<Record<string, unknown>>, resource: KubeResource): KubeObject {
  const { apiVersion, kind, metadata, ...rest } = item;
  const out: KubeObject = { apiVersion: typeof apiVersion === 'string' ? apiVersion : resource.apiVersion, kind: typeof kind === 'string' ? kind : resource.kind };
  if (isRecord(metadata)) {
    const { managedFields: _managed, ...meta } = metadata;
    out.metadata = meta;
  } else if (metadata !== undefined) {
    out.metadata = metadata;
  }
  return Object.assign(out, rest);
}

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      out[i] = await fn(items[i]!).catch((error: unknown) => {
        failed = true; // the others stop after their current item
        throw error;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
