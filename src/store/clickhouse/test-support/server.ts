/**
 * @module store/clickhouse/test-support/server — a throwaway ClickHouse server for tests: started on
 * 127.0.0.1 only, on free ports, with its own minimal config and data directory under a temporary
 * folder, ready once `/ping` answers, stopped by its pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Where Debian's package and upstream's put the server binary. */
const BINARIES = [
  ['/usr/bin/clickhouse-server', []],
  ['/usr/sbin/clickhouse-server', []],
  ['/usr/bin/clickhouse', ['server']],
] as const;

/** The password of the test server's `default` user (tests also exercise authentication). */
export const TEST_PASSWORD = "p@ss w'rd";

/** A running test server. */
export interface TestServer {
  readonly httpPort: number;
  readonly pid: number;
  /** `clickhouse://default:PASSWORD@127.0.0.1:PORT/DB`. */
  url(database: string): string;
  /** Stops it (SIGTERM, then SIGKILL after 10 s) and waits for the process to end. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data (after `stop`). */
  restart(): Promise<void>;
}

/** The server binary and its leading arguments, when installed. */
export function findClickHouse(): { readonly binary: string; readonly args: readonly string[] } | undefined {
  for (const [binary, args] of BINARIES) if (existsSync(binary)) return { binary, args };
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      s.close(() => resolvePort(port));
    });
  });
}

const xmlText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');

/**
 * Starts a server with its data under `dir`.
 * @returns `{ skip }` with the reason when no ClickHouse binary is installed or it does not start within 60 s
 */
export async function startClickHouse(dir: string): Promise<TestServer | { readonly skip: string }> {
  const found = findClickHouse();
  if (found === undefined) return { skip: 'no clickhouse-server binary installed (apt-get install clickhouse-server)' };
  const httpPort = await freePort();
  const tcpPort = await freePort();
  await mkdir(join(dir, 'data'), { recursive: true });
  await mkdir(join(dir, 'tmp'), { recursive: true });
  await mkdir(join(dir, 'user_files'), { recursive: true });
  const config = join(dir, 'config.xml');
  await writeFile(
    config,
    `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${xmlText(join(dir, 'server.log'))}</log><errorlog>${xmlText(join(dir, 'server.err.log'))}</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <path>${xmlText(join(dir, 'data'))}/</path>
  <tmp_path>${xmlText(join(dir, 'tmp'))}/</tmp_path>
  <user_files_path>${xmlText(join(dir, 'user_files'))}/</user_files_path>
  <users_config>${xmlText(join(dir, 'users.xml'))}</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
</yandex>
`,
  );
  await writeFile(
    join(dir, 'users.xml'),
    `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default><password>${xmlText(TEST_PASSWORD)}</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
`,
  );
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const start = async (): Promise<string | undefined> => {
    const c = spawn(found.binary, [...found.args, `--config-file=${config}`], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    let stderr = '';
    c.stderr?.on('data', (d: Buffer) => { if (stderr.length < 4000) stderr += d.toString(); });
    let ended = false;
    exited = new Promise((r) => c.once('exit', () => { ended = true; r(); }));
    c.once('error', () => { ended = true; });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (ended) return `clickhouse-server exited at start: ${stderr.trim().slice(0, 500)}`;
      const ok = await fetch(`http://127.0.0.1:${httpPort}/ping`).then((r) => r.ok, () => false);
      if (ok) return undefined;
      await new Promise((r) => setTimeout(r, 100));
    }
    c.kill('SIGKILL');
    return 'clickhouse-server did not answer /ping within 60 s';
  };
  const stop = async (): Promise<void> => {
    const c = child;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const failed = await start();
  if (failed !== undefined) {
    await stop();
    return { skip: failed };
  }
  return {
    httpPort,
    get pid() {
      return child?.pid ?? 0;
    },
    url: (database: string) => `clickhouse://default:${encodeURIComponent(TEST_PASSWORD)}@127.0.0.1:${httpPort}/${database}`,
    stop,
    restart: async () => {
      await stop();
      const again = await start();
      if (again !== undefined) throw new Error(again);
    },
  };
}
