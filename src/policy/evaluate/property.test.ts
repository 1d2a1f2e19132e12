/**
 * @module policy/evaluate/property.test — the fast evaluator and the naive reference agree on random
 * policy sets and connections (fast-check, seeded).
 *
 * Policies are CNP/CCNP/NetworkPolicy over a small label alphabet (so selectors often match), with
 * entities, CIDRs, FQDNs, ports/ranges/named ports/ICMP, L7 rules, deny sections and enableDefaultDeny;
 * options vary the Cilium version, the non-default-deny flag, the enforcement mode and the host
 * firewall. Only policies that `validatePolicy` accepts (no errors) are evaluated — what Cilium would
 * reject has no defined meaning to agree on. For every connection the two verdicts must be equal per
 * direction: decision, needsL7Check, and the deciding rules (as a set), and `allowed`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sanitizePolicies, validatePolicy } from '../model/index.js';
import type {
  EgressDenyRule,
  EgressRule,
  IngressDenyRule,
  IngressRule,
  LabelSelector,
  LabelSelectorRequirement,
  LoadedPolicy,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  PolicyEntity,
  PortProtocol,
  PortRule,
  Rule,
} from '../model/types.js';
import { compileEvaluator, compileReferenceEvaluator } from './index.js';
import type { Connection, DirectionVerdict, Endpoint, EvaluateOptions, Verdict } from './types.js';

const NAMESPACES = ['ns1', 'ns2'] as const;
const VALUES = ['a', 'b'] as const;

// ---- endpoints --------------------------------------------------------------------------------------------

const podArb: fc.Arbitrary<Endpoint> = fc
  .record({
    ns: fc.constantFrom(...NAMESPACES),
    app: fc.option(fc.constantFrom(...VALUES), { nil: undefined }),
    tier: fc.option(fc.constantFrom(...VALUES), { nil: undefined }),
    team: fc.constantFrom(...VALUES),
    cluster: fc.constantFrom('default', 'default', 'default', 'c2'),
    sa: fc.constantFrom('default', 'web'),
    http: fc.boolean(),
  })
  .map(({ ns, app, tier, team, cluster, sa, http }): Endpoint => ({
    labels: [
      ...(app !== undefined ? [`k8s:app=${app}`] : []),
      ...(tier !== undefined ? [`k8s:tier=${tier}`] : []),
      `k8s:io.kubernetes.pod.namespace=${ns}`,
      `k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=${ns}`,
      `k8s:io.cilium.k8s.namespace.labels.team=${team}`,
      `k8s:io.cilium.k8s.policy.cluster=${cluster}`,
      `k8s:io.cilium.k8s.policy.serviceaccount=${sa}`,
    ],
    ip: '10.0.0.7',
    namedPorts: http ? { http: { port: 8080, protocol: 'TCP' }, dns: { port: 53, protocol: 'UDP' } } : {},
  }));

const worldArb: fc.Arbitrary<Endpoint> = fc
  .record({
    ip: fc.constantFrom('192.0.2.1', '192.0.2.130', '198.51.100.7', '2001:db8::1', '203.0.113.5'),
    names: fc.constantFrom([], ['api.example.com'], ['x.cilium.io'], ['a.b.cilium.io']),
    label: fc.constantFrom('reserved:world', 'reserved:world', 'reserved:world-ipv4'),
  })
  .map(({ ip, names, label }) => ({ labels: [label], ip, names }));

const reservedArb: fc.Arbitrary<Endpoint> = fc.oneof(
  fc.constantFrom('host', 'remote-node', 'health', 'init', 'kube-apiserver', 'ingress', 'unmanaged').map((r): Endpoint => ({ labels: [`reserved:${r}`] })),
  fc.constantFrom('a', 'b').map((zone): Endpoint => ({ labels: ['reserved:remote-node', `k8s:zone=${zone}`] })),
);

const endpointArb: fc.Arbitrary<Endpoint> = fc.oneof({ weight: 6, arbitrary: podArb }, { weight: 2, arbitrary: worldArb }, { weight: 1, arbitrary: reservedArb });

const connectionArb: fc.Arbitrary<Connection> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ source: endpointArb, destination: endpointArb, protocol: fc.constantFrom('TCP' as const, 'UDP' as const, 'SCTP' as const), port: fc.constantFrom(53, 80, 443, 8080, 8085, 9000) }) },
  { weight: 1, arbitrary: fc.record({ source: endpointArb, destination: endpointArb, protocol: fc.constantFrom('ICMPv4' as const, 'ICMPv6' as const), port: fc.constantFrom(0, 8, 128) }) },
);

// ---- selectors ---------------------------------------------------------------------------------------------

const prefixArb = fc.constantFrom('', '', 'k8s:', 'any:');
const requirementArb: fc.Arbitrary<LabelSelectorRequirement> = fc.oneof(
  fc.record({
    key: fc.tuple(prefixArb, fc.constantFrom('app', 'tier')).map(([p, k]) => p + k),
    operator: fc.constantFrom('In' as const, 'NotIn' as const),
    values: fc.subarray([...VALUES], { minLength: 1 }),
  }),
  fc.record({ key: fc.tuple(prefixArb, fc.constantFrom('app', 'tier')).map(([p, k]) => p + k), operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const) }),
  fc.record({ key: fc.constant('io.kubernetes.pod.namespace'), operator: fc.constant('In' as const), values: fc.subarray([...NAMESPACES], { minLength: 1 }) }),
  fc.record({ key: fc.constant('io.cilium.k8s.namespace.labels.team'), operator: fc.constant('In' as const), values: fc.subarray([...VALUES], { minLength: 1 }) }),
  fc.record({ key: fc.constant('io.cilium.k8s.policy.cluster'), operator: fc.constant('Exists' as const) }),
);

const matchLabelsArb: fc.Arbitrary<Record<string, string>> = fc
  .subarray(['app', 'tier', 'k8s:app', 'io.kubernetes.pod.namespace', 'io.cilium.k8s.namespace.labels.team'], { maxLength: 2 })
  .chain((keys) =>
    fc.tuple(...keys.map((k) => (k === 'io.kubernetes.pod.namespace' ? fc.constantFrom(...NAMESPACES) : fc.constantFrom(...VALUES)))).map((vals) =>
      Object.fromEntries(keys.map((k, i) => [k, vals[i] as string])),
    ),
  );

const selectorArb: fc.Arbitrary<LabelSelector> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({}) },
  { weight: 4, arbitrary: matchLabelsArb.map((matchLabels) => (Object.keys(matchLabels).length > 0 ? { matchLabels } : {})) },
  { weight: 2, arbitrary: fc.array(requirementArb, { minLength: 1, maxLength: 2 }).map((matchExpressions) => ({ matchExpressions })) },
  { weight: 1, arbitrary: fc.constant({ matchLabels: { 'reserved:host': '' } }) },
);

/** Selectors for a subject (no reserved keys: CNP subjects cannot select them anyway). */
const subjectSelectorArb: fc.Arbitrary<LabelSelector> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({}) },
  { weight: 4, arbitrary: fc.record({ app: fc.constantFrom(...VALUES) }).map((matchLabels) => ({ matchLabels })) },
  { weight: 2, arbitrary: fc.array(requirementArb, { minLength: 1, maxLength: 2 }).map((matchExpressions) => ({ matchExpressions })) },
  {
    weight: 1,
    arbitrary: fc
      .record({ key: fc.constantFrom('io.kubernetes.pod.namespace', 'k8s:io.kubernetes.pod.namespace'), ns: fc.constantFrom(...NAMESPACES) })
      .map(({ key, ns }) => ({ matchLabels: { [key]: ns, app: 'a' } })),
  },
);

