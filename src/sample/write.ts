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
  const sample = generateSample(options);
  const clusterFile = join(dir, 'cluster.yaml');
  const truthFile = join(dir, 'truth.json');
  const flowsFile = join(dir, 'flows.jsonl');
  await writeFile(clusterFile, renderClusterYaml(sample.cluster));
  await writeFile(truthFile, `${JSON.stringify(sample.truth, null, 2)}\n`);
  const flows = await writeLines(flowsFile, sample.flowLines(), hooks.onProgress);
  return { clusterFile, flowsFile, truthFile, flows };
}

const CHUNK_BYTES = 1 << 20;
const PROGRESS_EVERY = 100_000;

/** Writes lines (each followed by a newline) in about 1 MB chunks, waiting for `drain` when the stream is full. */
async function writeLines(file: string, lines: Iterable<string>, onProgress?: (n: number) => void): Promise<number> {
  const out = createWriteStream(file);
  const failed = once(out, 'error').then(([e]) => Promise.reject(e as Error));
  failed.catch(() => undefined);
  let chunk: string[] = [];
  let size = 0;
  let n = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    const text = `${chunk.join('\n')}\n`;
    chunk = [];
    size = 0;
    if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
  };
  for (const line of lines) {
    chunk.push(line);
    size += line.length + 1;
    n += 1;
    if (onProgress !== undefined && n % PROGRESS_EVERY === 0) onProgress(n);
    if (size >= CHUNK_BYTES) await flush();
  }
  await flush();
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return n;
}
