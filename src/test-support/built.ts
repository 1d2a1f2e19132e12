/**
 * @module test-support/built — the compiled CLI for tests that run tighten as real child processes
 * (`node bin/tighten.js`): compiles `dist/` first when a source file is newer than it.
 */
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function newest(dir: string): Promise<number> {
  let t = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, await newest(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) t = Math.max(t, (await stat(p)).mtimeMs);
  }
  return t;
}

/** The path of `bin/tighten.js`, with `dist/` up to date. */
export async function builtCli(): Promise<string> {
  const built = await stat(join(root, 'dist/cli/index.js')).then((s) => s.mtimeMs).catch(() => 0);
  if (built < (await newest(join(root, 'src')))) {
    await promisify(execFile)(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root });
  }
  return join(root, 'bin/tighten.js');
}
