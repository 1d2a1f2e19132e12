/**
 * @module policy/generate/baseline — the platform baseline: CiliumClusterwideNetworkPolicies that select the
 * pods of the rollout namespaces with `enableDefaultDeny` false both ways, so they never isolate anything on
 * their own, and allow the shared platform traffic once for everyone instead of in every workload's policy
 * (PRODUCT.md §5). Pure.
 *
 * - `dns` (always, and first: its L7 DNS rule is what gives Hubble the names `toFQDNs` needs): egress from every
 *   rollout namespace to the cluster's DNS servers on 53/UDP and 53/TCP (plus any other DNS port seen) with
 *   `rules.dns: [{matchPattern: "*"}]`. When no DNS server was seen, the conventional `k8s-app: kube-dns` in
 *   `kube-system`.
 * - `metrics`: ingress from the metrics scrapers, per target namespace, on the ports they were seen scraping.
 * - `tracing`, `secrets`: egress to the tracing collectors and secret managers on the ports seen, from the
 *   namespaces seen using them.
 * - `kube-apiserver`: egress to the `kube-apiserver` entity on the ports seen, from the namespaces seen using it.
 * - `ingress-controller`: ingress from the ingress controllers, per target namespace, on the ports seen.
 *
 * Scrapers, collectors and controllers are the workloads `understand` classified with that platform role.
 */
import type { TightenConfig } from '../../config/index.js';
import { portInRanges } from '../../config/index.js';
import type { Edge, WorkloadPeer } from '../../inventory/index.js';
import type { WorkloadClassification } from '../../understand/index.js';
import type { CiliumClusterwideNetworkPolicy, EgressRule, EndpointSelector, IngressRule, Policy, Rule } from '../model/index.js';
import { RuleAccumulator, RULE_PROTOCOLS, type BuiltElement, type L4Item, type RuleProtocol } from './elements.js';
import { NAMESPACE_KEY, peerSelector, workloadKey, type SelectorIndex } from './peers.js';
import { ruleId } from './rule-id.js';
import { MANAGED_BY, MANAGED_BY_LABEL, type BaselineConcern, type BaselinePolicy, type RuleEvidence } from './types.js';

/**
 * True for a baseline policy tighten wrote: it keeps `enableDefaultDeny` false at every stage, so "as enforced"
 * (simulate, diff) must leave it as it is.
 */
export function isTightenBaseline(p: Policy): boolean {
  return p.kind === 'CiliumClusterwideNetworkPolicy' && p.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY && p.metadata.name.startsWith('tighten-baseline-');
}

/** The name of the baseline policy of a concern. */
export const baselineName = (concern: BaselineConcern): string => `tighten-baseline-${concern}`;

/** Used when no DNS server was seen: the labels kube-dns and CoreDNS carry in most clusters. */
export const DEFAULT_DNS_SELECTOR: EndpointSelector = { matchLabels: { [NAMESPACE_KEY]: 'kube-system', 'k8s-app': 'kube-dns' } };

export interface BaselineInput {
  readonly namespaces: ReadonlySet<string>;
  /** Edges observed passing (FORWARDED or AUDIT). */
  readonly passing: readonly Edge[];
  readonly classifications: ReadonlyMap<string, WorkloadClassification>;
  readonly selectors: SelectorIndex;
  readonly config: TightenConfig;
}

const ALL_DIRECTIONS_OPEN = { ingress: false, egress: false } as const;

const isWorkload = (p: Edge['source']): p is WorkloadPeer => 'namespace' in p;