// ---- ports ---------------------------------------------------------------------------------------------------

const portProtocolArb: fc.Arbitrary<PortProtocol> = fc.oneof(
  fc.record({ port: fc.constantFrom('80', '53', '8080', '443'), protocol: fc.constantFrom('TCP' as const, 'UDP' as const, 'ANY' as const) }),
  fc.record({ port: fc.constantFrom('80', '8080'), protocol: fc.constant('TCP' as const), endPort: fc.constantFrom(90, 8090, 9000) }),
  fc.record({ port: fc.constant('0'), protocol: fc.constantFrom('TCP' as const, 'UDP' as const, 'ANY' as const) }),
  fc.record({ port: fc.constantFrom('http', 'dns'), protocol: fc.constantFrom('TCP' as const, 'UDP' as const, 'ANY' as const) }),
  fc.record({ port: fc.constantFrom('80', '443') }),
);

const portRuleArb: fc.Arbitrary<PortRule> = fc.oneof(
  { weight: 5, arbitrary: fc.array(portProtocolArb, { minLength: 1, maxLength: 2 }).map((ports) => ({ ports })) },
  { weight: 2, arbitrary: fc.constantFrom('80', '8080').map((port) => ({ ports: [{ port, protocol: 'TCP' as const }], rules: { http: [{ method: 'GET' }] } })) },
  { weight: 1, arbitrary: fc.constant({ ports: [{ port: '443', protocol: 'TCP' as const }], serverNames: ['api.example.com'] }) },
  { weight: 1, arbitrary: fc.constant({}) },
);

