import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from './errors.js';
import { LOCK_FILE, withWriterLock } from './lock.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tighten-store-lock-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const exists = (p: string) => stat(p).then(() => true, () => false);

describe('withWriterLock', () => {
  it('serialises writers: the second waits for the first', async () => {
    const order: string[] = [];
    const first = withWriterLock(dir, async () => {
      order.push('first in');
      await new Promise((r) => setTimeout(r, 100));
      order.push('first out');
    });
    await new Promise((r) => setTimeout(r, 10));
    const second = withWriterLock(dir, async () => void order.push('second'), { pollMs: 5 });
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'first out', 'second']);
    expect(await exists(join(dir, LOCK_FILE))).toBe(false);
  });

  it('takes over the lock of a dead process, and names a live holder when it gives up', async () => {
    const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await once(dead, 'exit');
    await writeFile(join(dir, LOCK_FILE), `pid ${dead.pid} host ${hostname()}\n`);
    expect(await withWriterLock(dir, async () => (await readFile(join(dir, LOCK_FILE), 'utf8')).startsWith(`pid ${process.pid} `))).toBe(true);

    const live = spawn(process.execPath, ['-e', 'setTimeout(()=>{},10000)'], { stdio: 'ignore' });
    try {
      await writeFile(join(dir, LOCK_FILE), `pid ${live.pid} host ${hostname()}\n`);
      const err = await withWriterLock(dir, async () => 'ran', { timeoutMs: 100, pollMs: 10 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as Error).message).toContain(`being written by another process (pid ${live.pid} on ${hostname()})`);
      expect(await readFile(join(dir, LOCK_FILE), 'utf8')).toBe(`pid ${live.pid} host ${hostname()}\n`);
    } finally {
      live.kill('SIGKILL');
      await rm(join(dir, LOCK_FILE), { force: true });
    }
  });
});
