/**
 * @module policy/evaluate/corpora/cilium-connectivity — the policy tests of `cilium connectivity test`
 * (shared/corpora/cilium-connectivity) as evaluator cases: endpoints from `_derived/topology.yaml`,
 * policies from `builder/manifests/`, scenarios and expected verdicts from `_derived/expectations.yaml`.
 * Test-only.
 */
import { parse } from 'yaml';
import type { LoadedPolicy } from '../../model/types.js';
import type { Connection, Endpoint } from '../types.js';
import { EXPECTED_VERDICTS, corpusDir, loadPolicies, podEndpoint, readText, worldEndpoint, type ExpectedVerdict } from './shared.js';

export const CONNECTIVITY = 'cilium-connectivity';

/**
 * Tests the suite cannot evaluate, with the reason. Everything else in expectations.yaml is evaluated.
 */
export const CONNECTIVITY_SKIPS: Readonly<Record<string, string>> = {
  'client-egress-to-cidrgroup-deny':
    'needs a CiliumCIDRGroup object (cidrGroupRef): evaluators get policies only, and match a CIDR group reference against nothing',
  'client-egress-to-cidrgroup-deny-by-label':
    'needs a CiliumCIDRGroup object (cidrGroupSelector): evaluators get policies only, and match a CIDR group selector against nothing',
  'pod-to-node-cidrpolicy':
    'needs policy-cidr-match-mode=nodes (CIDR rules matching node IPs, c.3) and the node CIDRs of a live cluster ({{range .NodeCIDRs}})',
  'echo-ingress-from-client-tiered-wildcard-pass-l7':
    'uses a policy.networking.k8s.io ClusterNetworkPolicy (tiers, Pass): not a CNP/CCNP/NetworkPolicy, not modelled',
};

interface Workload {
  readonly name: string;
  readonly namespace: string | readonly string[];
  readonly podLabels: Readonly<Record<string, string>>;
  readonly serviceAccount?: string;
  readonly node?: string;
  readonly hostNetwork?: boolean;
  readonly ports?: readonly { readonly name: string; readonly containerPort: number; readonly protocol: 'TCP' | 'UDP' | 'SCTP' }[];
}

interface Topology {
  readonly parameters: Readonly<Record<string, string>>;
  readonly namespaces: readonly { readonly name: string; readonly labels: Readonly<Record<string, string>> }[];
  readonly workloads: readonly Workload[];
}

/** One pod (or host-network pod) of the topology. */
export interface TopologyPod {
  readonly name: string;
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly node: string;
  readonly hostNetwork: boolean;
  readonly endpoint: Endpoint;
}

type When = {
  readonly src?: Readonly<Record<string, string>>;
  readonly src_not?: Readonly<Record<string, string>>;
  readonly dst?: Readonly<Record<string, string>>;
  readonly dst_ip?: readonly string[];
  readonly dst_port?: number;
};

interface ExpectationTest {
  readonly name: string;
  readonly requires?: readonly string[];
  readonly policies: readonly { readonly file: string; readonly kind: string; readonly template?: boolean }[];
  readonly scenarios: readonly (string | Readonly<Record<string, { src?: Record<string, string>; dst?: Record<string, string> }>>)[];
  readonly expect?: readonly { readonly when: When; readonly verdict: ExpectedVerdict }[];
  readonly otherwise?: { readonly verdict: ExpectedVerdict };
}

/** One connection of a scenario with the pods it ran between (for `when` filters). */
export interface ConnectivityCheck {
  readonly scenario: string;
  readonly from: string;
  readonly to: string;
  readonly connection: Connection;
  readonly expected: ExpectedVerdict;
}

export interface ConnectivityCase {
  readonly name: string;
  readonly skip?: string;
  readonly policies: readonly LoadedPolicy[];
  readonly checks: readonly ConnectivityCheck[];
}