const icmpsArb = fc.constantFrom(
  [{ fields: [{ type: 8 }] }],
  [{ fields: [{ type: 'EchoReply' }, { family: 'IPv4' as const, type: 'Echo' }] }],
  [{ fields: [{ family: 'IPv6' as const, type: 'EchoRequest' }] }],
  [{ fields: [{ family: 'IPv6' as const, type: 128 }] }],
);

// ---- Cilium rule elements ------------------------------------------------------------------------------------

const entitiesArb: fc.Arbitrary<PolicyEntity[]> = fc.subarray(
  ['all', 'world', 'cluster', 'host', 'remote-node', 'health', 'init', 'kube-apiserver', 'ingress', 'unmanaged', 'none'] as PolicyEntity[],
  { minLength: 1, maxLength: 2 },
);
const cidrArb = fc.constantFrom('192.0.2.0/24', '192.0.2.0/25', '0.0.0.0/0', '2001:db8::/32', '10.0.0.0/8');

type L3 = 'endpoints' | 'entities' | 'cidr' | 'cidrSet' | 'none' | 'emptyEndpoints' | 'nodes';
const l3Arb = fc.constantFrom<L3>('endpoints', 'endpoints', 'entities', 'cidr', 'cidrSet', 'none', 'emptyEndpoints', 'nodes');

function elementArb(dir: 'ingress' | 'egress', deny: boolean): fc.Arbitrary<IngressRule | EgressRule | IngressDenyRule | EgressDenyRule> {
  const from = dir === 'ingress';
  return fc
    .record({
      l3: l3Arb,
      selectors: fc.array(selectorArb, { minLength: 1, maxLength: 2 }),
      entities: entitiesArb,
      cidrs: fc.array(cidrArb, { minLength: 1, maxLength: 2 }),
      except: fc.constantFrom(undefined, ['192.0.2.0/26'], ['192.0.2.128/25']),
      l4: fc.constantFrom('none', 'ports', 'ports', 'icmps', 'emptyPorts'),
      portRules: fc.array(deny ? portRuleArb.map((r) => ({ ...(r.ports !== undefined ? { ports: r.ports } : {}) })) : portRuleArb, { minLength: 1, maxLength: 2 }),
      icmps: icmpsArb,
      fqdn: fc.option(fc.constantFrom({ matchName: 'api.example.com' }, { matchPattern: '*.cilium.io' }, { matchPattern: '**.cilium.io' }), { nil: undefined }),
      zone: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
    })
    .map(({ l3, selectors, entities, cidrs, except, l4, portRules, icmps, fqdn, zone }) => {
      const e: Record<string, unknown> = {};
      if (!deny && dir === 'egress' && fqdn !== undefined && l3 === 'none') e.toFQDNs = [fqdn];
      else if (l3 === 'endpoints') e[from ? 'fromEndpoints' : 'toEndpoints'] = selectors;
      else if (l3 === 'emptyEndpoints') e[from ? 'fromEndpoints' : 'toEndpoints'] = [];
      else if (l3 === 'entities') e[from ? 'fromEntities' : 'toEntities'] = entities;
      else if (l3 === 'cidr') e[from ? 'fromCIDR' : 'toCIDR'] = cidrs;
      else if (l3 === 'nodes') e[from ? 'fromNodes' : 'toNodes'] = [zone === undefined ? {} : { matchLabels: { zone } }];
      else if (l3 === 'cidrSet') e[from ? 'fromCIDRSet' : 'toCIDRSet'] = [{ cidr: cidrs[0], ...(except !== undefined && cidrs[0] === '192.0.2.0/24' ? { except } : {}) }];
      if (l4 === 'ports') e.toPorts = portRules;
      else if (l4 === 'icmps') e.icmps = icmps;
      else if (l4 === 'emptyPorts') e.toPorts = [];
      return e;
    });
}

const sectionArb = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T[] | undefined> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant<T[] | undefined>(undefined) },
    { weight: 1, arbitrary: fc.constant<T[] | undefined>([]) },
    { weight: 3, arbitrary: fc.array(arb, { minLength: 1, maxLength: 2 }) },
  );

