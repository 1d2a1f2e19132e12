import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../shared/errors.js';
import { parseArgs } from 'node:util';
import { RELAY_FLAG_OPTIONS, parseRelayAddress, readRelayOptions } from './options.js';

describe('parseRelayAddress', () => {
  it.each([
    ['localhost:4245', 'localhost:4245', false],
    ['hubble-relay.kube-system.svc', 'hubble-relay.kube-system.svc:4245', false],
    ['127.0.0.1:80', '127.0.0.1:80', false],
    ['[::1]:4245', '[::1]:4245', false],
    ['[fd00::1]', '[fd00::1]:4245', false],
    ['tls://relay.example.com:443', 'relay.example.com:443', true],
    ['  localhost:4245 ', 'localhost:4245', false],
  ])('%s', (text, address, tls) => {
    expect(parseRelayAddress(text)).toEqual({ address, tls });
  });

  it.each([
    ['', /--relay is empty/],
    ['relay:abc', /port "abc" is not a number from 1 to 65535/],
    ['relay:0', /port "0"/],
    ['relay:70000', /port "70000"/],
    ['relay:', /port ""/],
    ['::1:4245', /needs brackets, e\.g\. \[::1\]:4245/],
    ['[::1', /unclosed \[/],
    ['[relay]:1', /"relay" is not an IPv6 address/],
    ['http://relay:4245', /unsupported scheme http:\/\//],
    ['bad host!:1', /"bad host!" is not a host name/],
  ])('%j is a usage error', (text, message) => {
    expect(() => parseRelayAddress(text)).toThrow(UsageError);
    expect(() => parseRelayAddress(text)).toThrow(message);
  });
});

describe('readRelayOptions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tighten-relay-options-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const pem = (name: string, kind: string): string => {
    const path = join(dir, name);
    writeFileSync(path, `-----BEGIN ${kind}-----\nAAAA\n-----END ${kind}-----\n`);
    return path;
  };
  const ca1 = pem('ca1.pem', 'CERTIFICATE');
  const ca2 = pem('ca2.pem', 'CERTIFICATE');
  const cert = pem('client.crt', 'CERTIFICATE');
  const key = pem('client.key', 'EC PRIVATE KEY');
  const notPem = join(dir, 'notes.txt');
  writeFileSync(notPem, 'hello\n');

  it('plain text by default, with the scope', async () => {
    const o = await readRelayOptions(
      { relay: 'localhost:4245' },
      { follow: true, since: '2h', until: '2026-11-02T12:00:00+01:00', namespaces: ['shop'], now: () => Date.parse('2026-11-02T11:30:00.250Z') },
    );
    expect(o).toEqual({
      address: 'localhost:4245',
      follow: true,
      since: '2026-11-02T09:30:00.250000000Z',
      until: '2026-11-02T11:00:00.000000000Z',
      namespaces: ['shop'],
    });
  });

  it('reads every CA file (repeated or comma-separated), the client pair and the server name', async () => {
    const o = await readRelayOptions({
      relay: 'relay:4245',
      tls: true,
      'tls-ca-cert-files': [`${ca1},${ca2}`],
      'tls-client-cert-file': cert,
      'tls-client-key-file': key,
      'tls-server-name': 'instance.hubble-relay.cilium.io',
    });
    expect(o.tls?.ca?.toString()).toContain('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----');
    expect(o.tls?.cert?.toString()).toContain('BEGIN CERTIFICATE');
    expect(o.tls?.key?.toString()).toContain('BEGIN EC PRIVATE KEY');
    expect(o.tls?.serverName).toBe('instance.hubble-relay.cilium.io');
    expect(o.tls?.allowInsecure).toBeUndefined();
  });

  it('any --tls-* flag, or tls://, turns TLS on', async () => {
    expect((await readRelayOptions({ relay: 'r:1' })).tls).toBeUndefined();
    expect((await readRelayOptions({ relay: 'r:1', tls: true })).tls).toEqual({});
    expect((await readRelayOptions({ relay: 'tls://r:1' })).tls).toEqual({});
    expect((await readRelayOptions({ relay: 'r:1', 'tls-allow-insecure': true })).tls).toEqual({ allowInsecure: true });
    expect((await readRelayOptions({ relay: 'r:1', 'tls-server-name': 'x.example' })).tls).toEqual({ serverName: 'x.example' });
    expect((await readRelayOptions({ relay: 'r:1', 'tls-ca-cert-files': ca1 })).tls?.ca).toBeDefined();
  });

  it.each([
    [{}, /--relay HOST:PORT is required/],
    [{ relay: 'r:1', 'tls-ca-cert-files': [join(dir, 'missing-ca.pem')] }, /--tls-ca-cert-files .*missing-ca\.pem: cannot read: no such file/],
    [{ relay: 'r:1', 'tls-ca-cert-files': [notPem] }, /--tls-ca-cert-files .*notes\.txt: no PEM certificate in it/],
    [{ relay: 'r:1', 'tls-client-cert-file': cert }, /--tls-client-cert-file .*client\.crt needs --tls-client-key-file/],
    [{ relay: 'r:1', 'tls-client-key-file': key }, /--tls-client-key-file .*client\.key needs --tls-client-cert-file/],
    [{ relay: 'r:1', 'tls-client-cert-file': cert, 'tls-client-key-file': cert }, /--tls-client-key-file .*client\.crt: no PEM private key in it/],
    [{ relay: 'r:1', 'tls-client-cert-file': join(dir, 'nope.crt'), 'tls-client-key-file': key }, /nope\.crt: cannot read: no such file/],
    [{ relay: 'r:1', 'tls-ca-cert-files': [dir] }, /cannot read: is a directory/],
    [{ relay: 'r:1', 'tls-server-name': 'not a name' }, /--tls-server-name "not a name" is not a DNS name/],
  ])('%j is a usage error naming the flag and file', async (flags, message) => {
    const run = readRelayOptions(flags);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(message);
  });

  it('works with parseArgs: the flags as a command line spells them', async () => {
    const { values } = parseArgs({
      args: ['--relay', 'tls://relay:4245', '--follow', '--tls-ca-cert-files', ca1, '--tls-ca-cert-files', ca2, '--tls-server-name', 'instance.hubble-relay.cilium.io', '--last', '100'],
      options: RELAY_FLAG_OPTIONS,
      strict: true,
    });
    const o = await readRelayOptions(values);
    expect(o).toMatchObject({ address: 'relay:4245', follow: true, number: 100, tls: { serverName: 'instance.hubble-relay.cilium.io' } });
    expect(o.tls?.ca?.toString().match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it('--follow and --last', async () => {
    expect(await readRelayOptions({ relay: 'r:1', follow: true, last: '20' })).toMatchObject({ follow: true, number: 20 });
    expect(await readRelayOptions({ relay: 'r:1', follow: true }, { follow: false })).toMatchObject({ follow: false });
    await expect(readRelayOptions({ relay: 'r:1', last: 'ten' })).rejects.toThrow(/--last "ten" must be a whole number/);
    await expect(readRelayOptions({ relay: 'r:1', last: '5' }, { since: '1h' })).rejects.toThrow(/--last cannot be combined with --since/);
  });

  it('bad times are usage errors', async () => {
    await expect(readRelayOptions({ relay: 'r:1' }, { since: 'yesterday' })).rejects.toThrow(/--since "yesterday" is not an RFC 3339 time .* or a duration/);
    await expect(readRelayOptions({ relay: 'r:1' }, { since: '2026-11-02T12:00:00Z', until: '2026-11-02T11:00:00Z' })).rejects.toThrow(/--since .* is after --until/);
  });
});
