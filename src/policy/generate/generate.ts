/**
 * @module policy/generate/generate — the recommended policy set from the flow inventory (PRODUCT.md §5). Pure.
 *
 * How an observed edge becomes (or does not become) a rule:
 * 1. Only passing edges (FORWARDED, AUDIT) count. An edge only ever DROPPED gets no rule, and neither does one
 *    the existing policies, evaluated as they are, drop (seen forwarded at the source, dropped at the
 *    destination): both are listed under `evidence.dropped`.
 * 2. Each direction whose endpoint gets a policy (an application or batch workload of a rollout namespace) is
 *    evaluated with that endpoint isolated, against the existing policies plus the baseline. Allowed there means
 *    no new rule is needed: it is noted under `evidence.covered` with the rules that allow it (none for Cilium's
 *    own allow-localhost), never written twice.
 * 3. Otherwise the peer is named — a workload by its selector (namespace named when it is another one), an
 *    entity, DNS names, or a CIDR — with the exact port and protocol. A peer that cannot be named (a debug pod,
 *    a workload without a usable selector, a protocol rules cannot carry) leaves the edge under
 *    `evidence.notAllowed`, with the reason.
 *
 * Every policy enforces both directions: a direction with nothing to allow is `[{}]` (isolated; only the
 * baseline and existing policies allow anything), so the set allows no workload-to-workload connection that was
 * not observed beyond what the baseline names. Policies are written enforcing; stages are applied by gitops.
 */
import type { ClusterSnapshot, WorkloadRef } from '../../cluster/index.js';
import type { TightenConfig } from '../../config/index.js';
import { isPrivateAddress, type Edge, type Finding, type Inventory, type Peer, type WorkloadPeer } from '../../inventory/index.js';
import { isDns1123Label, isDns1123Subdomain } from '../../shared/dns-names.js';
import { chooseSelectors, sortFindings, type Understanding, type WorkloadClassification } from '../../understand/index.js';
import { identityContext, peerEndpoint } from '../endpoints.js';
import { compileEvaluator, type Connection, type ConnectionProtocol, type Endpoint, type EvaluateOptions, type RuleRef } from '../evaluate/index.js';
import {
  decodePolicyObject,
  validatePolicy,
  type CiliumClusterwideNetworkPolicy,
  type CiliumNetworkPolicy,
  type EgressRule,
  type IngressRule,
  type LoadedPolicy,
  type PolicyProblem,
  type SanitizeOptions,
} from '../model/index.js';
import { baselineName, generateBaseline } from './baseline.js';
import { RULE_PROTOCOLS, RuleAccumulator, type BuiltElement, type RuleProtocol } from './elements.js';
import { compileFqdnPattern, formatWorkloadRef, peerL3, SelectorIndex, workloadKey, type PeerContext, type PeerResult } from './peers.js';
import { canonicalJson, ruleId } from './rule-id.js';
import {
  MANAGED_BY,
  MANAGED_BY_LABEL,
  SYSTEM_NAMESPACES,
  type EdgeNote,
  type GenerateOptions,
  type GenerateResult,
  type RuleEvidence,
  type SkippedWorkload,
  type WorkloadPolicy,
} from './types.js';

/** Isolates every endpoint both ways: what "as enforced, with only existing policies and the baseline" means. */
const ISOLATE_ALL: LoadedPolicy = {
  policy: {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumClusterwideNetworkPolicy',
    metadata: { name: 'tighten-internal-isolate-all' },
    spec: { endpointSelector: {}, ingress: [{}], egress: [{}] },
  } satisfies CiliumClusterwideNetworkPolicy,
};

const EMPTY_DIRECTION_NOTE = 'nothing else was observed in this direction: it is isolated, and only the baseline and existing policies allow anything';

/** True for a policy tighten generated (its own earlier output, found in a dump or a repository). */
export function isManagedByTighten(p: LoadedPolicy): boolean {
  return p.policy.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY;
}

/**
 * The dump's policies as the generator respects them: decoded and validated, tighten's own left out. Policies
 * that do not decode or that Cilium would reject are left out too and returned as problems.
 */
