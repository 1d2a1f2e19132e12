/**
 * @module policy/model/sanitize — what Cilium's `Rule.Validate()`/`Sanitize()` and the Kubernetes API server's
 * NetworkPolicy validation would reject, checked before tighten evaluates or writes a policy (pure).
 *
 * Decisions:
 * - **Validation only, plus one normalisation Cilium itself makes**: named ports are lower-cased
 *   (`PortProtocol.Sanitize`, `rule_validation.go`). Nothing else is filled in. In particular
 *   `enableDefaultDeny` is *not* defaulted (its default depends on the agent flag
 *   `enable-non-default-deny-policies` and on the Cilium version, which are evaluator options: cilium-semantics b.3),
 *   label keys keep their `k8s:`/`any:` prefixes as written (matching them is the evaluators' business, and the two
 *   evaluators share no matching code), and an omitted `protocol` stays omitted (it means ANY).
 * - Errors are what Cilium or Kubernetes reject, in Cilium's words where it has them ("combining fromEndpoints and
 *   fromCIDR is not supported yet"), naming fields as the YAML spells them. Two are tighten's own, for inputs
 *   Cilium accepts but that are almost certainly mistakes: a port with a leading zero (Go reads `010` as octal 8)
 *   and a bare address where the CRD wants a CIDR.
 * - Warnings are accepted by Cilium but probably not meant, or depend on a cluster setting tighten cannot see
 *   (`fromNodes` needs `--enable-node-selector-labels`), or on the Cilium version given.
 *
 * Assumes the policy came from `decodePolicies`/`decodePolicyObject` (or was built to the same types).
 */
import { NEWEST_CILIUM_VERSION, parseCiliumVersion, versionAtLeast, type CiliumVersion } from '../../shared/cilium-version.js';
import { PolicyError, UsageError } from '../../shared/errors.js';
import { parsePrefix, parseAddress, prefixContains, type Prefix } from './cidr.js';
import { formatPath, formatPolicyProblem, joinProblemLines, type FieldPath, type PolicyId, type PolicyProblem } from './problems.js';
import type {
  CIDRRule,
  CiliumClusterwideNetworkPolicy,
  CiliumNetworkPolicy,
  EgressDenyRule,
  EgressRule,
  ICMPRule,
  IngressDenyRule,
  IngressRule,
  LabelSelector,
  LoadedPolicy,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  PortDenyRule,
  PortProtocol,
  PortRule,
  Rule,
} from './types.js';

export interface SanitizeOptions {
  /**
   * The Cilium version the policies are for, `major.minor` (a patch or a leading `v` is ignored): decides whether
   * `fromRequires`/`toRequires` are errors (1.19+) or warnings, and warns about fields older versions lack.
   * @default "1.19"
   */
  readonly ciliumVersion?: string;
}

export const DEFAULT_CILIUM_VERSION = NEWEST_CILIUM_VERSION;

export interface SanitizedPolicy {
  /** The policy, with named ports lower-cased (the same object when nothing changed). */
  readonly policy: LoadedPolicy;
  readonly warnings: readonly PolicyProblem[];
}

/** Cilium's limits per PortRule and per ICMP rule (`rule_validation.go` maxPorts, maxICMPFields). */
export const MAX_PORTS = 40;
export const MAX_ICMP_FIELDS = 40;

/**
 * Every problem of one policy, errors and warnings, in the order of the policy.
 * @throws UsageError for an unreadable `ciliumVersion`
 */
export function validatePolicy(p: LoadedPolicy, options: SanitizeOptions = {}): PolicyProblem[] {
  const c = new Checker(p, parseVersion(options.ciliumVersion ?? DEFAULT_CILIUM_VERSION));
  const policy = p.policy;
  checkMetadata(c, policy.metadata, policy.kind !== 'CiliumClusterwideNetworkPolicy');
  if (policy.kind === 'NetworkPolicy') checkNetworkPolicy(c, policy);
  else checkCiliumPolicy(c, policy);
  return c.problems;
}

/**
 * Validates one policy and lower-cases its named ports.
 * @throws PolicyError listing every error (file, document, object and field of each)
 */
export function sanitizePolicy(p: LoadedPolicy, options: SanitizeOptions = {}): SanitizedPolicy {
  const problems = validatePolicy(p, options);
  const errors = problems.filter((x) => x.severity === 'error');
  if (errors.length > 0) throw policyError(errors);
  return { policy: lowerNamedPorts(p), warnings: problems.filter((x) => x.severity === 'warning') };
}

/**
 * {@link sanitizePolicy} for a set: all errors of all policies are reported together.
 * @throws PolicyError listing every error
 */
export function sanitizePolicies(ps: readonly LoadedPolicy[], options: SanitizeOptions = {}): { policies: LoadedPolicy[]; warnings: PolicyProblem[] } {
  const errors: PolicyProblem[] = [];
  const warnings: PolicyProblem[] = [];
  const policies: LoadedPolicy[] = [];
  for (const p of ps) {
    const problems = validatePolicy(p, options);
    for (const x of problems) (x.severity === 'error' ? errors : warnings).push(x);
    policies.push(lowerNamedPorts(p));
  }
  if (errors.length > 0) throw policyError(errors);
  return { policies, warnings };
}

