/**
 * @module policy/evaluate/conformance.case — the one conformance suite every evaluator runs (STYLE.md §6.6,
 * as Hono's router `common.case.test.ts`): `runConformance(name, compile)` defines vitest cases for
 * - every row of the transcribed case table (1–25) and every pitfall bullet of docs/cilium-semantics.md,
 *   plus a few cases for rules the table does not exercise;
 * - the shared corpora: cilium-connectivity, cilium-starwars, netpol-analyzer (connlist) and cyclonus.
 * Corpus tests skip with a message when ../shared is absent. Differences between Kubernetes and Cilium
 * that the corpora show are listed in the corpus loaders as explicit expected deviations with reasons.
 */
import { describe, expect, it } from 'vitest';
import type { LoadedPolicy, NetworkPolicySpec, Rule } from '../model/types.js';
import { CONNECTIVITY, loadConnectivityCases } from './corpora/cilium-connectivity.js';
import { CYCLONUS, loadCyclonusCases } from './corpora/cyclonus.js';
import { NETPOL_ANALYZER, compareConnlist, loadNetpolCases } from './corpora/netpol-analyzer.js';
import { describeConnection, describeVerdict, corpusMissing, verdictIs } from './corpora/shared.js';
import { STARWARS, loadStarwarsCases } from './corpora/cilium-starwars.js';
import type { CompileEvaluator, Connection, Decision, Endpoint, EvaluateOptions, Verdict } from './types.js';

// ---- building blocks --------------------------------------------------------------------------------------

const cnp = (name: string, spec: Rule, namespace = 'default'): LoadedPolicy => ({
  policy: { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec },
});
const ccnp = (name: string, spec: Rule): LoadedPolicy => ({
  policy: { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec },
});
const knp = (name: string, spec: NetworkPolicySpec, namespace = 'default'): LoadedPolicy => ({
  policy: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec },
});

/**
 * A pod as Cilium labels it: its labels, its namespace and — as every pod carries it — the cluster label
 * (`default` unless one is given). Without the cluster label a pod would not match 1.19's cluster-scoped
 * peer selectors (a.5); what an evaluator does with such an incomplete identity is not specified.
 */
const pod = (namespace: string, ...labels: string[]): Endpoint => ({
  labels: [
    ...labels,
    `k8s:io.kubernetes.pod.namespace=${namespace}`,
    ...(labels.some((l) => l.startsWith('k8s:io.cilium.k8s.policy.cluster=')) ? [] : ['k8s:io.cilium.k8s.policy.cluster=default']),
  ],
});

/** The fixtures of the transcribed table: A={id=a}, B={id1=b,id2=t}, C={id=t}, all in default (cluster default). */
const A = pod('default', 'k8s:id=a');
const B = pod('default', 'k8s:id1=b', 'k8s:id2=t');
const C: Endpoint = { ...pod('default', 'k8s:id=t'), namedPorts: { 'port-80': { port: 80, protocol: 'TCP' } } };
/** A pod in another namespace. */
const D = pod('other', 'k8s:id=d');
const world = (ip?: string, names?: readonly string[]): Endpoint => ({
  labels: ['reserved:world'],
  ...(ip !== undefined ? { ip } : {}),
  ...(names !== undefined ? { names } : {}),
});
const HOST: Endpoint = { labels: ['reserved:host'] };
const REMOTE_NODE: Endpoint = { labels: ['reserved:remote-node'] };
const HEALTH: Endpoint = { labels: ['reserved:health'] };
const INIT: Endpoint = { labels: ['reserved:init'] };

const tcp = (source: Endpoint, destination: Endpoint, port = 80): Connection => ({ source, destination, protocol: 'TCP', port });
const udp = (source: Endpoint, destination: Endpoint, port: number): Connection => ({ source, destination, protocol: 'UDP', port });
const icmp = (source: Endpoint, destination: Endpoint, type: number, v6 = false): Connection => ({
  source,
  destination,
  protocol: v6 ? 'ICMPv6' : 'ICMPv4',
  port: type,
});

const port = (p: string, protocol?: 'TCP' | 'UDP' | 'SCTP' | 'ANY', endPort?: number) => ({
  ports: [{ port: p, ...(protocol !== undefined ? { protocol } : {}), ...(endPort !== undefined ? { endPort } : {}) }],
});

/** What one connection must give. Unset fields are not checked. `by` entries are `name/section[index]`. */
interface Check {
  readonly what: string;
  readonly conn: Connection;
  readonly egress?: Decision;
  readonly ingress?: Decision;
  readonly allowed?: boolean;
  /** needsL7Check of the ingress (resp. egress) side. */
  readonly ingressL7?: boolean;
  readonly egressL7?: boolean;
  readonly ingressBy?: readonly string[];
  readonly egressBy?: readonly string[];
}

interface Case {
  readonly id: string;
  readonly title: string;
  readonly policies: readonly LoadedPolicy[];
  readonly options?: EvaluateOptions;
  readonly checks: readonly Check[];
}

const refText = (r: { name: string; section: string; index: number }): string => `${r.name}/${r.section}[${r.index}]`;

function checkVerdict(v: Verdict, c: Check): void {
  const where = `${c.what} (${describeConnection(c.conn)}): got ${describeVerdict(v)}`;
  if (c.egress !== undefined) expect(v.egress.decision, where).toBe(c.egress);
  if (c.ingress !== undefined) expect(v.ingress.decision, where).toBe(c.ingress);
  if (c.allowed !== undefined) expect(v.allowed, where).toBe(c.allowed);
  if (c.ingressL7 !== undefined) expect(v.ingress.needsL7Check === true, where).toBe(c.ingressL7);
  if (c.egressL7 !== undefined) expect(v.egress.needsL7Check === true, where).toBe(c.egressL7);
  if (c.ingressBy !== undefined) expect([...v.ingress.by.map(refText)].sort(), where).toEqual([...c.ingressBy].sort());
  if (c.egressBy !== undefined) expect([...v.egress.by.map(refText)].sort(), where).toEqual([...c.egressBy].sort());
  // The verdict is consistent with its directions whatever the case checks.
  const denied = (d: Decision): boolean => d === 'denied-default' || d === 'denied-rule';
  expect(v.allowed, where).toBe(!denied(v.egress.decision) && !denied(v.ingress.decision));
}

// ---- the transcribed table (cilium-semantics.md "Transcribed cases") -----------------------------------------

const denyAllIngress = cnp('deny-all-ingress', { endpointSelector: {}, ingress: [{}] });
const cFromAll = cnp('c-from-all', { endpointSelector: { matchLabels: { id: 't' } }, ingress: [{ fromEndpoints: [{}] }] });
const onA = (name: string, spec: Omit<Rule, 'endpointSelector'>, namespace = 'default'): LoadedPolicy =>
  cnp(name, { endpointSelector: { matchLabels: { id: 'a' } }, ...spec }, namespace);

