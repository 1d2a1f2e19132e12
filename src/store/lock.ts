/**
 * @module store/lock — the writer lock of a store directory: one process commits at a time.
 *
 * The lock is a file created exclusively (`open(…, 'wx')`) holding the pid and host of its holder, and
 * removed when the commit ends. Readers never take it. A writer that finds it held waits (polling)
 * until it is released; a lock whose holder is dead (its pid is not alive on this host) is taken
 * over. A commit holds the lock for a moment only, so a long-running `observe --follow` and a
 * one-off `observe FILE` share a store by taking turns.
 */
import { hostname } from 'node:os';
import { readFile, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { StoreError } from './errors.js';
import { createExclusive, holdingLock, isProcessAlive } from '../shared/lock-file.js';

export const LOCK_FILE = 'lock';

export interface LockOptions {
  /** How long to wait for another writer before giving up. @default 120000 */
  readonly timeoutMs?: number;
  /** Polling interval while waiting. @default 50 */
  readonly pollMs?: number;
}

interface Holder {
  readonly pid: number;
  readonly host: string;
}

function parseHolder(text: string): Holder | undefined {
  const m = /^pid (\d+) host (\S+)\n$/.exec(text);
  return m ? { pid: Number(m[1]), host: m[2]! } : undefined;
}



/**
 * Runs `fn` holding the store's writer lock.
 * @throws StoreError when another live writer holds it longer than the timeout, or the lock file is not tighten's
 */
export async function withWriterLock<T>(dir: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const path = join(dir, LOCK_FILE);
  const text = `pid ${process.pid} host ${hostname()}\n`;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const poll = options.pollMs ?? 50;
  while (!(await createExclusive(path, text))) {
    let held: string;
    try {
      held = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
      throw e;
    }
    const holder = parseHolder(held);
    if (holder !== undefined && holder.host === hostname() && !isProcessAlive(holder.pid)) {
      // Stale: move it aside (only one process can), and take it if it is still the one read.
      const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        await rename(path, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      const moved = await readFile(aside, 'utf8');
      await rm(aside, { force: true });
      if (moved !== held) await createExclusive(path, moved); // a live writer's lock: put it back
      continue;
    }
    if (Date.now() > deadline) {
      const who = holder ? `pid ${holder.pid} on ${holder.host}` : 'a lock file tighten did not write';
      throw new StoreError(`${path}: the store is being written by another process (${who}); try again later, or remove ${path} if no tighten is running`, path);
    }
    await new Promise((r) => setTimeout(r, poll));
  }
  return holdingLock(path, text, fn);
}