export function existingPoliciesOf(cluster: ClusterSnapshot | undefined, options: SanitizeOptions = {}): { policies: LoadedPolicy[]; problems: string[] } {
  const policies: LoadedPolicy[] = [];
  const problems: string[] = [];
  for (const p of cluster?.policies ?? []) {
    let loaded: LoadedPolicy;
    try {
      loaded = decodePolicyObject(p.object, { file: p.source });
    } catch (cause) {
      problems.push((cause as Error).message);
      continue;
    }
    const errors = validatePolicy(loaded, options).filter((x: PolicyProblem) => x.severity === 'error');
    if (errors.length > 0) {
      problems.push(`${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')} (left out)`);
      continue;
    }
    if (!isManagedByTighten(loaded)) policies.push(loaded);
  }
  return { policies, problems };
}

const passingVerdict = (e: Edge): boolean => e.verdict === 'FORWARDED' || e.verdict === 'AUDIT';
const peerKeys = new WeakMap<Peer, string>();
/** `w ns/name`, `e entity`, `i ip`, `c cidr`; remembered per object (the inventory shares one object per peer). */
const peerKey = (p: Peer): string => {
  let key = peerKeys.get(p);
  if (key === undefined) peerKeys.set(p, (key = 'namespace' in p ? `w ${p.namespace}/${p.name}` : 'entity' in p ? `e ${p.entity}` : 'ip' in p ? `i ${p.ip}` : `c ${p.cidr}`));
  return key;
};
const connectionKey = (e: Edge): string => `${peerKey(e.source)}|${peerKey(e.destination)}|${e.protocol}|${e.port}`;
const withoutBuckets = ({ buckets: _b, ...rest }: Edge): Omit<Edge, 'buckets'> => rest;
const refOf = (w: WorkloadRef): WorkloadRef => ({ namespace: w.namespace, kind: w.kind, name: w.name });

interface Subject {
  readonly workload: WorkloadPeer;
  readonly class: 'application' | 'batch';
  readonly selector: NonNullable<CiliumNetworkPolicy['spec']>['endpointSelector'];
  readonly ingress: RuleAccumulator;
  readonly egress: RuleAccumulator;
}

/**
 * Generates the recommended set: the platform baseline and one CiliumNetworkPolicy per application and batch
 * workload of the rollout namespaces, with the evidence of every rule, what was left out and why.
 * @param understanding `understand(inventory, cluster, config)`: classes, roles and label findings
 */
