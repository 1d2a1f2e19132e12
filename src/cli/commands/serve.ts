/**
 * @module cli/commands/serve — `tighten serve`: the web dashboard (service map, rollout board, would-be drops,
 * hygiene, policy diffs) over an HTTP API that calls the same core as the CLI (`server/`). Listens on 127.0.0.1
 * unless told otherwise; read-only unless `--token-file` names a token, which then allows promote and rollback
 * (they write the repository, as the commands do, never the cluster). Runs until interrupted.
 */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from '../../server/app.js';
import { readDashboardData, type DashboardSources } from '../../server/data.js';
import { EXIT, InputError, UsageError, type ExitCode } from '../../shared/errors.js';
import type { Io } from '../io.js';

export interface ServeCommandOptions extends DashboardSources {
  /** `HOST:PORT`; port 0 picks a free one. @default '127.0.0.1:8080' */
  readonly listen: string;
  /** A file holding the token that allows promote and rollback; undefined: read-only. */
  readonly tokenFile?: string;
  /** The built dashboard. @default the package's `dist/web` */
  readonly webRoot?: string;
  /** Log each request on stderr. @default true for the command */
  readonly log?: boolean;
}

export interface RunningDashboard {
  /** `http://HOST:PORT/`. */
  readonly url: string;
  close(): Promise<void>;
}

export const DEFAULT_LISTEN = '127.0.0.1:8080';
const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

/** The package's built dashboard: `dist/web` two folders above this module, from `src/` and `dist/` alike. */
export const defaultWebRoot = (): string => fileURLToPath(new URL('../../../dist/web/', import.meta.url));

/** `127.0.0.1:8080`, `[::1]:0`, `0.0.0.0:80` → host and port. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(listen);
  const port = Number(m?.[3]);
  if (m === null || !Number.isInteger(port) || port > 65535) throw new UsageError(`--listen must be HOST:PORT, e.g. ${DEFAULT_LISTEN} (got ${JSON.stringify(listen)})`);
  return { host: (m[1] ?? m[2])!, port };
}

async function readToken(file: string, io: Io): Promise<string> {
  const path = isAbsolute(file) ? file : join(io.cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new InputError(`cannot read the token file: ${(cause as Error).message}`, { file }, { cause });
  }
  const token = text.trim();
  if (token.length < 16) throw new InputError('the token file must hold a token of at least 16 characters (e.g. openssl rand -hex 32 > FILE)', { file });
  return token;
}

/** Reads the data, starts the server and returns where it listens. */
export async function startDashboard(opts: ServeCommandOptions, io: Io): Promise<RunningDashboard> {
  const { host, port } = parseListen(opts.listen);
  const token = opts.tokenFile !== undefined ? await readToken(opts.tokenFile, io) : undefined;
  const data = await readDashboardData(opts, io);
  const loopback = LOOPBACK.includes(host);
  if (!loopback) io.stderr.write(`warning: the dashboard listens on ${host}, not only on this machine${token === undefined ? '' : '; anyone with the token can promote'}\n`);
  const server = createServer({
    data,
    sources: opts,
    io,
    webRoot: opts.webRoot ?? defaultWebRoot(),
    ...(token !== undefined ? { token } : {}),
    ...(loopback ? { allowedHosts: LOOPBACK } : {}),
    log: opts.log ?? true,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new UsageError(`--listen ${opts.listen}: the address is in use (pick another port)`, { cause: e }) : e));
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `tighten serve`: runs until SIGINT or SIGTERM. */
export async function serveCommand(opts: ServeCommandOptions, io: Io): Promise<ExitCode> {
  const dashboard = await startDashboard(opts, io);
  io.stdout.write(`tighten dashboard: ${dashboard.url} (${opts.tokenFile !== undefined ? 'promote and rollback allowed with the token' : 'read-only'}; Ctrl-C stops it)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await dashboard.close();
  return EXIT.ok;
}
