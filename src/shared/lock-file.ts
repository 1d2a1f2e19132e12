/**
 * @module shared/lock-file — the two primitives of tighten's lock files (the repository's state lock and a flow
 * store's writer lock): create a file only if it does not exist, and tell whether the process that wrote one still
 * runs on this host; and holding one while work runs.
 */
import { open, readFile, rm } from 'node:fs/promises';

/** Creates `path` holding `text`; false when it already exists. */
export async function createExclusive(path: string, text: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile(text, 'utf8');
    } finally {
      await handle.close();
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** Whether a process with `pid` runs on this host (EPERM: it does, owned by someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `fn` while holding the lock file at `path` (already created with `text`), then removes it unless another process took it over meanwhile. */
export async function holdingLock<T>(path: string, text: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    try {
      if ((await readFile(path, 'utf8')) === text) await rm(path, { force: true });
    } catch {
      // Already gone: nothing to release.
    }
  }
}
