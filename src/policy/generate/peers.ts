/**
 * @module policy/generate/peers — how a policy names a workload (its selector) and any other inventory peer
 * (entity, DNS name, CIDR). Pure.
 *
 * Selectors come from `chooseSelector` (understand/selector.ts): stable, identity-relevant labels by the
 * configured priority, with a further key (e.g. `track`) where only that tells workloads apart. A workload whose
 * chosen labels still select another workload gets a `DoesNotExist` requirement on a key every other one carries
 * (so `productcatalogservice` excludes its `track: canary` sibling); when no key separates them, it has no usable
 * selector. Keys are written without a source (Cilium reads them as `any:`, which matches the pods' `k8s:`
 * labels); the namespace key always as `k8s:io.kubernetes.pod.namespace`.
 */
import type { Finding, Peer, WorkloadPeer } from '../../inventory/index.js';
import { formatLabels, type SelectorChoice, type WorkloadClassification } from '../../understand/index.js';
import type { EndpointSelector, PolicyEntity } from '../model/index.js';
import type { PeerL3 } from './elements.js';

/** The namespace label key as every cross-namespace peer names it. */
export const NAMESPACE_KEY = 'k8s:io.kubernetes.pod.namespace';

/** `ns/Kind/name`. */
export const formatWorkloadRef = (w: { readonly namespace: string; readonly kind: string; readonly name: string }): string => `${w.namespace}/${w.kind}/${w.name}`;
export const workloadKey = (w: { readonly namespace: string; readonly name: string }): string => `${w.namespace}/${w.name}`;

/** A usable selector, or why there is none. */
export type SelectorResult =
  | { readonly selector: EndpointSelector; readonly choice: SelectorChoice }
  | { readonly reason: string; /** The reason in a few words, for rules that would name it. */ readonly short: string };

/** Selectors of every workload, by `namespace/name`. */
export class SelectorIndex {
  private readonly results = new Map<string, SelectorResult>();

  constructor(choices: readonly SelectorChoice[], classifications: readonly WorkloadClassification[], findings: readonly Finding[]) {
    const debug = new Set(classifications.filter((c) => c.class === 'debug').map((c) => workloadKey(c.workload)));
    const labelFindings = new Map<string, Finding>();
    for (const f of findings) {
      if (!('kind' in f.subject) || !f.code.startsWith('label-') || f.severity === 'info') continue;
      const key = workloadKey(f.subject);
      const had = labelFindings.get(key);
      if (had === undefined || (had.severity !== 'error' && f.severity === 'error')) labelFindings.set(key, f);
    }
    for (const key of debug) this.results.set(key, { reason: 'it is a debug pod: debug pods get no policy, and no rule lets them in or out', short: 'it is a debug pod' });
    for (const c of choices) {
      const key = workloadKey(c.workload);
      if (debug.has(key)) continue;
      this.results.set(key, resultOf(c, labelFindings.get(key)));
    }
  }

  /** The selector of a workload, or why there is none. */
  get(w: { readonly namespace: string; readonly name: string }): SelectorResult {
    return this.results.get(workloadKey(w)) ?? { reason: 'the inventory does not know its labels', short: 'its labels are unknown' };
  }
}

function resultOf(c: SelectorChoice, finding: Finding | undefined): SelectorResult {
  const name = formatWorkloadRef(c.workload);
  const labels = Object.keys(c.labels);
  if (labels.length === 0) {
    const short = 'it has no stable, identity-relevant label (see its label finding)';
    if (finding !== undefined) return { reason: finding.message, short };
    return { reason: `${name} has no stable, identity-relevant label: add one such as app.kubernetes.io/name=${c.workload.name} to its pod template`, short };
  }
  if (c.alsoSelects.length > 0 && c.absentKeys.length === 0) {
    const short = `its selector ${formatLabels(c.labels)} also selects ${c.alsoSelects.map(formatWorkloadRef).join(', ')}`;
    if (finding !== undefined) return { reason: finding.message, short };
    return { reason: `the selector ${formatLabels(c.labels)} of ${name} also selects ${c.alsoSelects.map(formatWorkloadRef).join(', ')}: give it a distinguishing label`, short };
  }
  const matchLabels: Record<string, string> = {};
  for (const k of labels) matchLabels[k] = c.labels[k]!;
  const selector: EndpointSelector =
    c.alsoSelects.length > 0 ? { matchLabels, matchExpressions: [{ key: c.absentKeys[0]!, operator: 'DoesNotExist' }] } : { matchLabels };
  return { selector, choice: c };
}

/** The selector of a peer workload as a rule in `subjectNamespace` names it: pinned to its namespace when that differs. */
export function peerSelector(selector: EndpointSelector, peer: WorkloadPeer, subjectNamespace: string | undefined): EndpointSelector {
  if (peer.namespace === subjectNamespace) return selector;
  return { ...selector, matchLabels: { ...(selector.matchLabels ?? {}), [NAMESPACE_KEY]: peer.namespace } };
}