function policyError(errors: readonly PolicyProblem[]): PolicyError {
  const files = [...new Set(errors.map((e) => e.source?.file).filter((f): f is string => f !== undefined))];
  const subject = files.length === 1 ? files[0]! : 'policies';
  const file = files.length === 1 ? files[0] : undefined;
  return new PolicyError(joinProblemLines(errors.map(formatPolicyProblem), subject), file !== undefined ? { file } : {});
}

// ---------------------------------------------------------------------------------------------------------------

type Version = CiliumVersion;

function parseVersion(v: string): Version {
  const version = parseCiliumVersion(v);
  if (version === undefined) throw new UsageError(`Cilium version ${JSON.stringify(v)}: expected major.minor, e.g. "1.17"`);
  return version;
}

class Checker {
  readonly problems: PolicyProblem[] = [];
  readonly id: PolicyId;
  readonly loaded: LoadedPolicy;
  readonly version: Version;
  constructor(loaded: LoadedPolicy, version: Version) {
    this.loaded = loaded;
    this.version = version;
    const m = loaded.policy.metadata;
    this.id = { kind: loaded.policy.kind, ...(m.namespace !== undefined ? { namespace: m.namespace } : {}), name: m.name };
  }
  atLeast(major: number, minor: number): boolean {
    return versionAtLeast(this.version, major, minor);
  }
  get versionText(): string {
    return `${this.version[0]}.${this.version[1]}`;
  }
  error(path: FieldPath, message: string): void {
    this.add('error', path, message);
  }
  warn(path: FieldPath, message: string): void {
    this.add('warning', path, message);
  }
  private add(severity: PolicyProblem['severity'], path: FieldPath, message: string): void {
    this.problems.push({ severity, policy: this.id, ...(this.loaded.source !== undefined ? { source: this.loaded.source } : {}), path: formatPath(path), message });
  }
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** A Kubernetes qualified name (label key): optional DNS-subdomain prefix and `/`, then a name of at most 63. */
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** IANA service name (`pkg/iana/svcname.go`): letters, digits, single inner hyphens, at least one letter; ≤ 15. */
const IANA_SVC_NAME = /^([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$/;
/** The CRD patterns of FQDN names/patterns and server names, rewritten without nested quantifiers (same language). */
const FQDN_NAME = /^[-a-zA-Z0-9_]+(\.[-a-zA-Z0-9_]+)*\.?$/;
const FQDN_PATTERN = /^[-a-zA-Z0-9_*]+(\.[-a-zA-Z0-9_*]+)*\.?$/;
const SERVER_NAME = /^(\*?\*\.)?[-a-zA-Z0-9_]+(\.[-a-zA-Z0-9_]+)*\.?$/;
const KAFKA_TOPIC = /^[a-zA-Z0-9._-]+$/;

/** Cilium's ICMP type names per family (`pkg/policy/api/icmp.go`). */
const ICMP_TYPES: Readonly<Record<'IPv4' | 'IPv6', Readonly<Record<string, number>>>> = {
  IPv4: {
    EchoReply: 0, DestinationUnreachable: 3, Redirect: 5, Echo: 8, EchoRequest: 8, RouterAdvertisement: 9, RouterSelection: 10,
    TimeExceeded: 11, ParameterProblem: 12, Timestamp: 13, TimestampReply: 14, Photuris: 40, ExtendedEchoRequest: 42, ExtendedEchoReply: 43,
  },
  IPv6: {
    DestinationUnreachable: 1, PacketTooBig: 2, TimeExceeded: 3, ParameterProblem: 4, EchoRequest: 128, EchoReply: 129,
    MulticastListenerQuery: 130, MulticastListenerReport: 131, MulticastListenerDone: 132, RouterSolicitation: 133,
    RouterAdvertisement: 134, NeighborSolicitation: 135, NeighborAdvertisement: 136, RedirectMessage: 137, RouterRenumbering: 138,
    ICMPNodeInformationQuery: 139, ICMPNodeInformationResponse: 140, InverseNeighborDiscoverySolicitation: 141,
    InverseNeighborDiscoveryAdvertisement: 142, HomeAgentAddressDiscoveryRequest: 144, HomeAgentAddressDiscoveryReply: 145,
    MobilePrefixSolicitation: 146, MobilePrefixAdvertisement: 147, DuplicateAddressRequestCodeSuffix: 157,
    DuplicateAddressConfirmationCodeSuffix: 158, ExtendedEchoRequest: 160, ExtendedEchoReply: 161,
  },
};

function checkMetadata(c: Checker, m: { readonly name: string; readonly namespace?: string }, namespaced: boolean): void {
  if (m.name.length > 253 || !DNS_SUBDOMAIN.test(m.name)) {
    c.error(['metadata', 'name'], `${JSON.stringify(m.name)} is not a valid object name (lower-case letters, digits, '-' and '.', at most 253 characters)`);
  }
  if (namespaced && m.namespace !== undefined && (m.namespace.length > 63 || !DNS_LABEL.test(m.namespace))) {
    c.error(['metadata', 'namespace'], `${JSON.stringify(m.namespace)} is not a valid namespace name (lower-case letters, digits and '-', at most 63 characters)`);
  }
}

// --- CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy ------------------------------------------------------

function checkCiliumPolicy(c: Checker, p: CiliumNetworkPolicy | CiliumClusterwideNetworkPolicy): void {
  const rules: [FieldPath, Rule][] = [];
  if (p.spec !== undefined) rules.push([['spec'], p.spec]);
  (p.specs ?? []).forEach((r, i) => rules.push([['specs', i], r]));
  if (rules.length === 0) {
    c.error([], `a ${p.kind} needs spec or specs (Cilium rejects an empty policy)`);
    return;
  }
  for (const [path, rule] of rules) checkRule(c, rule, path, p);
}

function checkRule(c: Checker, r: Rule, path: FieldPath, p: CiliumNetworkPolicy | CiliumClusterwideNetworkPolicy): void {
  const sections = [r.ingress, r.ingressDeny, r.egress, r.egressDeny];
  if (sections.every((s) => s === undefined || s.length === 0)) {
    c.error(path, 'rule must have at least one of ingress, ingressDeny, egress, egressDeny (an empty list does not count)');
  }
  if (r.endpointSelector === undefined && r.nodeSelector === undefined) c.error(path, 'rule must have one of endpointSelector or nodeSelector');
  if (r.endpointSelector !== undefined && r.nodeSelector !== undefined) c.error(path, 'rule cannot have both endpointSelector and nodeSelector');
  if (p.kind === 'CiliumNetworkPolicy' && r.nodeSelector !== undefined) {
    c.error([...path, 'nodeSelector'], 'a CiliumNetworkPolicy cannot have a nodeSelector; host policies are CiliumClusterwideNetworkPolicies');
  }
  const host = p.kind === 'CiliumClusterwideNetworkPolicy' && r.nodeSelector !== undefined;
  if (r.endpointSelector !== undefined) {
    checkSelector(c, r.endpointSelector, [...path, 'endpointSelector'], false);
    if (p.kind === 'CiliumNetworkPolicy') warnForeignNamespace(c, r.endpointSelector, [...path, 'endpointSelector'], p.metadata.namespace);
  }
  if (r.nodeSelector !== undefined) checkSelector(c, r.nodeSelector, [...path, 'nodeSelector'], false);
  if (r.enableDefaultDeny !== undefined && !c.atLeast(1, 16)) {
    c.warn([...path, 'enableDefaultDeny'], `enableDefaultDeny needs Cilium 1.16 or later; Cilium ${c.versionText} drops it, so the rule is default-deny`);
  }
  if (r.log !== undefined && !c.atLeast(1, 18)) c.warn([...path, 'log'], `log needs Cilium 1.18 or later; Cilium ${c.versionText} drops it`);
  r.ingress?.forEach((e, i) => checkIngress(c, e, [...path, 'ingress', i], false, host));
  r.ingressDeny?.forEach((e, i) => checkIngress(c, e, [...path, 'ingressDeny', i], true, host));
  r.egress?.forEach((e, i) => checkEgress(c, e, [...path, 'egress', i], false, host));
  r.egressDeny?.forEach((e, i) => checkEgress(c, e, [...path, 'egressDeny', i], true, host));
}

const NAMESPACE_KEYS = ['io.kubernetes.pod.namespace', 'k8s:io.kubernetes.pod.namespace', 'any:io.kubernetes.pod.namespace'];

/** cilium-semantics a.4: the subject of a CNP is always pinned to the policy's namespace. */
function warnForeignNamespace(c: Checker, sel: LabelSelector, path: FieldPath, namespace: string): void {
  for (const key of NAMESPACE_KEYS) {
    const v = sel.matchLabels?.[key];
    if (v !== undefined && v !== namespace) {
      c.warn([...path, 'matchLabels', key], `Cilium ignores this: a CiliumNetworkPolicy only selects pods of its own namespace (${namespace}); use a CiliumClusterwideNetworkPolicy to select pods in ${v}`);
    }
  }
}

const INGRESS_PEERS = ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromNodes', 'fromGroups'] as const;
const EGRESS_PEERS = ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toGroups', 'toNodes'] as const;

/** `rule_validation.go` IngressCommonRule/EgressCommonRule.Validate: one kind of L3 peer per element. */
function checkPeerKinds(c: Checker, e: object, fields: readonly string[], path: FieldPath, deny: boolean): void {
  const rec = e as Readonly<Record<string, readonly unknown[] | undefined>>;
  const given = fields.filter((f) => rec[f] !== undefined);
  const nonEmpty = given.filter((f) => (rec[f]?.length ?? 0) > 0);
  if (nonEmpty.length >= 2) {
    const [a, b] = nonEmpty as [string, string];
    const fqdn = a === 'toFQDNs' || b === 'toFQDNs' ? '; a toFQDNs element cannot name other peers' : '';
    c.error(path, `combining ${a} and ${b} is not supported yet${fqdn}; put them in separate elements`);
  }
  if (given.length > 0 && nonEmpty.length === 0) {
    const f = given[0]!;
    c.warn([...path, f], `${f}: [] selects no peer, so this element ${deny ? 'denies' : 'allows'} nothing; leave the field out to mean every peer`);
  }
}

function checkRequires(c: Checker, field: 'fromRequires' | 'toRequires', value: readonly LabelSelector[] | undefined, path: FieldPath): void {
  if (value === undefined) return;
  if (c.atLeast(1, 19)) c.error([...path, field], `${field} was removed in Cilium 1.19; select the peers with ${field === 'fromRequires' ? 'fromEndpoints' : 'toEndpoints'} instead`);
  else c.warn([...path, field], `${field} is deprecated since Cilium 1.17 and removed in 1.19`);
  value.forEach((s, i) => checkSelector(c, s, [...path, field, i], false));
}

function checkNodes(c: Checker, field: string, value: readonly LabelSelector[] | undefined, path: FieldPath): void {
  if (value === undefined || value.length === 0) return;
  if (!c.atLeast(1, 16)) c.warn([...path, field], `${field} needs Cilium 1.16 or later; Cilium ${c.versionText} drops the field, which widens this element to every peer`);
  else c.warn([...path, field], `${field} only works when the Cilium agent runs with --enable-node-selector-labels`);
  value.forEach((s, i) => checkSelector(c, s, [...path, field, i], false));
}

function checkIngress(c: Checker, e: IngressRule | IngressDenyRule, path: FieldPath, deny: boolean, host: boolean): void {
  checkPeerKinds(c, e, INGRESS_PEERS, path, deny);
  checkRequires(c, 'fromRequires', e.fromRequires, path);
  e.fromEndpoints?.forEach((s, i) => checkSelector(c, s, [...path, 'fromEndpoints', i], false));
  checkNodes(c, 'fromNodes', e.fromNodes, path);
  e.fromCIDR?.forEach((s, i) => checkCIDR(c, s, [...path, 'fromCIDR', i]));
  e.fromCIDRSet?.forEach((r, i) => checkCIDRRule(c, r, [...path, 'fromCIDRSet', i]));
  checkICMPs(c, e.icmps, e.toPorts, path);
  if (deny) (e as IngressDenyRule).toPorts?.forEach((pr, i) => checkPortDenyRule(c, pr, [...path, 'toPorts', i]));
  else (e as IngressRule).toPorts?.forEach((pr, i) => checkPortRule(c, pr, [...path, 'toPorts', i], true, host));
}

function checkEgress(c: Checker, e: EgressRule | EgressDenyRule, path: FieldPath, deny: boolean, host: boolean): void {
  checkPeerKinds(c, e, deny ? EGRESS_PEERS : [...EGRESS_PEERS, 'toFQDNs'], path, deny);
  checkRequires(c, 'toRequires', e.toRequires, path);
  e.toEndpoints?.forEach((s, i) => checkSelector(c, s, [...path, 'toEndpoints', i], false));
  checkNodes(c, 'toNodes', e.toNodes, path);
  e.toCIDR?.forEach((s, i) => checkCIDR(c, s, [...path, 'toCIDR', i]));
  e.toCIDRSet?.forEach((r, i) => checkCIDRRule(c, r, [...path, 'toCIDRSet', i]));
  e.toServices?.forEach((s, i) => {
    const sp = [...path, 'toServices', i];
    if (s.k8sService === undefined && s.k8sServiceSelector === undefined) c.warn(sp, 'names no service (neither k8sService nor k8sServiceSelector), so it selects nothing');
    if (s.k8sService?.serviceName === 'kubernetes' && (s.k8sService.namespace ?? 'default') === 'default') {
      c.warn([...sp, 'k8sService'], 'the API server is not reached through default/kubernetes in policy terms; use toEntities: [kube-apiserver]');
    }
    if (s.k8sServiceSelector !== undefined) checkSelector(c, s.k8sServiceSelector.selector, [...sp, 'k8sServiceSelector', 'selector'], false);
  });
  checkICMPs(c, e.icmps, e.toPorts, path);
  if (deny) (e as EgressDenyRule).toPorts?.forEach((pr, i) => checkPortDenyRule(c, pr, [...path, 'toPorts', i]));
  else {
    const allow = e as EgressRule;
    allow.toPorts?.forEach((pr, i) => checkPortRule(c, pr, [...path, 'toPorts', i], false, host));
    allow.toFQDNs?.forEach((f, i) => checkFQDN(c, f.matchName, f.matchPattern, [...path, 'toFQDNs', i]));
  }
}

function checkICMPs(c: Checker, icmps: readonly ICMPRule[] | undefined, toPorts: readonly unknown[] | undefined, path: FieldPath): void {
  if (icmps === undefined) return;
  if (icmps.length > 0 && (toPorts?.length ?? 0) > 0) {
    c.error(path, 'the icmps block may only be present without toPorts; define a separate element to use toPorts');
  }
  icmps.forEach((rule, i) => {
    const rp = [...path, 'icmps', i];
    if (rule.fields.length > MAX_ICMP_FIELDS) c.error([...rp, 'fields'], `too many types, the max is ${MAX_ICMP_FIELDS}`);
    rule.fields.forEach((f, j) => {
      const family = f.family ?? 'IPv4';
      const t = f.type;
      const fp = [...rp, 'fields', j, 'type'];
      if (typeof t === 'number' || /^\d+$/.test(t)) {
        const n = Number(t);
        if (n < 0 || n > 255 || !Number.isInteger(n)) c.error(fp, `ICMP type ${t} is out of range (0–255)`);
      } else if (ICMP_TYPES[family][t] === undefined) {
        const other = family === 'IPv4' ? 'IPv6' : 'IPv4';
        const hint = ICMP_TYPES[other][t] !== undefined ? ` (it is an ${other} type: set family: ${other})` : '';
        c.error(fp, `ICMP type ${t} not found in ${family}${hint}`);
      }
    });
  });
}

/** `CIDR.Validate` plus the CRD's `format: cidr`: a prefix, not a bare address. */
function checkCIDR(c: Checker, s: string, path: FieldPath): Prefix | undefined {
  const p = parsePrefix(s);
  if (p !== undefined) return p;
  const bare = parseAddress(s);
  if (bare !== undefined) c.error(path, `${JSON.stringify(s)} is an address, not a CIDR; write ${s}/${bare.family === 4 ? 32 : 128}`);
  else c.error(path, `unable to parse CIDR ${JSON.stringify(s)}`);
  return undefined;
}

/** `CIDRRule.Validate`. */
function checkCIDRRule(c: Checker, r: CIDRRule, path: FieldPath): void {
  const given = [r.cidr !== undefined && r.cidr !== '', r.cidrGroupRef !== undefined && r.cidrGroupRef !== '', r.cidrGroupSelector !== undefined].filter(Boolean).length;
  if (given === 0) c.error(path, 'one of cidr, cidrGroupRef, or cidrGroupSelector is required');
  if (given > 1) c.error(path, 'more than one of cidr, cidrGroupRef, or cidrGroupSelector may not be set');
  if (r.cidrGroupRef !== undefined && (r.cidrGroupRef.length > 253 || !DNS_SUBDOMAIN.test(r.cidrGroupRef))) {
    c.error([...path, 'cidrGroupRef'], `${JSON.stringify(r.cidrGroupRef)} is not a valid CiliumCIDRGroup name`);
  }
  if (r.cidrGroupSelector !== undefined) checkSelector(c, r.cidrGroupSelector, [...path, 'cidrGroupSelector'], false);
  if (r.cidr === undefined || r.cidr === '' || given > 1) return;
  const outer = checkCIDR(c, r.cidr, [...path, 'cidr']);
  r.except?.forEach((x, i) => {
    const inner = checkCIDR(c, x, [...path, 'except', i]);
    if (outer !== undefined && inner !== undefined && (inner.bits < outer.bits || !prefixContains(outer, inner))) {
      c.error([...path, 'except', i], `allow CIDR prefix ${r.cidr} does not contain exclude CIDR prefix ${x}`);
    }
  });
}

function checkFQDN(c: Checker, name: string | undefined, pattern: string | undefined, path: FieldPath): void {
  if ((name === undefined || name === '') === (pattern === undefined || pattern === '')) {
    c.error(path, 'exactly one of matchName or matchPattern is required');
  }
  if (name !== undefined && name !== '' && (name.length > 255 || !FQDN_NAME.test(name))) {
    c.error([...path, 'matchName'], `${JSON.stringify(name)} is not a DNS name (letters, digits, '-', '_' and '.'; no '*': use matchPattern)`);
  }
  if (pattern !== undefined && pattern !== '' && (pattern.length > 255 || !FQDN_PATTERN.test(pattern))) {
    c.error([...path, 'matchPattern'], `${JSON.stringify(pattern)} is not a DNS pattern (letters, digits, '-', '_', '*' and '.')`);
  }
}

/** `PortRule.Validate` and `L7Rules.Validate`. */
function checkPortRule(c: Checker, pr: PortRule, path: FieldPath, ingress: boolean, host: boolean): void {
  const rules = pr.rules;
  const counts = { DNS: rules?.dns?.length ?? 0, HTTP: rules?.http?.length ?? 0, Kafka: rules?.kafka?.length ?? 0 };
  const hasDNS = counts.DNS > 0;
  // Cilium's L7Rules.IsEmpty: a kind counts as given when its list is present, even empty.
  const l7 = rules !== undefined && (rules.http !== undefined || rules.kafka !== undefined || rules.dns !== undefined || (rules.l7proto ?? '') !== '' || rules.l7 !== undefined);
  if (ingress && hasDNS) c.error([...path, 'rules', 'dns'], 'DNS rules are not allowed on ingress');
  if (host && ingress && counts.DNS + counts.HTTP + counts.Kafka > 0) c.error([...path, 'rules'], 'L7 policy is not supported on host ingress yet');
  if (host && !ingress) {
    if (counts.HTTP > 0) c.error([...path, 'rules', 'http'], 'L7 protocol HTTP is not supported on host egress yet');
    if (counts.Kafka > 0) c.error([...path, 'rules', 'kafka'], 'L7 protocol Kafka is not supported on host egress yet');
  }
  if (pr.serverNames !== undefined) {
    if (pr.serverNames.length === 0) c.error([...path, 'serverNames'], 'must not be an empty list; leave it out to match any server name');
    if (pr.serverNames.length > 0 && l7 && pr.terminatingTLS === undefined) c.error([...path, 'serverNames'], 'serverNames are not allowed with L7 rules without TLS termination (terminatingTLS)');
    pr.serverNames.forEach((sn, i) => {
      if (sn === '') c.error([...path, 'serverNames', i], 'empty server name is not allowed');
      else if (sn.length > 255 || !SERVER_NAME.test(sn)) c.error([...path, 'serverNames', i], `${JSON.stringify(sn)} is not a server name (a DNS name, optionally starting with *. or **.)`);
    });
  }
  const ports = pr.ports ?? [];
  if (ports.length > MAX_PORTS) c.error([...path, 'ports'], `too many ports, the max is ${MAX_PORTS}`);
  let haveZero = false;
  ports.forEach((pp, i) => {
    const pp_ = [...path, 'ports', i];
    if (checkPortProtocol(c, pp, pp_, hasDNS)) haveZero = true;
    if (l7 && !hasDNS && pp.protocol !== 'TCP') {
      const got = pp.protocol ?? 'ANY, the default when protocol is omitted';
      c.error([...pp_, 'protocol'], `L7 rules can only apply to TCP (not ${got}) except for DNS rules`);
    }
  });
  if (pr.listener !== undefined) {
    if (ingress) c.error([...path, 'listener'], `listener is not allowed on ingress (${pr.listener.name})`);
    if (l7) c.error([...path, 'listener'], `listener is not allowed with L7 rules (${pr.listener.name})`);
  }
  if (ports.length === 0 && pr.listener === undefined && !(rules?.dns !== undefined)) {
    c.warn(path, 'a toPorts entry without ports adds no port filter, so this element allows nothing; to allow every port write ports: [{port: "0"}]');
  }
  if (rules === undefined || !l7) return;
  if (haveZero) c.error([...path, 'rules'], 'L7 rules can not be used when a port is 0');
  let kinds = 0;
  if (rules.http !== undefined) {
    kinds++;
    rules.http.forEach((h, i) => {
      for (const field of ['method', 'path', 'host'] as const) {
        const re = h[field];
        if (re !== undefined && !compilesAsRegex(re)) {
          c.warn([...path, 'rules', 'http', i, field], `${JSON.stringify(re)} does not compile as a regular expression (checked with JavaScript's RegExp; Cilium uses Go's RE2 and may reject it)`);
        }
      }
    });
  }
  if (rules.kafka !== undefined) {
    kinds++;
    c.warn([...path, 'rules', 'kafka'], 'Kafka rules are deprecated and will be removed in Cilium 1.20');
    rules.kafka.forEach((k, i) => {
      if (typeof k.role === 'string' && k.role !== '' && typeof k.apiKey === 'string' && k.apiKey !== '') {
        c.error([...path, 'rules', 'kafka', i], 'cannot set both role and apiKey');
      }
      if (typeof k.topic === 'string' && k.topic !== '' && (k.topic.length > 255 || !KAFKA_TOPIC.test(k.topic))) {
        c.error([...path, 'rules', 'kafka', i, 'topic'], `${JSON.stringify(k.topic)} is not a Kafka topic name (letters, digits, '.', '_' and '-')`);
      }
    });
  }
  if (rules.dns !== undefined) {
    if (ports.length === 0) c.error([...path, 'ports'], 'port 53 must be specified for DNS rules');
    kinds++;
    rules.dns.forEach((d, i) => checkFQDN(c, d.matchName, d.matchPattern, [...path, 'rules', 'dns', i]));
  }
  if (rules.l7 !== undefined && (rules.l7proto ?? '') === '') c.error([...path, 'rules', 'l7'], "'l7' may only be specified when a 'l7proto' is also specified");
  if ((rules.l7proto ?? '') !== '') kinds++;
  if (kinds > 1) c.error([...path, 'rules'], 'multiple L7 protocol rule types specified in single rule');
}

function checkPortDenyRule(c: Checker, pr: PortDenyRule, path: FieldPath): void {
  const ports = pr.ports ?? [];
  if (ports.length > MAX_PORTS) c.error([...path, 'ports'], `too many ports, the max is ${MAX_PORTS}`);
  ports.forEach((pp, i) => checkPortProtocol(c, pp, [...path, 'ports', i], false));
  if (ports.length === 0) c.warn(path, 'a toPorts entry without ports adds no port filter, so this element denies nothing; to deny every port write ports: [{port: "0"}]');
}

function isSvcName(s: string): boolean {
  return s.length > 0 && s.length <= 15 && IANA_SVC_NAME.test(s);
}

/** `PortProtocol.Validate`; returns whether the port is 0 (all ports). */
function checkPortProtocol(c: Checker, pp: PortProtocol, path: FieldPath, hasDNS: boolean): boolean {
  const port = pp.port;
  if (port === undefined || port === '') {
    c.error([...path, 'port'], 'port must be specified (write "0" for all ports)');
    return false;
  }
  if (isSvcName(port)) {
    if (pp.endPort !== undefined && pp.endPort !== 0) c.warn([...path, 'endPort'], `endPort is ignored for the named port ${JSON.stringify(port)}`);
    return false;
  }
  if (!/^\d+$/.test(port)) {
    c.error([...path, 'port'], `${JSON.stringify(port)} is neither a port number (0–65535) nor a port name (up to 15 letters, digits and single inner hyphens, with at least one letter)`);
    return false;
  }
  if (port.length > 1 && port.startsWith('0')) {
    c.error([...path, 'port'], `${JSON.stringify(port)} has a leading zero, which Cilium reads as an octal number; write the port without leading zeros`);
    return false;
  }
  const n = Number(port);
  if (n > 65535) {
    c.error([...path, 'port'], `unable to parse port ${JSON.stringify(port)}: out of range (0–65535)`);
    return false;
  }
  const end = pp.endPort;
  if (end !== undefined && end !== 0) {
    if (end < n) c.error([...path, 'endPort'], `endPort ${end} is below port ${n}; the range would be empty`);
    if (hasDNS && end > n) c.error([...path, 'endPort'], 'DNS rules do not support port ranges');
    if (!c.atLeast(1, 16)) c.warn([...path, 'endPort'], `endPort needs Cilium 1.16 or later; Cilium ${c.versionText} drops it and matches only port ${n}`);
  }
  return n === 0;
}

/** Whether an RE2 expression compiles in JavaScript, after mapping the RE2-only spellings JS lacks. */
function compilesAsRegex(re: string): boolean {
  let src = re.replace(/\(\?P</g, '(?<');
  let flags = '';
  const inline = /^\(\?([imsU]+)\)/.exec(src);
  if (inline !== null) {
    flags = [...new Set(inline[1]!.replace('U', '').split(''))].join('');
    src = src.slice(inline[0].length);
  }
  try {
    new RegExp(src, flags);
    return true;
  } catch {
    return false;
  }
}

/**
 * A label selector: In/NotIn need values, Exists/DoesNotExist take none, values are label values. `k8sKeys`
 * (NetworkPolicy) also checks keys as Kubernetes label keys; Cilium keys may carry a `source:` prefix.
 */
function checkSelector(c: Checker, sel: LabelSelector, path: FieldPath, k8sKeys: boolean): void {
  const checkKey = (key: string, p: FieldPath): void => {
    if (key === '') c.error(p, 'a label key must not be empty');
    else if (k8sKeys && !validLabelKey(key)) c.error(p, `${JSON.stringify(key)} is not a valid label key`);
  };
  const checkValue = (v: string, p: FieldPath): void => {
    if (v.length > 63 || !LABEL_VALUE.test(v)) {
      c.error(p, `${JSON.stringify(v)} is not a valid label value (at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit)`);
    }
  };
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    checkKey(k, [...path, 'matchLabels', k]);
    checkValue(v, [...path, 'matchLabels', k]);
  }
  sel.matchExpressions?.forEach((e, i) => {
    const ep = [...path, 'matchExpressions', i];
    checkKey(e.key, [...ep, 'key']);
    const values = e.values ?? [];
    if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) c.error([...ep, 'values'], `must be non-empty when operator is ${e.operator}`);
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) c.error([...ep, 'values'], `must be empty when operator is ${e.operator}`);
    values.forEach((v, j) => checkValue(v, [...ep, 'values', j]));
  });
}

function validLabelKey(key: string): boolean {
  if (!QUALIFIED_NAME.test(key)) return false;
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? '' : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  return prefix.length <= 253 && name.length <= 63;
}

// --- Kubernetes NetworkPolicy ------------------------------------------------------------------------------------

/** Kubernetes `ValidateNetworkPolicy` (pkg/apis/networking/validation). */
function checkNetworkPolicy(c: Checker, p: NetworkPolicy): void {
  const spec = p.spec;
  checkSelector(c, spec.podSelector, ['spec', 'podSelector'], true);
  const types = spec.policyTypes ?? [];
  if (types.length > 2) c.error(['spec', 'policyTypes'], 'may not have more than 2 entries (Ingress, Egress)');
  types.forEach((t, i) => {
    if (types.indexOf(t) !== i) c.error(['spec', 'policyTypes', i], `${t} is listed twice`);
  });
  spec.ingress?.forEach((r, i) => {
    r.from?.forEach((peer, j) => checkPeer(c, peer, ['spec', 'ingress', i, 'from', j]));
    r.ports?.forEach((port, j) => checkNetworkPolicyPort(c, port, ['spec', 'ingress', i, 'ports', j]));
  });
  spec.egress?.forEach((r, i) => {
    r.to?.forEach((peer, j) => checkPeer(c, peer, ['spec', 'egress', i, 'to', j]));
    r.ports?.forEach((port, j) => checkNetworkPolicyPort(c, port, ['spec', 'egress', i, 'ports', j]));
  });
}

function checkPeer(c: Checker, peer: NetworkPolicyPeer, path: FieldPath): void {
  const selectors = (peer.podSelector !== undefined ? 1 : 0) + (peer.namespaceSelector !== undefined ? 1 : 0);
  if (selectors === 0 && peer.ipBlock === undefined) c.error(path, 'must specify a peer: podSelector, namespaceSelector or ipBlock');
  if (selectors > 0 && peer.ipBlock !== undefined) c.error(path, 'may not specify both ipBlock and another peer (podSelector, namespaceSelector)');
  if (peer.podSelector !== undefined) checkSelector(c, peer.podSelector, [...path, 'podSelector'], true);
  if (peer.namespaceSelector !== undefined) checkSelector(c, peer.namespaceSelector, [...path, 'namespaceSelector'], true);
  const block = peer.ipBlock;
  if (block === undefined) return;
  const outer = parsePrefix(block.cidr);
  if (outer === undefined) c.error([...path, 'ipBlock', 'cidr'], `${JSON.stringify(block.cidr)} is not a valid CIDR (e.g. 10.0.0.0/8)`);
  block.except?.forEach((x, i) => {
    const inner = parsePrefix(x);
    if (inner === undefined) c.error([...path, 'ipBlock', 'except', i], `${JSON.stringify(x)} is not a valid CIDR`);
    else if (outer !== undefined && (inner.bits <= outer.bits || !prefixContains(outer, inner))) {
      c.error([...path, 'ipBlock', 'except', i], `${x} must be a strict subset of cidr ${block.cidr}`);
    }
  });
}

/** Kubernetes IANA_SVC_NAME for container port names: lower case only. */
const K8S_PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function checkNetworkPolicyPort(c: Checker, port: NetworkPolicyPort, path: FieldPath): void {
  const p = port.port;
  if (typeof p === 'number') {
    if (p < 1 || p > 65535) c.error([...path, 'port'], `${p} must be between 1 and 65535`);
  } else if (typeof p === 'string') {
    if (/^\d+$/.test(p)) c.error([...path, 'port'], `${JSON.stringify(p)} is a string, so Kubernetes reads it as a port name, and a name needs a letter; write the number without quotes`);
    else if (p.length > 15 || !K8S_PORT_NAME.test(p) || p.includes('--') || !/[a-z]/.test(p)) {
      c.error([...path, 'port'], `${JSON.stringify(p)} is not a valid port name (up to 15 lower-case letters, digits and single inner hyphens, with at least one letter)`);
    }
  }
  if (port.endPort !== undefined) {
    if (p === undefined) c.error([...path, 'endPort'], 'endPort requires port');
    else if (typeof p !== 'number') c.error([...path, 'endPort'], 'endPort may only be specified with a numeric port');
    else if (port.endPort < p) c.error([...path, 'endPort'], `endPort ${port.endPort} must be greater than or equal to port ${p}`);
  }
}

// --- the one normalisation ---------------------------------------------------------------------------------------

/** Cilium lower-cases named ports (`PortProtocol.Sanitize`): container port names compare case-insensitively. */
function lowerNamedPorts(p: LoadedPolicy): LoadedPolicy {
  const policy = p.policy;
  if (policy.kind === 'NetworkPolicy') return p;
  let changed = false;
  const ports = <T extends { readonly ports?: readonly PortProtocol[] }>(pr: T): T => {
    if (pr.ports === undefined) return pr;
    const next = pr.ports.map((pp) => {
      if (pp.port === undefined || !isSvcName(pp.port) || pp.port === pp.port.toLowerCase()) return pp;
      changed = true;
      return { ...pp, port: pp.port.toLowerCase() };
    });
    return { ...pr, ports: next };
  };
  const elements = <T extends { readonly toPorts?: readonly { readonly ports?: readonly PortProtocol[] }[] }>(list: readonly T[] | undefined): readonly T[] | undefined =>
    list?.map((e) => (e.toPorts === undefined ? e : { ...e, toPorts: e.toPorts.map(ports) }));
  const rule = (r: Rule): Rule => {
    const out: Record<string, unknown> = { ...r };
    for (const section of ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const) {
      if (r[section] !== undefined) out[section] = elements(r[section] as readonly { readonly toPorts?: readonly { readonly ports?: readonly PortProtocol[] }[] }[]);
    }
    return out as Rule;
  };
  const next = {
    ...policy,
    ...(policy.spec !== undefined ? { spec: rule(policy.spec) } : {}),
    ...(policy.specs !== undefined ? { specs: policy.specs.map(rule) } : {}),
  };
  return changed ? { ...p, policy: next } : p;
}

