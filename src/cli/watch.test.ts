import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeState, STATE_FILE } from '../gitops/index.js';
import { newPortTraffic } from '../sample/later.js';
import { writeSample } from '../sample/write.js';
import { captureIo } from '../test-support/io.js';
import type { Io } from './io.js';
import { main } from './index.js';

let dir: string;
let flows: string;
let cluster: string;
/** boutique at audit. */
let auditRepo: string;
let repo: string;
/** frontend → cartservice calls on a port no policy allows: forwarded, dropped for policy, dropped for another reason. */
let forwarded: string[];
let policyDropped: string[];
let otherDropped: string[];

const run = async (args: string[], io = captureIo('', dir)) => {
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-watch-'));
  const written = await writeSample(join(dir, 'sample'), { size: 'small', seed: 1 });
  flows = written.flowsFile;
  cluster = written.clusterFile;
  auditRepo = join(dir, 'audit-repo');
  expect((await run(['recommend', '--flows', flows, '--cluster', cluster, '-q', '--repo', auditRepo])).code).toBe(0);
  expect((await run(['promote', 'boutique', '--flows', flows, '--cluster', cluster, '-q', '--repo', auditRepo, '--force', '--reason', 'test'])).code).toBe(0);
  const lines = (await readFile(flows, 'utf8')).split('\n').filter(Boolean);
  forwarded = newPortTraffic(lines, { namespace: 'boutique', source: 'checkoutservice', destination: 'cartservice', port: 7070, newPort: 7099, start: '2026-11-05T09:00:00Z', max: 40 });
  expect(forwarded.length).toBeGreaterThanOrEqual(10);
  policyDropped = forwarded.map((l) => l.replace('"verdict":"FORWARDED"', '"verdict":"DROPPED","drop_reason_desc":"POLICY_DENIED"'));
  otherDropped = newPortTraffic(lines, { namespace: 'boutique', source: 'frontend', destination: 'cartservice', port: 7070, newPort: 7098, start: '2026-11-05T10:00:00Z', max: 10 }).map((l) =>
    l.replace('"verdict":"FORWARDED"', '"verdict":"DROPPED","drop_reason_desc":"STALE_OR_UNROUTABLE_IP"'),
  );
}, 180_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  repo = await mkdtemp(join(dir, 'repo-'));
  await cp(auditRepo, repo, { recursive: true });
});

const file = async (name: string, lines: readonly string[]) => {
  const path = join(dir, name);
  await writeFile(path, lines.join(''));
  return path;
};
interface EventDoc {
  kind: string;
  event?: string;
  namespace: string;
  stage: { ingress: string; egress: string } | null;
  direction?: string;
  port?: number;
  rule?: string;
  report?: string;
  total?: number;
  patch?: string;
  rollback?: string;
}
const docs = (out: string): EventDoc[] => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as EventDoc);

