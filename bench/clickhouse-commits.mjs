#!/usr/bin/env node
// Benchmark (not a test): how many collector commits one ClickHouse server takes — the figure that sizes
// ClickHouse for many collectors, since each collector commits one batch per flush interval whatever its
// flow rate, and each commit is a few small inserts (a part per table) plus the ledger's checks.
//
//   npm run build && node bench/clickhouse-commits.mjs [--writers 1,8,32] [--rows 200,2000] [--seconds 20] [--url clickhouse://USER@HOST:8123/DB_PREFIX]
//
// For each number of writers and batch size: that many collectors (distinct collector ids, one process, each
// committing its next batch as soon as the last is in) commit batches of ROWS edge-bucket rows (a followed
// file's batch: no uuids) for SECONDS into a fresh database through the store's own commit path. Figures:
// commits/s, bucket rows/s, the commit latency (median and 95th percentile), retries the server asked for
// (too many parts, overload), and the store's active parts at the end. Without --url it starts a throwaway
// clickhouse-server (127.0.0.1, free ports, a temporary data directory) and stops it at the end.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './clickhouse-server.mjs';

const dist = (p) => new URL(`../dist/${p}`, import.meta.url);
const { openClickHouseStore } = await import(dist('store/clickhouse/index.js'));
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const list = (s) => s.split(',').map(Number);
const fmt = (n, d = 0) => Number(n).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const writersList = list(opt('writers', '1,8,32'));
const rowsList = list(opt('rows', '200,2000'));
const seconds = Number(opt('seconds', '20'));

const HOUR_MS = 3_600_000;
const T0 = Date.parse('2026-11-20T00:00:00Z');

/** Batch `n` of collector `w`: `rows` edges of the node's pods, one bucket each, in the batch's hour. */
function batchOf(w, n, rows) {
  const hour = Math.floor(T0 / HOUR_MS) + Math.floor(n / 120); // 30 s batches: 120 per hour
  const at = new Date(hour * HOUR_MS + (n % 120) * 30_000).toISOString();
  const edges = [];
  for (let i = 0; i < rows; i++) {
    const counts = [n + 1, 0, 0, n + 1, 0, 0, 0, 0, 0];
    edges.push({
      sourceKey: `w:ns${w % 50}/app-${w}-${i % 10}`,
      destinationKey: `w:ns${i % 50}/svc-${i}`,
      sourceIsWorkload: true,
      port: 8080 + (i % 3),
      protocol: 'TCP',
      verdict: 'FORWARDED',
      buckets: [{ hour, counts, first: at, last: at }],
    });
  }
  return {
    state: { edges, workloads: [], namesByIp: [], pendingIdentities: [], identityWorkloads: [], notEdges: {}, unresolvedExamples: [], unresolvedCount: 0, lostEvents: 0, lastTime: at },
    decode: { files: [], linesRead: rows, flows: rows, skipped: 0, ignored: 0, lostEvents: 0, errors: [] },
    files: [],
    uuids: [],
    follow: { path: '/var/run/cilium/hubble/events.log', inode: `1:${w}`, offset: (n + 1) * rows * 900 },
  };
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};

async function level(prefix, writers, rows, spool) {
  const db = `commits_${writers}_${rows}_${Date.now() % 100000}`;
  const stores = [];
  for (let w = 0; w < writers; w++) {
    stores.push(await openClickHouseStore(`${prefix}${db}`, { create: w === 0, collectorId: `node-${w}`, spoolDir: spool, maxExecutionSeconds: 60 }));
  }
  let retries = 0;
  const latencies = [];
  const until = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    stores.map(async (store, w) => {
      for (let n = 0; performance.now() < until; n++) {
        const t = performance.now();
        await store.commit(batchOf(w, n, rows));
        // A commit the server turned away waits in the spool: count it once it is in.
        if (store.spooled > 0) retries++;
        await store.flush();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const status = await stores[0].status();
  const { ClickHouseHttp } = await import(dist('store/clickhouse/http.js'));
  const { parseClickHouseLocation } = await import(dist('store/clickhouse/location.js'));
  const http = new ClickHouseHttp(parseClickHouseLocation(`${prefix}${db}`));
  const [[parts]] = await http.rows(`SELECT count() FROM system.parts WHERE database = currentDatabase() AND active`);
  const [[maxParts]] = await http.rows(`SELECT max(c) FROM (SELECT count() AS c FROM system.parts WHERE database = currentDatabase() AND active GROUP BY table, partition)`);
  await http.query(`DROP DATABASE ${db}`, { database: false });
  return { writers, rows, commits: status.segments, seconds: elapsed, bucketRows: status.bucketRows, latencies, retries, parts: Number(parts), maxParts: Number(maxParts) };
}

const url = opt('url', undefined);
const dir = await mkdtemp(join(tmpdir(), 'tighten-bench-commits-'));
const server = url === undefined ? await startServer(join(dir, 'server')) : undefined;
const prefix = url ?? server.prefix;
try {
  console.log(`ClickHouse ${server?.version ?? '(given)'}; ${seconds} s per line; batches of a followed file (no uuids)`);
  console.log('writers | rows/batch | commits/s | bucket rows/s | commit ms p50 / p95 | turned away | active parts (max per partition)');
  for (const rows of rowsList) {
    for (const writers of writersList) {
      const r = await level(prefix, writers, rows, join(dir, 'spool'));
      console.log(
        `${String(writers).padStart(7)} | ${fmt(rows).padStart(10)} | ${fmt(r.commits / r.seconds, 1).padStart(9)} | ${fmt((r.commits * rows) / r.seconds).padStart(13)} | ` +
          `${fmt(quantile(r.latencies, 0.5))} / ${fmt(quantile(r.latencies, 0.95))} | ${r.retries} | ${r.parts} (${r.maxParts})`,
      );
    }
  }
} finally {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
}
