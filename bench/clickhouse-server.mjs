// Bench helper (not a test): a throwaway clickhouse-server on 127.0.0.1, on free ports, with its data in
// a directory of the caller's; used by bench/clickhouse.mjs and bench/clickhouse-scale.mjs.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts a throwaway server with its data under `dir`; returns its URL prefix (`clickhouse://default@HOST:PORT/`,
 * a database name to append), its version, its HTTP port, its pid and a stop function.
 * `maxMemoryUsage` (bytes) is the default profile's per-query limit, when given.
 */
export async function startServer(dir, { maxMemoryUsage } = {}) {
  const binary = ['/usr/bin/clickhouse-server', '/usr/sbin/clickhouse-server', '/usr/bin/clickhouse'].find((b) => existsSync(b));
  if (!binary) throw new Error('no clickhouse-server installed: install it, or pass --url');
  const http = await freePort();
  const tcp = await freePort();
  for (const d of ['data', 'tmp', 'user_files']) await mkdir(join(dir, d), { recursive: true });
  const profile = maxMemoryUsage === undefined ? '<default/>' : `<default><max_memory_usage>${maxMemoryUsage}</max_memory_usage></default>`;
  await writeFile(join(dir, 'users.xml'), `<?xml version="1.0"?><yandex><profiles>${profile}</profiles><users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users><quotas><default/></quotas></yandex>\n`);
  await writeFile(join(dir, 'config.xml'), `<?xml version="1.0"?><yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/server.err.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host><http_port>${http}</http_port><tcp_port>${tcp}</tcp_port>
  <path>${dir}/data/</path><tmp_path>${dir}/tmp/</tmp_path><user_files_path>${dir}/user_files/</user_files_path>
  <users_config>${dir}/users.xml</users_config><default_profile>default</default_profile><default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size></yandex>\n`);
  const child = spawn(binary, [...(binary.endsWith('/clickhouse') ? ['server'] : []), `--config-file=${join(dir, 'config.xml')}`], { stdio: 'ignore' });
  const exited = once(child, 'exit');
  for (let i = 0; i < 600; i++) {
    if (await fetch(`http://127.0.0.1:${http}/ping`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const version = await fetch(`http://127.0.0.1:${http}/?query=SELECT%20version()`).then((r) => r.text());
  return {
    prefix: `clickhouse://default@127.0.0.1:${http}/`,
    httpPort: http,
    pid: child.pid,
    version: version.trim(),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
