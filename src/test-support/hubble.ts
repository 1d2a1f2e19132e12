/**
 * @module test-support/hubble — builds Hubble flow JSON lines (as `hubble observe -o json` prints
 * them) for tests: pods, entities and world addresses, with both observation points and replies.
 */

export interface TestEndpoint {
  readonly ip: string;
  readonly json: Record<string, unknown>;
}

let nextIdentity = 20_000;
const identities = new Map<string, number>();

/** A pod endpoint with Cilium's identity labels; `workload` fills Hubble's `workloads`. */
export function pod(
  namespace: string,
  podName: string,
  ip: string,
  labels: Record<string, string>,
  workload?: { kind: string; name: string },
): TestEndpoint {
  const identityLabels = [
    ...Object.entries(labels).map(([k, v]) => `k8s:${k}=${v}`),
    `k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=${namespace}`,
    'k8s:io.cilium.k8s.policy.cluster=default',
    `k8s:io.cilium.k8s.policy.serviceaccount=default`,
    `k8s:io.kubernetes.pod.namespace=${namespace}`,
  ].sort();
  const key = identityLabels.join(',');
  let identity = identities.get(key);
  if (identity === undefined) identities.set(key, (identity = nextIdentity++));
  return {
    ip,
    json: {
      identity,
      namespace,
      labels: identityLabels,
      pod_name: podName,
      ...(workload ? { workloads: [workload] } : {}),
    },
  };
}

const RESERVED: Record<string, number> = { host: 1, world: 2, 'remote-node': 6, 'kube-apiserver': 7, health: 4 };

/** A reserved entity (`host`, `world`, `remote-node`, `kube-apiserver`, `health`) at an address. */
export function entity(name: keyof typeof RESERVED, ip: string): TestEndpoint {
  return { ip, json: { identity: RESERVED[name], labels: [`reserved:${name}`] } };
}

export interface FlowSpec {
  readonly time: string;
  readonly src: TestEndpoint;
  readonly dst: TestEndpoint;
  readonly proto?: 'TCP' | 'UDP' | 'ICMPv4';
  readonly sport?: number;
  readonly dport?: number;
  readonly direction: 'EGRESS' | 'INGRESS';
  readonly reply?: boolean;
  readonly verdict?: string;
  readonly dropReason?: string;
  readonly node?: string;
  readonly eventType?: number;
  readonly destinationNames?: string[];
  readonly l7?: Record<string, unknown>;
  readonly icmpType?: number;
}

/** One `hubble observe -o json` line. */
export function flowLine(s: FlowSpec): string {
  const proto = s.proto ?? 'TCP';
  const l4 =
    proto === 'ICMPv4'
      ? { ICMPv4: { type: s.icmpType ?? 8 } }
      : { [proto]: { source_port: s.sport ?? 40000, destination_port: s.dport ?? 80, ...(proto === 'TCP' ? { flags: s.reply ? { ACK: true } : { SYN: true } } : {}) } };
  const node = s.node ?? 'kind-worker';
  const flow: Record<string, unknown> = {
    time: s.time,
    verdict: s.verdict ?? 'FORWARDED',
    ...(s.dropReason ? { drop_reason_desc: s.dropReason } : {}),
    IP: { source: s.src.ip, destination: s.dst.ip, ipVersion: 'IPv4' },
    l4,
    source: s.src.json,
    destination: s.dst.json,
    Type: s.l7 ? 'L7' : 'L3_L4',
    node_name: node,
    ...(s.destinationNames ? { destination_names: s.destinationNames } : {}),
    ...(s.l7 ? { l7: s.l7 } : {}),
    event_type: { type: s.eventType ?? (s.l7 ? 129 : s.verdict === 'DROPPED' ? 1 : 4) },
    traffic_direction: s.direction,
    ...(s.l7 ? {} : { trace_observation_point: s.direction === 'EGRESS' ? 'TO_STACK' : 'TO_ENDPOINT' }),
    is_reply: s.reply ?? false,
  };
  return JSON.stringify({ flow, node_name: node, time: s.time });
}

/**
 * A whole connection as Hubble shows it: the request observed at the sender (EGRESS, when the sender
 * is a pod) and at the receiver (INGRESS, when the receiver is a pod), and a reply at each.
 */
export function connection(spec: Omit<FlowSpec, 'direction'> & { srcIsPod: boolean; dstIsPod: boolean }): string[] {
  const { srcIsPod, dstIsPod, ...s } = spec;
  const lines: string[] = [];
  const reply = { ...s, src: s.dst, dst: s.src, sport: s.dport ?? 80, dport: s.sport ?? 40000, reply: true };
  if (srcIsPod) lines.push(flowLine({ ...s, direction: 'EGRESS' }));
  if (dstIsPod) lines.push(flowLine({ ...s, direction: 'INGRESS' }));
  if (dstIsPod) lines.push(flowLine({ ...reply, direction: 'INGRESS' }));
  if (srcIsPod) lines.push(flowLine({ ...reply, direction: 'EGRESS' }));
  return lines;
}