/** The name form Cilium's `matchName` accepts (CRD pattern), lower case, no trailing dot. */
const FQDN_NAME = /^([-a-z0-9_]+\.?)+$/;

export function normaliseDnsName(name: string): string | undefined {
  const n = name.trim().toLowerCase().replace(/\.$/, '');
  return n.length > 0 && n.length <= 253 && FQDN_NAME.test(n) ? n : undefined;
}

/**
 * Compiles a `matchPattern` as Cilium matches it (cilium-semantics.md c.4): anchored; a lone `*` matches every
 * name; a leading `**.` one or more labels; any other `*` a run of label characters that never crosses a dot.
 */
export function compileFqdnPattern(pattern: string): RegExp {
  const p = pattern.trim().toLowerCase().replace(/\.$/, '');
  const label = '[-a-z0-9_]';
  if (p === '*' || p === '**') return new RegExp(`^(?:${label}+\\.)*${label}+$`);
  let head = '';
  let rest = p;
  if (p.startsWith('**.')) {
    head = `(?:${label}+\\.)+`;
    rest = p.slice(3);
  }
  let body = '';
  for (const ch of rest) body += ch === '*' ? `${label}*` : ch.replace(/[.\\^$|?+()[\]{}-]/g, (x) => `\\${x}`);
  return new RegExp(`^${head}${body}$`);
}

/** What a peer becomes in a rule, or why it cannot be named. */
export type PeerResult = { readonly l3: readonly PeerL3[]; readonly note?: string } | { readonly reason: string };

export interface PeerContext {
  readonly selectors: SelectorIndex;
  /** Names the subject itself asked its DNS server for (so a shared address keeps only the subject's names). */
  readonly queried: (subject: WorkloadPeer) => ReadonlySet<string> | undefined;
  readonly patterns: readonly { readonly pattern: string; readonly re: RegExp }[];
  readonly isPrivate: (ip: string) => boolean;
  /** Whether the subject's DNS traffic was seen with names (DNS visibility). */
  readonly hasDnsVisibility: (subject: WorkloadPeer) => boolean;
  /** The baseline policy carrying the DNS rule `toFQDNs` needs. */
  readonly dnsPolicyName: string;
}

/** How `direction`'s rules of `subject` name `peer`. */
export function peerL3(peer: Peer, subject: WorkloadPeer, direction: 'ingress' | 'egress', ctx: PeerContext): PeerResult {
  if ('namespace' in peer) {
    const r = ctx.selectors.get(peer);
    if ('reason' in r) return { reason: `${formatWorkloadRef(peer)} cannot be selected: ${r.short}` };
    const cross = peer.namespace !== subject.namespace;
    return { l3: [{ kind: 'endpoint', crossNamespace: cross, selector: peerSelector(r.selector, peer, subject.namespace), label: formatWorkloadRef(peer) }] };
  }
  if ('entity' in peer) {
    const entity = peer.entity as PolicyEntity;
    return { l3: [{ kind: 'entity', entity, label: `entity:${entity}` }] };
  }
  if ('ip' in peer) {
    const bits = peer.ip.includes(':') ? 128 : 32;
    if (direction === 'ingress') {
      if (ctx.isPrivate(peer.ip)) return { l3: [{ kind: 'cidr', cidr: `${peer.ip}/${bits}`, label: `${peer.ip}/${bits}` }], note: `${peer.ip} is a private address outside the cluster: allowed as ${peer.ip}/${bits}` };
      return {
        l3: [{ kind: 'entity', entity: 'world', label: 'entity:world' }],
        note: 'world ingress: connections came from addresses outside the cluster (e.g. a LoadBalancer or NodePort), so any address may connect on these ports',
      };
    }
    const names = peer.names.map(normaliseDnsName).filter((n): n is string => n !== undefined);
    if (names.length > 0) {
      const asked = ctx.queried(subject);
      const own = asked === undefined ? [] : names.filter((n) => asked.has(n));
      const chosen = [...new Set(own.length > 0 ? own : names)].sort();
      const l3: PeerL3[] = chosen.map((n) => {
        const p = ctx.patterns.find((x) => x.re.test(n));
        return p !== undefined ? { kind: 'fqdn', fqdn: { matchPattern: p.pattern }, label: p.pattern } : { kind: 'fqdn', fqdn: { matchName: n }, label: n };
      });
      return { l3, note: `toFQDNs works with the DNS rule (rules.dns matchPattern "*") of CiliumClusterwideNetworkPolicy ${ctx.dnsPolicyName}` };
    }
    const cidr = `${peer.ip}/${bits}`;
    const why = ctx.hasDnsVisibility(subject)
      ? `no DNS name was seen for ${peer.ip} although ${formatWorkloadRef(subject)}'s DNS queries are visible: it may connect by address`
      : `waiting for DNS visibility: no DNS name seen for ${peer.ip}; once the baseline's DNS rule has run, recommend again to get toFQDNs`;
    return { l3: [{ kind: 'cidr', cidr, label: cidr }], note: why };
  }
  return { l3: [{ kind: 'cidr', cidr: peer.cidr, label: peer.cidr }] };
}