describe('tighten watch', () => {
  it('a would-be drop in an audit namespace: attributed both ways, with the rule and a patch to the exact file; one line per edge and direction', async () => {
    const r = await run(['watch', await file('fwd.jsonl', forwarded), '--repo', repo, '--cluster', cluster, '-o', 'json', '--repeat-after', '1h', '-q']);
    expect(r.code, r.err).toBe(0);
    const events = docs(r.out);
    expect(events.map((e) => `${e.event} ${e.direction} ${e.port}`).sort()).toEqual(['would-drop egress 7099', 'would-drop ingress 7099']);
    for (const e of events) {
      expect(e).toMatchObject({ namespace: 'boutique', stage: { ingress: 'audit', egress: 'audit' }, rule: 'default deny', report: 'first' });
      expect(e.patch).toMatch(new RegExp(`^--- a/namespaces/boutique/(checkoutservice|cartservice)\\.yaml\\n\\+\\+\\+ b/`));
      expect(e.patch).toContain('+        protocol: TCP');
      expect(e.patch).toContain('port: "7099"');
    }
  });

  it('a drop in an enforced namespace is a drop; a drop for another reason is not attributed; text lines', async () => {
    expect((await run(['promote', 'boutique', '--to', 'enforce', '--force', '--reason', 'test', '--flows', flows, '--cluster', cluster, '-q', '--repo', repo])).code).toBe(0);
    const r = await run(['watch', await file('drops.jsonl', [...policyDropped, ...otherDropped]), '--repo', repo, '--cluster', cluster, '--repeat-after', '1h']);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.split('\n').filter((l) => /^[A-Z]/.test(l));
    expect(lines.filter((l) => l.startsWith('DROP')).length).toBe(2);
    expect(lines.every((l) => l.includes('7099/TCP'))).toBe(true); // the other reason's 7098 is not there
    expect(lines[0]).toMatch(/^DROP +boutique \(enforce\) (ingress|egress): .*7099\/TCP {2}default deny/);
    expect(r.err).toContain(`watched ${policyDropped.length + otherDropped.length} flows: 2 events, 0 alerts`);
  });

  it('a threshold fires once per window with the rollback command; --on-threshold rollback writes it into the repository', async () => {
    expect((await run(['promote', 'boutique', '--to', 'enforce', '--force', '--reason', 'test', '--flows', flows, '--cluster', cluster, '-q', '--repo', repo])).code).toBe(0);
    const drops = await file('drops2.jsonl', [...policyDropped, ...policyDropped.map((l) => l.replace(/"destination_port":7099/, '"destination_port":7097'))]);
    const alertOnly = await run(['watch', drops, '--repo', repo, '--cluster', cluster, '-o', 'json', '--threshold', '3/10m', '-q']);
    const alerts = docs(alertOnly.out).filter((d) => d.kind === 'WatchAlert');
    expect(alerts.length).toBe(1);
    expect(alerts[0]!.rollback).toMatch(/^tighten rollback boutique --to audit --repo \S+$/);
    expect(decodeState(await readFile(join(repo, STATE_FILE), 'utf8'), STATE_FILE).namespaces.boutique!.stage).toBe('enforce');

    const r = await run(['watch', drops, '--repo', repo, '--cluster', cluster, '--threshold', '3/10m', '--on-threshold', 'rollback']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/rolled back boutique to audit/);
    const state = decodeState(await readFile(join(repo, STATE_FILE), 'utf8'), STATE_FILE);
    expect(state.namespaces.boutique!.stage).toBe('audit');
    expect(state.namespaces.boutique!.history.at(-1)!.why).toMatch(/^watch: \d+ distinct drops/);
  });

  it('posts events to a webhook; a receiver that is down delays nothing', async () => {
    const received: unknown[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as { port: number }).port;
    const input = await file('fwd2.jsonl', forwarded);
    try {
      const r = await run(['watch', input, '--repo', repo, '--cluster', cluster, '--webhook', `http://127.0.0.1:${port}/hook`, '-q', '--repeat-after', '1h']);
      expect(r.code).toBe(0);
      expect(received.map((m) => (m as EventDoc).event).sort()).toEqual(['would-drop', 'would-drop']);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
    // Nobody listens there now.
    const started = Date.now();
    const down = await run(['watch', input, '--repo', repo, '--cluster', cluster, '--webhook', `http://127.0.0.1:${port}/hook`, '-q', '--repeat-after', '1h', '-o', 'json']);
    expect(down.code).toBe(0);
    expect(docs(down.out).length).toBe(2);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('live from stdin: metrics scraped over HTTP count what was printed, and a stage change in the repository is picked up while running', async () => {
    const stdin = new PassThrough();
    const io = captureIo('', dir);
    const live: Io = { ...io, stdin };
    const done = main(['watch', '-', '--repo', repo, '--cluster', cluster, '-o', 'json', '--metrics', '127.0.0.1:0', '--repeat-after', '1h'], live);
    const until = async (what: string, test: () => boolean | Promise<boolean>) => {
      for (let i = 0; i < 100; i++) {
        if (await test()) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${what}; stderr: ${io.err()}`);
    };
    await until('the metrics endpoint', () => /metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/.test(io.err()));
    const url = /metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(io.err())![1]!;
    const scrape = async () => (await fetch(url)).text();
    const value = (text: string, series: string): number => Number(new RegExp(`^${series.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

    stdin.write(forwarded.join(''));
    await until('every flow counted', async () => value(await scrape(), 'tighten_watch_flows_total') === forwarded.length);
    const text = await scrape();
    const ingress = value(text, 'tighten_watch_events_total{namespace="boutique",stage="audit",direction="ingress",kind="would-drop"}');
    expect(ingress).toBeGreaterThan(0);
    expect(value(text, 'tighten_watch_events_total{namespace="boutique",stage="audit",direction="egress",kind="would-drop"}')).toBe(ingress);
    expect(value(text, 'tighten_watch_distinct_total{namespace="boutique",stage="audit",direction="egress",kind="would-drop"}')).toBe(1);
    expect(docs(io.out()).filter((d) => d.kind === 'WatchEvent').length).toBe(2);

    // The namespace goes back to observe in the repository while the watch runs: new traffic is a new dependency now.
    expect((await run(['rollback', 'boutique', '--to', 'observe', '--repo', repo])).code).toBe(0);
    await until('the reload', () => /repository changed: stages and policies reloaded/.test(io.err()));
    stdin.write(otherDropped.map((l) => l.replace('"verdict":"DROPPED","drop_reason_desc":"STALE_OR_UNROUTABLE_IP"', '"verdict":"FORWARDED"')).join(''));
    stdin.end();
    expect(await done).toBe(0);
    const events = docs(io.out()).filter((d) => d.kind === 'WatchEvent');
    expect(events.at(-1)).toMatchObject({ event: 'new-dependency', namespace: 'boutique', stage: { ingress: 'observe', egress: 'observe' }, port: 7098 });
  });

  it('bad options are usage errors', async () => {
    expect((await run(['watch', '--repo', repo])).code).toBe(2);
    expect((await run(['watch', '-', '--threshold', 'five'])).err).toMatch(/--threshold must be N\/DURATION/);
    expect((await run(['watch', '-', '--metrics', 'nowhere'])).err).toMatch(/--metrics "nowhere" is not HOST:PORT/);
    expect((await run(['watch', '-', '--webhook', 'ftp://x'])).err).toMatch(/not an http\(s\) URL/);
  });
});

describe('tighten watch --relay', () => {
  it('follows Hubble Relay: the would-be drops of flows the Relay sends, until interrupted', async () => {
    const { TestRelay } = await import('../relay/test-support/relay-server.js');
    const { loadOwnSchema } = await import('../relay/test-support/protobuf.js');
    const relay = await TestRelay.start({ schema: loadOwnSchema() });
    const io = captureIo('', dir);
    try {
      const { watchCommand } = await import('./commands/watch.js');
      const stop = new AbortController();
      const done = watchCommand(
        {
          flows: [],
          relay: { relay: relay.address },
          cluster: [cluster],
          repo,
          namespaces: ['boutique'],
          output: 'json',
          onThreshold: 'alert',
          threshold: { distinct: 99, windowMs: 600_000 },
          repeatAfterMs: 3_600_000,
          sliceMs: 1_000,
          reloadMs: 2_000,
          quiet: false,
          signal: stop.signal,
        },
        io,
      );
      for (let i = 0; i < 100 && relay.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(relay.requests.length).toBe(1);
      // The Relay is asked to follow, for the namespace only.
      expect(JSON.stringify(relay.requests[0])).toContain('boutique/');
      expect(relay.requests[0]!.follow).toBe(true);
      relay.add(...forwarded.map((l) => relay.encode(JSON.parse(l) as Record<string, unknown>)));
      for (let i = 0; i < 100 && docs(io.out()).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      stop.abort();
      expect(await done).toBe(0);
      expect(docs(io.out()).map((e) => `${e.event} ${e.direction} ${e.port}`).sort()).toEqual(['would-drop egress 7099', 'would-drop ingress 7099']);
      expect(io.err()).toMatch(/watched \d+ flows: 2 events/);
    } finally {
      relay.stop();
    }
  });
});

describe('tighten watch --follow', () => {
  it('follows a Hubble exporter file as it grows', async () => {
    const { appendFile, writeFile: write } = await import('node:fs/promises');
    const { watchCommand } = await import('./commands/watch.js');
    const path = join(dir, 'exporter.log');
    await write(path, '');
    const io = captureIo('', dir);
    const stop = new AbortController();
    const done = watchCommand(
      { flows: [], follow: path, cluster: [cluster], repo, namespaces: [], output: 'json', onThreshold: 'alert', threshold: { distinct: 99, windowMs: 600_000 }, repeatAfterMs: 3_600_000, sliceMs: 1_000, reloadMs: 2_000, quiet: true, signal: stop.signal },
      io,
    );
    await new Promise((r) => setTimeout(r, 300));
    await appendFile(path, forwarded.join(''));
    for (let i = 0; i < 100 && docs(io.out()).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    stop.abort();
    expect(await done).toBe(0);
    expect(docs(io.out()).map((e) => `${e.event} ${e.direction} ${e.port}`).sort()).toEqual(['would-drop egress 7099', 'would-drop ingress 7099']);
  });
});