/** Builds the baseline policies, DNS first, then the others that have traffic behind them. */
export function generateBaseline(input: BaselineInput): BaselinePolicy[] {
  if (input.namespaces.size === 0) return [];
  const roleOf = (p: Edge['source']): string | undefined => (isWorkload(p) ? input.classifications.get(workloadKey(p))?.role : undefined);
  const inRollout = (p: Edge['source']): p is WorkloadPeer =>
    isWorkload(p) && input.namespaces.has(p.namespace) && input.classifications.get(workloadKey(p))?.class !== 'debug';

  const egress = new Map<BaselineConcern, { acc: RuleAccumulator; namespaces: Set<string> }>();
  const ingress = new Map<BaselineConcern, Map<string, RuleAccumulator>>();
  const egressOf = (c: BaselineConcern) => {
    let g = egress.get(c);
    if (g === undefined) egress.set(c, (g = { acc: new RuleAccumulator('egress'), namespaces: new Set() }));
    return g;
  };
  const ingressOf = (c: BaselineConcern, ns: string) => {
    let m = ingress.get(c);
    if (m === undefined) ingress.set(c, (m = new Map()));
    let acc = m.get(ns);
    if (acc === undefined) m.set(ns, (acc = new RuleAccumulator('ingress')));
    return acc;
  };
  const dnsPorts = input.config.platform.dnsPorts;

  for (const e of input.passing) {
    if (!RULE_PROTOCOLS.has(e.protocol)) continue;
    const item: L4Item = { protocol: e.protocol as RuleProtocol, port: e.port };
    if (inRollout(e.source)) {
      const d = e.destination;
      let concern: BaselineConcern | undefined;
      if ('entity' in d && d.entity === 'kube-apiserver') concern = 'kube-apiserver';
      else {
        const role = roleOf(d);
        if (role === 'dns' && (e.protocol === 'UDP' || e.protocol === 'TCP') && portInRanges(e.port, dnsPorts)) concern = 'dns';
        else if (role === 'tracing') concern = 'tracing';
        else if (role === 'secrets') concern = 'secrets';
      }
      if (concern !== undefined) {
        if (concern === 'kube-apiserver') {
          const g = egressOf(concern);
          g.acc.add({ kind: 'entity', entity: 'kube-apiserver', label: 'entity:kube-apiserver' }, item, e);
          g.namespaces.add(e.source.namespace);
        } else if (isWorkload(d)) {
          const sel = input.selectors.get(d);
          if ('selector' in sel) {
            const g = egressOf(concern);
            g.acc.add({ kind: 'endpoint', crossNamespace: true, selector: peerSelector(sel.selector, d, undefined), label: `${d.namespace}/${d.kind}/${d.name}` }, item, e);
            g.namespaces.add(e.source.namespace);
          }
        }
      }
    }
    if (inRollout(e.destination) && isWorkload(e.source)) {
      const role = roleOf(e.source);
      const concern: BaselineConcern | undefined = role === 'metrics' ? 'metrics' : role === 'ingress-controller' ? 'ingress-controller' : undefined;
      if (concern !== undefined) {
        const sel = input.selectors.get(e.source);
        if ('selector' in sel) {
          ingressOf(concern, e.destination.namespace).add(
            { kind: 'endpoint', crossNamespace: true, selector: peerSelector(sel.selector, e.source, undefined), label: `${e.source.namespace}/${e.source.kind}/${e.source.name}` },
            item,
            e,
          );
        }
      }
    }
  }

  const out: BaselinePolicy[] = [dnsPolicy(input, egress.get('dns'))];
  for (const concern of ['metrics', 'tracing', 'kube-apiserver', 'secrets', 'ingress-controller'] as const) {
    const perNs = ingress.get(concern);
    if (perNs !== undefined) {
      const specs = [...perNs.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([ns, acc]) => ({ subject: { matchLabels: { [NAMESPACE_KEY]: ns } } as EndpointSelector, namespaces: [ns], elements: acc.build() }));
      out.push(assemble(concern, 'ingress', specs));
    }
    const g = egress.get(concern);
    if (g !== undefined) {
      const namespaces = [...g.namespaces].sort();
      out.push(assemble(concern, 'egress', [{ subject: namespacesSelector(namespaces), namespaces, elements: g.acc.build() }]));
    }
  }
  return out;
}

/** Selects the pods of these namespaces. */
export function namespacesSelector(namespaces: readonly string[]): EndpointSelector {
  return { matchExpressions: [{ key: NAMESPACE_KEY, operator: 'In', values: [...namespaces].sort() }] };
}