export const TABLE_CASES: readonly Case[] = [
  {
    id: '1',
    title: 'ingress default-deny for all; C allows ingress from the L3 wildcard (no ports)',
    policies: [denyAllIngress, cFromAll],
    checks: [
      { what: 'A→C:80', conn: tcp(A, C, 80), ingress: 'allowed', egress: 'not-isolated', ingressBy: ['c-from-all/ingress[0]'] },
      { what: 'A→C:90', conn: tcp(A, C, 90), ingress: 'allowed' },
      { what: 'A→B:80', conn: tcp(A, B, 80), ingress: 'denied-default', allowed: false, ingressBy: [] },
    ],
  },
  {
    id: '2',
    title: 'as 1, plus a second C rule allowing only 80/TCP: an L4 rule does not narrow an L3-only allow (union)',
    policies: [denyAllIngress, cFromAll, cnp('c-80', { endpointSelector: { matchLabels: { id: 't' } }, ingress: [{ toPorts: [port('80', 'TCP')] }] })],
    checks: [
      { what: 'A→C:90', conn: tcp(A, C, 90), ingress: 'allowed', ingressBy: ['c-from-all/ingress[0]'] },
      { what: 'A→C:80', conn: tcp(A, C, 80), ingress: 'allowed', ingressBy: ['c-from-all/ingress[0]', 'c-80/ingress[0]'] },
    ],
  },
  {
    id: '3',
    title: 'C allows any peer on the named port port-80 (80 on the destination)',
    policies: [denyAllIngress, cnp('c-named', { endpointSelector: { matchLabels: { id: 't' } }, ingress: [{ toPorts: [port('port-80', 'TCP')] }] })],
    checks: [
      { what: 'A→C:80', conn: tcp(A, C, 80), ingress: 'allowed' },
      { what: 'A→C:90', conn: tcp(A, C, 90), ingress: 'denied-default' },
      { what: 'A→B:80', conn: tcp(A, B, 80), ingress: 'denied-default' },
    ],
  },
  {
    id: '4',
    title: 'C: ingress with L3 omitted and toPorts 80/TCP',
    policies: [denyAllIngress, cnp('c-l4', { endpointSelector: { matchLabels: { id: 't' } }, ingress: [{ toPorts: [port('80', 'TCP')] }] })],
    checks: [
      { what: 'A→C:80', conn: tcp(A, C, 80), ingress: 'allowed' },
      { what: 'A→C:90', conn: tcp(A, C, 90), ingress: 'denied-default' },
    ],
  },
  {
    id: '5',
    title: 'A: egress toEndpoints [{}] (all pods of the namespace)',
    policies: [onA('a-all', { egress: [{ toEndpoints: [{}] }] })],
    checks: [
      { what: 'A→B:80', conn: tcp(A, B, 80), egress: 'allowed', egressBy: ['a-all/egress[0]'] },
      { what: 'A→C:80', conn: tcp(A, C, 80), egress: 'allowed' },
      { what: 'A→C:90', conn: tcp(A, C, 90), egress: 'allowed' },
    ],
  },
  {
    id: '6',
    title: 'A: egress toPorts 80/TCP with no L3 (every peer)',
    policies: [onA('a-80', { egress: [{ toPorts: [port('80', 'TCP')] }] })],
    checks: [
      { what: 'A→B:80', conn: tcp(A, B, 80), egress: 'allowed' },
      { what: 'A→C:80', conn: tcp(A, C, 80), egress: 'allowed' },
      { what: 'A→C:90', conn: tcp(A, C, 90), egress: 'denied-default' },
      { what: 'A→world:80', conn: tcp(A, world('203.0.113.1'), 80), egress: 'allowed' },
    ],
  },
  {
    id: '7',
    title: 'A: toEntities [world] + 80/TCP',
    policies: [onA('a-world-80', { egress: [{ toEntities: ['world'], toPorts: [port('80', 'TCP')] }] })],
    checks: [
      { what: 'A→world:80', conn: tcp(A, world(), 80), egress: 'allowed' },
      { what: 'A→world:90', conn: tcp(A, world(), 90), egress: 'denied-default' },
      { what: 'A→C:80', conn: tcp(A, C, 80), egress: 'denied-default' },
      { what: 'A→C:90', conn: tcp(A, C, 90), egress: 'denied-default' },
    ],
  },
  {
    id: '8',
    title: 'A: toEntities [all] + 80/TCP',
    policies: [onA('a-all-80', { egress: [{ toEntities: ['all'], toPorts: [port('80', 'TCP')] }] })],
    checks: [
      { what: 'A→world:80', conn: tcp(A, world(), 80), egress: 'allowed' },
      { what: 'A→world:90', conn: tcp(A, world(), 90), egress: 'denied-default' },
      { what: 'A→C:80', conn: tcp(A, C, 80), egress: 'allowed' },
      { what: 'A→C:90', conn: tcp(A, C, 90), egress: 'denied-default' },
    ],
  },
  {
    id: '9',
    title: 'A: toEntities [world] (no ports)',
    policies: [onA('a-world', { egress: [{ toEntities: ['world'] }] })],
    checks: [
      { what: 'A→world:80', conn: tcp(A, world(), 80), egress: 'allowed' },
      { what: 'A→world:90', conn: tcp(A, world(), 90), egress: 'allowed' },
      { what: 'A→C:80', conn: tcp(A, C, 80), egress: 'denied-default' },
      { what: 'A→C:90', conn: tcp(A, C, 90), egress: 'denied-default' },
    ],
  },
  {
    id: '10',
    title: 'A: toEntities [all] (no ports)',
    policies: [onA('a-all', { egress: [{ toEntities: ['all'] }] })],
    checks: [
      { what: 'A→world:80', conn: tcp(A, world(), 80), egress: 'allowed' },
      { what: 'A→world:90', conn: tcp(A, world(), 90), egress: 'allowed' },
      { what: 'A→C:80', conn: tcp(A, C, 80), egress: 'allowed' },
      { what: 'A→C:90', conn: tcp(A, C, 90), egress: 'allowed' },
    ],
  },
  {
    id: '11',
    title: 'B: ingress fromEntities [all] + ingressDeny fromEndpoints [A]',
    policies: [
      cnp('b-deny-a', {
        endpointSelector: { matchLabels: { id1: 'b' } },
        ingress: [{ fromEntities: ['all'] }],
        ingressDeny: [{ fromEndpoints: [{ matchLabels: { id: 'a' } }] }],
      }),
    ],
    checks: [
      { what: 'A→B', conn: tcp(A, B), ingress: 'denied-rule', allowed: false, ingressBy: ['b-deny-a/ingressDeny[0]'] },
      { what: 'C→B', conn: tcp(C, B), ingress: 'allowed', ingressBy: ['b-deny-a/ingress[0]'] },
    ],
  },
  {
    id: '12',
    title: 'A: egress toEntities [all] + egressDeny toEndpoints [B]',
    policies: [onA('a-deny-b', { egress: [{ toEntities: ['all'] }], egressDeny: [{ toEndpoints: [{ matchLabels: { id1: 'b' } }] }] })],
    checks: [
      { what: 'A→B', conn: tcp(A, B), egress: 'denied-rule', egressBy: ['a-deny-b/egressDeny[0]'] },
      { what: 'A→C', conn: tcp(A, C), egress: 'allowed' },
      { what: 'A→world:80', conn: tcp(A, world('203.0.113.1'), 80), egress: 'allowed' },
    ],
  },
  {
    id: '13',
    title: 'allow-all ingress + deny world (in and out) + allow CIDR 192.0.2.3/32: the world deny covers the CIDR identity',
    policies: [
      onA('a-13', {
        ingress: [{ fromEntities: ['all'] }, { fromCIDR: ['192.0.2.3/32'] }],
        ingressDeny: [{ fromEntities: ['world'] }],
        egress: [{ toCIDR: ['192.0.2.3/32'] }],
        egressDeny: [{ toEntities: ['world'] }],
      }),
    ],
    checks: [
      { what: '192.0.2.3→A', conn: tcp(world('192.0.2.3'), A), ingress: 'denied-rule', ingressBy: ['a-13/ingressDeny[0]'] },
      { what: 'A→192.0.2.3', conn: tcp(A, world('192.0.2.3')), egress: 'denied-rule', egressBy: ['a-13/egressDeny[0]'] },
      { what: 'C→A (pods are not world)', conn: tcp(C, A), ingress: 'allowed' },
    ],
  },
  {
    id: '14',
    title: 'allow-all ingress + deny 192.0.2.0/24 + allow 192.0.2.3/32: a broader deny beats a narrower allow',
    policies: [onA('a-14', { ingress: [{ fromEntities: ['all'] }, { fromCIDR: ['192.0.2.3/32'] }], ingressDeny: [{ fromCIDR: ['192.0.2.0/24'] }] })],
    checks: [
      { what: '192.0.2.3→A', conn: tcp(world('192.0.2.3'), A), ingress: 'denied-rule' },
      { what: '198.51.100.1→A', conn: tcp(world('198.51.100.1'), A), ingress: 'allowed' },
    ],
  },
  {
    id: '15',
    title: 'allow-all ingress + deny 192.0.2.3/32 + allow 192.0.2.0/24',
    policies: [onA('a-15', { ingress: [{ fromEntities: ['all'] }, { fromCIDR: ['192.0.2.0/24'] }], ingressDeny: [{ fromCIDR: ['192.0.2.3/32'] }] })],
    checks: [
      { what: '192.0.2.3→A', conn: tcp(world('192.0.2.3'), A), ingress: 'denied-rule' },
      { what: '192.0.2.4→A', conn: tcp(world('192.0.2.4'), A), ingress: 'allowed', ingressBy: ['a-15/ingress[0]', 'a-15/ingress[1]'] },
    ],
  },
  ...defaultAllowCases(),
  ...enforcementCases(),
  {
    id: '18',
    title: 'A: egress toEndpoints [] (explicit empty) + 80/TCP allows nothing (empty list ≠ omitted)',
    policies: [onA('a-18', { egress: [{ toEndpoints: [], toPorts: [port('80', 'TCP')] }] })],
    checks: [
      { what: 'A→B:80', conn: tcp(A, B, 80), egress: 'denied-default' },
      { what: 'A→world:80', conn: tcp(A, world('203.0.113.1'), 80), egress: 'denied-default' },
    ],
  },
  ...l7DefaultAllowCases(),
  {
    id: '20',
    title: 'NetworkPolicy: A policyTypes [Ingress] and no rules; B ingress [{}]; C ingress [{from: []}]',
    policies: [
      knp('np-a', { podSelector: { matchLabels: { id: 'a' } }, policyTypes: ['Ingress'] }),
      knp('np-b', { podSelector: { matchLabels: { id1: 'b' } }, ingress: [{}] }),
      knp('np-c', { podSelector: { matchLabels: { id: 't' } }, ingress: [{ from: [] }] }),
    ],
    checks: [
      { what: 'A→B', conn: tcp(A, B), ingress: 'allowed', allowed: true, ingressBy: ['np-b/ingress[0]'] },
      { what: 'A→C', conn: tcp(A, C), ingress: 'allowed', allowed: true },
      { what: 'B→A', conn: tcp(B, A), ingress: 'denied-default', allowed: false },
      { what: 'world→B (an empty NetworkPolicy peer list includes world)', conn: tcp(world('203.0.113.1'), B), ingress: 'allowed' },
    ],
  },
  {
    id: '21',
    title: 'NetworkPolicy podSelector {} with no rules and no policyTypes: ingress-only deny-all',
    policies: [knp('deny-all', { podSelector: {} })],
    checks: [
      { what: 'A→B', conn: tcp(A, B), ingress: 'denied-default', egress: 'not-isolated' },
      { what: 'B→A', conn: tcp(B, A), ingress: 'denied-default' },
      { what: 'A→C', conn: tcp(A, C), ingress: 'denied-default' },
      { what: 'other-ns→A', conn: tcp(D, A), ingress: 'denied-default' },
      { what: 'A→other-ns', conn: tcp(A, D), egress: 'not-isolated', ingress: 'not-isolated', allowed: true },
    ],
  },
  {
    id: '22',
    title: 'NetworkPolicy egress port 8080 endPort 8090 with to: []',
    policies: [knp('a-range', { podSelector: { matchLabels: { id: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [], ports: [{ protocol: 'TCP', port: 8080, endPort: 8090 }] }] })],
    checks: [
      { what: 'A→B:8080', conn: tcp(A, B, 8080), egress: 'allowed' },
      { what: 'A→B:8085', conn: tcp(A, B, 8085), egress: 'allowed' },
      { what: 'A→B:8090', conn: tcp(A, B, 8090), egress: 'allowed' },
      { what: 'A→B:8091', conn: tcp(A, B, 8091), egress: 'denied-default' },
      { what: 'A→B:8080/UDP (protocol TCP only)', conn: udp(A, B, 8080), egress: 'denied-default' },
    ],
  },
  {
    id: '22 (1.15)',
    title: 'before 1.16 there is no endPort: the range is its first port',
    policies: [knp('a-range', { podSelector: { matchLabels: { id: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [], ports: [{ protocol: 'TCP', port: 8080, endPort: 8090 }] }] })],
    options: { ciliumVersion: '1.15' },
    checks: [
      { what: 'A→B:8080', conn: tcp(A, B, 8080), egress: 'allowed' },
      { what: 'A→B:8085', conn: tcp(A, B, 8085), egress: 'denied-default' },
    ],
  },
  ...fqdnPatternCases(),
  ...namespaceLabelCases(),
  {
    id: '25',
    title: 'CCNP fromEndpoints [{}] becomes io.kubernetes.pod.namespace Exists: every pod, nothing else',
    policies: [ccnp('a-from-all-pods', { endpointSelector: { matchLabels: { id: 'a' } }, ingress: [{ fromEndpoints: [{}] }] })],
    checks: [
      { what: 'other-ns pod→A', conn: tcp(D, A), ingress: 'allowed', ingressBy: ['a-from-all-pods/ingress[0]'] },
      { what: 'same-ns pod→A', conn: tcp(B, A), ingress: 'allowed' },
      { what: 'world→A', conn: tcp(world('203.0.113.1'), A), ingress: 'denied-default' },
      { what: 'remote-node→A', conn: tcp(REMOTE_NODE, A), ingress: 'denied-default' },
      { what: 'health→A', conn: tcp(HEALTH, A), ingress: 'denied-default' },
    ],
  },
  {
    id: '25 (init)',
    title: 'a CCNP whose subject selects reserved:init gets no namespace Exists on its peers',
    policies: [ccnp('init-from-all', { endpointSelector: { matchLabels: { 'reserved:init': '' } }, ingress: [{ fromEndpoints: [{}] }] })],
    options: { ciliumVersion: '1.18' },
    checks: [
      { what: 'world→init', conn: tcp(world('203.0.113.1'), INIT), ingress: 'allowed' },
      { what: 'host→init', conn: tcp(HOST, INIT), ingress: 'allowed' },
    ],
  },
];

