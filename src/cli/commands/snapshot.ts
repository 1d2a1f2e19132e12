/**
 * @module cli/commands/snapshot — `tighten snapshot --kube --out FILE`: the live cluster's objects (the kinds
 * tighten reads, never a Secret) written as a dump that `--cluster FILE` reads back to the same snapshot, for
 * working offline or in CI. YAML documents, or a JSON `List` when FILE ends in `.json`; `-` writes YAML to stdout.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { InputError, UsageError, EXIT, type ExitCode } from '../../shared/errors.js';
import { resolveKubeOptions, type KubeOptions } from '../cluster-source.js';
import type { Io } from '../io.js';

export interface SnapshotCommandOptions {
  /** The cluster to read. */
  readonly kube: KubeOptions;
  /** The file to write; `-` for stdout. */
  readonly out: string;
  /** Objects per list request. @default 500 */
  readonly pageSize?: number;
  readonly quiet: boolean;
}

export async function snapshotCommand(opts: SnapshotCommandOptions, io: Io): Promise<ExitCode> {
  if (opts.out === '') throw new UsageError('--out FILE is required: where to write the dump (`-` for standard output)');
  const { KubeClient, countKinds, dumpFormatOf, dumpObjects, listKubeObjects, loadKubeConfig, renderDump } = await import('../../kube/index.js');
  const client = new KubeClient(loadKubeConfig({ ...resolveKubeOptions(opts.kube, io.cwd), env: io.env }));
  const listing = await listKubeObjects(client, opts.pageSize !== undefined ? { pageSize: opts.pageSize } : {});
  for (const w of listing.warnings) io.stderr.write(`warning: ${w.message}\n`);
  const objects = dumpObjects(listing);
  const toStdout = opts.out === '-';
  const text = renderDump(objects, toStdout ? 'yaml' : dumpFormatOf(opts.out));
  if (toStdout) io.stdout.write(text);
  else await writeAtomically(isAbsolute(opts.out) ? opts.out : join(io.cwd, opts.out), text);
  if (!opts.quiet) {
    const kinds = countKinds(objects).map(([kind, n]) => `${n} ${kind}`).join(', ');
    io.stderr.write(`wrote ${objects.length} objects${kinds ? ` (${kinds})` : ''} of context "${client.context}" to ${toStdout ? 'standard output' : opts.out}\n`);
  }
  return EXIT.ok;
}

/** Writes to a temporary file beside the target, then renames it: a reader never sees half a dump. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, file);
  } catch (cause) {
    await rm(tmp, { force: true });
    throw new InputError(`${file}: cannot write the snapshot (${cause instanceof Error ? cause.message : String(cause)})`, { file }, { cause });
  }
}
