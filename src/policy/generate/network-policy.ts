/**
 * @module policy/generate/network-policy — the generated set as Kubernetes NetworkPolicies, for clusters that
 * prefer them (PRODUCT.md §5), and a list of what they cannot say. Pure.
 *
 * A NetworkPolicy always isolates what it selects and there is no cluster-wide one, so the baseline cannot stay a
 * separate, non-isolating policy: the baseline rules that select a workload's namespace are folded into that
 * workload's NetworkPolicy. Peers: an intra-namespace selector becomes a `podSelector`; one naming
 * `k8s:io.kubernetes.pod.namespace` a `namespaceSelector` on `kubernetes.io/metadata.name` plus a `podSelector`;
 * CIDRs an `ipBlock`; the `world` entity `ipBlock` 0.0.0.0/0 and ::/0 (in Cilium, CIDR rules never match cluster
 * endpoints, so that is the world; other CNIs may let it match pod addresses too). What NetworkPolicy has no words
 * for — `toFQDNs`, the other entities (host, remote-node, kube-apiserver …), L7 rules (the baseline's DNS rule),
 * ICMP — is left out and listed.
 */
import type {
  CiliumNetworkPolicy,
  EgressRule,
  EndpointSelector,
  IngressRule,
  LabelSelector,
  NetworkPolicy,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  Rule,
} from '../model/index.js';
import { NAMESPACE_KEY } from './peers.js';
import type { BaselinePolicy, WorkloadPolicy } from './types.js';

/** Something a NetworkPolicy cannot express, left out of it. */
export interface Unexpressed {
  /** `namespace/name` of the NetworkPolicy it would have been in. */
  readonly policy: string;
  /** Where it came from: `CiliumNetworkPolicy shop/web egress[2]`, `CiliumClusterwideNetworkPolicy tighten-baseline-dns egress[0]`. */
  readonly from: string;
  readonly what: string;
}

export interface NetworkPolicySet {
  readonly policies: readonly { readonly workload: WorkloadPolicy['workload']; readonly policy: NetworkPolicy }[];
  readonly unexpressed: readonly Unexpressed[];
}

const stripSource = (key: string): string => key.replace(/^(k8s|any):/, '');

function podSelectorOf(sel: EndpointSelector): LabelSelector {
  const matchLabels: Record<string, string> = {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (k !== NAMESPACE_KEY) matchLabels[stripSource(k)] = v;
  const expressions = (sel.matchExpressions ?? []).filter((e) => e.key !== NAMESPACE_KEY).map((e) => ({ ...e, key: stripSource(e.key) }));
  return { ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}), ...(expressions.length > 0 ? { matchExpressions: expressions } : {}) };
}

function peerOf(sel: EndpointSelector): NetworkPolicyPeer {
  const ns = sel.matchLabels?.[NAMESPACE_KEY];
  const pod = podSelectorOf(sel);
  return ns === undefined ? { podSelector: pod } : { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: pod };
}

/** Which namespaces a baseline rule's subject selects (its namespace `In` list or `matchLabels`). */
function subjectNamespaces(rule: Rule): readonly string[] {
  const sel = rule.endpointSelector ?? {};
  const direct = sel.matchLabels?.[NAMESPACE_KEY];
  if (direct !== undefined) return [direct];
  return (sel.matchExpressions ?? []).find((e) => e.key === NAMESPACE_KEY && e.operator === 'In')?.values ?? [];
}