export function generatePolicies(
  inventory: Inventory,
  understanding: Understanding,
  cluster: ClusterSnapshot | undefined,
  config: TightenConfig,
  options: GenerateOptions = {},
): GenerateResult {
  const ctx = identityContext(cluster);
  const evaluateOptions: EvaluateOptions = { clusterName: ctx.clusterName, ...options.evaluate };
  const classifications = new Map<string, WorkloadClassification>(understanding.classifications.map((c) => [workloadKey(c.workload), c]));
  const { choices } = chooseSelectors(inventory, cluster, understanding.classifications, config);
  const selectors = new SelectorIndex(choices, understanding.classifications, understanding.findings);
  const existing = (options.existing ?? existingPoliciesOf(cluster, evaluateOptions.ciliumVersion ? { ciliumVersion: evaluateOptions.ciliumVersion } : {}).policies).filter(
    (p) => !isManagedByTighten(p),
  );
  const findings: Finding[] = [];

  // Which workloads get a policy, and why the others do not.
  const skippedAll: SkippedWorkload[] = [];
  const eligible: { w: WorkloadPeer; cls: 'application' | 'batch'; selector: Subject['selector'] }[] = [];
  const workloads = [...inventory.workloads].sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
  for (const w of workloads) {
    const c = classifications.get(workloadKey(w));
    const ref = refOf(w);
    const skip = (code: SkippedWorkload['code'], reason: string) => skippedAll.push({ workload: ref, code, reason });
    if (c === undefined) continue;
    if (c.class === 'debug') {
      skip('debug', `debug pod (${c.evidence[0]}): gets no policy, and no rule lets it in or out`);
      continue;
    }
    if (c.class === 'platform') {
      skip('platform', `platform service (${c.role}): its clients reach it through the baseline; its own policy is the platform team's`);
      continue;
    }
    if (ctx.workloads.get(workloadKey(w))?.hostNetwork === true) {
      skip('host-network', 'runs in the host network namespace: Cilium sees it as the node (host / remote-node), no endpoint policy can select it');
      continue;
    }
    if (!isDns1123Label(w.namespace) || !isDns1123Subdomain(w.name)) {
      skip('invalid-name', `${JSON.stringify(`${w.namespace}/${w.name}`)} is not a valid Kubernetes name (RFC 1123): no policy or file is named after it`);
      continue;
    }
    if (!w.seenIn.flows) {
      skip('not-seen', 'never seen in flows: there is no traffic to allow; observe longer before it gets a policy');
      continue;
    }
    const sel = selectors.get(w);
    if ('reason' in sel) {
      skip('no-selector', sel.reason);
      continue;
    }
    eligible.push({ w: ref as WorkloadPeer, cls: c.class, selector: sel.selector });
  }
  const rolloutList = [...new Set(options.namespaces ?? defaultRollout(understanding.classifications, (w) => ctx.workloads.get(workloadKey(w))?.hostNetwork === true))].sort(cmp);
  const rollout = new Set(rolloutList);
  const skipped = skippedAll.filter((s) => rollout.has(s.workload.namespace));
  const subjects = new Map<string, Subject>();
  for (const e of eligible) {
    if (!rollout.has(e.w.namespace)) continue;
    subjects.set(`w ${workloadKey(e.w)}`, { workload: e.w, class: e.cls, selector: e.selector, ingress: new RuleAccumulator('ingress'), egress: new RuleAccumulator('egress') });
  }
  for (const s of skipped) {
    if (s.code === 'no-selector' || s.code === 'invalid-name') {
      findings.push({ code: 'recommend-no-policy', severity: 'warning', subject: s.workload, message: `${formatWorkloadRef(s.workload)} gets no policy: ${s.reason}` });
    } else if (s.code === 'debug') {
      findings.push({ code: 'recommend-debug-pod', severity: 'info', subject: s.workload, message: `${formatWorkloadRef(s.workload)} is a debug pod: it gets no policy, and its traffic is not allowed by anyone's rules` });
    }
  }

  // Edges: passing ones, and those only ever dropped.
  const passing = inventory.edges.filter(passingVerdict);
  const passingKeys = new Set(passing.map(connectionKey));
  const dropped: EdgeNote[] = [];
  for (const e of inventory.edges) {
    if (e.verdict === 'DROPPED' && !passingKeys.has(connectionKey(e)) && touches(e, rollout)) {
      dropped.push({ edge: withoutBuckets(e), reason: `only ever dropped${e.dropReasons ? ` (${e.dropReasons.join(', ')})` : ''}: no rule allows it` });
    }
  }

  const baseline = generateBaseline({ namespaces: rollout, passing, classifications, selectors, config });

  // DNS names each workload asked for, and whether its DNS is visible at all.
  const queried = new Map<string, Set<string>>();
  for (const e of inventory.edges) {
    if (!('namespace' in e.source) || e.l7?.dns === undefined) continue;
    const key = workloadKey(e.source);
    let set = queried.get(key);
    if (set === undefined) queried.set(key, (set = new Set()));
    for (const n of e.l7.dns) set.add(n.toLowerCase().replace(/\.$/, ''));
  }
  const peerContext: PeerContext = {
    selectors,
    queried: (s) => queried.get(workloadKey(s)),
    patterns: (options.fqdnPatterns ?? []).map((pattern) => ({ pattern, re: compileFqdnPattern(pattern) })),
    isPrivate: isPrivateAddress,
    hasDnsVisibility: (s) => (queried.get(workloadKey(s))?.size ?? 0) > 0,
    dnsPolicyName: baselineName('dns'),
  };

  const current = compileEvaluator(existing, evaluateOptions);
  const isolated = compileEvaluator([...existing, ...baseline.map((b) => ({ policy: b.policy })), ISOLATE_ALL], evaluateOptions);
  const workloadLabels = new Map(inventory.workloads.map((w) => [workloadKey(w), w.labels]));
  const endpoints = new Map<string, Endpoint>();
  const endpointByPeer = new WeakMap<Peer, Endpoint>();
  const endpointOf = (p: Peer): Endpoint => {
    const known = endpointByPeer.get(p);
    if (known !== undefined) return known;
    const key = peerKey(p) + ('ip' in p ? ` ${p.names.join(',')}` : '');
    let e = endpoints.get(key);
    if (e === undefined) endpoints.set(key, (e = peerEndpoint(p, ctx, (ns, name) => workloadLabels.get(`${ns}/${name}`))));
    endpointByPeer.set(p, e);
    return e;
  };

  const peerCache = new Map<string, PeerResult>();
  const covered: EdgeNote[] = [];
  const notAllowed: EdgeNote[] = [];
  const cidrFallbacks = new Set<string>();
  const worldIngress = new Set<string>();
  for (const e of passing) {
    const src = 'namespace' in e.source ? subjects.get(peerKey(e.source)) : undefined;
    const dst = 'namespace' in e.destination ? subjects.get(peerKey(e.destination)) : undefined;
    if (src === undefined && dst === undefined) continue;
    let copy: Omit<Edge, 'buckets'> | undefined;
    const edgeOf = () => (copy ??= withoutBuckets(e));
    if (!RULE_PROTOCOLS.has(e.protocol)) {
      notAllowed.push({ edge: edgeOf(), reason: `protocol ${e.protocol} cannot be written in a CiliumNetworkPolicy rule (extended protocols are not generated)` });
      continue;
    }
    if ((e.protocol === 'ICMPv4' || e.protocol === 'ICMPv6') && e.port > 255) {
      notAllowed.push({ edge: edgeOf(), reason: `ICMP type ${e.port} is out of range (0–255): a rule cannot name it` });
      continue;
    }
    if (!(e.protocol === 'ICMPv4' || e.protocol === 'ICMPv6') && (e.port === 0 || e.port > 65535)) {
      notAllowed.push({ edge: edgeOf(), reason: `no destination port was seen for this ${e.protocol} edge: a rule cannot name it` });
      continue;
    }
    const connection: Connection = { source: endpointOf(e.source), destination: endpointOf(e.destination), protocol: e.protocol as ConnectionProtocol, port: e.port };
    // Without existing policies nothing is isolated yet: everything observed passes.
    const now = existing.length === 0 ? undefined : current.evaluate(connection);
    if (now !== undefined && !now.allowed) {
      const by = [...(now.egress.decision !== 'allowed' && now.egress.decision !== 'not-isolated' ? now.egress.by : []), ...(now.ingress.decision !== 'allowed' && now.ingress.decision !== 'not-isolated' ? now.ingress.by : [])];
      dropped.push({ edge: edgeOf(), reason: 'passed at one end but the existing policies drop it: no rule overrides them', ...(by.length > 0 ? { by } : {}) });
      continue;
    }
    const iso = isolated.evaluate(connection);
    for (const [direction, subject] of [
      ['egress', src],
      ['ingress', dst],
    ] as const) {
      if (subject === undefined) continue;
      const d = iso[direction];
      if (d.decision === 'allowed') {
        covered.push({ edge: edgeOf(), direction, reason: coveredReason(d.by), ...(d.by.length > 0 ? { by: d.by } : {}) });
        continue;
      }
      const peer = direction === 'egress' ? e.destination : e.source;
      // How a peer is named depends on the subject's namespace (and, for an address, on the subject's own DNS names).
      const cacheKey = `${direction}|${'ip' in peer ? workloadKey(subject.workload) : subject.workload.namespace}|${peerKey(peer)}`;
      let r = peerCache.get(cacheKey);
      if (r === undefined) peerCache.set(cacheKey, (r = peerL3(peer, subject.workload, direction, peerContext)));
      if ('reason' in r) {
        notAllowed.push({ edge: edgeOf(), direction, reason: r.reason });
        continue;
      }
      const acc = subject[direction];
      for (const l3 of r.l3) acc.add(l3, { protocol: e.protocol as RuleProtocol, port: e.port }, e, r.note);
      if (direction === 'egress' && 'ip' in peer && r.l3[0]?.kind === 'cidr') cidrFallbacks.add(`${workloadKey(subject.workload)} ${r.l3[0].cidr} ${e.port}/${e.protocol}`);
      if (direction === 'ingress' && r.l3[0]?.kind === 'entity' && r.l3[0].entity === 'world' && 'ip' in peer) worldIngress.add(workloadKey(subject.workload));
    }
  }

  const perWorkload: WorkloadPolicy[] = [...subjects.values()].map((s) => buildPolicy(s));
  findings.push(...cidrFindings(cidrFallbacks, subjects), ...worldFindings(worldIngress, subjects), ...notAllowedFindings(notAllowed));

  const rules: RuleEvidence[] = [...baseline.flatMap((b) => b.rules), ...perWorkload.flatMap((p) => p.rules)];
  const namedRules = rules.filter((r) => r.peers.length > 0);
  const sorted = sortFindings(findings);
  return {
    namespaces: rolloutList,
    baseline,
    perWorkload,
    evidence: { window: inventory.window, rules, covered, notAllowed, dropped },
    skipped,
    findings: sorted,
    summary: {
      namespaces: rolloutList.length,
      baselinePolicies: baseline.length,
      workloadPolicies: perWorkload.length,
      rules: rules.length,
      peers: new Set(namedRules.flatMap((r) => r.peers)).size,
      fqdns: new Set(
        [...baseline, ...perWorkload].flatMap((p) => rulesOf(p.policy).flatMap((r) => (r.egress ?? []).flatMap((x) => (x.toFQDNs ?? []).map((f) => f.matchName ?? f.matchPattern ?? '')))),
      ).size,
      cidrFallbacks: new Set([...cidrFallbacks].map((k) => k.split(' ')[1])).size,
      skipped: skipped.length,
      covered: covered.length,
      notAllowed: notAllowed.length,
      dropped: dropped.length,
      findings: sorted.length,
    },
  };
}

