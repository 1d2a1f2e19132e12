/**
 * @module cli/commands/trace — `tighten trace`: one connection through a policy set, each direction's
 * verdict with the rules that decided it and the near misses, in words.
 */
import { indexCluster, type ClusterSnapshot, type Labels } from '../../cluster/index.js';
import type { Inventory } from '../../inventory/index.js';
import { evaluateOptionsOf } from '../../policy/cluster-options.js';
import { compileEvaluator, type Connection, type ConnectionProtocol, type Endpoint } from '../../policy/evaluate/index.js';
import { identityContext, peerEndpoint, workloadEndpoint, type IdentityContext } from '../../policy/endpoints.js';
import { traceConnection } from '../../policy/explain.js';
import { decodePolicyObject, readPolicies, sanitizePolicies, type LoadedPolicy } from '../../policy/model/index.js';
import { renderTrace, type TraceEndpoint, type TraceFormat, type TraceReport } from '../../report/trace.js';
import { UsageError, type ExitCode } from '../../shared/errors.js';
import { didYouMean } from '../../shared/suggest.js';
import { readClusterSource, type KubeOptions } from '../cluster-source.js';
import type { Io } from '../io.js';
import { readInventory } from '../sources.js';

export interface TraceCommandOptions {
  readonly from: string;
  readonly to: string;
  readonly port: string;
  readonly policies: readonly string[];
  readonly cluster: readonly string[];
  /** Read the cluster from the live API (`--kube`) instead of `cluster`. */
  readonly kube?: KubeOptions;
  readonly flows: readonly string[];
  /** A flow store (`tighten observe --store DIR`) to read instead of flows. */
  readonly store?: string;
  readonly ciliumVersion?: string;
  readonly output: TraceFormat;
}

const ENTITY_NAMES = ['world', 'host', 'remote-node', 'kube-apiserver', 'ingress', 'init', 'unmanaged', 'health'];

export async function traceCommand(opts: TraceCommandOptions, io: Io): Promise<ExitCode> {
  if (opts.policies.length === 0) throw new UsageError('no policies given: pass --policies FILE|DIR (or --repo DIR)');
  // With flows (or a store), the inventory reads the cluster too: read it once (a live read is not free).
  const read = opts.flows.length > 0 || opts.store !== undefined
    ? await readInventory({ flows: opts.flows, ...(opts.store !== undefined ? { store: opts.store } : {}), cluster: opts.cluster, kube: opts.kube, namespaces: [], window: {}, progress: false }, io)
    : undefined;
  const cluster = read !== undefined ? read.cluster : await readClusterSource(opts, io);
  const inventory = read?.inventory;
  const { port, protocol } = parsePort(opts.port);
  const evaluateOptions = evaluateOptionsOf(cluster, opts.ciliumVersion);
  const given = await readPolicies(opts.policies);
  const existing = (cluster?.policies ?? []).map((p) => decodePolicyObject(p.object, { file: p.source }));
  const { policies, warnings } = sanitizePolicies([...existing, ...given], evaluateOptions.ciliumVersion ? { ciliumVersion: evaluateOptions.ciliumVersion } : {});
  for (const w of warnings) io.stderr.write(`warning: ${w.policy.kind} ${w.policy.namespace ? `${w.policy.namespace}/` : ''}${w.policy.name}: ${w.path}: ${w.message}\n`);

  const ctx = identityContext(cluster);
  const from = resolveEndpointSpec(opts.from, 'from', ctx, cluster, inventory);
  const to = resolveEndpointSpec(opts.to, 'to', ctx, cluster, inventory);
  const connection: Connection = { source: from.endpoint, destination: to.endpoint, port, protocol };
  const { verdict, nearMisses } = traceConnection(policies, connection, compileEvaluator, evaluateOptions);
  const report: TraceReport = {
    from,
    to,
    port,
    protocol,
    verdict,
    nearMisses,
    policies: policies.length,
  };
  const { output, exitCode } = renderTrace(report, opts.output);
  io.stdout.write(output);
  return exitCode;
}

