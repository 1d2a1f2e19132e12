/**
 * @module server/test-support/demo — the demo cluster for the dashboard's tests: the sample's traffic and dump, and a
 * repository as `recommend` wrote it (every namespace at observe), copied afresh for each test that writes.
 */
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/index.js';
import { writeSample } from '../../sample/write.js';
import { captureIo } from '../../test-support/io.js';

export interface DemoData {
  readonly dir: string;
  readonly flows: string;
  readonly cluster: string;
  /** The repository as `recommend` wrote it: do not write into it, copy it ({@link copyRepo}). */
  readonly repo: string;
}

/** Runs the CLI in-process. */
export async function runCli(cwd: string, args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo('', cwd);
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

/** Writes the small sample and recommends its policies into a repository. */
export async function writeDemo(prefix: string): Promise<DemoData> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const written = await writeSample(join(dir, 'sample'), { size: 'small', seed: 1 });
  const repo = join(dir, 'repo');
  const rec = await runCli(dir, ['recommend', '--flows', written.flowsFile, '--cluster', written.clusterFile, '-q', '--repo', repo]);
  if (rec.code !== 0) throw new Error(`recommend failed: ${rec.err}`);
  return { dir, flows: written.flowsFile, cluster: written.clusterFile, repo };
}

let copies = 0;
/** A fresh copy of the demo's repository, to write into. */
export async function copyRepo(demo: DemoData): Promise<string> {
  const to = join(demo.dir, `repo-${++copies}`);
  await cp(demo.repo, to, { recursive: true });
  return to;
}
