/**
 * @module policy/explain — why a rule did *not* allow a connection: the near misses `tighten trace`
 * prints beside a verdict. Pure.
 *
 * Each allow element of a policy that selects the endpoint is evaluated on its own (a one-element
 * policy, compiled by the same evaluator), and when it does not allow the connection, the
 * connection is varied one way at a time — another port, another protocol, the peer moved into the
 * policy's namespace, a DNS name for the address — to find the one difference that stops it. The
 * evaluator is a black box here, so the explanation can never disagree with the verdict.
 */
import type { CompileEvaluator, Connection, ConnectionProtocol, Endpoint, EvaluateOptions, RuleRef, Verdict } from './evaluate/types.js';
import type { EgressRule, IngressRule, LoadedPolicy, NetworkPolicy, PortRule, Rule } from './model/types.js';

export interface NearMiss {
  readonly rule: RuleRef;
  /** In a platform engineer's words: what the rule allows and which part of the connection it misses. */
  readonly reason: string;
}

export type Direction = 'ingress' | 'egress';

const NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace=';

/** One connection through a policy set: the verdict, and the near misses of each direction default deny dropped. */
export function traceConnection(
  policies: readonly LoadedPolicy[],
  connection: Connection,
  compile: CompileEvaluator,
  options?: EvaluateOptions,
): { verdict: Verdict; nearMisses: { egress: NearMiss[]; ingress: NearMiss[] } } {
  const verdict = compile(policies, options).evaluate(connection);
  const misses = (direction: Direction) =>
    verdict[direction].decision === 'denied-default' ? explainNearMisses(policies, connection, direction, compile, options) : [];
  return { verdict, nearMisses: { egress: misses('egress'), ingress: misses('ingress') } };
}

/**
 * The allow elements, selecting the direction's subject, that came close to allowing the connection.
 * @param policies the policy set (sanitized), as given to the evaluator
 */
export function explainNearMisses(
  policies: readonly LoadedPolicy[],
  connection: Connection,
  direction: Direction,
  compile: CompileEvaluator,
  options?: EvaluateOptions,
): NearMiss[] {
  const out: NearMiss[] = [];
  for (const loaded of policies) {
    const p = loaded.policy;
    if (p.kind === 'NetworkPolicy') {
      out.push(...explainNetworkPolicy(loaded, p, connection, direction, compile, options));
      continue;
    }
    const specs = p.specs ?? (p.spec ? [p.spec] : []);
    specs.forEach((rule, spec) => {
      const elements: readonly (IngressRule | EgressRule)[] = (direction === 'ingress' ? rule.ingress : rule.egress) ?? [];
      elements.forEach((element, index) => {
        const single: LoadedPolicy = { ...loaded, policy: { ...p, spec: oneElement(rule, direction, element), specs: undefined } as typeof p };
        const ref: RuleRef = { kind: p.kind, ...(p.metadata.namespace ? { namespace: p.metadata.namespace } : {}), name: p.metadata.name, spec, section: direction, index };
        const reason = diagnose(single, connection, direction, compile, options, element, p.kind === 'CiliumNetworkPolicy' ? p.metadata.namespace : undefined);
        if (reason !== undefined) out.push({ rule: ref, reason });
      });
    });
  }
  return out;
}

function oneElement(rule: Rule, direction: Direction, element: IngressRule | EgressRule): Rule {
  const base: Rule = rule.nodeSelector ? { nodeSelector: rule.nodeSelector } : { endpointSelector: rule.endpointSelector ?? {} };
  return direction === 'ingress' ? { ...base, ingress: [element as IngressRule] } : { ...base, egress: [element as EgressRule] };
}

function explainNetworkPolicy(
  loaded: LoadedPolicy,
  p: NetworkPolicy,
  connection: Connection,
  direction: Direction,
  compile: CompileEvaluator,
  options: EvaluateOptions | undefined,
): NearMiss[] {
  const list = direction === 'ingress' ? p.spec.ingress : p.spec.egress;
  const out: NearMiss[] = [];
  (list ?? []).forEach((element, index) => {
    const spec = direction === 'ingress'
      ? { podSelector: p.spec.podSelector, policyTypes: ['Ingress' as const], ingress: [element] }
      : { podSelector: p.spec.podSelector, policyTypes: ['Egress' as const], egress: [element] };
    const single: LoadedPolicy = { ...loaded, policy: { ...p, spec } };
    const ref: RuleRef = { kind: 'NetworkPolicy', namespace: p.metadata.namespace, name: p.metadata.name, spec: 0, section: direction, index };
    const ports = (element.ports ?? []).flatMap((port) => (typeof port.port === 'number' ? [{ port: port.port, protocol: port.protocol ?? 'TCP' }] : []));
    const reason = diagnoseWith(single, connection, direction, compile, options, ports, undefined, undefined);
    if (reason !== undefined) out.push({ rule: ref, reason });
  });
  return out;
}