/** Replaces `{{ .Param }}` and `{{ .Param | ipToCIDR }}` with the topology parameters; undefined if the template needs more. */
export function renderTemplate(text: string, parameters: Readonly<Record<string, string>>): string | undefined {
  if (/\{\{-?\s*range/.test(text)) return undefined;
  let failed = false;
  const out = text.replace(/\{\{\s*\.(\w+)\s*(\|\s*ipToCIDR\s*)?\}\}/g, (_m, name: string, toCidr: string | undefined) => {
    const value = parameters[name];
    if (value === undefined) {
      failed = true;
      return '';
    }
    return toCidr === undefined ? value : `${value}/${value.includes(':') ? 128 : 32}`;
  });
  return failed || out.includes('{{') ? undefined : out;
}

/**
 * `cilium connectivity test` rewrites `io.kubernetes.pod.namespace: cilium-test` in peer selectors (and in
 * a NetworkPolicy's selectors) to the real test namespace (check/policy.go, see topology.yaml).
 */
function rewriteTestNamespace(text: string, testNamespace: string): string {
  return text.replace(/(io\.kubernetes\.pod\.namespace["']?\s*:\s*["']?)cilium-test(["']?\s*$)/gm, `$1${testNamespace}$2`);
}

function loadTopology(): Topology {
  return parse(readText(new URL('_derived/topology.yaml', corpusDir(CONNECTIVITY)))) as Topology;
}

/** Pods of the topology (client3/echo-other-node included: the multi-node layout), plus a kube-dns pod. */
export function topologyPods(topology: Topology): TopologyPod[] {
  const nsLabels = new Map(topology.namespaces.map((n) => [n.name, n.labels]));
  const pods: TopologyPod[] = [];
  let ip = 10;
  for (const w of topology.workloads) {
    const namespaces = typeof w.namespace === 'string' ? [w.namespace] : w.namespace;
    for (const namespace of namespaces) {
      const namedPorts = Object.fromEntries((w.ports ?? []).map((p) => [p.name, { port: p.containerPort, protocol: p.protocol }]));
      const endpoint = podEndpoint({
        namespace,
        labels: w.podLabels,
        namespaceLabels: nsLabels.get(namespace) ?? {},
        ...(w.serviceAccount !== undefined ? { serviceAccount: w.serviceAccount } : {}),
        ip: `10.0.0.${ip++}`,
        namedPorts,
      });
      pods.push({
        name: namespaces.length > 1 ? `${w.name}@${namespace}` : w.name,
        namespace,
        podLabels: w.podLabels,
        node: w.node ?? 'node-A',
        hostNetwork: w.hostNetwork === true,
        endpoint,
      });
    }
  }
  return pods;
}

/** A host-network pod (or a node) as another endpoint on `fromNode` sees it: reserved:host on its own node, remote-node elsewhere. */
function nodeIdentity(node: string, seenFrom: string): Endpoint {
  return { labels: [node === seenFrom ? 'reserved:host' : 'reserved:remote-node'] };
}

const matchesLabels = (labels: Readonly<Record<string, string>>, want: Readonly<Record<string, string>> | undefined): boolean =>
  want === undefined || Object.entries(want).every(([k, v]) => labels[k] === v);

interface Party {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly endpoint: Endpoint;
}

/** The connections of one scenario (topology.yaml `scenarios`), narrowed by the test's src/dst filters. */
function scenarioConnections(
  scenario: string,
  filter: { src?: Record<string, string>; dst?: Record<string, string> },
  pods: readonly TopologyPod[],
  parameters: Readonly<Record<string, string>>,
): { from: Party; to: Party; connection: Connection }[] {
  const podParty = (p: TopologyPod): Party => ({ name: p.name, labels: p.podLabels, endpoint: p.endpoint });
  const clients = pods.filter((p) => p.podLabels.kind === 'client');
  const echoes = pods.filter((p) => p.podLabels.kind === 'echo');
  const out: { from: Party; to: Party; connection: Connection }[] = [];
  const add = (from: Party, to: Party, protocol: Connection['protocol'], port: number): void => {
    if (!matchesLabels(from.labels, filter.src) || !matchesLabels(to.labels, filter.dst)) return;
    out.push({ from, to, connection: { source: from.endpoint, destination: to.endpoint, protocol, port } });
  };
  const world = (ip: string, names?: readonly string[]): Party => ({ name: ip, labels: {}, endpoint: worldEndpoint(ip, names) });
  switch (scenario) {
    case 'pod-to-pod':
    case 'pod-to-pod-with-endpoints':
    // Policy applies after the Service/hostPort DNAT, on the echo pod's port (c.5).
    case 'pod-to-service':
    case 'pod-to-hostport':
      for (const c of clients) for (const e of echoes) add(podParty(c), podParty(e), 'TCP', 8080);
      break;
    case 'client-to-client':
      for (const a of clients)
        for (const b of clients)
          if (a !== b) {
            add(podParty(a), podParty(b), 'ICMPv4', 8);
            add(podParty(a), podParty(b), 'ICMPv6', 128);
          }
      break;
    case 'pod-to-cidr':
      for (const c of clients)
        for (const ip of ['ExternalIPv4', 'ExternalOtherIPv4', 'ExternalIPv6', 'ExternalOtherIPv6']) add(podParty(c), world(parameters[ip] ?? ''), 'TCP', 443);
      break;
    case 'pod-to-world': {
      // DNS resolution itself (to kube-dns) is not evaluated: only the HTTP(S) connection the test checks.
      const target = (parameters.ExternalTarget ?? '').replace(/\.$/, '');
      for (const c of clients)
        for (const port of [80, 443]) add(podParty(c), world(parameters.ExternalIPv4 ?? '', [target]), 'TCP', port);
      break;
    }
    case 'pod-to-host':
      for (const c of clients)
        for (const node of ['node-A', 'node-B']) {
          const to: Party = { name: node, labels: {}, endpoint: nodeIdentity(node, c.node) };
          add(podParty(c), to, 'ICMPv4', 8);
        }
      break;
    case 'host-to-pod':
      for (const h of pods.filter((p) => p.hostNetwork))
        for (const node of ['node-A', 'node-B'])
          for (const e of echoes) {
            const from: Party = { name: `${h.name}@${node}`, labels: h.podLabels, endpoint: nodeIdentity(node, e.node) };
            add(from, podParty(e), 'TCP', 8080);
          }
      break;
    case 'ccnp-client-to-client': {
      const ccnp = pods.filter((p) => p.podLabels.kind === 'ccnp');
      for (const a of ccnp) for (const b of ccnp) if (a !== b) add(podParty(a), podParty(b), 'ICMPv4', 8);
      break;
    }
    default:
      throw new Error(`cilium-connectivity: unknown scenario '${scenario}' (add it to scenarioConnections)`);
  }
  return out;
}

function whenHolds(when: When, from: Party, to: Party, conn: Connection): boolean {
  if (when.src !== undefined && !matchesLabels(from.labels, when.src)) return false;
  if (when.src_not !== undefined && matchesLabels(from.labels, when.src_not)) return false;
  if (when.dst !== undefined && !matchesLabels(to.labels, when.dst)) return false;
  if (when.dst_ip !== undefined && !when.dst_ip.includes(conn.destination.ip ?? '')) return false;
  if (when.dst_port !== undefined && conn.port !== when.dst_port) return false;
  return true;
}

/** Every test of expectations.yaml as a case (skipped ones carry their reason). */
export function loadConnectivityCases(): ConnectivityCase[] {
  const dir = corpusDir(CONNECTIVITY);
  const topology = loadTopology();
  const parameters = topology.parameters;
  const testNamespace = parameters.TestNamespace ?? 'cilium-test-1';
  const pods = topologyPods(topology);
  const doc = parse(readText(new URL('_derived/expectations.yaml', dir))) as { tests: ExpectationTest[] };
  return doc.tests.map((t): ConnectivityCase => {
    const skip = CONNECTIVITY_SKIPS[t.name];
    if (skip !== undefined) return { name: t.name, skip, policies: [], checks: [] };
    const policies: LoadedPolicy[] = [];
    for (const p of t.policies) {
      const raw = readText(new URL(`builder/manifests/${p.file}`, dir));
      const text = renderTemplate(raw, parameters);
      if (text === undefined) return { name: t.name, skip: `template ${p.file} needs values the topology does not give`, policies: [], checks: [] };
      policies.push(...loadPolicies(rewriteTestNamespace(text, testNamespace), `cilium-connectivity/builder/manifests/${p.file}`, testNamespace));
    }
    const checks: ConnectivityCheck[] = [];
    for (const s of t.scenarios) {
      const [scenario, filter] = typeof s === 'string' ? [s, {}] : (Object.entries(s)[0] as [string, { src?: Record<string, string>; dst?: Record<string, string> }]);
      for (const { from, to, connection } of scenarioConnections(scenario, filter, pods, parameters)) {
        const rule = (t.expect ?? []).find((e) => whenHolds(e.when, from, to, connection));
        const expected = rule?.verdict ?? t.otherwise?.verdict ?? 'allow';
        if (!(EXPECTED_VERDICTS as readonly string[]).includes(expected)) throw new Error(`${t.name}: unknown verdict '${expected}'`);
        checks.push({ scenario, from: from.name, to: to.name, connection, expected });
      }
    }
    return { name: t.name, policies, checks };
  });
}
