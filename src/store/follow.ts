/**
 * @module store/follow — tails a growing file (a Hubble exporter file) by polling, across rotation
 * and truncation.
 *
 * Polling rather than `fs.watch`, which misses events on network file systems and in containers.
 * Rotation (the path now names another file: another `dev:ino`) is handled by reading the old file
 * to its end first, then the new one from its start; truncation in place (`copytruncate`: the file
 * got shorter than what was read, or its first bytes changed: rewritten in place) by reading it again
 * from its start.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';

/** What happened to the followed file. */
export type TailEvent =
  | { readonly kind: 'opened'; readonly inode: string; readonly offset: number }
  | { readonly kind: 'rotated'; readonly inode: string }
  | { readonly kind: 'truncated'; readonly inode: string }
  | { readonly kind: 'waiting' };

export interface TailHandler {
  /** Bytes read from the file `inode`, starting at byte `offset`. Called synchronously, in order. */
  data(chunk: Buffer, inode: string, offset: number): void;
  /** The file changed under the tail; the next data starts a new stream (a new file, or the same from 0). */
  event(e: TailEvent): void;
}

export interface TailOptions {
  /** Where to start: the offset into the file with this inode; a different inode (or a shorter file) starts at 0. */
  readonly start?: { readonly inode: string; readonly offset: number };
  /** Poll interval at the end of the file. @default 200 */
  readonly pollMs?: number;
  /** Read size. @default 1 MiB */
  readonly chunkBytes?: number;
  /** Ends the tail (it then resolves). */
  readonly signal?: AbortSignal;
  /** Called after each chunk and at the end of the data before sleeping: the place to flush. */
  readonly checkpoint?: () => Promise<void>;
}

/** How many of a file's first bytes are compared to tell a rewritten file from a grown one. */
const HEAD_BYTES = 64;

const inodeOf = (st: { dev: number; ino: number }): string => `${st.dev}:${st.ino}`;

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Follows `path` until `signal` aborts. Resolves then; rejects on read errors other than a missing file. */
export async function tailFile(path: string, handler: TailHandler, options: TailOptions = {}): Promise<void> {
  const signal = options.signal;
  const pollMs = options.pollMs ?? 200;
  const buffer = Buffer.allocUnsafe(options.chunkBytes ?? 1 << 20);
  let handle: FileHandle | undefined;
  let inode = '';
  let offset = 0;
  let start = options.start;
  /** The file's first bytes as first read (up to HEAD_BYTES). */
  let head: Buffer | undefined;
  const headNow = async (length: number): Promise<Buffer> => {
    const b = Buffer.alloc(length);
    const { bytesRead } = await handle!.read(b, 0, length, 0);
    return b.subarray(0, bytesRead);
  };

  const openCurrent = async (): Promise<boolean> => {
    try {
      const h = await open(path, 'r');
      const st = await h.stat();
      handle = h;
      inode = inodeOf(st);
      offset = start !== undefined && start.inode === inode && start.offset <= st.size ? start.offset : 0;
      start = undefined;
      head = undefined;
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  };

  /** Reads `handle` from `offset` to its current end. */
  const drain = async (): Promise<void> => {
    for (;;) {
      const { bytesRead } = await handle!.read(buffer, 0, buffer.length, offset);
      if (bytesRead === 0) return;
      const chunk = buffer.subarray(0, bytesRead);
      // The first bytes as read (not as the file holds them a moment later, which may already be a rewrite).
      if (offset < HEAD_BYTES && (head?.length ?? 0) === offset) head = Buffer.concat([head ?? Buffer.alloc(0), chunk.subarray(0, HEAD_BYTES - offset)]);
      // The handler copies what it keeps (the line splitter does), so the buffer can be reused.
      handler.data(chunk, inode, offset);
      offset += bytesRead;
      if (signal?.aborted) return;
      await options.checkpoint?.();
    }
  };

  try {
    let announced = false;
    while (!signal?.aborted) {
      if (handle === undefined) {
        if (!(await openCurrent())) {
          if (!announced) handler.event({ kind: 'waiting' });
          announced = true;
          await options.checkpoint?.();
          await sleep(pollMs, signal);
          continue;
        }
        handler.event({ kind: 'opened', inode, offset });
      }
      // Before reading on: truncated (shorter than what was read), or rewritten from the start (copytruncate,
      // then as much written again) — else the new content past the old offset would be read as a continuation.
      const size = (await handle!.stat()).size;
      const rewritten = head !== undefined && !(await headNow(head.length)).equals(head);
      if (size < offset || rewritten) {
        offset = 0;
        head = undefined;
        handler.event({ kind: 'truncated', inode });
        continue;
      }
      await drain();
      if (signal?.aborted) break;
      // Resumed past the start: the first bytes were not read here, so they are taken as the file holds them now.
      if (head === undefined && offset > 0) head = await headNow(Math.min(HEAD_BYTES, offset));
      const now = await stat(path).catch(() => undefined);
      if (now !== undefined && inodeOf(now) !== inode) {
        await drain(); // what was written before the rotation
        await handle!.close();
        handle = undefined;
        if (await openCurrent()) handler.event({ kind: 'rotated', inode });
        continue;
      }
      await options.checkpoint?.();
      await sleep(pollMs, signal);
    }
  } finally {
    await handle?.close();
  }
}