function diagnose(
  single: LoadedPolicy,
  connection: Connection,
  direction: Direction,
  compile: CompileEvaluator,
  options: EvaluateOptions | undefined,
  element: IngressRule | EgressRule,
  policyNamespace: string | undefined,
): string | undefined {
  const ports = (element.toPorts ?? []).flatMap((r: PortRule) =>
    (r.ports ?? []).flatMap((p) => (p.port !== undefined && /^\d+$/.test(p.port) && p.port !== '0' ? [{ port: Number(p.port), protocol: p.protocol ?? 'ANY' }] : [])),
  );
  const fqdns = 'toFQDNs' in element ? (element.toFQDNs ?? []) : [];
  return diagnoseWith(single, connection, direction, compile, options, ports, policyNamespace, fqdns.length > 0 ? fqdns.map((f) => f.matchName ?? f.matchPattern ?? '').filter(Boolean) : undefined);
}

function diagnoseWith(
  single: LoadedPolicy,
  connection: Connection,
  direction: Direction,
  compile: CompileEvaluator,
  options: EvaluateOptions | undefined,
  ports: readonly { port: number; protocol: string }[],
  policyNamespace: string | undefined,
  fqdns: readonly string[] | undefined,
): string | undefined {
  const evaluator = compile([single], options);
  const decide = (c: Connection) => (direction === 'ingress' ? evaluator.evaluate(c).ingress : evaluator.evaluate(c).egress);
  const first = decide(connection);
  // Not selecting the subject (not isolated) or already allowing: not a near miss.
  if (first.decision !== 'denied-default') return undefined;

  const peerSide: 'source' | 'destination' = direction === 'ingress' ? 'source' : 'destination';
  const peer = connection[peerSide];
  const allows = (c: Connection) => decide(c).decision === 'allowed';
  const wanted = `${connection.port}/${connection.protocol}`;

  const portHits = ports.filter((p) => {
    const protocols: ConnectionProtocol[] = p.protocol === 'ANY' ? ['TCP', 'UDP', 'SCTP'] : [p.protocol as ConnectionProtocol];
    return protocols.some((protocol) => allows({ ...connection, port: p.port, protocol }));
  });
  if (portHits.length > 0) {
    const list = [...new Set(portHits.map((p) => `${p.port}/${p.protocol}`))].join(', ');
    return `wrong port: it allows this peer on ${list}, not on ${wanted}`;
  }
  if (connection.protocol !== 'ICMPv4' && connection.protocol !== 'ICMPv6') {
    const other = (['TCP', 'UDP', 'SCTP'] as const).filter((p) => p !== connection.protocol && allows({ ...connection, protocol: p }));
    if (other.length > 0) return `wrong protocol: it allows port ${connection.port} over ${other.join(', ')}, not ${connection.protocol}`;
  }
  if (policyNamespace !== undefined) {
    const peerNamespace = peer.labels.find((l) => l.startsWith(NAMESPACE_LABEL))?.slice(NAMESPACE_LABEL.length);
    if (peerNamespace !== undefined && peerNamespace !== policyNamespace) {
      const moved: Endpoint = { ...peer, labels: peer.labels.map((l) => (l.startsWith(NAMESPACE_LABEL) ? `${NAMESPACE_LABEL}${policyNamespace}` : l)) };
      if (allows({ ...connection, [peerSide]: moved })) {
        return `namespace pinning: its peer selector would match these labels in namespace ${policyNamespace}, but the peer is in ${peerNamespace}; a CiliumNetworkPolicy's peers stay in the policy's namespace unless the selector names k8s:io.kubernetes.pod.namespace (or a namespace label)`;
      }
    }
  }
  if (fqdns !== undefined && direction === 'egress') {
    const names = peer.names ?? [];
    if (names.length === 0) {
      return `missing DNS name: it allows ${fqdns.join(', ')} by name, and no name is known for ${peer.ip ?? 'this address'}; toFQDNs only matches addresses the source resolved through Cilium's DNS proxy, so the source needs an egress DNS rule (toPorts 53 with rules.dns) to its resolver`;
    }
    return `name mismatch: it allows ${fqdns.join(', ')}, and ${peer.ip ?? 'the address'} is known as ${names.join(', ')}`;
  }
  return undefined;
}