/** Row 16 and b.3: enableDefaultDeny false in every selecting rule, with its version gates. */
function defaultAllowCases(): Case[] {
  const soft = onA('a-soft', { ingress: [{ fromEndpoints: [{ matchLabels: { id1: 'b' } }] }], enableDefaultDeny: { ingress: false } });
  const hard = onA('a-hard', { ingress: [{ fromEndpoints: [{ matchLabels: { id1: 'b' } }] }] });
  const softDeny = onA('a-soft-deny', { ingressDeny: [{ fromEndpoints: [{ matchLabels: { id: 't' } }] }], enableDefaultDeny: { ingress: false } });
  return [
    {
      id: '16',
      title: 'only rules with enableDefaultDeny.ingress=false: policy-enabled, wildcard allow synthesized, traffic passes',
      policies: [soft],
      checks: [
        { what: 'C→A (only the synthesized wildcard)', conn: tcp(C, A), ingress: 'not-isolated', allowed: true, ingressBy: [] },
        { what: 'B→A (a written allow matches)', conn: tcp(B, A), ingress: 'allowed', allowed: true, ingressBy: ['a-soft/ingress[0]'] },
      ],
    },
    {
      id: '16 (+default deny)',
      title: 'adding one default-deny rule removes the wildcard: default deny wins',
      policies: [soft, hard],
      checks: [
        { what: 'C→A', conn: tcp(C, A), ingress: 'denied-default' },
        { what: 'B→A', conn: tcp(B, A), ingress: 'allowed', ingressBy: ['a-soft/ingress[0]', 'a-hard/ingress[0]'] },
      ],
    },
    {
      id: '16 (deny)',
      title: 'in a default-allow direction only the deny rules have an effect (b.3)',
      policies: [softDeny],
      checks: [
        { what: 'C→A', conn: tcp(C, A), ingress: 'denied-rule', ingressBy: ['a-soft-deny/ingressDeny[0]'] },
        { what: 'B→A', conn: tcp(B, A), ingress: 'not-isolated', ingressBy: [] },
      ],
    },
    {
      id: '16 (1.15)',
      title: 'before 1.16 enableDefaultDeny does not exist: the rule is default-deny',
      policies: [soft],
      options: { ciliumVersion: '1.15' },
      checks: [{ what: 'C→A', conn: tcp(C, A), ingress: 'denied-default' }],
    },
    {
      id: '16 (1.16)',
      title: 'in 1.16 enableDefaultDeny is honoured without any flag',
      policies: [soft],
      options: { ciliumVersion: '1.16', enableNonDefaultDenyPolicies: false },
      checks: [{ what: 'C→A', conn: tcp(C, A), ingress: 'not-isolated' }],
    },
    {
      id: '16 (1.17, flag off)',
      title: 'from 1.17, enable-non-default-deny-policies=false forces default deny',
      policies: [soft],
      options: { ciliumVersion: '1.17', enableNonDefaultDenyPolicies: false },
      checks: [
        { what: 'C→A', conn: tcp(C, A), ingress: 'denied-default' },
        { what: 'B→A', conn: tcp(B, A), ingress: 'allowed' },
      ],
    },
  ];
}

