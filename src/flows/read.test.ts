import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../shared/errors.js';
import type { Flow, LostEvents } from './flow.js';
import type { FlowSink, ReadProgress, SourcePosition } from './flow-source.js';
import { STDIN_NAME, fileFlowSource, readFlowInputs, type ReadFlowOptions } from './read.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-flows-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A `hubble observe -o jsonpb` line; `i` sets the time, the pod and the port. */
function flowLine(i: number, extra: Record<string, unknown> = {}): string {
  const time = `2025-01-01T00:00:${String(i % 60).padStart(2, '0')}.000000001Z`;
  return JSON.stringify({
    flow: {
      time,
      verdict: 'FORWARDED',
      l4: { TCP: { source_port: 40000 + i, destination_port: 8080 } },
      source: { namespace: 'shop', pod_name: `frontend-${i}`, labels: ['k8s:app=frontend'] },
      destination: { namespace: 'shop', pod_name: 'cart-0', labels: ['k8s:app=cart'] },
      ...extra,
    },
    node_name: 'node-1',
    time,
  });
}

const LOST = '{"lost_events":{"source":"HUBBLE_RING_BUFFER","num_events_lost":"40","cpu":1},"node_name":"node-1","time":"2025-01-01T00:01:00Z"}';
const AGENT = '{"agent_event":{"type":"ENDPOINT_CREATED"},"node_name":"node-1","time":"2025-01-01T00:01:00Z"}';

interface Collected {
  flows: { flow: Flow; at: SourcePosition }[];
  lost: { lost: LostEvents; at: SourcePosition }[];
  sink: FlowSink;
}

function collector(): Collected {
  const c: Collected = {
    flows: [],
    lost: [],
    sink: {
      flow: (flow, at) => c.flows.push({ flow, at }),
      lost: (lost, at) => c.lost.push({ lost, at }),
    },
  };
  return c;
}

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
  return path;
}

async function read(inputs: string[], options?: ReadFlowOptions) {
  const c = collector();
  const stats = await readFlowInputs(inputs, c.sink, options);
  return { ...c, stats };
}