function dnsPolicy(input: BaselineInput, seen: { acc: RuleAccumulator; namespaces: Set<string> } | undefined): BaselinePolicy {
  // Every DNS server of the cluster, seen or not, on 53/UDP and 53/TCP and any other DNS port seen: DNS servers
  // are interchangeable, and the rule must be there before a namespace's names can be seen at all.
  const acc = new RuleAccumulator('egress');
  const servers = new Map<string, { selector: EndpointSelector; label: string }>();
  for (const c of input.classifications.values()) {
    if (c.role !== 'dns') continue;
    const sel = input.selectors.get(c.workload);
    if ('selector' in sel) servers.set(workloadKey(c.workload), { selector: peerSelector(sel.selector, c.workload, undefined), label: `${c.workload.namespace}/${c.workload.kind}/${c.workload.name}` });
  }
  const items: L4Item[] = [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ];
  if (seen !== undefined) {
    for (const b of seen.acc.build()) {
      for (const p of b.ports) {
        const [port, protocol] = p.split('/');
        if (!items.some((i) => String(i.port) === port && i.protocol === protocol)) items.push({ protocol: protocol as RuleProtocol, port: Number(port) });
      }
    }
  }
  const namespaces = [...input.namespaces].sort();
  const list = servers.size > 0 ? [...servers.values()] : [{ selector: DEFAULT_DNS_SELECTOR, label: 'kube-system/k8s-app=kube-dns' }];
  for (const s of list) for (const i of items) acc.add({ kind: 'endpoint', crossNamespace: true, selector: s.selector, label: s.label }, i);
  const [element] = acc.build({ dns: [{ matchPattern: '*' }] });
  // The evidence counts the DNS edges actually seen.
  let flows = 0;
  let edges = 0;
  let firstSeen: string | undefined;
  let lastSeen: string | undefined;
  for (const e of input.passing) {
    if (!('namespace' in e.source) || !input.namespaces.has(e.source.namespace) || !isWorkload(e.destination)) continue;
    if (!servers.has(workloadKey(e.destination)) || !(e.protocol === 'UDP' || e.protocol === 'TCP') || !portInRanges(e.port, input.config.platform.dnsPorts)) continue;
    edges++;
    flows += e.flows;
    if (firstSeen === undefined || e.firstSeen < firstSeen) firstSeen = e.firstSeen;
    if (lastSeen === undefined || e.lastSeen > lastSeen) lastSeen = e.lastSeen;
  }
  const built: BuiltElement = {
    ...element!,
    stats: { edges, flows, ...(firstSeen !== undefined ? { firstSeen } : {}), ...(lastSeen !== undefined ? { lastSeen } : {}) },
    notes: [
      'L7 DNS rule (matchPattern "*"): every query is allowed, and goes through the DNS proxy so that Hubble sees the names and toFQDNs rules work',
      ...(servers.size === 0 ? ['no DNS server was seen or detected: the conventional kube-dns labels in kube-system are assumed'] : []),
    ],
  };
  return assemble('dns', 'egress', [{ subject: namespacesSelector(namespaces), namespaces, elements: [built] }]);
}

function assemble(
  concern: BaselineConcern,
  section: 'ingress' | 'egress',
  specs: readonly { subject: EndpointSelector; namespaces: readonly string[]; elements: readonly BuiltElement[] }[],
): BaselinePolicy {
  const name = baselineName(concern);
  const rules: RuleEvidence[] = [];
  const built: Rule[] = specs.map((s, specIndex) => {
    s.elements.forEach((b, index) => {
      rules.push({
        id: ruleId({ kind: 'CiliumClusterwideNetworkPolicy', name, subject: s.subject, section, element: b.element, elementText: b.text }),
        policy: { kind: 'CiliumClusterwideNetworkPolicy', name },
        spec: specIndex,
        section,
        index,
        peers: b.peers,
        ports: b.ports,
        namespaces: s.namespaces,
        ...b.stats,
        ...(b.notes.length > 0 ? { notes: b.notes } : {}),
      });
    });
    const list = s.elements.map((b) => b.element);
    return {
      endpointSelector: s.subject,
      enableDefaultDeny: ALL_DIRECTIONS_OPEN,
      ...(section === 'ingress' ? { ingress: list as IngressRule[] } : { egress: list as EgressRule[] }),
    };
  });
  const policy: CiliumClusterwideNetworkPolicy = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumClusterwideNetworkPolicy',
    metadata: { name, labels: { [MANAGED_BY_LABEL]: MANAGED_BY } },
    ...(built.length === 1 ? { spec: built[0]! } : { specs: built }),
  };
  return { concern, policy, rules };
}