/** Row 17: enforcement modes, per-direction enablement, reserved:init. */
function enforcementCases(): Case[] {
  const fooIngress = onA('foo-ingress', { ingress: [{ fromEndpoints: [{ matchLabels: { id: 't' } }] }] });
  return [
    {
      id: '17a',
      title: 'no rules: neither direction enforced',
      policies: [],
      checks: [{ what: 'A→B', conn: tcp(A, B), egress: 'not-isolated', ingress: 'not-isolated', allowed: true }],
    },
    {
      id: '17b',
      title: 'one ingress rule selecting A: A ingress enforced, A egress not',
      policies: [fooIngress],
      checks: [
        { what: 'B→A', conn: tcp(B, A), ingress: 'denied-default', egress: 'not-isolated' },
        { what: 'C→A', conn: tcp(C, A), ingress: 'allowed' },
        { what: 'A→B', conn: tcp(A, B), egress: 'not-isolated', ingress: 'not-isolated' },
      ],
    },
    {
      id: '17c',
      title: 'policyEnforcementMode always: both directions default-deny with no rules',
      policies: [],
      options: { policyEnforcementMode: 'always' },
      checks: [
        { what: 'A→B', conn: tcp(A, B), egress: 'denied-default', ingress: 'denied-default', allowed: false },
        { what: 'world→A', conn: tcp(world('203.0.113.1'), A), egress: 'not-isolated', ingress: 'denied-default' },
      ],
    },
    {
      id: '17c (+rule)',
      title: 'policyEnforcementMode always with an allow rule',
      policies: [fooIngress],
      options: { policyEnforcementMode: 'always' },
      checks: [{ what: 'C→A', conn: tcp(C, A), egress: 'denied-default', ingress: 'allowed' }],
    },
    {
      id: '17d',
      title: 'policyEnforcementMode never: nothing enforced even with rules',
      policies: [fooIngress, onA('a-deny', { egressDeny: [{ toEntities: ['all'] }] })],
      options: { policyEnforcementMode: 'never' },
      checks: [
        { what: 'B→A', conn: tcp(B, A), ingress: 'not-isolated', allowed: true },
        { what: 'A→B', conn: tcp(A, B), egress: 'not-isolated', allowed: true },
      ],
    },
    {
      id: '17e',
      title: 'reserved:init is default-deny both ways in default mode',
      policies: [],
      checks: [
        { what: 'init→A', conn: tcp(INIT, A), egress: 'denied-default', ingress: 'not-isolated' },
        { what: 'A→init', conn: tcp(A, INIT), egress: 'not-isolated', ingress: 'denied-default' },
      ],
    },
    {
      id: '17e (never)',
      title: 'policyEnforcementMode never also covers reserved:init',
      policies: [],
      options: { policyEnforcementMode: 'never' },
      checks: [{ what: 'init→A', conn: tcp(INIT, A), egress: 'not-isolated', allowed: true }],
    },
  ];
}

/** Row 19, b.3 and the L7 pitfall: L7 rules in default-deny and default-allow directions, by version. */
function l7DefaultAllowCases(): Case[] {
  const http = { ports: [{ port: '80', protocol: 'TCP' as const }], rules: { http: [{ method: 'GET', path: '/api' }] } };
  const l7 = (enableDefaultDeny?: { ingress: boolean }): LoadedPolicy =>
    cnp('c-http', { endpointSelector: { matchLabels: { id: 't' } }, ingress: [{ toPorts: [http] }], ...(enableDefaultDeny ? { enableDefaultDeny } : {}) });
  return [
    {
      id: '19 (default deny)',
      title: 'HTTP GET /api on 80 in a default-deny direction: allowed at L4, the proxy decides (no L7 wildcard)',
      policies: [l7()],
      checks: [
        { what: 'A→C:80', conn: tcp(A, C, 80), ingress: 'allowed', ingressL7: true, ingressBy: ['c-http/ingress[0]'] },
        { what: 'A→C:81', conn: tcp(A, C, 81), ingress: 'denied-default' },
      ],
    },
    {
      id: '19 (default allow, 1.19)',
      title: 'with enableDefaultDeny.ingress=false an HTTP allow-all wildcard is added (1.18+): allowed by the rule, not restricted at L7',
      policies: [l7({ ingress: false })],
      checks: [
        { what: 'A→C:80', conn: tcp(A, C, 80), ingress: 'allowed', ingressL7: false, ingressBy: ['c-http/ingress[0]'] },
        { what: 'A→C:81', conn: tcp(A, C, 81), ingress: 'not-isolated' },
      ],
    },
    {
      id: '19 (default allow, 1.17)',
      title: 'before 1.18 there is no L7 wildcard: the L7 rule still restricts its port',
      policies: [l7({ ingress: false })],
      options: { ciliumVersion: '1.17' },
      checks: [
        { what: 'A→C:80', conn: tcp(A, C, 80), ingress: 'allowed', ingressL7: true, allowed: true },
        { what: 'A→C:81', conn: tcp(A, C, 81), ingress: 'not-isolated', ingressL7: false },
      ],
    },
    {
      id: 'd.3 (shadowed)',
      title: 'an L4 allow without L7 on the same port shadows the L7 restriction',
      policies: [l7(), cnp('c-80', { endpointSelector: { matchLabels: { id: 't' } }, ingress: [{ toPorts: [port('80', 'TCP')] }] })],
      checks: [{ what: 'A→C:80', conn: tcp(A, C, 80), ingress: 'allowed', ingressL7: false, ingressBy: ['c-http/ingress[0]', 'c-80/ingress[0]'] }],
    },
  ];
}