function convertElement(
  direction: 'ingress' | 'egress',
  element: IngressRule | EgressRule,
  note: (what: string) => void,
): NetworkPolicyIngressRule | NetworkPolicyEgressRule | undefined {
  const peers: NetworkPolicyPeer[] = [];
  const e = element as IngressRule & EgressRule;
  for (const sel of [...(e.fromEndpoints ?? []), ...(e.toEndpoints ?? [])]) peers.push(peerOf(sel));
  for (const cidr of [...(e.fromCIDR ?? []), ...(e.toCIDR ?? [])]) peers.push({ ipBlock: { cidr } });
  for (const entity of [...(e.fromEntities ?? []), ...(e.toEntities ?? [])]) {
    if (entity === 'world') peers.push({ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } });
    else note(`the ${entity} entity (NetworkPolicy has no entities)`);
  }
  if (e.toFQDNs !== undefined) note(`toFQDNs ${e.toFQDNs.map((f) => f.matchName ?? f.matchPattern).join(', ')} (NetworkPolicy has no DNS names)`);
  if (e.icmps !== undefined) note('ICMP types (NetworkPolicy has no ICMP)');
  const ports: NetworkPolicyPort[] = [];
  for (const pr of e.toPorts ?? []) {
    if (pr.rules !== undefined) note(`the L7 rules on ${(pr.ports ?? []).map((p) => `${p.port}/${p.protocol}`).join(', ')} (NetworkPolicy is L3/L4 only; the ports stay)`);
    for (const p of pr.ports ?? []) ports.push({ protocol: (p.protocol ?? 'TCP') as 'TCP' | 'UDP' | 'SCTP', port: Number(p.port) });
  }
  const l3Written = (e.fromEndpoints ?? e.toEndpoints ?? e.fromCIDR ?? e.toCIDR ?? e.fromEntities ?? e.toEntities) !== undefined;
  if (!l3Written) return undefined; // `{}` (deny all), or only what could not be said: nothing to allow
  if (peers.length === 0) return undefined;
  if (e.icmps !== undefined && ports.length === 0) return undefined;
  const key = direction === 'ingress' ? 'from' : 'to';
  return { [key]: peers, ...(ports.length > 0 ? { ports } : {}) };
}

/**
 * Converts the per-workload policies (and the baseline rules selecting their namespaces) to NetworkPolicies,
 * both directions isolated, as the CiliumNetworkPolicies were.
 */
export function toNetworkPolicies(baseline: readonly BaselinePolicy[], perWorkload: readonly WorkloadPolicy[]): NetworkPolicySet {
  const unexpressed: Unexpressed[] = [];
  const policies = perWorkload.map((wp) => {
    const cnp: CiliumNetworkPolicy = wp.policy;
    const ns = cnp.metadata.namespace;
    const id = `${ns}/${cnp.metadata.name}`;
    const ingress: NetworkPolicyIngressRule[] = [];
    const egress: NetworkPolicyEgressRule[] = [];
    const add = (direction: 'ingress' | 'egress', element: IngressRule | EgressRule, from: string) => {
      const r = convertElement(direction, element, (what) => unexpressed.push({ policy: id, from, what }));
      if (r !== undefined) (direction === 'ingress' ? ingress : egress).push(r as never);
    };
    const spec = cnp.spec!;
    (spec.ingress ?? []).forEach((x, i) => add('ingress', x, `CiliumNetworkPolicy ${id} ingress[${i}]`));
    (spec.egress ?? []).forEach((x, i) => add('egress', x, `CiliumNetworkPolicy ${id} egress[${i}]`));
    for (const b of baseline) {
      const rules = b.policy.spec ? [b.policy.spec] : (b.policy.specs ?? []);
      for (const rule of rules) {
        if (!subjectNamespaces(rule).includes(ns)) continue;
        (rule.ingress ?? []).forEach((x, i) => add('ingress', x, `CiliumClusterwideNetworkPolicy ${b.policy.metadata.name} ingress[${i}]`));
        (rule.egress ?? []).forEach((x, i) => add('egress', x, `CiliumClusterwideNetworkPolicy ${b.policy.metadata.name} egress[${i}]`));
      }
    }
    const policy: NetworkPolicy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { ...cnp.metadata },
      spec: {
        podSelector: podSelectorOf(spec.endpointSelector ?? {}),
        policyTypes: ['Ingress', 'Egress'],
        ...(ingress.length > 0 ? { ingress } : {}),
        ...(egress.length > 0 ? { egress } : {}),
      },
    };
    return { workload: wp.workload, policy };
  });
  return { policies, unexpressed };
}
