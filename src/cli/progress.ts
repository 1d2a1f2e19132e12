/**
 * @module cli/progress — progress lines on stderr for long reads; silent for short ones.
 */
import type { Io } from './io.js';

export interface ReadProgressLike {
  readonly bytesRead: number;
  readonly linesRead: number;
  readonly flows: number;
  readonly file?: string;
}

/** Returns an onProgress callback that draws at most one line a second, and a `done()` to clear it. */
export function progressReporter(io: Io, enabled: boolean): { onProgress: (p: ReadProgressLike) => void; done: () => void } {
  let drawn = false;
  const started = Date.now();
  return {
    onProgress(p) {
      if (!enabled) return;
      const secs = Math.max((Date.now() - started) / 1000, 0.001);
      const line = `reading flows: ${(p.bytesRead / 1e6).toFixed(0)} MB, ${p.flows.toLocaleString('en-US')} flows, ${Math.round(p.flows / secs).toLocaleString('en-US')} flows/s`;
      if (io.stderrIsTTY) io.stderr.write(`\r${line}\u001b[K`);
      else io.stderr.write(`${line}\n`);
      drawn = true;
    },
    done() {
      if (drawn && io.stderrIsTTY) io.stderr.write('\r\u001b[K');
    },
  };
}
