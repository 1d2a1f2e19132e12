import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './text-diff.js';

/** Applies a unified diff of one file to `before`, checking every context and removed line on the way. */
function apply(before: string, diff: string): string {
  const old = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let at = 0;
  for (const hunk of diff.split(/^(?=@@ )/m).slice(1)) {
    const [head, ...body] = hunk.replace(/\n$/, '').split('\n');
    const m = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(head!);
    if (m === null) throw new Error(`bad hunk header ${head}`);
    const start = Number(m[2] === '0' ? Number(m[1]) : Number(m[1]) - 1);
    while (at < start) out.push(old[at++]!);
    for (const line of body) {
      if (line.startsWith('+')) out.push(line.slice(1));
      else {
        if (old[at] !== line.slice(1)) throw new Error(`line ${at + 1}: expected ${JSON.stringify(old[at])}, diff says ${JSON.stringify(line)}`);
        if (line.startsWith(' ')) out.push(old[at]!);
        at++;
      }
    }
  }
  while (at < old.length) out.push(old[at++]!);
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

const text = fc.array(fc.constantFrom('a', 'b', 'c', 'enableDefaultDeny:', '  ingress: false', '  egress: false', ''), { maxLength: 30 }).map((ls) => (ls.length === 0 ? '' : `${ls.join('\n')}\n`));

describe('unifiedDiff', () => {
  it('is empty for equal texts and otherwise applies back to the new text', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        const d = unifiedDiff('f.yaml', a, b);
        if (a === b) return d === '';
        return apply(a, d) === b;
      }),
      { numRuns: 500 },
    );
  });

  it('shows removals before additions, with three lines of context, as git does', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\n';
    const after = 'a\nb\nc\nd\nE\nf\ng\nh\n';
    expect(unifiedDiff('x', before, after)).toBe('--- a/x\n+++ b/x\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n');
  });

  it('is accepted by git apply (created, changed and deleted files)', async () => {
    if (spawnSync('git', ['--version']).status !== 0) return;
    const dir = await mkdtemp(join(tmpdir(), 'tighten-textdiff-'));
    try {
      const before = 'kind: X\nspec:\n  enableDefaultDeny:\n    egress: false\n    ingress: false\n  endpointSelector: {}\n';
      const after = 'kind: X\nspec:\n  enableDefaultDeny:\n    egress: false\n  endpointSelector: {}\n';
      await writeFile(join(dir, 'p.yaml'), before);
      await writeFile(join(dir, 'gone.yaml'), 'x\n');
      const patch = unifiedDiff('p.yaml', before, after) + unifiedDiff('gone.yaml', 'x\n', undefined) + unifiedDiff('new.yaml', undefined, 'y\n');
      await writeFile(join(dir, 'change.patch'), patch);
      const r = spawnSync('git', ['apply', '--unsafe-paths', 'change.patch'], { cwd: dir, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(await readFile(join(dir, 'p.yaml'), 'utf8')).toBe(after);
      expect(await readFile(join(dir, 'new.yaml'), 'utf8')).toBe('y\n');
      await expect(readFile(join(dir, 'gone.yaml'), 'utf8')).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