/**
 * The namespaces that hold an application or batch workload (not in the host network), except the cluster's own
 * (kube-system, kube-public, kube-node-lease).
 */
export function defaultRollout(classifications: readonly WorkloadClassification[], hostNetwork: (w: WorkloadRef) => boolean = () => false): string[] {
  const out = new Set<string>();
  for (const c of classifications) {
    if ((c.class === 'application' || c.class === 'batch') && !hostNetwork(c.workload) && !(SYSTEM_NAMESPACES as readonly string[]).includes(c.workload.namespace)) out.add(c.workload.namespace);
  }
  return [...out].sort(cmp);
}

function rulesOf(p: CiliumNetworkPolicy | CiliumClusterwideNetworkPolicy) {
  return [...(p.spec ? [p.spec] : []), ...(p.specs ?? [])];
}

function touches(e: Edge, rollout: ReadonlySet<string>): boolean {
  return ('namespace' in e.source && rollout.has(e.source.namespace)) || ('namespace' in e.destination && rollout.has(e.destination.namespace));
}

function coveredReason(by: readonly RuleRef[]): string {
  if (by.length === 0) return 'Cilium lets the node reach its own pods (allow-localhost): no rule needed';
  const names = [...new Set(by.map((r) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name} ${r.section}[${r.index}]`))];
  const baseline = by.every((r) => r.kind === 'CiliumClusterwideNetworkPolicy' && r.name.startsWith('tighten-baseline-'));
  return `${baseline ? 'allowed by the baseline' : 'already allowed'}: ${names.join('; ')}`;
}

function buildPolicy(s: Subject): WorkloadPolicy {
  const { workload } = s;
  const name = workload.name;
  const rules: RuleEvidence[] = [];
  const subjectText = canonicalJson(s.selector);
  const section = (direction: 'ingress' | 'egress'): (IngressRule | EgressRule)[] => {
    const built: BuiltElement[] = s[direction].build();
    const list: BuiltElement[] = built.length > 0 ? built : [{ element: {}, text: '{}', peers: [], ports: [], stats: { edges: 0, flows: 0 }, notes: [EMPTY_DIRECTION_NOTE] }];
    list.forEach((b, index) => {
      rules.push({
        id: ruleId({ kind: 'CiliumNetworkPolicy', namespace: workload.namespace, name, subject: s.selector, subjectText, section: direction, element: b.element, elementText: b.text }),
        policy: { kind: 'CiliumNetworkPolicy', namespace: workload.namespace, name },
        spec: 0,
        section: direction,
        index,
        peers: b.peers,
        ports: b.ports,
        ...b.stats,
        ...(b.notes.length > 0 ? { notes: b.notes } : {}),
      });
    });
    return list.map((b) => b.element);
  };
  const ingress = section('ingress') as IngressRule[];
  const egress = section('egress') as EgressRule[];
  const policy: CiliumNetworkPolicy = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace: workload.namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY } },
    spec: { endpointSelector: s.selector, ingress, egress },
  };
  return { workload: refOf(workload), class: s.class, policy, rules };
}

function cidrFindings(keys: ReadonlySet<string>, subjects: ReadonlyMap<string, Subject>): Finding[] {
  const by = new Map<string, string[]>();
  for (const k of keys) {
    const [w, cidr, port] = k.split(' ') as [string, string, string];
    by.set(w, [...(by.get(w) ?? []), `${cidr} (${port})`]);
  }
  return [...by].map(([w, list]) => {
    const s = subjects.get(`w ${w}`)!.workload;
    return {
      code: 'recommend-cidr-fallback',
      severity: 'warning' as const,
      subject: refOf(s),
      message: `${formatWorkloadRef(s)} connects to ${list.sort().join(', ')} with no DNS name seen: written as toCIDR, flagged "waiting for DNS visibility". Once the baseline's DNS rule has been applied and the names are seen, recommend again to get toFQDNs rules.`,
    };
  });
}

