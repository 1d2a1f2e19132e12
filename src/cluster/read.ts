/**
 * @module cluster/read — reads cluster dumps from files and directories (the I/O shell around
 * `parseClusterText` and `decodeClusterDocuments`).
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { InputError } from '../shared/errors.js';
import type { ClusterSnapshot, ClusterWarning } from './cluster.js';
import { decodeClusterDocuments, type ClusterDocument } from './decode.js';
import { parseClusterText } from './parse.js';

const gunzipAsync = promisify(gunzip);

/** File names a directory walk picks up: YAML and JSON, optionally gzipped. */
const DUMP_FILE = /\.(ya?ml|json)(\.gz)?$/i;

/**
 * Reads Kubernetes objects from files and directories into one {@link ClusterSnapshot}.
 *
 * - A file is read whatever its name; gzip is recognised by its magic bytes, UTF-16 (PowerShell's `>`)
 *   by its byte-order mark.
 * - A directory is walked recursively in name order, skipping hidden entries, reading files ending in
 *   `.yaml`, `.yml` or `.json` (optionally `.gz`). A directory with none gives a `no-files` warning.
 * - A file given twice (directly and through a directory) is read once.
 * - An empty file (or one with comments only) is skipped with an `empty-file` warning.
 *
 * `sources` lists the files read, in order; the warnings of reading come before those of decoding.
 *
 * @throws InputError for a path that does not exist or cannot be read, a corrupt gzip file, or text that is
 *   neither YAML nor JSON (naming the file, the line and the document).
 */
export async function readCluster(inputs: readonly string[]): Promise<ClusterSnapshot> {
  const warnings: ClusterWarning[] = [];
  const files = await listFiles(inputs, warnings);
  const documents: ClusterDocument[] = [];
  for (const file of files) {
    const text = await readText(file);
    const docs = parseClusterText(text, file);
    if (docs.length === 0) {
      warnings.push({ code: 'empty-file', source: file, message: 'no Kubernetes objects in this file; skipped' });
      continue;
    }
    documents.push(...docs);
  }
  const snapshot = decodeClusterDocuments(documents);
  return { ...snapshot, warnings: [...warnings, ...snapshot.warnings], sources: files };
}

async function listFiles(inputs: readonly string[], warnings: ClusterWarning[]): Promise<string[]> {
  const files: string[] = [];
  const seen = new Set<string>();
  const addFile = async (file: string): Promise<void> => {
    const real = await realpath(file);
    if (seen.has(real)) return;
    seen.add(real);
    files.push(file);
  };
  const walk = async (dir: string, visited: Set<string>): Promise<number> => {
    const real = await realpath(dir);
    if (visited.has(real)) return 0; // a symlink loop
    visited.add(real);
    let found = 0;
    const names = (await readdir(dir)).filter((n) => !n.startsWith('.')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined); // a dangling symlink is not worth failing for
      if (info?.isDirectory()) found += await walk(path, visited);
      else if (info?.isFile() && DUMP_FILE.test(name)) {
        await addFile(path);
        found++;
      }
    }
    return found;
  };
  for (const input of inputs) {
    const info = await stat(input).catch((cause: unknown) => {
      throw inputError(input, cause);
    });
    if (info.isDirectory()) {
      const found = await walk(input, new Set()).catch((cause: unknown) => {
        throw inputError(input, cause);
      });
      if (found === 0) {
        warnings.push({ code: 'no-files', source: input, message: 'directory holds no .yaml, .yml or .json files; nothing read from it' });
      }
    } else {
      await addFile(input);
    }
  }
  return files;
}

async function readText(file: string): Promise<string> {
  let bytes: Buffer = await readFile(file).catch((cause: unknown) => {
    throw inputError(file, cause);
  });
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    bytes = await gunzipAsync(bytes).catch((cause: unknown) => {
      throw new InputError(`${file}: corrupt or truncated gzip data (${errorMessage(cause)}); re-create the file`, { file }, { cause });
    });
  }
  try {
    const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
    const encoding = !utf16 ? 'utf-8' : bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    return new TextDecoder(encoding).decode(bytes); // drops the byte-order mark
  } catch (cause) {
    throw new InputError(`${file}: cannot decode as text (${errorMessage(cause)}); split very large dumps, e.g. one file per namespace`, { file }, { cause });
  }
}

function inputError(path: string, cause: unknown): InputError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return new InputError(`${path}: no such file or directory. Pass files or directories written by \`kubectl get … -o yaml\``, { file: path }, { cause });
  }
  return new InputError(`${path}: cannot read (${errorMessage(cause)})`, { file: path }, { cause });
}

function errorMessage(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
