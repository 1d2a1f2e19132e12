/**
 * @module kube/kubeconfig — finds and loads the kubeconfig as kubectl does (`--kubeconfig`, else
 * `$KUBECONFIG`'s files merged, else `~/.kube/config`, else the pod's service account) and selects the
 * context. Credentials stay inside `@kubernetes/client-node`'s `KubeConfig`: nothing here puts a token,
 * a password or a key into a message.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { InputError } from '../shared/errors.js';
import { didYouMean } from '../shared/suggest.js';

/** Which cluster to read, as `--context` and `--kubeconfig` say. */
export interface KubeOptions {
  /** The kubeconfig context. @default the kubeconfig's `current-context` */
  readonly context?: string;
  /**
   * The kubeconfig file. @default the files of `$KUBECONFIG` (merged, the first one winning), else
   * `~/.kube/config`, else the service account of the pod tighten runs in
   */
  readonly kubeconfig?: string;
}

/** What the connection needs besides the options: the environment (`KUBECONFIG`, `HOME`). */
export interface KubeEnvironment {
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A loaded kubeconfig, its context selected. */
export interface LoadedKubeConfig {
  readonly config: KubeConfig;
  readonly context: string;
  /** The cluster's server URL, without any user information. */
  readonly server: string;
  /** The kubeconfig user's name (not a credential), for messages. */
  readonly user: string;
  /** Where the configuration came from, for messages: a file, files, or `in-cluster`. */
  readonly origin: string;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Loads the kubeconfig and selects the context.
 *
 * @throws InputError naming the file or the context: a missing or unreadable kubeconfig, no kubeconfig at
 *   all, an unknown context (with the known ones), a context whose cluster is not defined.
 */
export function loadKubeConfig(options: KubeOptions & KubeEnvironment = {}): LoadedKubeConfig {
  const env = options.env ?? process.env;
  const config = new KubeConfig();
  let origin: string;
  if (options.kubeconfig !== undefined) {
    if (!existsSync(options.kubeconfig)) throw new InputError(`${options.kubeconfig}: no such kubeconfig file. Pass the file kubectl uses (--kubeconfig FILE)`, { file: options.kubeconfig });
    loadFile(config, options.kubeconfig);
    origin = options.kubeconfig;
  } else if (env.KUBECONFIG !== undefined && env.KUBECONFIG !== '') {
    // As kubectl: every file of the list that exists, merged; the first to set a value wins.
    const files = env.KUBECONFIG.split(delimiter).filter((f) => f !== '' && existsSync(f));
    if (files.length === 0) throw new InputError(`KUBECONFIG names no file that exists (${env.KUBECONFIG}); fix it or pass --kubeconfig FILE`);
    loadFile(config, files[0]!);
    for (const file of files.slice(1)) {
      const more = new KubeConfig();
      loadFile(more, file);
      mergeFirstWins(config, more);
    }
    origin = files.join(delimiter);
  } else {
    const home = env.HOME ?? env.USERPROFILE ?? homedir();
    const file = join(home, '.kube', 'config');
    if (existsSync(file)) {
      loadFile(config, file);
      origin = file;
    } else if (env.KUBERNETES_SERVICE_HOST !== undefined && existsSync(SERVICE_ACCOUNT_TOKEN)) {
      config.loadFromCluster();
      origin = 'in-cluster';
    } else {
      throw new InputError(`no kubeconfig found (${file} does not exist and KUBECONFIG is not set): pass --kubeconfig FILE, or set KUBECONFIG`);
    }
  }

  const names = config.getContexts().map((c) => c.name);
  const context = options.context ?? config.getCurrentContext();
  if (context === undefined || context === '') {
    throw new InputError(`${origin}: the kubeconfig names no current-context; pass --context NAME (${listOf(names)})`, { file: origin });
  }
  if (config.getContextObject(context) === null) {
    throw new InputError(`${origin}: no context "${context}" in the kubeconfig (${listOf(names)}).${didYouMean(context, names)}`, { file: origin });
  }
  config.setCurrentContext(context);
  const contextObject = config.getContextObject(context)!;
  const cluster = config.getCurrentCluster();
  if (cluster === null) {
    throw new InputError(`${origin}: context "${context}" names cluster "${contextObject.cluster}", which the kubeconfig does not define`, { file: origin });
  }
  return { config, context, server: safeServer(cluster.server), user: contextObject.user ?? '', origin };
}

/** kubectl's merge: a cluster, user or context already defined keeps its first definition; so does current-context. */
function mergeFirstWins(config: KubeConfig, more: KubeConfig): void {
  for (const c of more.getClusters()) if (config.getCluster(c.name) === null) config.addCluster(c);
  for (const u of more.getUsers()) if (config.getUser(u.name) === null) config.addUser(u);
  for (const c of more.getContexts()) if (config.getContextObject(c.name) === null) config.addContext(c);
  if (!config.getCurrentContext() && more.getCurrentContext()) config.setCurrentContext(more.getCurrentContext());
}

function loadFile(config: KubeConfig, file: string): void {
  try {
    config.loadFromFile(file);
  } catch (cause) {
    // A YAML error quotes the lines around it, which may hold a token: say only where it is.
    const e = cause as { name?: string; mark?: { line?: number }; message?: string };
    if (e.name === 'YAMLException') {
      const line = typeof e.mark?.line === 'number' ? e.mark.line + 1 : undefined;
      throw new InputError(`${file}${line !== undefined ? `:${line}` : ''}: the kubeconfig is not valid YAML`, { file, ...(line !== undefined ? { line } : {}) });
    }
    const reason = (e.message ?? String(cause)).split('\n')[0];
    throw new InputError(`${file}: not a usable kubeconfig (${reason})`, { file });
  }
}

/** The server URL without `user:password@`. */
export function safeServer(server: string): string {
  try {
    const url = new URL(server);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return server.replace(/\/\/[^/@]*@/, '//');
  }
}

function listOf(names: readonly string[]): string {
  return names.length === 0 ? 'it defines no context' : `contexts: ${names.join(', ')}`;
}
