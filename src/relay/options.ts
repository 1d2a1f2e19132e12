/**
 * @module relay/options — the command-line flags of a Relay source, named as the hubble CLI names
 * them (`--tls`, `--tls-allow-insecure`, `--tls-ca-cert-files`, `--tls-client-cert-file`,
 * `--tls-client-key-file`, `--tls-server-name`), turned into {@link RelaySourceOptions}. Reads the
 * certificate files; every mistake is a {@link UsageError} that names the flag and the file.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { formatTimestamp, parseTimestamp } from '../flows/index.js';
import { UsageError } from '../shared/errors.js';
import type { RelayTls } from './client.js';
import type { RelaySourceOptions } from './source.js';

/** Hubble Relay's port. */
export const DEFAULT_RELAY_PORT = 4245;

/** The flags, for `node:util` `parseArgs` (spread into a command's options). */
export const RELAY_FLAG_OPTIONS = {
  relay: { type: 'string' },
  follow: { type: 'boolean' },
  last: { type: 'string' },
  tls: { type: 'boolean' },
  'tls-allow-insecure': { type: 'boolean' },
  'tls-ca-cert-files': { type: 'string', multiple: true },
  'tls-client-cert-file': { type: 'string' },
  'tls-client-key-file': { type: 'string' },
  'tls-server-name': { type: 'string' },
} as const;

/** Parsed flag values, as `parseArgs` returns them. */
export interface RelayFlags {
  readonly relay?: string | undefined;
  /** Keep streaming new flows (hubble's `--follow`). */
  readonly follow?: boolean | undefined;
  /** Only the last N stored flows (hubble's `--last`); not with `--since`/`--until`. */
  readonly last?: string | undefined;
  readonly tls?: boolean | undefined;
  readonly 'tls-allow-insecure'?: boolean | undefined;
  /** Repeatable; each value may also list files separated by commas, as hubble accepts. */
  readonly 'tls-ca-cert-files'?: readonly string[] | string | undefined;
  readonly 'tls-client-cert-file'?: string | undefined;
  readonly 'tls-client-key-file'?: string | undefined;
  readonly 'tls-server-name'?: string | undefined;
}

/** What the command adds to the flags: the window and the scope, already parsed. */
export interface RelayScope {
  /** Overrides `--follow` when given. */
  readonly follow?: boolean;
  /** RFC 3339, or a duration back from `now` (`90m`, `24h`, `7d`). */
  readonly since?: string;
  /** RFC 3339. */
  readonly until?: string;
  readonly namespaces?: readonly string[];
  /** Wall clock for a relative `since`. @default Date.now */
  readonly now?: () => number;
}

/**
 * Checks a Relay address: `HOST:PORT`, `[IPv6]:PORT`, or a bare host (port 4245). A `tls://` prefix,
 * which hubble accepts, is allowed and means TLS; `http://` and the like are not.
 *
 * @returns the address for gRPC (`host:port`) and whether the scheme asked for TLS.
 * @throws UsageError naming the address and the expected form.
 */
