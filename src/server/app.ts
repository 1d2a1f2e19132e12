/**
 * @module server/app — the dashboard's HTTP server: a `node:http` app factory. GET routes return the views' JSON
 * (`server/views.ts`, built from the same core the CLI uses); `POST /api/promote` and `POST /api/rollback` run the
 * very `promote` and `rollback` commands (they write the repository, never the cluster) and only with the token;
 * everything else is the built dashboard (`dist/web/`). Every response carries a strict content security policy,
 * `nosniff` and `no-store`. The token is compared in constant time and never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { promoteCommand } from '../cli/commands/promote.js';
import { rollbackCommand } from '../cli/commands/rollback.js';
import { bufferIo, type Io } from '../cli/io.js';
import { DIRECTION_CHOICES, type DirectionChoice } from '../rollout/index.js';
import { EXIT, ToolError } from '../shared/errors.js';
import { API_VERSION } from '../report/inventory.js';
import type { StageChangeRequest } from './api-types.js';
import { readDashboardData, sessionDocument, type DashboardData, type DashboardSources } from './data.js';

/** The content security policy of every response: nothing inline, nothing from elsewhere. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface DashboardContext {
  /** The data as first read (`readDashboardData`). */
  readonly data: DashboardData;
  /** What to read again after a stage change, and what `promote` reads. */
  readonly sources: DashboardSources;
  /** The shell: the working directory the sources are relative to, and stderr for the request log. */
  readonly io: Io;
  /** The built dashboard (`dist/web`). */
  readonly webRoot: string;
  /** With a token, promote and rollback are allowed to requests that carry it (`Authorization: Bearer …`). */
  readonly token?: string;
  /** Host names the `Host` header may name (DNS-rebinding guard); undefined: any. */
  readonly allowedHosts?: readonly string[];
  /** Log one line per request on stderr (method, path, status; never headers or bodies). @default false */
  readonly log?: boolean;
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
}

const MAX_BODY = 64 * 1024;
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Whether `given` is the token, in time independent of where they differ (both hashed to equal length first). */
export function tokenMatches(token: string, given: string | undefined): boolean {
  return given !== undefined && timingSafeEqual(digest(token), digest(given));
}

const error = (status: number, message: string): Reply => ({ status, body: { apiVersion: API_VERSION, kind: 'Error', status, error: message } });

/** Creates the server (not listening: call `listen`). */
export function createServer(context: DashboardContext): Server {
  let data = context.data;
  let queue: Promise<unknown> = Promise.resolve();
  const writable = context.token !== undefined;

  const get: Readonly<Record<string, () => unknown>> = {
    '/api/session': () => sessionDocument(data, writable),
    '/api/map': () => data.map,
    '/api/drops': () => data.drops,
    '/api/board': () => data.board,
    '/api/hygiene': () => data.hygiene,
  };

  async function stageChange(kind: 'promote' | 'rollback', req: IncomingMessage): Promise<Reply> {
    if (!writable) return error(403, 'read-only: this dashboard has no token (start tighten serve with --token-file FILE to allow promote and rollback)');
    const auth = req.headers.authorization;
    const given = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
    if (!tokenMatches(context.token!, given)) return error(401, 'a valid token is required (Authorization: Bearer …)');
    let body: StageChangeRequest;
    try {
      body = decodeStageChangeRequest(kind, JSON.parse(await readBody(req)) as unknown);
    } catch (e) {
      return error(400, (e as Error).message);
    }
    // One change at a time, each on the data the one before left.
    const run = queue.then(() => runStageChange(kind, body));
    queue = run.catch(() => undefined);
    return run;
  }

  async function runStageChange(kind: 'promote' | 'rollback', body: StageChangeRequest): Promise<Reply> {
    const out = bufferIo(context.io.cwd);
    const s = context.sources;
    const common = {
      namespaces: body.namespaces,
      direction: body.direction ?? 'both',
      ...(body.reason !== undefined ? { reason: body.reason } : {}),
      commit: false,
      flows: s.flows,
      store: s.store,
      cluster: s.cluster,
      kube: s.kube,
      window: s.window,
      ...(s.repo !== undefined ? { repo: s.repo } : {}),
      ...(s.ciliumVersion !== undefined ? { ciliumVersion: s.ciliumVersion } : {}),
      output: 'json' as const,
      quiet: true,
    };
    let code: number;
    try {
      code =
        kind === 'promote'
          ? await promoteCommand({ ...common, ...(body.to !== undefined ? { to: body.to as 'audit' | 'enforce' } : {}), approve: body.approve === true, force: body.force === true }, out)
          : await rollbackCommand({ ...common, ...(body.to !== undefined ? { to: body.to as 'audit' | 'observe' } : {}) }, out);
    } catch (e) {
      if (e instanceof ToolError) return error(e.exitCode === EXIT.internal ? 500 : 409, e.message.split('\n')[0]!);
      throw e;
    }
    const document = JSON.parse(out.out()) as unknown;
    if (code !== EXIT.ok) return { status: 409, body: document };
    data = await readDashboardData(context.sources, context.io, data.generation + 1);
    return { status: 200, body: document };
  }

  async function route(req: IncomingMessage, path: string): Promise<Reply | undefined> {
    if (path.startsWith('/api/')) {
      if (req.method === 'POST' && (path === '/api/promote' || path === '/api/rollback')) return stageChange(path === '/api/promote' ? 'promote' : 'rollback', req);
      if (req.method !== 'GET' && req.method !== 'HEAD') return error(405, `${req.method} is not allowed on ${path}`);
      const view = get[path];
      if (view !== undefined) return { status: 200, body: view() };
      const ns = /^\/api\/namespaces\/([a-z0-9-]{1,63})\/policies$/.exec(path)?.[1];
      if (ns !== undefined) {
        const doc = data.policies(ns);
        return doc !== undefined ? { status: 200, body: doc } : error(404, `namespace ${ns} is not in the rollout`);
      }
      return error(404, `no such API route: ${path}`);
    }
    return undefined;
  }

  return createHttpServer((req, res) => {
    const started = Date.now();
    const path = pathOf(req.url);
    res.on('finish', () => {
      if (context.log === true) context.io.stderr.write(`${req.method} ${path} ${res.statusCode} ${Date.now() - started}ms\n`);
    });
    setSecurityHeaders(res);
    if (context.allowedHosts !== undefined && !context.allowedHosts.includes(hostName(req.headers.host))) {
      sendJson(res, error(421, 'unexpected Host header: open the dashboard at the address tighten serve printed'), req.method);
      return;
    }
    route(req, path)
      .then(async (reply) => {
        if (reply !== undefined) sendJson(res, reply, req.method);
        else await sendStatic(res, context.webRoot, path, req.method);
      })
      .catch((e: unknown) => {
        context.io.stderr.write(`tighten serve: internal error on ${req.method} ${path}: ${(e as Error)?.stack ?? String(e)}\n`);
        if (!res.headersSent) sendJson(res, error(500, 'internal error (see the server log)'), req.method);
        else res.end();
      });
  });
}