/** Row 23 and c.4: matchPattern / matchName semantics through toFQDNs, with the 1.19 `**.` change. */
function fqdnPatternCases(): Case[] {
  const fqdn = (name: string, sel: { matchPattern?: string; matchName?: string }): LoadedPolicy => onA(name, { egress: [{ toFQDNs: [sel] }] });
  const to = (n: string): Connection => tcp(A, world('198.51.100.7', [n]), 443);
  return [
    {
      id: '23 (*.)',
      title: '*.cilium.io matches one label below cilium.io',
      policies: [fqdn('star', { matchPattern: '*.cilium.io.' })],
      checks: [
        { what: 'anysub.cilium.io', conn: to('anysub.cilium.io'), egress: 'allowed' },
        { what: 'cilium.io', conn: to('cilium.io'), egress: 'denied-default' },
        { what: 'a.b.cilium.io', conn: to('a.b.cilium.io'), egress: 'denied-default' },
        { what: 'a pod with that name is not an FQDN target', conn: tcp(A, { ...B, names: ['x.cilium.io'] }, 443), egress: 'denied-default' },
      ],
    },
    {
      id: '23 (**.)',
      title: '**.cilium.io matches one or more labels from 1.19',
      policies: [fqdn('double', { matchPattern: '**.cilium.io.' })],
      checks: [
        { what: 'test.app.cilium.io', conn: to('test.app.cilium.io'), egress: 'allowed' },
        { what: 'sub.cilium.io', conn: to('sub.cilium.io'), egress: 'allowed' },
        { what: 'cilium.io', conn: to('cilium.io'), egress: 'denied-default' },
      ],
    },
    {
      id: '23 (**. before 1.19)',
      title: 'before 1.19 ** is two single-label stars',
      policies: [fqdn('double', { matchPattern: '**.cilium.io.' })],
      options: { ciliumVersion: '1.18' },
      checks: [
        { what: 'test.app.cilium.io', conn: to('test.app.cilium.io'), egress: 'denied-default' },
        { what: 'sub.cilium.io', conn: to('sub.cilium.io'), egress: 'allowed' },
      ],
    },
    {
      id: '23 (*)',
      title: 'a lone * matches every valid name',
      policies: [fqdn('any', { matchPattern: '*' })],
      checks: [
        { what: 'cilium.io', conn: to('cilium.io'), egress: 'allowed' },
        { what: '.cilium.io (not a valid name)', conn: to('.cilium.io'), egress: 'denied-default' },
      ],
    },
    {
      id: '23 (infix *)',
      title: '*cilium.io matches subcilium.io, not www.cilium.io; matchName is exact and case-insensitive',
      policies: [fqdn('infix', { matchPattern: '*cilium.io' }), fqdn('exact', { matchName: 'API.example.com' })],
      checks: [
        { what: 'subcilium.io', conn: to('subcilium.io'), egress: 'allowed' },
        { what: 'www.cilium.io', conn: to('www.cilium.io'), egress: 'denied-default' },
        { what: 'api.example.com', conn: to('api.example.com'), egress: 'allowed', egressBy: ['exact/egress[0]'] },
        { what: 'www.api.example.com', conn: to('www.api.example.com'), egress: 'denied-default' },
      ],
    },
  ];
}

/** Row 24 and the namespace-label pitfall (a.5). */
function namespaceLabelCases(): Case[] {
  const teamA = (key: string): LoadedPolicy => onA('a-from-team-a', { ingress: [{ fromEndpoints: [{ matchLabels: { [key]: 'team-a' } }] }] });
  const inTeamA = pod('other', 'k8s:id=e', 'k8s:io.cilium.k8s.namespace.labels.team=team-a');
  const notTeamA = pod('other', 'k8s:id=f', 'k8s:io.cilium.k8s.namespace.labels.team=team-b');
  const localTeamA = pod('default', 'k8s:id=g', 'k8s:io.cilium.k8s.namespace.labels.team=team-a');
  return [
    {
      id: '24',
      title: 'CNP fromEndpoints on a namespace label (unprefixed, source any): no namespace pin, any namespace',
      policies: [teamA('io.cilium.k8s.namespace.labels.team')],
      checks: [
        { what: 'team-a pod in another namespace→A', conn: tcp(inTeamA, A), ingress: 'allowed' },
        { what: 'team-a pod in the policy namespace→A', conn: tcp(localTeamA, A), ingress: 'allowed' },
        { what: 'team-b pod→A', conn: tcp(notTeamA, A), ingress: 'denied-default' },
      ],
    },
    {
      id: '24 (k8s:)',
      title: 'the same with the k8s: prefix',
      policies: [teamA('k8s:io.cilium.k8s.namespace.labels.team')],
      checks: [{ what: 'team-a pod in another namespace→A', conn: tcp(inTeamA, A), ingress: 'allowed' }],
    },
    {
      id: '24 (1.15)',
      title: 'before 1.16 the namespace pin is still added',
      policies: [teamA('io.cilium.k8s.namespace.labels.team')],
      options: { ciliumVersion: '1.15' },
      checks: [
        { what: 'team-a pod in another namespace→A', conn: tcp(inTeamA, A), ingress: 'denied-default' },
        { what: 'team-a pod in the policy namespace→A', conn: tcp(localTeamA, A), ingress: 'allowed' },
      ],
    },
  ];
}

// ---- pitfall bullets ("Doc/code discrepancies and pitfalls worth encoding") ------------------------------------