async function inputError(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

describe('readFlowInputs: plain files', () => {
  it('delivers flows with file and line, and counts what it saw', async () => {
    const path = await file('plain.jsonl', `${flowLine(1)}\n\n${flowLine(2)}\n${LOST}\n${AGENT}\n`);
    const { flows, lost, stats } = await read([path]);
    expect(flows.map((f) => f.at)).toEqual([
      { file: path, line: 1 },
      { file: path, line: 3 },
    ]);
    expect(flows[0]?.flow.source.podName).toBe('frontend-1');
    expect(lost).toEqual([{ lost: expect.objectContaining({ numEventsLost: 40 }), at: { file: path, line: 4 } }]);
    expect(stats).toMatchObject({
      files: [path],
      linesRead: 5,
      flows: 2,
      skipped: 0,
      ignored: 1,
      lostEventRecords: 1,
      lostEvents: 40,
      errors: [],
      warnings: [],
    });
    expect(stats.bytesRead).toBe(stats.bytesDecoded);
    expect(stats.bytesRead).toBeGreaterThan(0);
  });

  it('reads CRLF line endings and a last line without a newline', async () => {
    const path = await file('crlf.jsonl', `${flowLine(1)}\r\n${flowLine(2)}\r\n${flowLine(3)}`);
    const { flows, stats } = await read([path]);
    expect(flows.map((f) => f.flow.source.podName)).toEqual(['frontend-1', 'frontend-2', 'frontend-3']);
    expect(stats.skipped).toBe(0);
    expect(stats.linesRead).toBe(3);
  });

  it('decodes a multi-byte UTF-8 character split across read chunks', async () => {
    const label = 'k8s:team=équipe-日本-🚀';
    const text = `${flowLine(1, { source: { labels: [label] } })}\n${flowLine(2, { source: { labels: [label] } })}\n`;
    const path = await file('utf8.jsonl', text);
    // every small chunk size puts a chunk boundary inside one of the multi-byte characters somewhere
    for (const highWaterMark of [3, 5, 7, 64]) {
      const { flows, stats } = await read([path], { highWaterMark });
      expect(stats.skipped).toBe(0);
      expect(flows.map((f) => f.flow.source.labels)).toEqual([[label], [label]]);
    }
  });

  it('skips malformed lines among good ones, counts them, and reports the first few with file:line', async () => {
    const lines = [flowLine(1), 'garbage', flowLine(2), '{"kind":"Pod"}', '{"flow":{"verdict":"DROPPED"}}', 'x', 'y', 'z', flowLine(3)];
    const path = await file('mixed.jsonl', `${lines.join('\n')}\n`);
    const { flows, stats } = await read([path]);
    expect(flows).toHaveLength(3);
    expect(stats.skipped).toBe(6);
    expect(stats.errors).toHaveLength(5);
    expect(stats.errors[0]).toEqual({ file: path, line: 2, message: expect.stringMatching(/^not JSON: Unexpected token/) });
    expect(stats.errors[1]).toEqual({ file: path, line: 4, message: expect.stringMatching(/^not a Hubble flow: no `flow`/) });
    expect(stats.errors[2]).toEqual({ file: path, line: 5, message: expect.stringMatching(/no `time`/) });
    const fewer = await read([path], { maxReportedErrors: 1 });
    expect(fewer.stats.errors).toHaveLength(1);
    expect(fewer.stats.skipped).toBe(6);
  });

  it('rejects a file in which every line fails, naming file and line', async () => {
    const path = await file('notes.txt', '\nhello, this is not JSON\nneither is this\n');
    const e = await inputError(readFlowInputs([path], collector().sink));
    expect(e.message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a Hubble flow file: line 2: not JSON: `));
    expect(e.message).toContain('all 2 non-blank lines failed');
    expect(e).toMatchObject({ file: path, line: 2, exitCode: 2 });
  });

  it('rejects a JSON file that is not Hubble output', async () => {
    const path = await file('pods.json', '{"apiVersion":"v1","kind":"List","items":[]}\n');
    const e = await inputError(readFlowInputs([path], collector().sink));
    expect(e.message).toContain('is not a Hubble flow file: line 1: not a Hubble flow: no `flow` or flow fields');
  });

  it('warns about an empty file next to good ones', async () => {
    const empty = await file('empty.jsonl', '');
    const good = await file('good.jsonl', `${flowLine(1)}\n`);
    const { stats } = await read([empty, good]);
    expect(stats.flows).toBe(1);
    expect(stats.warnings).toEqual([{ file: empty, message: 'empty file' }]);
  });

  it('rejects inputs that hold no flows at all', async () => {
    const empty = await file('empty2.jsonl', '');
    const blank = await file('blank.jsonl', '\n\n  \n');
    const agents = await file('agents.jsonl', `${AGENT}\n`);
    const e = await inputError(readFlowInputs([empty, blank, agents], collector().sink));
    expect(e.message).toMatch(/^no flows in .*empty2\.jsonl, .*blank\.jsonl, .*agents\.jsonl/);
    expect(e.message).toContain('empty2.jsonl: empty file');
    expect(e.message).toContain('blank.jsonl: no flows, only blank lines');
    expect(e.message).toContain('agents.jsonl: no flows, only 1 agent/debug/node-status event');
  });

  it('accepts a file with only lost events (a gap is information too)', async () => {
    const path = await file('lost-only.jsonl', `${LOST}\n`);
    const { stats } = await read([path]);
    expect(stats).toMatchObject({ flows: 0, lostEventRecords: 1, lostEvents: 40 });
    expect(stats.warnings).toEqual([{ file: path, message: 'no flows, only 1 lost-events record' }]);
  });

  it('rejects a path that does not exist, before reading anything', async () => {
    const good = await file('good2.jsonl', `${flowLine(1)}\n`);
    const missing = join(dir, 'nope', 'flows.jsonl');
    const c = collector();
    const e = await inputError(readFlowInputs([good, missing], c.sink));
    expect(e.message).toMatch(/nope\/flows\.jsonl: no such file or directory/);
    expect(e.file).toBe(missing);
    expect(c.flows).toHaveLength(0);
  });

  it('rejects an over-long line as not JSON lines', async () => {
    const path = await file('long.jsonl', `${flowLine(1)}\n${'x'.repeat(5000)}\n`);
    const e = await inputError(readFlowInputs([path], collector().sink, { maxLineBytes: 1000, highWaterMark: 256 }));
    expect(e.message).toMatch(/long\.jsonl:2: line longer than 1000 bytes/);
  });

  it('rejects no inputs and stdin given twice', async () => {
    await inputError(readFlowInputs([], collector().sink));
    const e = await inputError(readFlowInputs(['-', '-'], collector().sink, { stdin: Readable.from([]) }));
    expect(e.message).toContain('more than once');
  });
});

describe('readFlowInputs: gzip', () => {
  const text = `${[1, 2, 3, 4, 5].map((i) => flowLine(i)).join('\n')}\n`;

  it('detects gzip by its magic bytes, whatever the name', async () => {
    const path = await file('flows-misleading.txt', gzipSync(text));
    const { flows, stats } = await read([path]);
    expect(flows).toHaveLength(5);
    expect(stats.bytesRead).toBe(gzipSync(text).length);
    expect(stats.bytesDecoded).toBe(Buffer.byteLength(text));
  });

  it('reads a plain file even when it is called .gz', async () => {
    const path = await file('plain.jsonl.gz', text);
    expect((await read([path])).flows).toHaveLength(5);
  });

  it('reads concatenated gzip members', async () => {
    const path = await file('multi.gz', Buffer.concat([gzipSync(`${flowLine(1)}\n`), gzipSync(`${flowLine(2)}\n`)]));
    expect((await read([path])).flows).toHaveLength(2);
  });

  it('reports a truncated gzip stream with the last good line, after delivering what came before', async () => {
    const many = `${Array.from({ length: 2000 }, (_, i) => flowLine(i, { uuid: `u-${i}-${'r'.repeat(i % 97)}` })).join('\n')}\n`;
    const gz = gzipSync(many);
    const path = await file('truncated.jsonl.gz', gz.subarray(0, Math.floor(gz.length * 0.6)));
    const c = collector();
    const e = await inputError(readFlowInputs([path], c.sink, { highWaterMark: 4096 }));
    expect(e.message).toMatch(/truncated\.jsonl\.gz: truncated gzip stream after line (\d+)/);
    const n = Number(/after line (\d+)/.exec(e.message)?.[1]);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(2000);
    expect(c.flows).toHaveLength(n);
    expect(c.flows.at(-1)?.at.line).toBe(n);
    expect(e.line).toBe(n);
  });

  it('reports a corrupt gzip stream', async () => {
    const gz = Buffer.from(gzipSync(text));
    for (let i = 12; i < gz.length - 8; i++) gz[i] = 0xff - (gz[i] ?? 0);
    const path = await file('corrupt.gz', gz);
    const e = await inputError(readFlowInputs([path], collector().sink));
    expect(e.message).toMatch(/corrupt\.gz: (corrupt|truncated) gzip stream (before the first line|after line \d+)/);
  });
});

describe('readFlowInputs: directories and stdin', () => {
  it('reads a directory recursively, sorted by path, skipping hidden files and folders', async () => {
    const root = join(dir, 'tree');
    await file('tree/b.jsonl', `${flowLine(2)}\n`);
    await file('tree/a/z.jsonl', `${flowLine(1)}\n`);
    await file('tree/c/d.jsonl.gz', gzipSync(`${flowLine(3)}\n`));
    await file('tree/.hidden.jsonl', 'not json\n');
    await file('tree/.git/objects.jsonl', 'not json\n');
    const { flows, stats } = await read([root]);
    expect(stats.files).toEqual([join(root, 'a/z.jsonl'), join(root, 'b.jsonl'), join(root, 'c/d.jsonl.gz')]);
    expect(flows.map((f) => f.flow.source.podName)).toEqual(['frontend-1', 'frontend-2', 'frontend-3']);
  });

  it('reads standard input for -', async () => {
    const stdin = Readable.from([Buffer.from(`${flowLine(1)}\n${flowLine(`2`.length + 1)}`)]);
    const { flows, stats } = await read(['-'], { stdin });
    expect(flows.map((f) => f.at)).toEqual([
      { file: STDIN_NAME, line: 1 },
      { file: STDIN_NAME, line: 2 },
    ]);
    expect(stats.files).toEqual([STDIN_NAME]);
  });

  it('reads gzip from standard input, even one byte at a time', async () => {
    const gz = gzipSync(`${flowLine(1)}\n${flowLine(2)}\n`);
    const stdin = Readable.from(Array.from(gz, (b) => Buffer.from([b])));
    const { flows } = await read(['-'], { stdin });
    expect(flows).toHaveLength(2);
  });

  it('mixes stdin and files in the given order', async () => {
    const path = await file('after-stdin.jsonl', `${flowLine(9)}\n`);
    const { stats } = await read(['-', path], { stdin: Readable.from([`${flowLine(1)}\n`]) });
    expect(stats.files).toEqual([STDIN_NAME, path]);
    expect(stats.flows).toBe(2);
  });
});

describe('readFlowInputs: progress, abort, sink errors', () => {
  it('reports progress', async () => {
    const path = await file('progress.jsonl', `${Array.from({ length: 50 }, (_, i) => flowLine(i)).join('\n')}\n`);
    const seen: ReadProgress[] = [];
    await read([path], { onProgress: (p) => seen.push(p), progressIntervalMs: 0, highWaterMark: 1024 });
    expect(seen.length).toBeGreaterThan(1);
    const last = seen.at(-1)!;
    expect(last.file).toBe(path);
    expect(last.totalBytes).toBeGreaterThan(0);
    expect(last.flows).toBeGreaterThan(0);
    expect(last.linesRead).toBeGreaterThanOrEqual(last.flows);
  });

  it('stops when aborted', async () => {
    const path = await file('abort.jsonl', `${flowLine(1)}\n`);
    const controller = new AbortController();
    controller.abort();
    await expect(readFlowInputs([path], collector().sink, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('passes errors thrown by the sink through unchanged', async () => {
    const path = await file('sink-error.jsonl', `${flowLine(1)}\n`);
    const boom = new Error('boom');
    await expect(
      readFlowInputs([path], {
        flow: () => {
          throw boom;
        },
      }),
    ).rejects.toBe(boom);
  });
});

describe('fileFlowSource', () => {
  it('is a FlowSource over readFlowInputs', async () => {
    const a = await file('src-a.jsonl', `${flowLine(1)}\n`);
    const b = await file('src-b.jsonl', `${flowLine(2)}\n`);
    const source = fileFlowSource([a, '-'], { stdin: Readable.from([`${flowLine(3)}\n`]) });
    expect(source.name).toBe(`${a}, ${STDIN_NAME}`);
    const c = collector();
    const stats = await source.run(c.sink);
    expect(stats.flows).toBe(2);
    const controller = new AbortController();
    controller.abort();
    await expect(fileFlowSource([b]).run(c.sink, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
