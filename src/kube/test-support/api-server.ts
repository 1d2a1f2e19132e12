/**
 * @module kube/test-support/api-server — a small Kubernetes API server for tests, on 127.0.0.1 (HTTP, or HTTPS
 * with a given certificate): GET of lists and objects under `/api/v1` and `/apis/GROUP/VERSION`, cluster-wide
 * and per namespace, `limit`/`continue` pagination, `fieldSelector` on `metadata.name` and
 * `metadata.namespace`, bearer-token authentication, and watches (`?watch=true&resourceVersion=`) streaming
 * JSON events, with `410 Gone` for a resourceVersion older than the last compaction. It keeps its own table
 * of resources, independent of the reader's.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

type Obj = Record<string, unknown>;

interface ResourceDef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

const RESOURCES: readonly ResourceDef[] = [
  ['v1', 'Namespace', 'namespaces', false],
  ['v1', 'Pod', 'pods', true],
  ['v1', 'Service', 'services', true],
  ['v1', 'ConfigMap', 'configmaps', true],
  ['v1', 'Secret', 'secrets', true],
  ['v1', 'ReplicationController', 'replicationcontrollers', true],
  ['apps/v1', 'Deployment', 'deployments', true],
  ['apps/v1', 'StatefulSet', 'statefulsets', true],
  ['apps/v1', 'DaemonSet', 'daemonsets', true],
  ['apps/v1', 'ReplicaSet', 'replicasets', true],
  ['batch/v1', 'Job', 'jobs', true],
  ['batch/v1', 'CronJob', 'cronjobs', true],
  ['networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies', true],
  ['cilium.io/v2', 'CiliumNetworkPolicy', 'ciliumnetworkpolicies', true],
  ['cilium.io/v2', 'CiliumClusterwideNetworkPolicy', 'ciliumclusterwidenetworkpolicies', false],
].map(([apiVersion, kind, plural, namespaced]) => ({ apiVersion, kind, plural, namespaced }) as ResourceDef);

export interface FakeApiOptions {
  /** The bearer token every request must carry; a request without it gets 401. */
  readonly token: string;
  /** Plurals the server does not serve (a CRD not installed): 404. */
  readonly missing?: readonly string[];
  /** Plurals the token may not read at all (403), or, as `list:PLURAL`, may get by name but not list or watch. */
  readonly forbidden?: readonly string[];
  /**
   * TLS key and certificate (PEM): the server speaks HTTPS. With `ca`, a client certificate that CA signed
   * authenticates a request in place of the token.
   */
  readonly tls?: { readonly key: string; readonly cert: string; readonly ca?: string };
}

/** One request as the server saw it. */
export interface SeenRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly authorization: string | undefined;
}

interface Watcher {
  readonly def: ResourceDef;
  readonly namespace?: string;
  readonly fieldSelector?: string;
  readonly res: http.ServerResponse;
}

/** A running API server; `close()` it. */
export class FakeApiServer {
  readonly requests: SeenRequest[] = [];
  #server: http.Server | undefined;
  #objects = new Map<string, Map<string, Obj>>(); // plural → ns/name → object
  #rv = 1000;
  #compactedAt = 0;
  #watchers = new Set<Watcher>();
  #failWatches = 0;
  readonly #options: FakeApiOptions;

  constructor(objects: readonly Obj[], options: FakeApiOptions) {
    this.#options = options;
    for (const o of objects) this.#put(o, true);
  }

