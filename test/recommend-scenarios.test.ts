/**
 * Golden scenarios for `tighten recommend` (test/scenarios/NN-recommend-*): each folder holds its input —
 * `flows.jsonl` (and `cluster.yaml`), or `sample.json` naming a demo sample to generate — and `expected/`: the
 * command's output (`recommend.txt`) and the repository it writes (`repository.txt`, every file under a header).
 * Regenerate with `vitest -u` after a deliberate change, and review the diff.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readdir, readFile, lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { main } from '../src/cli/index.js';
import { writeSample } from '../src/sample/write.js';
import { captureIo } from '../src/test-support/io.js';

const root = fileURLToPath(new URL('./scenarios/', import.meta.url));
const scenarios = existsSync(root) ? readdirSync(root).filter((n) => /^\d+-recommend-/.test(n)).sort() : [];

async function treeText(dir: string, rel = ''): Promise<string> {
  let out = '';
  for (const name of (await readdir(join(dir, rel))).sort()) {
    const path = rel === '' ? name : `${rel}/${name}`;
    if ((await lstat(join(dir, path))).isDirectory()) out += await treeText(dir, path);
    else out += `==> ${path} <==\n${await readFile(join(dir, path), 'utf8')}\n`;
  }
  return out;
}

describe('recommend scenarios', () => {
  test.each(scenarios)('%s', async (name) => {
    const dir = join(root, name);
    const work = await mkdtemp(join(tmpdir(), `tighten-${name}-`));
    let inputs: string[];
    if (existsSync(join(dir, 'sample.json'))) {
      const options = JSON.parse(await readFile(join(dir, 'sample.json'), 'utf8')) as { size: 'small'; seed: number };
      const written = await writeSample(join(work, 'sample'), options);
      inputs = ['--flows', written.flowsFile, '--cluster', written.clusterFile];
    } else {
      inputs = ['--flows', join(dir, 'flows.jsonl'), ...(existsSync(join(dir, 'cluster.yaml')) ? ['--cluster', join(dir, 'cluster.yaml')] : [])];
    }
    const io = captureIo('', work);
    const code = await main(['recommend', ...inputs, '--repo', 'repo', '-q'], io);
    expect(io.err()).not.toMatch(/internal error/);
    expect(code).toBe(0);
    await expect(io.out()).toMatchFileSnapshot(join(dir, 'expected/recommend.txt'));
    await expect(await treeText(join(work, 'repo'))).toMatchFileSnapshot(join(dir, 'expected/repository.txt'));
    // Re-running changes no byte.
    const again = captureIo('', work);
    await main(['recommend', ...inputs, '--repo', 'repo', '-q'], again);
    expect(again.out()).toMatch(/Files: 0 changed/);
  });
});
