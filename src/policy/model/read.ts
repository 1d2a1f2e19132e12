/**
 * @module policy/model/read — reads policy files and directories (the I/O shell around `decodePolicies`).
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, PolicyError } from '../../shared/errors.js';
import { decodePolicies, duplicates, type DecodeOptions, type SkippedObject } from './decode.js';
import { joinProblemLines } from './problems.js';
import type { LoadedPolicy } from './types.js';

/** File names a directory walk picks up. */
const POLICY_FILE = /\.(ya?ml|json)$/i;

export interface PolicyFiles {
  /** The policies of all files, in file order. */
  readonly policies: readonly LoadedPolicy[];
  /** Objects of other kinds, per file. */
  readonly skipped: readonly (SkippedObject & { readonly file: string })[];
  /** The files read, in order. */
  readonly files: readonly string[];
}

/**
 * Reads the policies in files and directories. A file is read whatever its name; a directory is walked
 * recursively in name order, reading files ending in `.yaml`, `.yml` or `.json` and skipping hidden entries
 * (names starting with `.`) and symlink loops. A file reached twice (directly, through a directory or a link) is
 * read once. Objects of other kinds are left out (see {@link readPolicyFiles} to learn which).
 * @throws InputError for a path that cannot be read or text that is not YAML/JSON; PolicyError for an invalid
 *   policy or the same policy defined twice (in one file or across files)
 */
export async function readPolicies(paths: readonly string[], options: DecodeOptions = {}): Promise<LoadedPolicy[]> {
  return [...(await readPolicyFiles(paths, options)).policies];
}

/** {@link readPolicies}, also telling which files were read and which objects were skipped. */
export async function readPolicyFiles(paths: readonly string[], options: DecodeOptions = {}): Promise<PolicyFiles> {
  const files = await listFiles(paths);
  const policies: LoadedPolicy[] = [];
  const skipped: (SkippedObject & { file: string })[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((cause: unknown) => {
      throw inputError(file, cause);
    });
    const decoded = decodePolicies(text.replace(/^\uFEFF/, ''), file, options);
    policies.push(...decoded.policies);
    skipped.push(...decoded.skipped.map((s) => ({ ...s, file })));
  }
  const twice = duplicates(policies);
  if (twice.length > 0) throw new PolicyError(joinProblemLines(twice, 'policies'));
  return { policies, skipped, files };
}

async function listFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  const seen = new Set<string>();
  const add = async (file: string): Promise<void> => {
    const real = await realpath(file);
    if (seen.has(real)) return;
    seen.add(real);
    files.push(file);
  };
  const walk = async (dir: string, visited: Set<string>): Promise<void> => {
    const real = await realpath(dir);
    if (visited.has(real)) return; // a symlink loop
    visited.add(real);
    const names = (await readdir(dir)).filter((n) => !n.startsWith('.')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined); // a dangling symlink is not worth failing for
      if (info?.isDirectory()) await walk(path, visited);
      else if (info?.isFile() && POLICY_FILE.test(name)) await add(path);
    }
  };
  for (const path of paths) {
    const info = await stat(path).catch((cause: unknown) => {
      throw inputError(path, cause);
    });
    if (info.isDirectory()) {
      await walk(path, new Set()).catch((cause: unknown) => {
        throw cause instanceof InputError ? cause : inputError(path, cause);
      });
    } else await add(path);
  }
  return files;
}

function inputError(path: string, cause: unknown): InputError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const why = code === 'ENOENT' ? 'no such file or directory' : `cannot read (${cause instanceof Error ? cause.message : String(cause)})`;
  return new InputError(`${path}: ${why}`, { file: path }, { cause });
}
