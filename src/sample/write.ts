/**
 * @module sample/write — writes a sample to a directory: `cluster.yaml`, `flows.jsonl` (streamed,
 * with backpressure, so a 10 M-flow sample never sits in memory) and `truth.json`.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { generateSample } from './generate.js';
import { renderClusterYaml } from './kube-objects.js';
import type { SampleOptions } from './sizes.js';

export interface WrittenSample {
  readonly clusterFile: string;
  readonly flowsFile: string;
  readonly truthFile: string;
  /** Flow lines written. */
  readonly flows: number;
}

export interface WriteSampleHooks {
  /** Called about every 100k lines with the lines written so far. */
  readonly onProgress?: (flows: number) => void;
}

/** Generates a sample and writes its three files into `dir` (created if missing). */
export async function writeSample(dir: string, options: SampleOptions = {}, hooks: WriteSampleHooks = {}): Promise<WrittenSample> {
  await mkdir(dir, { recursive: true });
  const clusterFile = join(dir, 'cluster.yaml');
  const truthFile = join(dir, 'truth.json');
  const flowsFile = join(dir, 'flows.jsonl');
  const lines = await writeDumpAndTruth(options, clusterFile, truthFile);
  const flows = await writeLines(flowsFile, lines, hooks.onProgress);
  return { clusterFile, flowsFile, truthFile, flows };
}

/** Writes the dump and the truth, and hands back only the flow stream, so the objects can be freed. */
async function writeDumpAndTruth(options: SampleOptions, clusterFile: string, truthFile: string): Promise<Iterable<string>> {
  const sample = generateSample(options);
  await writeFile(clusterFile, renderClusterYaml(sample.cluster));
  await writeFile(truthFile, `${JSON.stringify(sample.truth, null, 2)}\n`);
  return sample.flowLines();
}

const CHUNK_BYTES = 4 << 20;
const PROGRESS_EVERY = 100_000;

/**
 * Writes lines (each followed by a newline) through two 4 MB buffers: one fills while the other is
 * written, and a buffer is refilled only once its write has completed (backpressure). Encoding each
 * line straight into a buffer is about twice as fast as joining strings first, and reusing two
 * buffers keeps the garbage collector out of the way.
 */
async function writeLines(file: string, lines: Iterable<string>, onProgress?: (n: number) => void): Promise<number> {
  const out = createWriteStream(file, { highWaterMark: CHUNK_BYTES * 2 });
  const failed = once(out, 'error').then(([e]) => Promise.reject(e as Error));
  failed.catch(() => undefined);
  const buffers = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
  const pending: (Promise<void> | undefined)[] = [undefined, undefined];
  let current = 0;
  let buf = buffers[0] as Buffer;
  let used = 0;
  let n = 0;
  const flush = async () => {
    if (used === 0) return;
    const full = buf.subarray(0, used);
    pending[current] = new Promise<void>((resolve, reject) => out.write(full, (e) => (e ? reject(e) : resolve())));
    current ^= 1;
    await Promise.race([pending[current], failed]);
    buf = buffers[current] as Buffer;
    used = 0;
  };
  for (const line of lines) {
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit.
    if (used + line.length * 3 + 1 > buf.length) {
      await flush();
      if (line.length * 3 + 1 > buf.length) buf = buffers[current] = Buffer.allocUnsafe(line.length * 3 + 1);
    }
    used += buf.write(line, used, 'utf8');
    buf[used++] = 10;
    n += 1;
    if (onProgress !== undefined && n % PROGRESS_EVERY === 0) onProgress(n);
  }
  await flush();
  await Promise.race([Promise.all(pending), failed]);
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return n;
}