const ruleArb = (clusterwide: boolean): fc.Arbitrary<Rule> =>
  fc
    .record({
      endpointSelector: clusterwide ? fc.oneof(subjectSelectorArb, fc.constant({ matchLabels: { 'reserved:init': '' } })) : subjectSelectorArb,
      nodeSelector: fc.boolean(),
      ingress: sectionArb(elementArb('ingress', false) as fc.Arbitrary<IngressRule>),
      ingressDeny: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.array(elementArb('ingress', true) as fc.Arbitrary<IngressDenyRule>, { minLength: 1, maxLength: 1 }) }),
      egress: sectionArb(elementArb('egress', false) as fc.Arbitrary<EgressRule>),
      egressDeny: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.array(elementArb('egress', true) as fc.Arbitrary<EgressDenyRule>, { minLength: 1, maxLength: 1 }) }),
      enableDefaultDeny: fc.option(fc.record({ ingress: fc.option(fc.boolean(), { nil: undefined }), egress: fc.option(fc.boolean(), { nil: undefined }) }), { nil: undefined }),
    })
    .map((r) => {
      const out: Record<string, unknown> = {};
      if (clusterwide && r.nodeSelector) out.nodeSelector = {};
      else out.endpointSelector = r.endpointSelector;
      for (const k of ['ingress', 'ingressDeny', 'egress', 'egressDeny', 'enableDefaultDeny'] as const) if (r[k] !== undefined) out[k] = r[k];
      if (out.ingress === undefined && out.ingressDeny === undefined && out.egress === undefined && out.egressDeny === undefined) out.ingress = [];
      return out as Rule;
    });

// ---- NetworkPolicy ------------------------------------------------------------------------------------------

const knpPeerArb: fc.Arbitrary<NetworkPolicyPeer> = fc.oneof(
  fc.record({ podSelector: selectorArb.filter((s) => !JSON.stringify(s).includes('reserved:') && !JSON.stringify(s).includes('any:')) }),
  fc.record({ namespaceSelector: fc.constantFrom<LabelSelector>({}, { matchLabels: { team: 'a' } }, { matchLabels: { 'kubernetes.io/metadata.name': 'ns2' } }) }),
  fc.record({ namespaceSelector: fc.constantFrom<LabelSelector>({}, { matchLabels: { team: 'b' } }), podSelector: fc.constantFrom<LabelSelector>({}, { matchLabels: { app: 'a' } }) }),
  fc.record({ ipBlock: fc.constantFrom<NetworkPolicyPeer['ipBlock'] & object>({ cidr: '192.0.2.0/24' }, { cidr: '192.0.2.0/24', except: ['192.0.2.128/25'] }, { cidr: '0.0.0.0/0' }) }),
);
const knpPortArb: fc.Arbitrary<NetworkPolicyPort> = fc.oneof(
  fc.record({ port: fc.constantFrom(80, 53, 8080), protocol: fc.option(fc.constantFrom('TCP' as const, 'UDP' as const), { nil: undefined }) }),
  fc.record({ port: fc.constant(8080), endPort: fc.constantFrom(8085, 9000), protocol: fc.constant('TCP' as const) }),
  fc.record({ port: fc.constantFrom('http', 'dns'), protocol: fc.constantFrom('TCP' as const, 'UDP' as const) }),
  fc.record({ protocol: fc.constantFrom('TCP' as const, 'UDP' as const) }),
);
const knpRuleArb = (dir: 'ingress' | 'egress'): fc.Arbitrary<NetworkPolicyIngressRule | NetworkPolicyEgressRule> =>
  fc
    .record({
      peers: fc.oneof(fc.constant(undefined), fc.constant([]), fc.array(knpPeerArb, { minLength: 1, maxLength: 2 })),
      ports: fc.oneof(fc.constant(undefined), fc.array(knpPortArb, { minLength: 1, maxLength: 2 })),
    })
    .map(({ peers, ports }) => ({ ...(peers !== undefined ? { [dir === 'ingress' ? 'from' : 'to']: peers } : {}), ...(ports !== undefined ? { ports } : {}) }));

// ---- policy sets and options --------------------------------------------------------------------------------

