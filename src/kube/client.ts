/**
 * @module kube/client — GET and watch against the Kubernetes API with the credentials of a kubeconfig
 * context. `@kubernetes/client-node` does the authentication (token, token file, client certificate, exec
 * and auth-provider plugins, CA, `insecure-skip-tls-verify`, proxies) and the watch stream; this module
 * keeps the bodies as the API server wrote them (the generated typed clients would turn timestamps into
 * `Date`s and drop fields they do not know) and turns failures into errors that name the context and the
 * resource, never a credential.
 */
import http from 'node:http';
import https from 'node:https';
import { Watch } from '@kubernetes/client-node';
import { InputError } from '../shared/errors.js';
import type { LoadedKubeConfig } from './kubeconfig.js';

/** A failed API request. `status` is the HTTP status; undefined when the server was not reached. */
export class KubeApiError extends InputError {
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, options?: ErrorOptions) {
    super(message, undefined, options);
    this.name = 'KubeApiError';
    this.status = status;
  }
}

/** One event of a watch stream (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes). */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR' | (string & {});
  readonly object: unknown;
}

/** How long one list request may take before it is abandoned. */
const REQUEST_TIMEOUT_MS = 60_000;

/** A client for one kubeconfig context. */
export class KubeClient {
  readonly context: string;
  readonly server: string;
  readonly #loaded: LoadedKubeConfig;

  constructor(loaded: LoadedKubeConfig) {
    this.#loaded = loaded;
    this.context = loaded.context;
    this.server = loaded.server;
  }

  /**
   * GETs `path` with `query` and returns the parsed JSON body.
   *
   * @param what what is being read, for messages: `list pods`, `get configmap kube-system/cilium-config`.
   * @throws KubeApiError for a status other than 2xx (with the API server's own message), an unreachable
   *   server, a TLS failure or a body that is not JSON.
   */
  async getJson(path: string, query: Readonly<Record<string, string | undefined>>, what: string, signal?: AbortSignal): Promise<unknown> {
    const url = this.url(path, query);
    const options: https.RequestOptions = { method: 'GET', headers: {} };
    await this.authenticate(options, what);
    const secrets = secretsOf(options);
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const send = url.protocol === 'http:' ? http.request : https.request;
      const req = send(url, { ...options, headers: { ...options.headers, Accept: 'application/json' }, ...(signal ? { signal } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on('error', reject);
      req.end();
    }).catch((cause: unknown) => {
      throw this.unreachable(what, cause, secrets);
    });
    if (status < 200 || status > 299) throw this.failed(what, path, status, statusMessage(body), secrets);
    try {
      return JSON.parse(body) as unknown;
    } catch (cause) {
      throw new KubeApiError(`context "${this.context}": ${what}: the API server at ${this.server} answered with something other than JSON`, status, { cause });
    }
  }

  /**
   * Watches `path` (`?watch=true` and `query`), calling `onEvent` for each event, until the server ends the
   * stream (resolves), `signal` aborts (resolves) or the request fails (rejects with a KubeApiError; a 410
   * Gone at connect time has `status` 410).
   */
  async watch(path: string, query: Readonly<Record<string, string | undefined>>, what: string, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const probe: https.RequestOptions = { headers: {} };
    await this.authenticate(probe, what);
    const secrets = secretsOf(probe);
    await new Promise<void>((resolve, reject) => {
      let controller: AbortController | undefined;
      const onAbort = () => controller?.abort();
      const done = (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (err === null || err === undefined || signal.aborted) resolve();
        else {
          const status = (err as { statusCode?: unknown }).statusCode;
          reject(typeof status === 'number' ? this.failed(what, path, status, '', secrets) : this.unreachable(what, err, secrets));
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const params = Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
      new Watch(this.#loaded.config)
        .watch(path, params, (type: string, object: unknown) => onEvent({ type, object }), done)
        .then((c) => {
          controller = c;
          if (signal.aborted) c.abort();
        }, done);
    });
  }

  private url(path: string, query: Readonly<Record<string, string | undefined>>): URL {
    const url = new URL(this.#loaded.config.getCurrentCluster()!.server.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    return url;
  }

  /** Fills in the credentials and TLS options; a failing credential plugin becomes a clear error. */
  private async authenticate(options: https.RequestOptions, what: string): Promise<void> {
    try {
      await this.#loaded.config.applyToHTTPSOptions(options);
    } catch (cause) {
      const reason = redact(cause instanceof Error ? cause.message : String(cause), secretsOf(options)).split('\n')[0];
      throw new KubeApiError(`context "${this.context}": cannot authenticate to ${what} (${reason}). Check the user "${this.#loaded.user}" of the kubeconfig, e.g. with kubectl --context ${this.context} auth whoami`, undefined);
    }
  }

  private unreachable(what: string, cause: unknown, secrets: readonly string[]): KubeApiError {
    const e = cause as { code?: string; message?: string };
    const reason = redact([e.code, e.message].filter(Boolean).join(': ') || String(cause), secrets);
    return new KubeApiError(`context "${this.context}": cannot ${what}: the API server at ${this.server} could not be reached (${reason})`, undefined);
  }

  private failed(what: string, path: string, status: number, message: string, secrets: readonly string[]): KubeApiError {
    const said = message ? `: ${redact(message, secrets)}` : '';
    const user = this.#loaded.user ? `user "${this.#loaded.user}"` : 'the kubeconfig user';
    const where = `context "${this.context}" (${this.server})`;
    switch (status) {
      case 401:
        return new KubeApiError(`${where}: cannot ${what} (${path}): 401 Unauthorized${said}. The credentials of ${user} are missing, wrong or expired: log in again, e.g. check with kubectl --context ${this.context} auth whoami`, status);
      case 403:
        return new KubeApiError(`${where}: cannot ${what} (${path}): 403 Forbidden${said}. ${capitalize(user)} needs get, list and watch on it: see kubectl --context ${this.context} auth can-i --list`, status);
      case 404:
        return new KubeApiError(`${where}: cannot ${what} (${path}): 404 Not Found${said}`, status);
      case 410:
        return new KubeApiError(`${where}: cannot ${what} (${path}): 410 Gone${said}`, status);
      default:
        return new KubeApiError(`${where}: cannot ${what} (${path}): HTTP ${status}${said}`, status);
    }
  }
}

/** The `message` of a `Status` body, else its first line, shortened. */
function statusMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not a Status object
  }
  const line = body.split('\n')[0]?.trim() ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** Credentials the request carries, to be cut out of any text that might echo them. */
function secretsOf(options: https.RequestOptions): string[] {
  const out: string[] = [];
  const auth = (options.headers as Record<string, unknown> | undefined)?.Authorization;
  if (typeof auth === 'string') out.push(auth, auth.replace(/^\S+\s+/, ''));
  if (typeof options.auth === 'string') out.push(options.auth, ...options.auth.split(':').slice(1));
  for (const v of [options.key, options.passphrase]) if (v !== undefined && v !== null) out.push(String(v));
  return out.filter((s) => s.length >= 4);
}

/** Replaces every occurrence of a secret with `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join('[redacted]');
  return out;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
