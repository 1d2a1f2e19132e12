/**
 * @module understand/platform — detects shared platform services (DNS, metrics scrapers, tracing
 * collectors, secret managers, ingress controllers, admission webhooks) by well-known names, by the
 * namespace they run in, and by the shape of their traffic in the inventory (pure).
 */
import { portInRanges, type PortRange, type TightenConfig } from '../config/index.js';
import type { Edge, PlatformRole } from '../inventory/index.js';
import { formatPort, isWorkload, listSome, plural, workloadKeyOf, type TrafficIndex, type WorkloadFacts } from './facts.js';
import { PLATFORM_NAMESPACE_HINTS, matchPlatformName } from './well-known.js';

/** The order in which traffic-shape roles are tried when no well-known name decided. */
const SHAPE_ORDER: readonly PlatformRole[] = ['dns', 'admission-webhook', 'ingress-controller', 'secrets', 'tracing', 'metrics'];

/** What detection found for one workload: the role decided, and the evidence for it and for other roles. */
export interface PlatformDetection {
  readonly role: PlatformRole;
  readonly evidence: readonly string[];
}

/** Detects whether a workload is a platform service; undefined when nothing says so. */
export function detectPlatform(facts: WorkloadFacts, all: ReadonlyMap<string, WorkloadFacts>, traffic: TrafficIndex, config: TightenConfig): PlatformDetection | undefined {
  const w = facts.workload;
  const byName = matchPlatformName(w.name, w.labels);
  const shapes = new Map<PlatformRole, string>();
  for (const role of SHAPE_ORDER) {
    const e = shapeEvidence(role, facts, all, traffic, config);
    if (e !== undefined) shapes.set(role, e);
  }
  const role = byName?.rule.role ?? SHAPE_ORDER.find((r) => shapes.has(r));
  if (role === undefined) return undefined;
  const evidence: string[] = [];
  if (byName !== undefined) evidence.push(byName.evidence);
  const own = shapes.get(role);
  if (own !== undefined) evidence.push(own);
  for (const [other, e] of shapes) if (other !== role) evidence.push(`also: ${e}`);
  return { role, evidence };
}