export function parseRelayAddress(text: string): { address: string; tls: boolean } {
  const form = 'expected HOST:PORT, e.g. localhost:4245 or hubble-relay.kube-system.svc:4245';
  let rest = text.trim();
  let tls = false;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  if (scheme) {
    if (scheme[1]!.toLowerCase() !== 'tls') throw new UsageError(`--relay ${JSON.stringify(text)}: unsupported scheme ${scheme[1]}:// (${form}; tls:// turns on TLS)`);
    tls = true;
    rest = rest.slice(scheme[0].length);
  }
  if (rest === '') throw new UsageError(`--relay is empty (${form})`);
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw new UsageError(`--relay ${JSON.stringify(text)}: unclosed [ in an IPv6 address (${form})`);
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) throw new UsageError(`--relay ${JSON.stringify(text)}: unexpected ${JSON.stringify(after)} after the address (${form})`);
    portText = after === '' ? undefined : after.slice(1);
    if (isIP(host) !== 6) throw new UsageError(`--relay ${JSON.stringify(text)}: ${JSON.stringify(host)} is not an IPv6 address (${form})`);
  } else {
    const colons = rest.split(':').length - 1;
    if (colons > 1) throw new UsageError(`--relay ${JSON.stringify(text)}: an IPv6 address needs brackets, e.g. [::1]:4245`);
    [host, portText] = colons === 1 ? (rest.split(':') as [string, string]) : [rest, undefined];
    if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) throw new UsageError(`--relay ${JSON.stringify(text)}: ${JSON.stringify(host)} is not a host name or address (${form})`);
  }
  let port = DEFAULT_RELAY_PORT;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      throw new UsageError(`--relay ${JSON.stringify(text)}: port ${JSON.stringify(portText)} is not a number from 1 to 65535 (${form})`);
    }
    port = Number(portText);
  }
  return { address: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`, tls };
}

/**
 * Turns the flags and the command's scope into Relay source options, reading the certificate files.
 * Any `--tls-*` flag turns TLS on, as `--tls` does: a CA or a client certificate given for a plain
 * text connection would otherwise be ignored without a word.
 *
 * @throws UsageError when `--relay` is missing or malformed, a certificate or key file cannot be
 *   read or holds no PEM block of the right kind, only one of the client certificate and key is
 *   given, or `--since`/`--until` is not a time.
 */
export async function readRelayOptions(flags: RelayFlags, scope: RelayScope = {}): Promise<RelaySourceOptions> {
  if (flags.relay === undefined || flags.relay.trim() === '') throw new UsageError('--relay HOST:PORT is required to read flows from Hubble Relay (e.g. --relay localhost:4245)');
  const { address, tls: schemeTls } = parseRelayAddress(flags.relay);
  const caFiles = listOf(flags['tls-ca-cert-files']);
  const certFile = flags['tls-client-cert-file'];
  const keyFile = flags['tls-client-key-file'];
  const serverName = flags['tls-server-name'];
  const insecure = flags['tls-allow-insecure'] === true;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new UsageError(
      certFile === undefined
        ? `--tls-client-key-file ${keyFile} needs --tls-client-cert-file: mutual TLS takes a certificate and its key`
        : `--tls-client-cert-file ${certFile} needs --tls-client-key-file: mutual TLS takes a certificate and its key`,
    );
  }
  if (serverName !== undefined && !/^[A-Za-z0-9*]([A-Za-z0-9.*-]*[A-Za-z0-9])?$/.test(serverName)) {
    throw new UsageError(`--tls-server-name ${JSON.stringify(serverName)} is not a DNS name (e.g. instance.hubble-relay.cilium.io)`);
  }
  const wantsTls = flags.tls === true || schemeTls || insecure || caFiles.length > 0 || certFile !== undefined || serverName !== undefined;
  let tls: RelayTls | undefined;
  if (wantsTls) {
    const ca = caFiles.length > 0 ? Buffer.concat(await Promise.all(caFiles.map((f) => readPem('--tls-ca-cert-files', f, 'CERTIFICATE')))) : undefined;
    const cert = certFile !== undefined ? await readPem('--tls-client-cert-file', certFile, 'CERTIFICATE') : undefined;
    const key = keyFile !== undefined ? await readPem('--tls-client-key-file', keyFile, 'PRIVATE KEY') : undefined;
    tls = {
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      ...(serverName !== undefined ? { serverName } : {}),
      ...(insecure ? { allowInsecure: true } : {}),
    };
  }
  let number: number | undefined;
  if (flags.last !== undefined) {
    if (!/^\d+$/.test(flags.last.trim()) || Number(flags.last) < 1) throw new UsageError(`--last ${JSON.stringify(flags.last)} must be a whole number of flows, 1 or more`);
    if (scope.since !== undefined || scope.until !== undefined) throw new UsageError('--last cannot be combined with --since or --until (Hubble takes one or the other)');
    number = Number(flags.last);
  }
  const now = scope.now ?? Date.now;
  const since = scope.since === undefined ? undefined : resolveSince(scope.since, now);
  const until = scope.until === undefined ? undefined : instant('until', scope.until);
  if (since !== undefined && until !== undefined && since > until) throw new UsageError(`--since ${scope.since} is after --until ${scope.until}`);
  return {
    address,
    ...(tls ? { tls } : {}),
    follow: (scope.follow ?? flags.follow) === true,
    ...(number !== undefined ? { number } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    namespaces: [...(scope.namespaces ?? [])],
  };
}

function listOf(v: readonly string[] | string | undefined): string[] {
  const list = v === undefined ? [] : typeof v === 'string' ? [v] : [...v];
  return list.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

async function readPem(flag: string, file: string, kind: 'CERTIFICATE' | 'PRIVATE KEY'): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : e instanceof Error ? e.message : String(e);
    throw new UsageError(`${flag} ${file}: cannot read: ${why}`, { cause: e });
  }
  const text = bytes.toString('latin1');
  const found = kind === 'CERTIFICATE' ? /-----BEGIN CERTIFICATE-----/.test(text) : /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text);
  if (!found) throw new UsageError(`${flag} ${file}: no PEM ${kind === 'CERTIFICATE' ? 'certificate' : 'private key'} in it (expected a "-----BEGIN ${kind}-----" block)`);
  return bytes;
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since`: RFC 3339, or a duration back from now; returned as normalised RFC 3339. */
function resolveSince(text: string, now: () => number): string {
  const m = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text.trim());
  if (!m) return instant('since', text);
  const ms = Math.round(now() - Number(m[1]) * UNIT_MS[m[2]!]!);
  const seconds = Math.floor(ms / 1000);
  const iso = formatTimestamp(seconds, (ms - seconds * 1000) * 1_000_000);
  if (iso === undefined) throw new UsageError(`--since ${text} reaches before year 1`);
  return iso;
}

function instant(option: string, text: string): string {
  const t = parseTimestamp(text.trim());
  if (t === undefined) throw new UsageError(`--${option} ${JSON.stringify(text)} is not an RFC 3339 time (e.g. 2026-11-02T00:00:00Z)${option === 'since' ? ' or a duration (e.g. 90m, 24h)' : ''}`);
  return t.iso;
}