  /** Starts listening on 127.0.0.1 and returns the server URL. */
  async start(): Promise<string> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.#handle(req, res);
    const tls = this.#options.tls;
    this.#server = tls
      ? https.createServer({ key: tls.key, cert: tls.cert, ...(tls.ca !== undefined ? { ca: tls.ca, requestCert: true, rejectUnauthorized: false } : {}) }, handler)
      : http.createServer(handler);
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    return `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    for (const w of this.#watchers) w.res.end();
    this.#watchers.clear();
    const server = this.#server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Every object the server holds, as it serves them (with their resourceVersions). */
  objects(): Obj[] {
    return [...this.#objects.values()].flatMap((m) => [...m.values()]);
  }

  /** Open watch streams. */
  get watchers(): number {
    return this.#watchers.size;
  }

  /** Adds or replaces an object and tells the watchers. */
  apply(object: Obj): void {
    const existed = this.#get(object) !== undefined;
    const stored = this.#put(object);
    this.#notify(existed ? 'MODIFIED' : 'ADDED', stored);
  }

  /** Deletes an object and tells the watchers. */
  delete(kind: string, namespace: string | undefined, name: string): void {
    const def = RESOURCES.find((r) => r.kind === kind)!;
    const map = this.#objects.get(def.plural);
    const key = `${namespace ?? ''}/${name}`;
    const object = map?.get(key);
    if (object === undefined) return;
    map!.delete(key);
    this.#rv++;
    this.#notify('DELETED', { ...object, metadata: { ...(object.metadata as Obj), resourceVersion: String(this.#rv) } });
  }

  /**
   * Forgets history, as etcd compaction does: a watch from an older resourceVersion gets 410 Gone, and the
   * open watches are sent a 410 ERROR event and closed.
   */
  compact(): void {
    this.#compactedAt = this.#rv;
    for (const w of [...this.#watchers]) {
      w.res.end(`${JSON.stringify({ type: 'ERROR', object: gone(this.#rv) })}\n`);
      this.#watchers.delete(w);
    }
  }

  /** The next `n` watch requests fail with 500 Internal Server Error. */
  failNextWatches(n: number): void {
    this.#failWatches = n;
  }

  /** Ends every open watch stream cleanly, as the API server does when a watch times out. */
  endWatches(): void {
    for (const w of [...this.#watchers]) {
      w.res.end();
      this.#watchers.delete(w);
    }
  }

  #get(object: Obj): Obj | undefined {
    const def = defOf(object);
    const meta = object.metadata as { namespace?: string; name: string };
    return this.#objects.get(def.plural)?.get(`${def.namespaced ? (meta.namespace ?? 'default') : ''}/${meta.name}`);
  }

  /** Stores an object under a new resourceVersion; `initial` objects keep theirs when they have one. */
  #put(object: Obj, initial = false): Obj {
    const def = defOf(object);
    const meta = object.metadata as { namespace?: string; name: string; resourceVersion?: string };
    this.#rv++;
    const stored = initial && meta.resourceVersion !== undefined ? object : { ...object, metadata: { ...(object.metadata as Obj), resourceVersion: String(this.#rv) } };
    let map = this.#objects.get(def.plural);
    if (map === undefined) this.#objects.set(def.plural, (map = new Map()));
    map.set(`${def.namespaced ? (meta.namespace ?? 'default') : ''}/${meta.name}`, stored);
    return stored;
  }

  #notify(type: string, object: Obj): void {
    const def = defOf(object);
    for (const w of this.#watchers) {
      if (w.def.plural === def.plural && matches(object, w.namespace, w.fieldSelector)) w.res.write(`${JSON.stringify({ type, object })}\n`);
    }
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({ path: url.pathname, query, authorization: req.headers.authorization });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const byCertificate = this.#options.tls?.ca !== undefined && (req.socket as TLSSocket).authorized === true;
    if (!byCertificate && req.headers.authorization !== `Bearer ${this.#options.token}`) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
    const route = parsePath(url.pathname);
    if (route === undefined || (this.#options.missing ?? []).includes(route.def.plural)) {
      return send(404, status(404, 'NotFound', `the server could not find the requested resource`));
    }
    const { def, namespace, name } = route;
    const forbidden = this.#options.forbidden ?? [];
    if (forbidden.includes(def.plural) || (name === undefined && forbidden.includes(`list:${def.plural}`))) {
      return send(403, status(403, 'Forbidden', `${def.plural} is forbidden: User "system:serviceaccount:test:reader" cannot list resource "${def.plural}" at the cluster scope`));
    }
    const all = [...(this.#objects.get(def.plural)?.values() ?? [])]
      .filter((o) => matches(o, namespace, query.fieldSelector))
      .sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
    if (name !== undefined) {
      const found = all.find((o) => (o.metadata as Obj).name === name);
      return found ? send(200, found) : send(404, status(404, 'NotFound', `${def.plural} "${name}" not found`));
    }
    if (query.watch === 'true') {
      if (this.#failWatches > 0) {
        this.#failWatches--;
        return send(500, status(500, 'InternalError', 'etcdserver: request timed out'));
      }
      const from = Number(query.resourceVersion ?? '0');
      if (query.resourceVersion !== undefined && from < this.#compactedAt) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return void res.end(`${JSON.stringify({ type: 'ERROR', object: gone(from) })}\n`);
      }
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      res.flushHeaders();
      const w: Watcher = { def, ...(namespace !== undefined ? { namespace } : {}), ...(query.fieldSelector ? { fieldSelector: query.fieldSelector } : {}), res };
      this.#watchers.add(w);
      res.on('close', () => this.#watchers.delete(w));
      return;
    }
    const offset = query.continue ? Number(Buffer.from(query.continue, 'base64url').toString('utf8')) : 0;
    const limit = query.limit ? Number(query.limit) : all.length;
    const items = all.slice(offset, offset + limit).map((o) => {
      // List items carry no apiVersion or kind, as the real API server writes them.
      const { apiVersion: _a, kind: _k, ...rest } = o;
      return rest;
    });
    const next = offset + limit < all.length ? Buffer.from(String(offset + limit)).toString('base64url') : undefined;
    send(200, {
      apiVersion: def.apiVersion,
      kind: `${def.kind}List`,
      metadata: { resourceVersion: String(this.#rv), ...(next !== undefined ? { continue: next } : {}) },
      items,
    });
  }
}

function defOf(object: Obj): ResourceDef {
  const def = RESOURCES.find((r) => r.kind === object.kind && r.apiVersion === object.apiVersion) ?? RESOURCES.find((r) => r.kind === object.kind);
  if (def === undefined) throw new Error(`the test API server has no resource for ${String(object.kind)}`);
  return def;
}

function parsePath(path: string): { def: ResourceDef; namespace?: string; name?: string } | undefined {
  const m = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+))?$/.exec(path);
  if (m === null) return undefined;
  const apiVersion = m[1] ?? m[2]!;
  const def = RESOURCES.find((r) => r.apiVersion === apiVersion && r.plural === m[4]);
  if (def === undefined) return undefined;
  return { def, ...(m[3] !== undefined ? { namespace: decodeURIComponent(m[3]) } : {}), ...(m[5] !== undefined ? { name: decodeURIComponent(m[5]) } : {}) };
}

function matches(o: Obj, namespace: string | undefined, fieldSelector: string | undefined): boolean {
  const meta = o.metadata as { namespace?: string; name: string };
  if (namespace !== undefined && meta.namespace !== namespace) return false;
  for (const term of (fieldSelector ?? '').split(',').filter(Boolean)) {
    const [field, value] = term.split('=');
    if (field === 'metadata.name' && meta.name !== value) return false;
    if (field === 'metadata.namespace' && meta.namespace !== value) return false;
  }
  return true;
}

function keyOf(o: Obj): string {
  const meta = o.metadata as { namespace?: string; name: string };
  return `${meta.namespace ?? ''}/${meta.name}`;
}

function status(code: number, reason: string, message: string): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function gone(rv: number): Obj {
  return status(410, 'Expired', `too old resource version: ${rv}`);
}
