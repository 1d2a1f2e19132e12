import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../shared/errors.js';
import { DEFAULT_CONFIG } from './config.js';
import { readConfig } from './read.js';

describe('readConfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tighten-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the defaults when the directory has no tighten.yaml', async () => {
    expect(await readConfig(dir)).toBe(DEFAULT_CONFIG);
  });

  it('reads and decodes tighten.yaml, remembering where it came from', async () => {
    await writeFile(join(dir, 'tighten.yaml'), 'teams:\n  namespaceLabel: owner\n');
    const c = await readConfig(dir);
    expect(c.teams.namespaceLabel).toBe('owner');
    expect(c.source).toBe(join(dir, 'tighten.yaml'));
  });

  it('throws an InputError naming the file and line of a bad file', async () => {
    await writeFile(join(dir, 'tighten.yaml'), 'kind: Config\nlables: {}\n');
    const e = await readConfig(dir).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).file).toBe(join(dir, 'tighten.yaml'));
    expect((e as InputError).line).toBe(2);
  });

  it('throws an InputError when the path cannot be read', async () => {
    await writeFile(join(dir, 'file'), '');
    await expect(readConfig(join(dir, 'file'))).rejects.toBeInstanceOf(InputError);
  });
});