/** `5432/TCP`, `53/UDP`, `8/ICMPv4`; a bare number is TCP. */
export function parsePort(text: string): { port: number; protocol: ConnectionProtocol } {
  const m = /^(\d+)(?:\/(tcp|udp|sctp|icmpv4|icmpv6|icmp))?$/i.exec(text.trim());
  const port = m ? Number(m[1]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--port ${JSON.stringify(text)} is not PORT[/PROTOCOL] (e.g. 5432/TCP, 53/UDP, 8/ICMPv4)`);
  const p = (m[2] ?? 'TCP').toUpperCase();
  const protocol = (p === 'ICMP' || p === 'ICMPV4' ? 'ICMPv4' : p === 'ICMPV6' ? 'ICMPv6' : p) as ConnectionProtocol;
  return { port, protocol };
}

/**
 * What `--from`/`--to` name: an entity (`world`, `entity:host`), an IP (a pod of the dump, else an
 * address outside the cluster), a DNS name (`api.example.com` or `fqdn:…`), a pod or workload
 * (`ns/name`), or `ns/Kind/name`.
 */
export function resolveEndpointSpec(text: string, option: string, ctx: IdentityContext, cluster: ClusterSnapshot | undefined, inventory: Inventory | undefined): TraceEndpoint {
  const spec = text.trim();
  const entity = spec.startsWith('entity:') ? spec.slice(7) : ENTITY_NAMES.includes(spec) ? spec : undefined;
  if (entity !== undefined) {
    if (!ENTITY_NAMES.includes(entity)) throw new UsageError(`--${option} ${spec}: unknown entity.${didYouMean(entity, ENTITY_NAMES)}`);
    return { spec, description: `entity ${entity}`, endpoint: { labels: [`reserved:${entity}`] } };
  }
  const index = cluster ? indexCluster(cluster) : undefined;
  if (isIp(spec)) {
    const pod = index?.podByIp.get(spec);
    if (pod) return { spec, description: `pod ${pod.namespace}/${pod.name} of ${pod.owner.kind} ${pod.owner.name}`, endpoint: { ...podEndpoint(pod.namespace, pod.name, pod.labels, ctx, pod.serviceAccountName), ip: spec }, rawLabels: pod.labels };
    const names = namesOf(spec, inventory);
    return { spec, description: `address outside the cluster${names.length > 0 ? ` (${names.join(', ')})` : ''}`, endpoint: { labels: ['reserved:world'], ip: spec, names } };
  }
  if (spec.startsWith('fqdn:') || (!spec.includes('/') && spec.includes('.'))) {
    const name = spec.replace(/^fqdn:/, '').toLowerCase().replace(/\.$/, '');
    return { spec, description: `DNS name ${name} (outside the cluster)`, endpoint: { labels: ['reserved:world'], names: [name] } };
  }
  const parts = spec.split('/');
  if (parts.length === 2 || parts.length === 3) {
    const namespace = parts[0]!;
    const name = parts[parts.length - 1]!;
    const kind = parts.length === 3 ? parts[1] : undefined;
    const pod = kind === undefined ? index?.podByName.get(`${namespace}/${name}`) : undefined;
    if (pod) return { spec, description: `pod ${namespace}/${name} of ${pod.owner.kind} ${pod.owner.name}`, endpoint: podEndpoint(namespace, name, pod.labels, ctx, pod.serviceAccountName), rawLabels: pod.labels };
    const workload = cluster?.workloads.find((w) => w.namespace === namespace && w.name === name && (kind === undefined || w.kind === kind));
    if (workload) return { spec, description: `${workload.kind} ${namespace}/${name}`, endpoint: peerEndpoint(workload, ctx), rawLabels: workload.podLabels };
    const seen = inventory?.workloads.find((w) => w.namespace === namespace && w.name === name && (kind === undefined || w.kind === kind));
    if (seen) return { spec, description: `${seen.kind} ${namespace}/${name} (labels from flows)`, endpoint: peerEndpoint(seen, ctx, () => seen.labels), rawLabels: seen.labels };
    const known = [...(cluster?.workloads ?? []), ...(inventory?.workloads ?? [])].map((w) => `${w.namespace}/${w.name}`);
    const where = cluster || inventory ? '' : ' (pass the cluster dump with --cluster, or flows with --flows, so tighten knows its labels)';
    throw new UsageError(`--${option} ${spec}: no pod or workload of that name${where}.${didYouMean(`${namespace}/${name}`, known)}`);
  }
  throw new UsageError(`--${option} ${JSON.stringify(spec)}: expected NAMESPACE/NAME, NAMESPACE/KIND/NAME, an IP, a DNS name or an entity (${ENTITY_NAMES.join(', ')})`);
}

function podEndpoint(namespace: string, name: string, labels: Labels, ctx: IdentityContext, serviceAccount: string): Endpoint {
  return workloadEndpoint({ namespace, name }, labels, ctx, serviceAccount);
}

function namesOf(ip: string, inventory: Inventory | undefined): string[] {
  for (const e of inventory?.edges ?? []) if ('ip' in e.destination && e.destination.ip === ip) return [...e.destination.names];
  return [];
}

const isIp = (s: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/.test(s) || (s.includes(':') && /^[0-9a-f:.]+$/i.test(s));
