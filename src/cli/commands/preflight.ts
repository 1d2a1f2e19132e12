/**
 * @module cli/commands/preflight — `tighten preflight`: is the cluster's Cilium configuration safe to stage
 * policies on? Reads the `cilium-config` ConfigMap from a cluster dump, checks it, renders the checks.
 */
import { readCluster } from '../../cluster/index.js';
import { renderPreflight, type PreflightFormat } from '../../report/preflight.js';
import { checkPreflight } from '../../rollout/index.js';
import { UsageError, type ExitCode } from '../../shared/errors.js';
import type { Io } from '../io.js';

export interface PreflightCommandOptions {
  /** Cluster dumps (files or directories); at least one. */
  readonly cluster: readonly string[];
  /** The Cilium version; when omitted, looked for in cilium-config. */
  readonly ciliumVersion?: string;
  readonly output: PreflightFormat;
}

export async function preflightCommand(opts: PreflightCommandOptions, io: Io): Promise<ExitCode> {
  if (opts.cluster.length === 0) {
    throw new UsageError('no cluster dump given: pass --cluster FILE|DIR holding the cilium-config ConfigMap (kubectl -n kube-system get cm cilium-config -o yaml); --kube is not available yet');
  }
  const cluster = await readCluster(opts.cluster);
  const result = checkPreflight(cluster.ciliumConfig, opts.ciliumVersion !== undefined ? { ciliumVersion: opts.ciliumVersion } : {});
  const { output, exitCode } = renderPreflight(result, opts.output);
  io.stdout.write(output);
  return exitCode;
}