function shapeEvidence(role: PlatformRole, facts: WorkloadFacts, all: ReadonlyMap<string, WorkloadFacts>, traffic: TrafficIndex, config: TightenConfig): string | undefined {
  const p = config.platform;
  const hinted = PLATFORM_NAMESPACE_HINTS[facts.workload.namespace] === role;
  const inbound = traffic.to.get(facts.key) ?? [];
  switch (role) {
    case 'dns': {
      const s = served(inbound, facts.key, p.dnsPorts, ['UDP', 'TCP']);
      if (s.clients.size > 0 && ((s.clients.size >= p.minClients && s.namespaces.size >= p.minNamespaces) || hinted)) {
        return `receives ${listSome(s.ports)} from ${plural(s.clients.size, 'workload')} in ${plural(s.namespaces.size, 'namespace')}${hinted && (s.clients.size < p.minClients || s.namespaces.size < p.minNamespaces) ? `, and runs in ${facts.workload.namespace}` : ''}`;
      }
      const declared = (facts.object?.containerPorts ?? []).find((c) => c.protocol === 'UDP' && portInRanges(c.containerPort, p.dnsPorts));
      return declared !== undefined ? `declares container port ${declared.containerPort}/UDP${declared.name ? ` (${declared.name})` : ''}` : undefined;
    }
    case 'tracing':
    case 'secrets': {
      const s = served(inbound, facts.key, role === 'tracing' ? p.tracingPorts : p.secretsPorts, ['TCP', 'UDP']);
      if (s.clients.size === 0) return undefined;
      if ((s.clients.size >= p.minClients && s.namespaces.size >= p.minNamespaces) || hinted) {
        return `receives ${listSome(s.ports)} from ${plural(s.clients.size, 'workload')} in ${plural(s.namespaces.size, 'namespace')}`;
      }
      return undefined;
    }
    case 'admission-webhook': {
      const calls = inbound.filter((e) => 'entity' in e.source && e.source.entity === 'kube-apiserver');
      if (calls.length === 0) return undefined;
      const flows = calls.reduce((n, e) => n + e.flows, 0);
      return `called by kube-apiserver on ${listSome(calls.map(formatPort))} (${plural(flows, 'flow')})`;
    }
    case 'ingress-controller': {
      const fromWorld = inbound.filter((e) => isWorld(e));
      if (fromWorld.length === 0) return undefined;
      const ports = listSome(fromWorld.map(formatPort));
      if (hinted) return `runs in ${facts.workload.namespace} and receives traffic from world on ${ports}`;
      const outbound = (traffic.from.get(facts.key) ?? []).filter(
        (e) => isWorkload(e.destination) && !portInRanges(e.port, p.dnsPorts) && !portInRanges(e.port, p.tracingPorts) && !portInRanges(e.port, p.secretsPorts),
      );
      const targets = new Set<string>();
      const namespaces = new Set<string>();
      for (const e of outbound) {
        if (!isWorkload(e.destination) || e.destination.namespace === facts.workload.namespace) continue;
        targets.add(workloadKeyOf(e.destination));
        namespaces.add(e.destination.namespace);
      }
      if (namespaces.size < p.minNamespaces) return undefined;
      return `receives traffic from world on ${ports} and forwards it to ${plural(targets.size, 'workload')} in ${plural(namespaces.size, 'other namespace')}`;
    }
    case 'metrics': {
      const outbound = (traffic.from.get(facts.key) ?? []).filter((e) => isWorkload(e.destination) && workloadKeyOf(e.destination) !== facts.key && !portInRanges(e.port, p.dnsPorts));
      const allTargets = new Set<string>();
      const targets = new Set<string>();
      const namespaces = new Set<string>();
      const how = new Set<string>();
      for (const e of outbound) {
        const key = workloadKeyOf(e.destination as { namespace: string; name: string });
        allTargets.add(key);
        const why = metricsEndpoint(e, all.get(key), config);
        if (why === undefined) continue;
        targets.add(key);
        namespaces.add((e.destination as { namespace: string }).namespace);
        how.add(why);
      }
      if (targets.size < p.scraperMinTargets || namespaces.size < p.minNamespaces || targets.size * 2 <= allTargets.size) return undefined;
      return `connects to metrics endpoints of ${plural(targets.size, 'workload')} in ${plural(namespaces.size, 'namespace')} (${listSome(how, 4)})`;
    }
  }
}

/** Traffic from the world: the `world` entity, an external address or a CIDR. */
function isWorld(e: Edge): boolean {
  const s = e.source;
  return ('entity' in s && s.entity === 'world') || 'ip' in s || 'cidr' in s;
}

interface Served {
  readonly clients: Set<string>;
  readonly namespaces: Set<string>;
  readonly ports: Set<string>;
}

/** Client workloads (not itself) that reach the workload on one of the ports. */
function served(inbound: readonly Edge[], self: string, ports: readonly PortRange[], protocols: readonly string[]): Served {
  const out: Served = { clients: new Set(), namespaces: new Set(), ports: new Set() };
  for (const e of inbound) {
    if (!isWorkload(e.source) || !protocols.includes(e.protocol) || !portInRanges(e.port, ports)) continue;
    const key = workloadKeyOf(e.source);
    if (key === self) continue;
    out.clients.add(key);
    out.namespaces.add(e.source.namespace);
    out.ports.add(formatPort(e));
  }
  return out;
}

/**
 * Why an edge reaches a metrics endpoint: an HTTP request to a metrics path (whatever the port), a
 * container port named like `metrics`, or a port in the metrics ranges. Undefined when none holds.
 */
export function metricsEndpoint(e: Edge, destination: WorkloadFacts | undefined, config: TightenConfig): string | undefined {
  const p = config.platform;
  const path = e.l7?.http?.map((r) => r.slice(r.indexOf(' ') + 1)).find((u) => p.metricsPaths.some((m) => u === m || u.startsWith(`${m}/`)));
  if (path !== undefined) return `${formatPort(e)} ${path}`;
  if (e.protocol !== 'TCP') return undefined;
  const named = destination?.object?.containerPorts.find((c) => c.containerPort === e.port && c.name !== undefined && p.metricsPortNames.includes(c.name));
  if (named !== undefined) return `${formatPort(e)} (${named.name})`;
  return portInRanges(e.port, p.metricsPorts) ? formatPort(e) : undefined;
}
