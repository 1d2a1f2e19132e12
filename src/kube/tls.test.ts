import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSample } from '../sample/index.js';
import { readKubeCluster } from './index.js';
import { FakeApiServer } from './test-support/api-server.js';
import { kubeconfigYaml } from './test-support/kubeconfig.js';

// Certificates are made at test time with openssl; no key is ever committed. Without openssl, skipped.
const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const TOKEN = 'tkn-tls-0b5c7e19d2a84f36';
const namespaces = generateSample({}).cluster.filter((o) => o.kind === 'Namespace') as Record<string, unknown>[];

let dir: string;
let server: FakeApiServer;
let url: string;
const pem: Record<string, string> = {};

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA (EC P-256: quick). */
function makeCertificates(at: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: at, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=tighten-test-ca');
  for (const [name, subject] of [
    ['server', '/CN=127.0.0.1'],
    ['client', '/CN=tester/O=system:masters'],
  ] as const) {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    const ext = join(at, `${name}.ext`);
    writeFileSync(ext, `${name === 'server' ? 'subjectAltName=IP:127.0.0.1' : 'extendedKeyUsage=clientAuth'}\n`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', ext);
  }
}

beforeAll(async () => {
  if (!hasOpenssl) return;
  dir = await mkdtemp(join(tmpdir(), 'tighten-tls-'));
  makeCertificates(dir);
  for (const f of ['ca.crt', 'server.key', 'server.crt', 'client.key', 'client.crt']) pem[f] = await readFile(join(dir, f), 'utf8');
  server = new FakeApiServer(namespaces, { token: TOKEN, tls: { key: pem['server.key']!, cert: pem['server.crt']!, ca: pem['ca.crt']! } });
  url = await server.start();
});
afterAll(async () => {
  await server?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!hasOpenssl)('TLS', () => {
  it('verifies the server against the kubeconfig CA and authenticates with the token', async () => {
    const file = join(dir, 'kubeconfig-token');
    await writeFile(file, kubeconfigYaml([{ name: 'tls', server: url, token: TOKEN, ca: pem['ca.crt']!, insecure: false }], 'tls'));
    const s = await readKubeCluster({ kubeconfig: file });
    expect(s.namespaces.map((n) => n.name)).toEqual(namespaces.map((o) => (o.metadata as { name: string }).name).sort());
    expect(server.requests.at(-1)?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('authenticates with a client certificate and key', async () => {
    const file = join(dir, 'kubeconfig-cert');
    await writeFile(file, kubeconfigYaml([{ name: 'tls', server: url, ca: pem['ca.crt']!, insecure: false, clientCert: pem['client.crt']!, clientKey: pem['client.key']! }], 'tls'));
    const s = await readKubeCluster({ kubeconfig: file });
    expect(s.namespaces.length).toBe(namespaces.length);
    expect(server.requests.at(-1)?.authorization).toBeUndefined();
  });

  it('refuses a server its CA did not sign, naming the context and the server', async () => {
    const file = join(dir, 'kubeconfig-no-ca');
    await writeFile(file, kubeconfigYaml([{ name: 'tls', server: url, token: TOKEN, insecure: false, clientCert: pem['client.crt']!, clientKey: pem['client.key']! }], 'tls'));
    const error = (await readKubeCluster({ kubeconfig: file }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(new RegExp(`^context "tls": cannot list namespaces: the API server at ${url.replace(/\./g, '\\.')} could not be reached \\(\\S*(SELF_SIGNED|UNABLE_TO_VERIFY|CERT)`));
    for (const secret of [TOKEN, pem['client.key']!, pem['client.key']!.split('\n')[1]!]) expect(`${error.message}\n${error.stack}`).not.toContain(secret);
  });

  it('insecure-skip-tls-verify skips the verification', async () => {
    const file = join(dir, 'kubeconfig-insecure');
    await writeFile(file, kubeconfigYaml([{ name: 'tls', server: url, token: TOKEN, insecure: true }], 'tls'));
    expect((await readKubeCluster({ kubeconfig: file })).namespaces.length).toBe(namespaces.length);
  });
});
