/**
 * @module cli/commands/diff — `tighten diff OLD NEW`: the connectivity change between two policy sets
 * (files, directories or git revisions), each with the cluster's own policies, over the cluster's
 * workloads, the entities and the addresses flows and policies name; with flows, the observed traffic
 * it affects. Exit 1 with `--exit-code` when anything changes.
 */
import { isAbsolute, join } from 'node:path';
import type { ClusterSnapshot } from '../../cluster/index.js';
import type { Inventory } from '../../inventory/index.js';
import { diffPolicySets } from '../../policy/diff.js';
import { buildDiffUniverse } from '../../policy/diff-universe.js';
import { compileEvaluator } from '../../policy/evaluate/index.js';
import { identityContext } from '../../policy/endpoints.js';
import { decodePolicyObject, sanitizePolicies, type PolicyProblem } from '../../policy/model/index.js';
import { DIFF_FORMATS, diffExitCode, renderDiffChunks, type DiffFormat } from '../../report/diff.js';
import { EXIT, UsageError, type ExitCode } from '../../shared/errors.js';
import { readClusterSource, type KubeOptions } from '../cluster-source.js';
import type { Io } from '../io.js';
import { readPolicySet } from '../policy-sets.js';
import { readInventory } from '../sources.js';
import type { WindowOptions } from '../window.js';
import { evaluateOptionsOf } from '../../policy/cluster-options.js';

export { DIFF_FORMATS };

export interface DiffCommandOptions {
  /** OLD and NEW, as given: each a file, a directory, `git:REV[:PATH]` or a bare revision. */
  readonly sets: readonly string[];
  readonly flows: readonly string[];
  /** A flow store (`tighten observe --store DIR`) to read instead of flows. */
  readonly store?: string;
  readonly cluster: readonly string[];
  /** Read the cluster from the live API (`--kube`) instead of `cluster`. */
  readonly kube?: KubeOptions;
  readonly namespaces: readonly string[];
  readonly window: WindowOptions;
  readonly ciliumVersion?: string;
  /** The git repository whose revisions `git:REV` names. @default the current directory's */
  readonly repo?: string;
  /** Exit 1 when the diff is not empty. @default false (exit 0 whatever changes) */
  readonly exitCode: boolean;
  readonly output: DiffFormat;
  readonly quiet: boolean;
}

export async function diffCommand(opts: DiffCommandOptions, io: Io): Promise<ExitCode> {
  if (opts.sets.length !== 2) {
    throw new UsageError(`diff takes two policy sets, OLD and NEW (got ${opts.sets.length}): e.g. \`tighten diff git:HEAD:policies policies/\` or \`tighten diff main HEAD\``);
  }
  // Git revisions are read relative to io.cwd: so are the other paths, so that tests can run in a temporary repository.
  const here = (p: string) => (p === '-' || isAbsolute(p) ? p : join(io.cwd, p));
  const flows = opts.flows.map(here);
  const clusterPaths = opts.cluster.map(here);
  let cluster: ClusterSnapshot | undefined;
  let inventory: Inventory | undefined;
  if (flows.length > 0 || opts.store !== undefined) {
    ({ cluster, inventory } = await readInventory(
      { flows, ...(opts.store !== undefined ? { store: here(opts.store) } : {}), cluster: clusterPaths, kube: opts.kube, namespaces: opts.namespaces, window: opts.window, progress: !opts.quiet && opts.output !== 'json' },
      io,
    ));
  } else if (clusterPaths.length > 0 || opts.kube !== undefined) {
    cluster = (await readClusterSource({ cluster: clusterPaths, kube: opts.kube }, io))!;
    for (const w of cluster.warnings) io.stderr.write(`warning: ${w.source ? `${w.source}: ` : ''}${w.message}\n`);
  }
  const options = evaluateOptionsOf(cluster, opts.ciliumVersion);
  const sanitizeOptions = options.ciliumVersion ? { ciliumVersion: options.ciliumVersion } : {};
  const existing = sanitizePolicies((cluster?.policies ?? []).map((p) => decodePolicyObject(p.object, { file: p.source })), sanitizeOptions);
  const [oldSpec, newSpec] = opts.sets as [string, string];
  const oldRead = await readPolicySet(oldSpec, 'OLD', io.cwd, opts.repo);
  const newRead = await readPolicySet(newSpec, 'NEW', io.cwd, opts.repo);
  const oldSet = sanitizePolicies(oldRead.policies, sanitizeOptions);
  const newSet = sanitizePolicies(newRead.policies, sanitizeOptions);
  // OLD's warnings are about what is being replaced: only the cluster's and NEW's are worth reading.
  for (const w of [...existing.warnings, ...newSet.warnings]) io.stderr.write(warningLine(w));

  const identities = identityContext(cluster);
  const { endpoints, observed } = buildDiffUniverse({ ...(cluster ? { cluster } : {}), ...(inventory ? { inventory } : {}), identities, policies: [...existing.policies, ...oldSet.policies, ...newSet.policies] });
  if (!endpoints.some((e) => 'namespace' in e.peer)) {
    io.stderr.write('warning: no workloads to compare over: pass the cluster dump (--cluster) or flows (--flows); the diff covers only entities and the addresses the policies name\n');
  }
  const diff = diffPolicySets(
    { source: oldRead.source, policies: oldSet.policies },
    { source: newRead.source, policies: newSet.policies },
    {
      endpoints,
      ...(observed ? { observed } : {}),
      existing: existing.policies,
      options: { clusterName: identities.clusterName, ...options },
      namespaces: opts.namespaces,
    },
    compileEvaluator,
  );
  // Written piece by piece (waiting when the stream asks to): a large diff is more than one string holds.
  for (const chunk of renderDiffChunks(diff, opts.output)) {
    if (!io.stdout.write(chunk)) await new Promise((resolve) => io.stdout.once('drain', resolve));
  }
  return opts.exitCode ? diffExitCode(diff) : EXIT.ok;
}

function warningLine(w: PolicyProblem): string {
  return `warning: ${w.policy.kind} ${w.policy.namespace ? `${w.policy.namespace}/` : ''}${w.policy.name}: ${w.path}: ${w.message}\n`;
}