/** The path of a request URL, decoded; query and fragment left out. */
function pathOf(url: string | undefined): string {
  const raw = (url ?? '/').split(/[?#]/)[0] ?? '/';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** `127.0.0.1` of `127.0.0.1:8080`, `::1` of `[::1]:8080`, lower case. */
function hostName(host: string | undefined): string {
  if (host === undefined) return '';
  const h = host.toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function sendJson(res: ServerResponse, reply: Reply, method: string | undefined): void {
  const text = `${JSON.stringify(reply.body)}\n`;
  res.writeHead(reply.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(method === 'HEAD' ? undefined : text);
}

async function sendStatic(res: ServerResponse, root: string, path: string, method: string | undefined): Promise<void> {
  if (method !== 'GET' && method !== 'HEAD') return sendJson(res, error(405, `${method} is not allowed on ${path}`), method);
  const relativePath = path === '/' ? 'index.html' : normalize(path).replace(/^[/\\]+/, '');
  const file = join(root, relativePath);
  if (relativePath.startsWith('..') || !(file === root || file.startsWith(root.endsWith(sep) ? root : root + sep))) return sendJson(res, error(404, `not found: ${path}`), method);
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    if (path === '/') return sendJson(res, error(500, 'the dashboard is not built: run npm run build'), method);
    return sendJson(res, error(404, `not found: ${path}`), method);
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': body.length });
  res.end(method === 'HEAD' ? undefined : body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error(`request body over ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Checks a stage change request; throws with a message naming the bad field. */
export function decodeStageChangeRequest(kind: 'promote' | 'rollback', raw: unknown): StageChangeRequest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('the body must be a JSON object: {"namespaces": ["NS"], …}');
  const r = raw as Record<string, unknown>;
  const namespaces = r.namespaces;
  if (!Array.isArray(namespaces) || namespaces.length === 0 || !namespaces.every((n): n is string => typeof n === 'string' && DNS_LABEL.test(n))) {
    throw new Error('namespaces must be a non-empty list of namespace names');
  }
  const targets = kind === 'promote' ? ['audit', 'enforce'] : ['audit', 'observe'];
  if (r.to !== undefined && !(typeof r.to === 'string' && targets.includes(r.to))) throw new Error(`to must be one of ${targets.join(', ')}`);
  if (r.direction !== undefined && !(typeof r.direction === 'string' && (DIRECTION_CHOICES as readonly string[]).includes(r.direction))) throw new Error(`direction must be one of ${DIRECTION_CHOICES.join(', ')}`);
  if (r.reason !== undefined && typeof r.reason !== 'string') throw new Error('reason must be a string');
  for (const flag of ['approve', 'force'] as const) if (r[flag] !== undefined && typeof r[flag] !== 'boolean') throw new Error(`${flag} must be true or false`);
  return {
    namespaces,
    ...(typeof r.to === 'string' ? { to: r.to } : {}),
    ...(typeof r.direction === 'string' ? { direction: r.direction as DirectionChoice } : {}),
    ...(typeof r.reason === 'string' ? { reason: r.reason } : {}),
    ...(kind === 'promote' && typeof r.approve === 'boolean' ? { approve: r.approve } : {}),
    ...(kind === 'promote' && typeof r.force === 'boolean' ? { force: r.force } : {}),
  };
}
