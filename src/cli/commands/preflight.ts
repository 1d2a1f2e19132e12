/**
 * @module cli/commands/preflight — `tighten preflight`: is the cluster's Cilium configuration safe to stage
 * policies on? Reads the `cilium-config` ConfigMap and the agent's DaemonSet from a cluster dump or the live API
 * (`--kube`), checks them, renders the checks.
 */
import { renderPreflight, type PreflightFormat } from '../../report/preflight.js';
import { checkPreflight } from '../../rollout/index.js';
import { UsageError, type ExitCode } from '../../shared/errors.js';
import { readClusterSource, type KubeOptions } from '../cluster-source.js';
import type { Io } from '../io.js';

export interface PreflightCommandOptions {
  /** Cluster dumps (files or directories); at least one, unless `kube` is given. */
  readonly cluster: readonly string[];
  /** Read the cluster from the live API (`--kube`) instead of `cluster`. */
  readonly kube?: KubeOptions;
  /** The Cilium version; when omitted, the image tag of the agent's DaemonSet, else looked for in cilium-config. */
  readonly ciliumVersion?: string;
  readonly output: PreflightFormat;
}

export async function preflightCommand(opts: PreflightCommandOptions, io: Io): Promise<ExitCode> {
  if (opts.cluster.length === 0 && opts.kube === undefined) {
    throw new UsageError('no cluster given: pass --kube (the live cluster of the kubeconfig context), or --cluster FILE|DIR holding the cilium-config ConfigMap (kubectl -n kube-system get cm cilium-config -o yaml)');
  }
  const cluster = (await readClusterSource(opts, io))!;
  for (const w of cluster.warnings) if (w.code === 'crd-missing') io.stderr.write(`warning: ${w.message}\n`);
  const result = checkPreflight(cluster.ciliumConfig, {
    ...(opts.ciliumVersion !== undefined ? { ciliumVersion: opts.ciliumVersion } : {}),
    ...(cluster.ciliumAgent !== undefined ? { ciliumAgent: cluster.ciliumAgent } : {}),
  });
  const { output, exitCode } = renderPreflight(result, opts.output);
  io.stdout.write(output);
  return exitCode;
}
