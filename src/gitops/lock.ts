/**
 * @module gitops/lock — `tighten.state.lock`: two tighten runs on one repository must not interleave (issue 7).
 *
 * The lock is a file created exclusively (`open(…, 'wx')`) at the repository's root, holding the pid, the host and
 * the time of the run that holds it; it is removed when the run ends, whatever happens. A lock left by a run that
 * died (its pid is not alive on this host) is taken over, with a warning. A lock of another host, or one that
 * cannot be read, is respected: the error says who holds it and how to remove it.
 */
import { hostname } from 'node:os';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { GitopsLockError } from './errors.js';
import { createExclusive, holdingLock, isProcessAlive } from '../shared/lock-file.js';

export { isProcessAlive };

export const LOCK_FILE = 'tighten.state.lock';

/** What a lock file holds. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** RFC 3339 of when the lock was taken. */
  readonly at: string;
}

export interface StateLockOptions {
  /** Told when a stale lock is taken over. @default process.emitWarning */
  readonly warn?: (message: string) => void;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default process.pid */
  readonly pid?: number;
}

const renderHolder = (h: LockHolder): string => `pid: ${h.pid}\nhost: ${h.host}\nat: ${h.at}\n`;

/** The holder a lock file names; undefined when its text is not one tighten wrote. */
export function parseLockHolder(text: string): LockHolder | undefined {
  const field = (k: string): string | undefined => new RegExp(`^${k}: (.+)$`, 'm').exec(text)?.[1]?.trim();
  const pid = Number(field('pid'));
  const host = field('host');
  const at = field('at');
  if (!Number.isInteger(pid) || pid <= 0 || host === undefined || at === undefined) return undefined;
  return { pid, host, at };
}


const describe = (h: LockHolder): string => `pid ${h.pid} on ${h.host}, since ${h.at}`;


/**
 * Runs `fn` holding `repo`'s state lock, and releases it in `finally`.
 * @throws GitopsLockError naming the holder when another live run holds it
 */
export async function withStateLock<T>(repo: string, fn: () => Promise<T>, options: StateLockOptions = {}): Promise<T> {
  const path = join(repo, LOCK_FILE);
  const mine: LockHolder = { pid: options.pid ?? process.pid, host: hostname(), at: (options.now?.() ?? new Date()).toISOString() };
  const text = renderHolder(mine);
  const warn = options.warn ?? ((m: string) => process.emitWarning(m));
  await mkdir(repo, { recursive: true });
  let acquired = await createExclusive(path, text);
  for (let attempt = 0; !acquired && attempt < 3; attempt++) {
    let held: string;
    try {
      held = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      acquired = await createExclusive(path, text); // released meanwhile
      continue;
    }
    const holder = parseLockHolder(held);
    if (holder === undefined) {
      throw new GitopsLockError(`${path}: locked, by a run whose lock file cannot be read; if no tighten is running on this repository, remove ${path}`, path);
    }
    if (holder.host !== mine.host || isProcessAlive(holder.pid)) {
      throw new GitopsLockError(
        `${path}: another tighten run is writing this repository (${describe(holder)}); wait for it to finish${holder.host !== mine.host ? `, or remove ${path} if it is not running on ${holder.host}` : ''}`,
        path,
      );
    }
    // Stale: move it aside (only one run can), check it is the lock read, then take it.
    const aside = `${path}.stale-${mine.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await rename(path, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      continue;
    }
    const moved = await readFile(aside, 'utf8');
    await rm(aside, { force: true });
    if (moved !== held) {
      // Another run took the stale lock over in between: that one was live. Put nothing back; retry.
      await createExclusive(path, moved);
      continue;
    }
    warn(`${path}: took over a stale lock (${describe(holder)}: that process is no longer running)`);
    acquired = await createExclusive(path, text);
  }
  if (!acquired) throw new GitopsLockError(`${path}: could not take the lock (another run keeps taking it); try again`, path);
  return holdingLock(path, text, fn);
}
