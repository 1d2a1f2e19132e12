/**
 * TLS towards a real gRPC Relay: server authentication with a CA, mutual TLS with a client
 * certificate, the server name override, and `--tls-allow-insecure`. The certificates are made at
 * test time with the `openssl` binary (skipped without it) in a temporary directory: no key is ever
 * stored in the repository.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerCredentials } from '@grpc/grpc-js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { formatTimestamp, type Flow } from '../flows/index.js';
import { InputError } from '../shared/errors.js';
import { readRelayOptions, type RelayFlags } from './options.js';
import { relayFlowSource } from './source.js';
import { loadOwnSchema } from './test-support/protobuf.js';
import { TestRelay } from './test-support/relay-server.js';

const SERVER_NAME = 'instance.hubble-relay.cilium.io';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const opensslPresent = hasOpenssl();
if (!opensslPresent) console.warn('relay: skipping TLS tests, the openssl binary is not installed');

interface Pki {
  readonly dir: string;
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly otherCa: string;
}

/** A CA, a server certificate for SERVER_NAME, a client certificate, and an unrelated CA. */
function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'tighten-relay-tls-'));
  const p = (name: string): string => join(dir, name);
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'pipe', cwd: dir });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '1', '-subj', '/CN=tighten test CA');
  ssl('req', '-x509', ...ec, '-keyout', p('other-ca.key'), '-out', p('other-ca.crt'), '-days', '1', '-subj', '/CN=another CA');
  writeFileSync(p('server.ext'), `subjectAltName=DNS:${SERVER_NAME}\nextendedKeyUsage=serverAuth\n`);
  writeFileSync(p('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    ssl('req', ...ec, '-keyout', p(`${who}.key`), '-out', p(`${who}.csr`), '-subj', `/CN=${who === 'server' ? '*.hubble-relay.cilium.io' : 'tighten'}`);
    ssl('x509', '-req', '-in', p(`${who}.csr`), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p(`${who}.crt`), '-days', '1', '-extfile', p(`${who}.ext`));
  }
  return { dir, ca: p('ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'), clientCert: p('client.crt'), clientKey: p('client.key'), otherCa: p('other-ca.crt') };
}

describe.skipIf(!opensslPresent)('TLS', () => {
  const pki = opensslPresent ? makePki() : undefined;
  const schema = loadOwnSchema();
  const relays: TestRelay[] = [];
  afterEach(() => {
    for (const r of relays.splice(0)) r.stop();
  });
  afterAll(() => {
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  async function tlsRelay(requireClientCert: boolean): Promise<TestRelay> {
    const credentials = ServerCredentials.createSsl(
      readFileSync(pki!.ca),
      [{ cert_chain: readFileSync(pki!.serverCert), private_key: readFileSync(pki!.serverKey) }],
      requireClientCert,
    );
    const relay = await TestRelay.start({ schema, credentials });
    const time = formatTimestamp(1_793_613_600, 1)!;
    relay.add(relay.encode({ flow: { time, uuid: 'tls-1', verdict: 'FORWARDED', source: { namespace: 'shop' } }, time }));
    relays.push(relay);
    return relay;
  }

  async function read(relay: TestRelay, flags: Omit<RelayFlags, 'relay'>): Promise<Flow[]> {
    const options = await readRelayOptions({ relay: relay.address, ...flags });
    const flows: Flow[] = [];
    await relayFlowSource({ ...options, maxAttempts: 1 }).run({ flow: (f) => flows.push(f) });
    return flows;
  }

  it('mutual TLS: CA, client certificate and key, server name override', async () => {
    const relay = await tlsRelay(true);
    const flows = await read(relay, {
      tls: true,
      'tls-ca-cert-files': [pki!.ca],
      'tls-client-cert-file': pki!.clientCert,
      'tls-client-key-file': pki!.clientKey,
      'tls-server-name': SERVER_NAME,
    });
    expect(flows.map((f) => f.uuid)).toEqual(['tls-1']);
    expect(relay.requests).toHaveLength(1);
  });

  it('without the client certificate, a Relay that requires one refuses', async () => {
    const relay = await tlsRelay(true);
    const run = read(relay, { tls: true, 'tls-ca-cert-files': [pki!.ca], 'tls-server-name': SERVER_NAME });
    await expect(run).rejects.toBeInstanceOf(InputError);
    await expect(run).rejects.toThrow(/gave up after 1 failed attempt in a row: UNAVAILABLE/);
    expect(relay.requests).toHaveLength(0);
  });

  it('without the server name override, the certificate does not name 127.0.0.1 and is refused', async () => {
    const relay = await tlsRelay(false);
    await expect(read(relay, { tls: true, 'tls-ca-cert-files': [pki!.ca] })).rejects.toThrow(/gave up after 1 failed attempt in a row: UNAVAILABLE: .*127\.0\.0\.1 is not in the cert's list/);
    expect(relay.requests).toHaveLength(0);
  });

  it('a certificate from another CA is refused', async () => {
    const relay = await tlsRelay(false);
    const run = read(relay, { 'tls-ca-cert-files': [pki!.otherCa], 'tls-server-name': SERVER_NAME });
    await expect(run).rejects.toBeInstanceOf(InputError);
    await expect(run).rejects.toThrow(/self-signed certificate in certificate chain/);
    expect(relay.requests).toHaveLength(0);
  });

  it('--tls-allow-insecure accepts the certificate unverified (testing only)', async () => {
    const relay = await tlsRelay(false);
    expect((await read(relay, { 'tls-allow-insecure': true })).map((f) => f.uuid)).toEqual(['tls-1']);
  });

  it('plain text against a TLS Relay fails', async () => {
    const relay = await tlsRelay(false);
    await expect(read(relay, {})).rejects.toBeInstanceOf(InputError);
  });
});