export const PITFALL_CASES: readonly Case[] = [
  {
    id: 'pitfall 1',
    title: 'docs say namespace-label selectors are ignored in CNP; the code honours them and drops the namespace pin',
    policies: [onA('ns-label', { ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: 'io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name', operator: 'In', values: ['other'] }] }] }] })],
    checks: [
      { what: 'pod in namespace other→A', conn: tcp(pod('other', 'k8s:id=d', 'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=other'), A), ingress: 'allowed' },
      { what: 'pod in default→A', conn: tcp(pod('default', 'k8s:id=x', 'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=default'), A), ingress: 'denied-default' },
    ],
  },
  {
    id: 'pitfall 2',
    title: 'CNP fromEndpoints [{}] is all pods of the policy namespace, not "allow all ingress"',
    policies: [onA('from-all', { ingress: [{ fromEndpoints: [{}] }] })],
    checks: [
      { what: 'same-namespace pod→A', conn: tcp(B, A), ingress: 'allowed' },
      { what: 'other-namespace pod→A', conn: tcp(D, A), ingress: 'denied-default' },
      { what: 'world→A', conn: tcp(world('203.0.113.1'), A), ingress: 'denied-default' },
      { what: 'remote-node→A', conn: tcp(REMOTE_NODE, A), ingress: 'denied-default' },
    ],
  },
  {
    id: 'pitfall 3',
    title: 'docs say enableDefaultDeny does not cover L7; since 1.18 default-allow directions get an L7 wildcard',
    policies: [
      onA('a-l7-soft', {
        ingress: [{ fromEndpoints: [{ matchLabels: { id: 't' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
        enableDefaultDeny: { ingress: false },
      }),
    ],
    checks: [
      { what: 'C→A:8080 (named peer)', conn: tcp(C, A, 8080), ingress: 'allowed', ingressL7: false },
      { what: 'B→A:8080 (other peer)', conn: tcp(B, A, 8080), ingress: 'not-isolated', ingressL7: false },
    ],
  },
  {
    id: 'pitfall 3 (1.17)',
    title: 'the same before 1.18: the named peer meets the L7 rules, other peers do not',
    policies: [
      onA('a-l7-soft', {
        ingress: [{ fromEndpoints: [{ matchLabels: { id: 't' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
        enableDefaultDeny: { ingress: false },
      }),
    ],
    options: { ciliumVersion: '1.17' },
    checks: [
      { what: 'C→A:8080 (named peer)', conn: tcp(C, A, 8080), ingress: 'allowed', ingressL7: true },
      { what: 'B→A:8080 (other peer)', conn: tcp(B, A, 8080), ingress: 'not-isolated', ingressL7: false },
    ],
  },
  {
    id: 'pitfall 4',
    title: 'world-ipv4/world-ipv6 identities (dual stack) are world: toEntities world and the /0 of their family',
    policies: [onA('a-world', { egress: [{ toEntities: ['world'], toPorts: [port('443', 'TCP')] }, { toCIDR: ['0.0.0.0/0'], toPorts: [port('80', 'TCP')] }] })],
    checks: [
      { what: 'A→world-ipv4:443', conn: tcp(A, { labels: ['reserved:world-ipv4'], ip: '203.0.113.9' }, 443), egress: 'allowed' },
      { what: 'A→world-ipv6:443', conn: tcp(A, { labels: ['reserved:world-ipv6'], ip: '2001:db8::9' }, 443), egress: 'allowed' },
      { what: 'A→world-ipv4:80 via 0.0.0.0/0', conn: tcp(A, { labels: ['reserved:world-ipv4'], ip: '203.0.113.9' }, 80), egress: 'allowed' },
      { what: 'A→world-ipv6:80 not via 0.0.0.0/0', conn: tcp(A, { labels: ['reserved:world-ipv6'], ip: '2001:db8::9' }, 80), egress: 'denied-default' },
    ],
  },
  {
    id: 'pitfall 5',
    title: 'an observation-only policy (enableDefaultDeny false + [{}]) selects the endpoints and lets everything through',
    policies: [cnp('observe', { endpointSelector: {}, ingress: [{}], egress: [{}], enableDefaultDeny: { ingress: false, egress: false } })],
    checks: [
      { what: 'A→B', conn: tcp(A, B), egress: 'not-isolated', ingress: 'not-isolated', allowed: true },
      { what: 'world→A', conn: tcp(world('203.0.113.1'), A), ingress: 'not-isolated', allowed: true },
    ],
  },
];

// ---- rules the table does not exercise ------------------------------------------------------------------------

export const SECTION_CASES: readonly Case[] = [
  {
    id: 'b.2',
    title: 'a deny-only rule (egressDeny, no egress) turns on egress default deny',
    policies: [onA('deny-only', { egressDeny: [{ toEntities: ['world'] }] })],
    checks: [
      { what: 'A→world', conn: tcp(A, world('203.0.113.1')), egress: 'denied-rule' },
      { what: 'A→B', conn: tcp(A, B), egress: 'denied-default' },
    ],
  },
  {
    id: 'b.2 (empty list)',
    title: 'ingress: [] contributes nothing; a rule with only an empty list enables nothing',
    policies: [onA('empty', { ingress: [], egress: [{ toEntities: ['all'] }] })],
    checks: [{ what: 'B→A', conn: tcp(B, A), ingress: 'not-isolated' }],
  },
  {
    id: 'b.6 (policyTypes)',
    title: 'NetworkPolicy policyTypes [Egress] with no egress rules: egress deny-all, ingress untouched',
    policies: [knp('egress-deny', { podSelector: { matchLabels: { id: 'a' } }, policyTypes: ['Egress'] })],
    checks: [
      { what: 'A→B', conn: tcp(A, B), egress: 'denied-default' },
      { what: 'B→A', conn: tcp(B, A), ingress: 'not-isolated' },
    ],
  },
  {
    id: 'b.6 (peers)',
    title: 'NetworkPolicy peers: namespaceSelector {} is every namespace, podSelector alone is the policy namespace, ipBlock is world',
    policies: [
      knp('np-peers', {
        podSelector: { matchLabels: { id: 'a' } },
        ingress: [
          { from: [{ namespaceSelector: {} }], ports: [{ port: 80 }] },
          { from: [{ podSelector: { matchLabels: { id: 'd' } } }], ports: [{ port: 81 }] },
          { from: [{ ipBlock: { cidr: '192.0.2.0/24', except: ['192.0.2.128/25'] } }], ports: [{ port: 82, protocol: 'UDP' }] },
        ],
      }),
    ],
    checks: [
      { what: 'other-ns pod→A:80', conn: tcp(D, A, 80), ingress: 'allowed', ingressBy: ['np-peers/ingress[0]'] },
      { what: 'world→A:80', conn: tcp(world('203.0.113.1'), A, 80), ingress: 'denied-default' },
      { what: 'other-ns id=d→A:81 (pinned to default)', conn: tcp(D, A, 81), ingress: 'denied-default' },
      { what: 'same-ns id=d→A:81', conn: tcp(pod('default', 'k8s:id=d'), A, 81), ingress: 'allowed' },
      { what: '192.0.2.1→A:82/UDP', conn: udp(world('192.0.2.1'), A, 82), ingress: 'allowed' },
      { what: '192.0.2.200→A:82/UDP (except)', conn: udp(world('192.0.2.200'), A, 82), ingress: 'denied-default' },
      { what: '192.0.2.1→A:82/TCP', conn: tcp(world('192.0.2.1'), A, 82), ingress: 'denied-default' },
    ],
  },
  {
    id: 'b.6 (union)',
    title: 'NetworkPolicy and CNP allows are a union; a CNP deny still wins over a NetworkPolicy allow',
    policies: [
      knp('np-80', { podSelector: { matchLabels: { id: 'a' } }, ingress: [{ ports: [{ port: 80 }] }] }),
      onA('cnp-81', { ingress: [{ toPorts: [port('81', 'TCP')] }], ingressDeny: [{ fromEndpoints: [{ matchLabels: { id: 't' } }], toPorts: [port('80', 'TCP')] }] }),
    ],
    checks: [
      { what: 'B→A:80', conn: tcp(B, A, 80), ingress: 'allowed', ingressBy: ['np-80/ingress[0]'] },
      { what: 'B→A:81', conn: tcp(B, A, 81), ingress: 'allowed', ingressBy: ['cnp-81/ingress[0]'] },
      { what: 'C→A:80 (denied)', conn: tcp(C, A, 80), ingress: 'denied-rule' },
      { what: 'B→A:82', conn: tcp(B, A, 82), ingress: 'denied-default' },
    ],
  },
  {
    id: 'b.7 (localhost)',
    title: 'localhost → local pods is always allowed; an explicit deny still wins',
    policies: [onA('a-nothing', { ingress: [{}] }), cnp('b-deny-host', { endpointSelector: { matchLabels: { id1: 'b' } }, ingressDeny: [{ fromEntities: ['host'] }] })],
    checks: [
      { what: 'host→A', conn: tcp(HOST, A), ingress: 'allowed', allowed: true },
      { what: 'remote-node→A', conn: tcp(REMOTE_NODE, A), ingress: 'denied-default' },
      { what: 'host→B', conn: tcp(HOST, B), ingress: 'denied-rule' },
    ],
  },
  {
    id: 'a.2 (sources)',
    title: 'an unprefixed key matches any source; a k8s: key only k8s labels',
    policies: [
      onA('sources', {
        ingress: [
          { fromEndpoints: [{ matchLabels: { 'k8s:role': 'db' } }], toPorts: [port('80', 'TCP')] },
          { fromEndpoints: [{ matchLabels: { role: 'db' } }], toPorts: [port('81', 'TCP')] },
        ],
      }),
    ],
    checks: [
      { what: 'k8s:role=db→A:80', conn: tcp(pod('default', 'k8s:role=db'), A, 80), ingress: 'allowed' },
      { what: 'container:role=db→A:80', conn: tcp(pod('default', 'container:role=db'), A, 80), ingress: 'denied-default' },
      { what: 'container:role=db→A:81', conn: tcp(pod('default', 'container:role=db'), A, 81), ingress: 'allowed' },
    ],
  },
  {
    id: 'a.1 (expressions)',
    title: 'matchLabels and matchExpressions are ANDed; list entries are ORed',
    policies: [
      onA('exprs', {
        ingress: [
          {
            fromEndpoints: [
              { matchLabels: { tier: 'web' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] },
              { matchExpressions: [{ key: 'debug', operator: 'Exists' }] },
            ],
          },
        ],
      }),
    ],
    checks: [
      { what: 'web, env=prod', conn: tcp(pod('default', 'k8s:tier=web', 'k8s:env=prod'), A), ingress: 'allowed' },
      { what: 'web, no env', conn: tcp(pod('default', 'k8s:tier=web'), A), ingress: 'allowed' },
      { what: 'web, env=dev', conn: tcp(pod('default', 'k8s:tier=web', 'k8s:env=dev'), A), ingress: 'denied-default' },
      { what: 'debug', conn: tcp(pod('default', 'k8s:debug=1'), A), ingress: 'allowed' },
    ],
  },
  {
    id: 'a.4 (subject pin, k8s:)',
    title: 'a CNP subject is pinned to the policy namespace; a foreign k8s:io.kubernetes.pod.namespace match is overwritten (the "illegal namespace match")',
    policies: [cnp('pinned', { endpointSelector: { matchLabels: { id: 'd', 'k8s:io.kubernetes.pod.namespace': 'other' } }, ingress: [{}] })],
    checks: [
      { what: 'A→D in other (not selected)', conn: tcp(A, D), ingress: 'not-isolated' },
      { what: 'A→id=d in default (selected)', conn: tcp(A, pod('default', 'k8s:id=d')), ingress: 'denied-default' },
    ],
  },
  {
    id: 'a.4 (subject pin, expressions)',
    title: 'a CNP subject written with matchExpressions only is pinned to the policy namespace as well',
    policies: [cnp('exprs', { endpointSelector: { matchExpressions: [{ key: 'id', operator: 'In', values: ['d'] }] }, ingress: [{}] })],
    checks: [
      { what: 'A→D in other (not selected)', conn: tcp(A, D), ingress: 'not-isolated' },
      { what: 'A→id=d in default (selected)', conn: tcp(A, pod('default', 'k8s:id=d')), ingress: 'denied-default' },
    ],
  },
  {
    id: 'a.4 (subject pin, any)',
    title: 'an unprefixed (any:) foreign namespace match stays and is ANDed with the pin: the subject selects nothing',
    policies: [cnp('pinned', { endpointSelector: { matchLabels: { id: 'd', 'io.kubernetes.pod.namespace': 'other' } }, ingress: [{}] })],
    checks: [
      { what: 'A→D in other', conn: tcp(A, D), ingress: 'not-isolated' },
      { what: 'A→id=d in default', conn: tcp(A, pod('default', 'k8s:id=d')), ingress: 'not-isolated' },
    ],
  },
  {
    id: 'a.5 (1.19 cluster)',
    title: 'from 1.19 peer selectors are limited to the local cluster unless they name io.cilium.k8s.policy.cluster',
    policies: [
      onA('local-only', { ingress: [{ fromEndpoints: [{}], toPorts: [port('80', 'TCP')] }, { fromEndpoints: [{ matchExpressions: [{ key: 'io.cilium.k8s.policy.cluster', operator: 'Exists' }] }], toPorts: [port('81', 'TCP')] }] }),
    ],
    checks: [
      { what: 'remote-cluster pod→A:80', conn: tcp(pod('default', 'k8s:id=r', 'k8s:io.cilium.k8s.policy.cluster=cluster2'), A, 80), ingress: 'denied-default' },
      { what: 'local pod→A:80', conn: tcp(pod('default', 'k8s:id=l', 'k8s:io.cilium.k8s.policy.cluster=default'), A, 80), ingress: 'allowed' },
      { what: 'remote-cluster pod→A:81 (names the key)', conn: tcp(pod('default', 'k8s:id=r', 'k8s:io.cilium.k8s.policy.cluster=cluster2'), A, 81), ingress: 'allowed' },
    ],
  },
  {
    id: 'a.5 (1.18 cluster)',
    title: 'before 1.19 no cluster filter is added',
    policies: [onA('local-only', { ingress: [{ fromEndpoints: [{}] }] })],
    options: { ciliumVersion: '1.18' },
    checks: [{ what: 'remote-cluster pod→A', conn: tcp(pod('default', 'k8s:id=r', 'k8s:io.cilium.k8s.policy.cluster=cluster2'), A), ingress: 'allowed' }],
  },
  {
    id: 'c.2 (entities)',
    title: 'cluster is every in-cluster identity; world is not; host/remote-node/health are their own',
    policies: [onA('entities', { egress: [{ toEntities: ['cluster'], toPorts: [port('80', 'TCP')] }, { toEntities: ['host', 'remote-node'], toPorts: [port('81', 'TCP')] }, { toEntities: ['none'] }] })],
    checks: [
      { what: 'A→other-ns pod:80', conn: tcp(A, D, 80), egress: 'allowed' },
      { what: 'A→host:80', conn: tcp(A, HOST, 80), egress: 'allowed' },
      { what: 'A→health:80', conn: tcp(A, HEALTH, 80), egress: 'allowed' },
      { what: 'A→world:80', conn: tcp(A, world('203.0.113.1'), 80), egress: 'denied-default' },
      { what: 'A→remote-node:81', conn: tcp(A, REMOTE_NODE, 81), egress: 'allowed' },
      { what: 'A→D:81', conn: tcp(A, D, 81), egress: 'denied-default' },
    ],
  },
  {
    id: 'c.3 (cidr)',
    title: 'CIDR rules match only world identities: never a pod, even one whose IP is in the range',
    policies: [onA('cidr', { egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }] }, { toCIDR: ['2001:db8::/32'] }] })],
    checks: [
      { what: 'A→pod 10.0.0.5', conn: tcp(A, { ...B, ip: '10.0.0.5' }), egress: 'denied-default' },
      { what: 'A→world 10.0.0.5', conn: tcp(A, world('10.0.0.5')), egress: 'allowed' },
      { what: 'A→world 10.1.2.3 (except)', conn: tcp(A, world('10.1.2.3')), egress: 'denied-default' },
      { what: 'A→world 2001:db8::1', conn: tcp(A, world('2001:db8::1')), egress: 'allowed' },
      { what: 'A→world 2001:db9::1', conn: tcp(A, world('2001:db9::1')), egress: 'denied-default' },
      { what: 'A→host 10.0.0.1', conn: tcp(A, { ...HOST, ip: '10.0.0.1' }), egress: 'denied-default' },
    ],
  },
  {
    id: 'c.8 (icmp)',
    title: 'icmps allow ICMP types (numbers or names, family IPv4 by default); L4 ports never allow ICMP',
    policies: [
      onA('icmp', {
        ingress: [
          { fromEndpoints: [{}], icmps: [{ fields: [{ type: 8 }, { family: 'IPv6', type: 'EchoRequest' }] }] },
          { fromEndpoints: [{}], toPorts: [port('0', 'ANY')] },
        ],
      }),
    ],
    checks: [
      { what: 'B→A echo v4', conn: icmp(B, A, 8), ingress: 'allowed', ingressBy: ['icmp/ingress[0]'] },
      { what: 'B→A echo v6', conn: icmp(B, A, 128, true), ingress: 'allowed' },
      { what: 'B→A timestamp v4', conn: icmp(B, A, 13), ingress: 'denied-default' },
      { what: 'B→A 443/TCP via port 0 ANY', conn: tcp(B, A, 443), ingress: 'allowed', ingressBy: ['icmp/ingress[1]'] },
      { what: 'B→A 53/UDP via port 0 ANY', conn: udp(B, A, 53), ingress: 'allowed' },
    ],
  },
  {
    id: 'd.1/d.2 (ports)',
    title: 'toPorts: [{}] allows nothing; endPort ranges; named ports resolve on the destination; ANY is TCP+UDP+SCTP',
    policies: [
      onA('ports', {
        egress: [
          { toEndpoints: [{}], toPorts: [{}] },
          { toEndpoints: [{}], toPorts: [port('9000', 'TCP', 9010)] },
          { toEndpoints: [{}], toPorts: [port('port-80', 'TCP')] },
          { toEndpoints: [{}], toPorts: [port('53')] },
        ],
      }),
    ],
    checks: [
      { what: 'A→B:1234', conn: tcp(A, B, 1234), egress: 'denied-default' },
      { what: 'A→B:9005', conn: tcp(A, B, 9005), egress: 'allowed', egressBy: ['ports/egress[1]'] },
      { what: 'A→B:9011', conn: tcp(A, B, 9011), egress: 'denied-default' },
      { what: 'A→C:80 (C names port-80)', conn: tcp(A, C, 80), egress: 'allowed', egressBy: ['ports/egress[2]'] },
      { what: 'A→B:80 (B has no port-80)', conn: tcp(A, B, 80), egress: 'denied-default' },
      { what: 'A→B:53/UDP', conn: udp(A, B, 53), egress: 'allowed' },
      { what: 'A→B:53/SCTP', conn: { source: A, destination: B, protocol: 'SCTP', port: 53 }, egress: 'allowed' },
      { what: 'A→B ICMP', conn: icmp(A, B, 8), egress: 'denied-default' },
    ],
  },
  {
    id: 'b.5 (ccnp subject)',
    title: 'a CCNP endpointSelector {} selects every endpoint in every namespace, incl. health, never the host',
    policies: [ccnp('all-endpoints', { endpointSelector: {}, ingress: [{}] })],
    checks: [
      { what: 'A→D', conn: tcp(A, D), ingress: 'denied-default' },
      { what: 'A→health', conn: tcp(A, HEALTH), ingress: 'denied-default' },
      { what: 'A→host', conn: tcp(A, HOST), ingress: 'not-isolated' },
    ],
  },
  {
    id: 'b.5 (host policy)',
    title: 'a CCNP nodeSelector is a host policy, in effect only with the host firewall on',
    policies: [ccnp('host', { nodeSelector: {}, ingress: [{ fromEntities: ['cluster'] }] })],
    options: { hostFirewall: true },
    checks: [
      { what: 'A→host', conn: tcp(A, HOST), ingress: 'allowed' },
      { what: 'world→host', conn: tcp(world('203.0.113.1'), HOST), ingress: 'denied-default' },
      { what: 'world→A (not a host)', conn: tcp(world('203.0.113.1'), A), ingress: 'not-isolated' },
    ],
  },
  {
    id: 'b.5 (host firewall off)',
    title: 'without the host firewall the host is never isolated',
    policies: [ccnp('host', { nodeSelector: {}, ingress: [{ fromEntities: ['cluster'] }] })],
    checks: [{ what: 'world→host', conn: tcp(world('203.0.113.1'), HOST), ingress: 'not-isolated' }],
  },
];

// ---- the suite ----------------------------------------------------------------------------------------------

/** Loads a corpus; a loading error becomes one failing test instead of breaking the whole suite. */
function loadOrFail<T>(what: string, load: () => T[]): T[] {
  try {
    return load();
  } catch (error) {
    it(`${what}: the corpus loads`, () => {
      throw error;
    });
    return [];
  }
}

function runCases(compile: CompileEvaluator, cases: readonly Case[]): void {
  for (const c of cases) {
    it(`${c.id}: ${c.title}`, () => {
      const evaluator = compile(c.policies, c.options);
      for (const check of c.checks) checkVerdict(evaluator.evaluate(check.conn), check);
    });
  }
}

/** Defines the conformance tests of one evaluator under `describe(name)`. */
export function runConformance(name: string, compile: CompileEvaluator): void {
  describe(`${name} evaluator conformance`, () => {
    describe('cilium-semantics.md: transcribed cases 1–25', () => runCases(compile, TABLE_CASES));
    describe('cilium-semantics.md: pitfalls', () => runCases(compile, PITFALL_CASES));
    describe('cilium-semantics.md: sections', () => runCases(compile, SECTION_CASES));

    const missingCONNECTIVITY = corpusMissing(CONNECTIVITY);
    if (missingCONNECTIVITY !== undefined) console.warn(missingCONNECTIVITY);
    describe.skipIf(missingCONNECTIVITY !== undefined)(`corpus ${CONNECTIVITY}`, () => {
      // A skipped describe still runs its body to collect tests: load nothing then.
      if (missingCONNECTIVITY !== undefined) return;
      for (const t of loadOrFail(CONNECTIVITY, () => loadConnectivityCases())) {
        // Cases that need what no offline evaluator has are listed with their reason, and not run.
        it.skipIf(t.skip !== undefined)(t.skip !== undefined ? `${t.name} — skipped: ${t.skip}` : `${t.name} (${t.checks.length} connections)`, () => {
          expect(t.checks.length).toBeGreaterThan(0);
          const evaluator = compile(t.policies);
          const wrong = t.checks
            .map((c) => ({ c, v: evaluator.evaluate(c.connection) }))
            .filter(({ c, v }) => !verdictIs(v, c.expected))
            .map(({ c, v }) => `${c.scenario} ${c.from} -> ${c.to} ${c.connection.protocol}/${c.connection.port}: expected ${c.expected}, got ${describeVerdict(v)}`);
          expect(wrong).toEqual([]);
        });
      }
    });

    const missingSTARWARS = corpusMissing(STARWARS);
    if (missingSTARWARS !== undefined) console.warn(missingSTARWARS);
    describe.skipIf(missingSTARWARS !== undefined)(`corpus ${STARWARS}`, () => {
      // A skipped describe still runs its body to collect tests: load nothing then.
      if (missingSTARWARS !== undefined) return;
      for (const t of loadOrFail(STARWARS, () => loadStarwarsCases())) {
        it(`${t.name} (${t.checks.length} connections)`, () => {
          const evaluator = compile(t.policies);
          const wrong = t.checks
            .map((c) => ({ c, v: evaluator.evaluate(c.connection) }))
            .filter(({ c, v }) => !verdictIs(v, c.expected))
            .map(({ c, v }) => `${c.what}: expected ${c.expected}, got ${describeVerdict(v)}`);
          expect(wrong).toEqual([]);
        });
      }
    });

    const missingNETPOL_ANALYZER = corpusMissing(NETPOL_ANALYZER);
    if (missingNETPOL_ANALYZER !== undefined) console.warn(missingNETPOL_ANALYZER);
    describe.skipIf(missingNETPOL_ANALYZER !== undefined)(`corpus ${NETPOL_ANALYZER} (connlist)`, () => {
      // A skipped describe still runs its body to collect tests: load nothing then.
      if (missingNETPOL_ANALYZER !== undefined) return;
      for (const t of loadOrFail(NETPOL_ANALYZER, () => loadNetpolCases())) {
        // Cases that need what no offline evaluator has are listed with their reason, and not run.
        it.skipIf(t.skip !== undefined)(t.skip !== undefined ? `${t.name} — skipped: ${t.skip}` : `${t.name} (${t.workloads} workloads, ${t.externals} external ranges)`, () => {
          const result = compareConnlist(t, compile);
          expect(result.checked).toBeGreaterThan(0);
          expect(result.disagreements).toEqual([]);
        });
      }
    });

    const missingCYCLONUS = corpusMissing(CYCLONUS);
    if (missingCYCLONUS !== undefined) console.warn(missingCYCLONUS);
    describe.skipIf(missingCYCLONUS !== undefined)(`corpus ${CYCLONUS}`, () => {
      // A skipped describe still runs its body to collect tests: load nothing then.
      if (missingCYCLONUS !== undefined) return;
      for (const t of loadOrFail(CYCLONUS, () => loadCyclonusCases())) {
        // Cases that need what no offline evaluator has are listed with their reason, and not run.
        it.skipIf(t.skip !== undefined)(t.skip !== undefined ? `${t.name} — skipped: ${t.skip}` : `${t.name} (${t.checks.length} checks)`, () => {
          const evaluator = compile(t.policies);
          const wrong = t.checks
            .map((c) => ({ c, v: evaluator.evaluate(c.connection) }))
            .filter(({ c, v }) => !c.holds(v))
            .map(({ c, v }) => `${c.what}: expected ${c.expected}, got ${describeVerdict(v)}`);
          expect(wrong).toEqual([]);
        });
      }
    });
  });
}
