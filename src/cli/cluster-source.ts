/**
 * @module cli/cluster-source — where a command's cluster comes from: `--cluster FILE|DIR` dumps, or the live API
 * with `--kube [--context C] [--kubeconfig F]`. The live client is loaded only when `--kube` is given, so commands
 * that read dumps start as fast as before.
 */
import { isAbsolute, join } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { readCluster, type ClusterSnapshot } from '../cluster/index.js';
import type { KubeOptions } from '../kube/index.js';
import { UsageError } from '../shared/errors.js';
import type { Io } from './io.js';

export type { KubeOptions };

/** The options of the live source, for every command that takes `--cluster`. */
export const KUBE_OPTIONS = {
  kube: { type: 'boolean' },
  context: { type: 'string' },
  kubeconfig: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/**
 * `--kube`'s options from parsed values; undefined without `--kube`.
 * @throws UsageError for `--context` or `--kubeconfig` without `--kube`.
 */
export function kubeOptionsOf(values: Readonly<Record<string, unknown>>): KubeOptions | undefined {
  const context = typeof values.context === 'string' ? values.context : undefined;
  const kubeconfig = typeof values.kubeconfig === 'string' ? values.kubeconfig : undefined;
  if (values.kube !== true) {
    if (context !== undefined || kubeconfig !== undefined) throw new UsageError(`--${context !== undefined ? 'context' : 'kubeconfig'} chooses the live cluster that --kube reads: add --kube`);
    return undefined;
  }
  return { ...(context !== undefined ? { context } : {}), ...(kubeconfig !== undefined ? { kubeconfig } : {}) };
}

/** The cluster sources a command was given. */
export interface ClusterSourceOptions {
  /** Dump files and directories. */
  readonly cluster: readonly string[];
  /** Read the live API instead (`--kube`). */
  readonly kube?: KubeOptions;
}

/**
 * Reads the cluster from the dumps or the live API; undefined when neither is given. The kubeconfig is found
 * with `io.env` (`KUBECONFIG`, `HOME`); a relative `--kubeconfig` is taken from `io.cwd`.
 *
 * @throws UsageError when both `--cluster` and `--kube` are given; InputError from the reader.
 */
export async function readClusterSource(opts: ClusterSourceOptions, io: Pick<Io, 'env' | 'cwd'>): Promise<ClusterSnapshot | undefined> {
  if (opts.kube !== undefined) {
    if (opts.cluster.length > 0) throw new UsageError('--cluster and --kube both name the cluster: pass one of them');
    const { readKubeCluster } = await import('../kube/index.js');
    return readKubeCluster({ ...resolveKubeOptions(opts.kube, io.cwd), env: io.env });
  }
  return opts.cluster.length > 0 ? readCluster(opts.cluster) : undefined;
}

/** A relative `--kubeconfig` is relative to the command's working directory. */
export function resolveKubeOptions(kube: KubeOptions, cwd: string): KubeOptions {
  if (kube.kubeconfig === undefined || isAbsolute(kube.kubeconfig)) return kube;
  return { ...kube, kubeconfig: join(cwd, kube.kubeconfig) };
}
