import { appendFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tailFile, type TailEvent } from './follow.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-follow-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Follows `path` in the background; `text()` is what was read per stream, `events` what happened. */
function follow(path: string, start?: { inode: string; offset: number }) {
  const streams: string[] = [];
  const events: TailEvent['kind'][] = [];
  const stop = new AbortController();
  const done = tailFile(
    path,
    {
      data: (chunk) => (streams[streams.length - 1] += chunk.toString()),
      event: (e) => {
        events.push(e.kind);
        if (e.kind !== 'waiting') streams.push('');
      },
    },
    { pollMs: 10, signal: stop.signal, ...(start ? { start } : {}) },
  );
  const until = async (cond: () => boolean) => {
    const end = Date.now() + 10_000;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out; read ${JSON.stringify(streams)}, events ${events.join(',')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { streams, events, until, stop: async () => (stop.abort(), await done) };
}

describe('tailFile', () => {
  it('reads appends, waits for a missing file, follows a rotation after reading the old file to its end', async () => {
    const path = join(dir, 'rotate.log');
    const t = follow(path);
    await t.until(() => t.events.includes('waiting'));
    await writeFile(path, 'a1\n');
    await t.until(() => t.streams[0] === 'a1\n');
    await appendFile(path, 'a2\n');
    await t.until(() => t.streams[0] === 'a1\na2\n');
    await appendFile(path, 'a3\n');
    await rename(path, `${path}.1`);
    await writeFile(path, 'b1\n');
    await t.until(() => t.streams[1] === 'b1\n');
    await t.stop();
    expect(t.streams).toEqual(['a1\na2\na3\n', 'b1\n']);
    expect(t.events).toEqual(['waiting', 'opened', 'rotated']);
  });

  it('starts again from 0 after a truncation, and after a rewrite in place that left the file as long', async () => {
    const path = join(dir, 'truncate.log');
    await writeFile(path, 'line-one\nline-two\n');
    const t = follow(path);
    await t.until(() => t.streams[0] === 'line-one\nline-two\n');
    await writeFile(path, 'x\n');
    await t.until(() => t.streams[1] === 'x\n');
    await writeFile(path, 'y\n'); // same length: only its first bytes tell
    await t.until(() => t.streams[2] === 'y\n');
    await writeFile(path, 'z-longer-than-before\n');
    await t.until(() => t.streams[3] === 'z-longer-than-before\n');
    await t.stop();
    expect(t.events).toEqual(['opened', 'truncated', 'truncated', 'truncated']);
  });

  it('resumes at a stored offset of the same file, and from 0 in another', async () => {
    const path = join(dir, 'resume.log');
    await writeFile(path, 'old\nnew\n');
    const { stat } = await import('node:fs/promises');
    const st = await stat(path);
    const t = follow(path, { inode: `${st.dev}:${st.ino}`, offset: 4 });
    await t.until(() => t.streams[0] === 'new\n');
    await t.stop();
    const u = follow(path, { inode: 'other:1', offset: 4 });
    await u.until(() => u.streams[0] === 'old\nnew\n');
    await u.stop();
  });
});
