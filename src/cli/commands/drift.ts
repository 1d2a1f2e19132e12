/**
 * @module cli/commands/drift — `tighten drift --cluster DUMP [--repo DIR]`: the repository's policies against the
 * cluster's (`policy/drift.ts`). What the repository applies is what its root kustomization lists; every policy
 * file of those folders, generated or hand-written, is compared. Exit 1 when anything drifted.
 */
import { relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { EVIDENCE_FILE, KUSTOMIZATION, NAMESPACES_DIR, PLATFORM_DIR, ROOT_KUSTOMIZATION, readRepository } from '../../gitops/index.js';
import { detectDrift, type RepoPolicy } from '../../policy/drift.js';
import { renderDrift, type DriftFormat } from '../../report/drift.js';
import { UsageError, type ExitCode } from '../../shared/errors.js';
import { readClusterSource, type KubeOptions } from '../cluster-source.js';
import type { Io } from '../io.js';
import { repoDir } from '../rollout-context.js';

export interface DriftCommandOptions {
  readonly cluster: readonly string[];
  /** Read the cluster from the live API (`--kube`) instead of `cluster`. */
  readonly kube?: KubeOptions | undefined;
  readonly repo?: string;
  readonly output: DriftFormat;
}

const POLICY_KINDS: ReadonlySet<string> = new Set(['NetworkPolicy', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']);

/** The folders the root kustomization lists. */
function appliedFolders(root: string | undefined): Set<string> {
  if (root === undefined) return new Set();
  const doc = parseAllDocuments(root)[0]?.toJS() as { resources?: unknown } | undefined;
  return new Set(Array.isArray(doc?.resources) ? doc.resources.map((r) => String(r).replace(/\/+$/, '')) : []);
}

export async function driftCommand(opts: DriftCommandOptions, io: Io): Promise<ExitCode> {
  if (opts.cluster.length === 0 && opts.kube === undefined) throw new UsageError('no cluster given: pass --cluster FILE|DIR (kubectl get cnp,ccnp,netpol -A -o yaml) or --kube for the live cluster');
  const repo = repoDir(opts.repo, io);
  const contents = await readRepository(repo);
  for (const w of contents.warnings) io.stderr.write(`warning: ${w}\n`);
  const cluster = (await readClusterSource({ cluster: opts.cluster, kube: opts.kube }, io))!;
  const applied = appliedFolders(contents.files.get(ROOT_KUSTOMIZATION));
  const policies: RepoPolicy[] = [];
  for (const [path, text] of [...contents.files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const slash = path.lastIndexOf('/');
    const folder = path.slice(0, slash);
    const name = path.slice(slash + 1);
    if (slash < 0 || name === KUSTOMIZATION || name === EVIDENCE_FILE || !(folder === PLATFORM_DIR || folder.startsWith(`${NAMESPACES_DIR}/`))) continue;
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) continue; // reported by readRepository
      const object = doc.toJS() as Record<string, unknown> | null;
      if (object === null || typeof object !== 'object' || !POLICY_KINDS.has(String(object.kind))) continue;
      const metadata = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
      if (typeof metadata.name !== 'string') continue;
      const kind = object.kind as RepoPolicy['kind'];
      const namespace = kind === 'CiliumClusterwideNetworkPolicy' ? undefined : typeof metadata.namespace === 'string' ? metadata.namespace : folder.startsWith(`${NAMESPACES_DIR}/`) ? folder.slice(NAMESPACES_DIR.length + 1) : undefined;
      policies.push({ kind, ...(namespace !== undefined ? { namespace } : {}), name: metadata.name, file: path, applied: applied.has(folder), object });
    }
  }
  const report = detectDrift(policies, cluster.policies);
  const { output, exitCode } = renderDrift({ repo: relative(io.cwd, repo) || '.', report }, opts.output);
  io.stdout.write(output);
  return exitCode;
}