const policyArb: fc.Arbitrary<LoadedPolicy> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record({ ns: fc.constantFrom(...NAMESPACES), rule: ruleArb(false), specs: fc.boolean() })
      .map(({ ns, rule, specs }): LoadedPolicy => ({ policy: { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: ns }, ...(specs ? { specs: [rule] } : { spec: rule }) } })),
  },
  { weight: 2, arbitrary: ruleArb(true).map((rule): LoadedPolicy => ({ policy: { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'p' }, spec: rule } })) },
  {
    weight: 3,
    arbitrary: fc
      .record({
        ns: fc.constantFrom(...NAMESPACES),
        podSelector: fc.constantFrom<LabelSelector>({}, { matchLabels: { app: 'a' } }, { matchLabels: { tier: 'b' } }, { matchExpressions: [{ key: 'app', operator: 'Exists' }] }),
        policyTypes: fc.option(fc.subarray(['Ingress', 'Egress'] as ('Ingress' | 'Egress')[], { minLength: 1 }), { nil: undefined }),
        ingress: fc.option(fc.array(knpRuleArb('ingress') as fc.Arbitrary<NetworkPolicyIngressRule>, { maxLength: 2 }), { nil: undefined }),
        egress: fc.option(fc.array(knpRuleArb('egress') as fc.Arbitrary<NetworkPolicyEgressRule>, { maxLength: 2 }), { nil: undefined }),
      })
      .map(({ ns, podSelector, policyTypes, ingress, egress }): LoadedPolicy => ({
        policy: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'p', namespace: ns },
          spec: { podSelector, ...(policyTypes !== undefined ? { policyTypes } : {}), ...(ingress !== undefined ? { ingress } : {}), ...(egress !== undefined ? { egress } : {}) },
        },
      })),
  },
);

/** Distinct names, so that RuleRefs identify a policy. */
const policiesArb: fc.Arbitrary<LoadedPolicy[]> = fc.array(policyArb, { minLength: 0, maxLength: 4 }).map((ps) =>
  ps.map((p, i) => ({ ...p, policy: { ...p.policy, metadata: { ...p.policy.metadata, name: `p${i}` } } }) as LoadedPolicy),
);

const optionsArb: fc.Arbitrary<EvaluateOptions> = fc.record({
  ciliumVersion: fc.constantFrom('1.15', '1.16', '1.17', '1.18', '1.19', '1.19'),
  enableNonDefaultDenyPolicies: fc.boolean(),
  policyEnforcementMode: fc.constantFrom('default' as const, 'default' as const, 'default' as const, 'always' as const, 'never' as const),
  hostFirewall: fc.boolean(),
});

// ---- the property ----------------------------------------------------------------------------------------

const refKey = (r: DirectionVerdict['by'][number]): string => `${r.kind}/${r.namespace ?? ''}/${r.name}/${r.spec}/${r.section}/${r.index}`;
const comparable = (d: DirectionVerdict): { decision: string; needsL7Check: boolean; by: string[] } => ({
  decision: d.decision,
  needsL7Check: d.needsL7Check === true,
  by: d.by.map(refKey).sort(),
});
const comparableVerdict = (v: Verdict) => ({ egress: comparable(v.egress), ingress: comparable(v.ingress), allowed: v.allowed });

/** Keeps the policies Cilium (or Kubernetes) would accept for this version, sanitized as the pipeline does. */
function acceptable(policies: readonly LoadedPolicy[], options: EvaluateOptions): LoadedPolicy[] {
  const valid = policies.filter((p) => validatePolicy(p, { ciliumVersion: options.ciliumVersion ?? '1.19' }).every((x) => x.severity !== 'error'));
  return sanitizePolicies(valid, { ciliumVersion: options.ciliumVersion ?? '1.19' }).policies;
}

describe('fast and reference evaluators agree (property)', () => {
  it('on every decision per direction, for random policy sets and connections', () => {
    let compared = 0;
    fc.assert(
      fc.property(policiesArb, optionsArb, fc.array(connectionArb, { minLength: 1, maxLength: 12 }), (generated, options, connections) => {
        const policies = acceptable(generated, options);
        const fast = compileEvaluator(policies, options);
        const reference = compileReferenceEvaluator(policies, options);
        for (const c of connections) {
          expect(comparableVerdict(fast.evaluate(c)), JSON.stringify({ policies: policies.map((p) => p.policy), options, connection: c })).toEqual(
            comparableVerdict(reference.evaluate(c)),
          );
          compared++;
        }
      }),
      { seed: 20260101, numRuns: 500 },
    );
    expect(compared).toBeGreaterThan(500);
  });
});