function worldFindings(keys: ReadonlySet<string>, subjects: ReadonlyMap<string, Subject>): Finding[] {
  return [...keys].map((w) => {
    const s = subjects.get(`w ${w}`)!.workload;
    return {
      code: 'recommend-world-ingress',
      severity: 'info' as const,
      subject: refOf(s),
      message: `${formatWorkloadRef(s)} receives connections from addresses outside the cluster: its ingress allows the world entity on those ports. If they all come through an ingress controller or a load balancer with known addresses, narrow it.`,
    };
  });
}

function notAllowedFindings(notes: readonly EdgeNote[]): Finding[] {
  const by = new Map<string, { subject: WorkloadRef; count: number; flows: number; reasons: Set<string> }>();
  for (const n of notes) {
    const end = n.direction === 'ingress' ? n.edge.destination : n.edge.source;
    const alt = n.direction === undefined && !('namespace' in end) ? n.edge.destination : end;
    if (!('namespace' in alt)) continue;
    const key = workloadKey(alt);
    let g = by.get(key);
    if (g === undefined) by.set(key, (g = { subject: refOf(alt), count: 0, flows: 0, reasons: new Set() }));
    g.count++;
    g.flows += n.edge.flows;
    g.reasons.add(n.reason);
  }
  return [...by.values()].map((g) => ({
    code: 'recommend-not-allowed',
    severity: 'warning' as const,
    subject: g.subject,
    message: `${g.count} observed edge${g.count === 1 ? '' : 's'} of ${formatWorkloadRef(g.subject)} (${g.flows} flow${g.flows === 1 ? '' : 's'}) will not be allowed once its policy enforces: ${[...g.reasons].sort().join('; ')}`,
  }));
}

/** Code-point order. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
