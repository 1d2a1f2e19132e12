/**
 * @module policy/evaluate/corpora/netpol-analyzer — np-guard/netpol-analyzer's pure-NetworkPolicy connlist
 * cases (shared/corpora/netpol-analyzer) as an oracle for Kubernetes NetworkPolicy semantics. Test-only.
 *
 * For each case: the workloads, namespaces and NetworkPolicies of `tests/<case>/`, the golden
 * `test_outputs/connlist/<case>_connlist_output.txt` (`src => dst : conns`). Every ordered pair of
 * workloads (and of workloads with sample addresses of the external ranges) is evaluated over a probe set
 * of protocol/port pairs — every port the policies and the output mention, its neighbours, and 1/65535 —
 * and compared with the allowed set the golden line gives (a missing line = no connections).
 *
 * How the corpus is mapped:
 * - a workload is a pod's controlling owner (`ns/owner[Kind]`; an owner reference without a kind is
 *   `[Pod]`, as netpol-analyzer prints it), a Node-owned (static) pod or an owner-less pod is itself, and
 *   workload objects (Deployment, DaemonSet …) are one workload with their pod template; a workload with
 *   several pods allows a connection when any pod pair does;
 * - pods get Cilium's identity labels (namespace, namespace labels incl. kubernetes.io/metadata.name,
 *   service account, cluster) and their named container ports;
 * - host-network pods are evaluated as ordinary pods. In Cilium they have the node's identity
 *   (reserved:host / remote-node, cilium-semantics.md c.2) and no NetworkPolicy selects them; the corpus
 *   is a NetworkPolicy oracle, so the pod view is the one it can check. Listed in HOST_NETWORK_NOTE.
 */
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import type { LoadedPolicy } from '../../model/types.js';
import { parseAddress } from '../reference-net.js';
import type { CompileEvaluator, Connection, ConnectionProtocol, Endpoint, Verdict } from '../types.js';
import { corpusDir, describeVerdict, listFiles, loadPolicies, parseObjects, podEndpoint, readText, worldEndpoint } from './shared.js';

export const NETPOL_ANALYZER = 'netpol-analyzer';

export const HOST_NETWORK_NOTE =
  'host-network pods are evaluated as pods; Cilium gives them the node identity (c.2), which NetworkPolicy does not select';

/**
 * Documented Kubernetes-vs-Cilium differences that the connlist goldens show, as predicates over one
 * disagreement. A bug is not a reason; each entry names the rule of cilium-semantics.md it follows.
 */
export interface Deviation {
  readonly id: string;
  readonly reason: string;
  readonly applies: (d: Disagreement) => boolean;
}
export const NETPOL_DEVIATIONS: readonly Deviation[] = [];

/** Cases of cases.json that are pure NetworkPolicy but cannot be checked as a full connectivity list. */
export const NETPOL_SKIPS: Readonly<Record<string, string>> = {};

type ConnSet = 'all' | ReadonlyMap<string, readonly (readonly [number, number])[]>;

interface Workload {
  readonly id: string;
  readonly pods: readonly Endpoint[];
  /** For an external sample: its address (the golden ranges differ per direction and pair, so lookups go by address). */
  readonly address?: bigint;
}

export interface NetpolCase {
  readonly name: string;
  readonly skip?: string;
  readonly workloads: number;
  readonly externals: number;
  readonly policies: readonly LoadedPolicy[];
  readonly peers: readonly Workload[];
  /** Golden lines: `from => to` for workload pairs; for external peers the range is kept to match by address. */
  readonly expected: ReadonlyMap<string, ConnSet>;
  readonly externalLines: readonly { from: string | readonly [bigint, bigint]; to: string | readonly [bigint, bigint]; set: ConnSet }[];
  readonly probes: readonly { protocol: ConnectionProtocol; port: number }[];
}

export interface Disagreement {
  readonly case: string;
  readonly from: string;
  readonly to: string;
  readonly protocol: ConnectionProtocol;
  readonly port: number;
  readonly expected: boolean;
  readonly verdict: string;
}

// ---- parsing the golden output -------------------------------------------------------------------------

/** `All Connections`, `No Connections`, or `TCP 80,9090,UDP 53-54` (a number without a protocol continues the last one). */
export function parseConns(text: string): ConnSet {
  const t = text.trim();
  if (t === 'All Connections') return 'all';
  const out = new Map<string, [number, number][]>();
  if (t === 'No Connections') return out;
  let protocol = '';
  for (const item of t.split(',')) {
    const parts = item.trim().split(/\s+/);
    let range = parts[0] ?? '';
    if (parts.length === 2) {
      protocol = parts[0] ?? '';
      range = parts[1] ?? '';
    }
    const [a, b] = range.split('-').map(Number);
    if (protocol === '' || a === undefined || Number.isNaN(a)) throw new Error(`netpol-analyzer: cannot read connections '${text}'`);
    const list = out.get(protocol) ?? [];
    list.push([a, b === undefined || Number.isNaN(b) ? a : b]);
    out.set(protocol, list);
  }
  return out;
}

function connAllows(set: ConnSet | undefined, protocol: string, port: number): boolean {
  if (set === undefined) return false;
  if (set === 'all') return true;
  return (set.get(protocol) ?? []).some(([a, b]) => port >= a && port <= b);
}

const EXTERNAL = /^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)\[External\]$/;

// ---- reading the inputs ---------------------------------------------------------------------------------

const WORKLOAD_KINDS = new Set(['Deployment', 'ReplicaSet', 'ReplicationController', 'DaemonSet', 'StatefulSet', 'Job', 'CronJob']);

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strMap = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(rec(v)).filter(([, x]) => typeof x === 'string' || typeof x === 'number').map(([k, x]) => [k, String(x)]));

function podTemplate(o: Obj): Obj {
  const spec = rec(o.spec);
  return o.kind === 'CronJob' ? rec(rec(rec(spec.jobTemplate).spec).template) : rec(spec.template);
}

function namedPorts(podSpec: Obj): Endpoint['namedPorts'] {
  const out: Record<string, { port: number; protocol: 'TCP' | 'UDP' | 'SCTP' }> = {};
  for (const c of Array.isArray(podSpec.containers) ? podSpec.containers : []) {
    for (const p of Array.isArray(rec(c).ports) ? (rec(c).ports as unknown[]) : []) {
      const name = str(rec(p).name);
      const port = rec(p).containerPort;
      const protocol = (str(rec(p).protocol) ?? 'TCP') as 'TCP' | 'UDP' | 'SCTP';
      if (name !== undefined && typeof port === 'number') out[name] = { port, protocol };
    }
  }
  return out;
}

function loadCase(inputDir: string, outputFile: string, name: string): NetpolCase {
  const dir = corpusDir(NETPOL_ANALYZER);
  const caseDir = new URL(`${inputDir}/`, dir);
  const objects: Obj[] = [];
  const policies: LoadedPolicy[] = [];
  for (const f of listFiles(caseDir).filter((n) => /\.(ya?ml|json)$/.test(n))) {
    const text = readText(new URL(f, caseDir));
    objects.push(...parseObjects(text));
    if (/NetworkPolicy/.test(text)) policies.push(...loadPolicies(text, `netpol-analyzer/${inputDir}/${f}`, 'default'));
  }
  const nsLabels = new Map<string, Record<string, string>>();
  for (const o of objects.filter((x) => x.kind === 'Namespace')) {
    const md = rec(o.metadata);
    const n = str(md.name);
    if (n !== undefined) nsLabels.set(n, strMap(md.labels));
  }
  const byId = new Map<string, Endpoint[]>();
  let ip = 1;
  const addPod = (id: string, namespace: string, labels: Record<string, string>, podSpec: Obj): void => {
    const endpoint = podEndpoint({
      namespace,
      labels,
      namespaceLabels: nsLabels.get(namespace) ?? {},
      serviceAccount: str(podSpec.serviceAccountName) ?? 'default',
      ip: `10.250.${Math.floor(ip / 250)}.${(ip % 250) + 1}`,
      namedPorts: namedPorts(podSpec),
    });
    ip++;
    byId.set(id, [...(byId.get(id) ?? []), endpoint]);
  };
  for (const o of objects) {
    const md = rec(o.metadata);
    const namespace = str(md.namespace) ?? 'default';
    const kind = str(o.kind);
    if (kind === 'Pod') {
      const owners = Array.isArray(md.ownerReferences) ? md.ownerReferences.map(rec) : [];
      const owner = owners.find((r) => r.controller === true) ?? owners[0];
      const ownerKind = owner === undefined ? undefined : (str(owner.kind) ?? 'Pod');
      const id =
        owner === undefined || ownerKind === 'Node'
          ? `${namespace}/${str(md.name)}[Pod]`
          : `${namespace}/${str(owner.name)}[${ownerKind}]`;
      addPod(id, namespace, strMap(md.labels), rec(o.spec));
    } else if (kind !== undefined && WORKLOAD_KINDS.has(kind)) {
      const template = podTemplate(o);
      addPod(`${namespace}/${str(md.name)}[${kind}]`, namespace, strMap(rec(template.metadata).labels), rec(template.spec));
    }
  }
  const workloads: Workload[] = [...byId.entries()].map(([id, pods]) => ({ id, pods }));

  // The golden connections, per ordered pair of peer ids.
  const expected = new Map<string, ConnSet>();
  const externalLines: { from: string | readonly [bigint, bigint]; to: string | readonly [bigint, bigint]; set: ConnSet }[] = [];
  const externalRanges = new Map<string, readonly [bigint, bigint]>();
  const mentionedPorts: number[] = [];
  const outText = readText(new URL(outputFile, dir));
  for (const line of outText.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^(.*) => (.*) : (.*)$/.exec(line.trim());
    if (m === null) throw new Error(`netpol-analyzer ${name}: cannot read line '${line}'`);
    const [, from, to, conns] = m as unknown as [string, string, string, string];
    for (const peer of [from, to]) {
      const e = EXTERNAL.exec(peer);
      if (e !== null) externalRanges.set(peer, [parseAddress(e[1] ?? '')!.value, parseAddress(e[2] ?? '')!.value]);
      else if (!byId.has(peer)) throw new Error(`netpol-analyzer ${name}: output names '${peer}', which the inputs do not define`);
    }
    const set = parseConns(conns);
    if (set !== 'all') for (const ranges of set.values()) for (const [a, b] of ranges) mentionedPorts.push(a, b);
    const fromRange = externalRanges.get(from);
    const toRange = externalRanges.get(to);
    if (fromRange !== undefined || toRange !== undefined) externalLines.push({ from: fromRange ?? from, to: toRange ?? to, set });
    else expected.set(`${from} => ${to}`, set);
  }

  // Sample external addresses: both ends of every external range in the output, the ends of every ipBlock
  // cidr/except of the policies, and two public addresses. Each belongs to at most one output range.
  const samples = new Set<bigint>([parseAddress('8.8.8.8')!.value, parseAddress('203.0.113.9')!.value]);
  for (const [a, b] of externalRanges.values()) samples.add(a).add(b);
  for (const p of policies) {
    if (p.policy.kind !== 'NetworkPolicy') continue;
    for (const r of [...(p.policy.spec.ingress ?? []).flatMap((x) => x.from ?? []), ...(p.policy.spec.egress ?? []).flatMap((x) => x.to ?? [])]) {
      for (const c of r.ipBlock === undefined ? [] : [r.ipBlock.cidr, ...(r.ipBlock.except ?? [])]) {
        const [addr, bits] = c.split('/');
        const a = parseAddress(addr ?? '');
        if (a === undefined || a.family !== 4) continue;
        const size = 1n << BigInt(32 - Number(bits ?? 32));
        const base = (a.value / size) * size;
        samples.add(base).add(base + size - 1n);
        if (base > 0n) samples.add(base - 1n);
        if (base + size < 1n << 32n) samples.add(base + size);
      }
    }
  }
  const toIp = (v: bigint): string => [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
  const externals: Workload[] = [...samples].map((v) => ({ id: `${toIp(v)}[External]`, pods: [worldEndpoint(toIp(v))], address: v }));
  const peers: Workload[] = [...workloads, ...externals];

  // Probe ports: the policies' ports and range ends with neighbours, the output's, named container ports, 1, 65535.
  const ports = new Set<number>([1, 65535, ...mentionedPorts.flatMap((p) => [p - 1, p, p + 1])]);
  for (const p of policies) {
    if (p.policy.kind !== 'NetworkPolicy') continue;
    for (const r of [...(p.policy.spec.ingress ?? []), ...(p.policy.spec.egress ?? [])]) {
      for (const pp of r.ports ?? []) {
        const n = Number(pp.port);
        if (Number.isInteger(n)) for (const q of [n - 1, n, n + 1]) ports.add(q);
        if (pp.endPort !== undefined) for (const q of [pp.endPort - 1, pp.endPort, pp.endPort + 1]) ports.add(q);
      }
    }
  }
  for (const w of workloads) for (const e of w.pods) for (const np of Object.values(e.namedPorts ?? {})) ports.add(np.port);
  const probes = [...ports]
    .filter((p) => p >= 1 && p <= 65535)
    .sort((a, b) => a - b)
    .flatMap((port) => (['TCP', 'UDP', 'SCTP'] as const).map((protocol) => ({ protocol, port })));

  return { name, workloads: workloads.length, externals: externalRanges.size, policies, peers, expected, externalLines, probes };
}

/** The pure-NetworkPolicy, unfocused connlist cases of `_derived/cases.json`. */
export function loadNetpolCases(): NetpolCase[] {
  const dir = corpusDir(NETPOL_ANALYZER);
  const cases = JSON.parse(readText(new URL('_derived/cases.json', dir))) as {
    connlist: { inputDir: string; category: string; mode: string; focusWorkloads: unknown; focusWorkloadPeers: unknown; focusDirection: unknown; focusConn: unknown; expectedOutputs: { txt?: string } }[];
  };
  return cases.connlist
    .filter((c) => c.category === 'pure-np' && c.mode === 'connlist' && c.expectedOutputs.txt !== undefined)
    .map((c): NetpolCase => {
      const name = c.expectedOutputs.txt!.replace(/^.*\//, '').replace(/_connlist_output\.txt$/, '');
      const empty = { name, workloads: 0, externals: 0, policies: [], peers: [], expected: new Map(), externalLines: [], probes: [] };
      const focused = [c.focusWorkloads, c.focusWorkloadPeers, c.focusDirection, c.focusConn].some((f) => f !== null && f !== undefined);
      if (focused) return { ...empty, skip: 'a focused view (focusWorkload…) lists only part of the pairs; the unfocused case of the same input is checked' };
      const skip = NETPOL_SKIPS[name];
      if (skip !== undefined) return { ...empty, skip };
      if (!existsSync(fileURLToPath(new URL(`${c.inputDir}/`, dir)))) return { ...empty, skip: `${c.inputDir} is not in the corpus` };
      return loadCase(c.inputDir, c.expectedOutputs.txt!, name);
    });
}

/** The golden connections of a pair; an external peer is found in the line whose range holds its address. */
function expectedSet(t: NetpolCase, from: Workload, to: Workload): ConnSet | undefined {
  if (from.address === undefined && to.address === undefined) return t.expected.get(`${from.id} => ${to.id}`);
  const side = (w: Workload, line: string | readonly [bigint, bigint]): boolean =>
    w.address === undefined ? line === w.id : typeof line !== 'string' && w.address >= line[0] && w.address <= line[1];
  const hits = t.externalLines.filter((l) => side(from, l.from) && side(to, l.to));
  if (hits.length > 1) throw new Error(`netpol-analyzer ${t.name}: ${from.id} => ${to.id} is in ${hits.length} golden lines`);
  return hits[0]?.set;
}

/** Evaluates every ordered pair over the probes; disagreements not covered by NETPOL_DEVIATIONS are returned. */
export function compareConnlist(
  t: NetpolCase,
  compile: CompileEvaluator,
): { checked: number; disagreements: string[]; deviations: Map<string, number> } {
  const evaluator = compile(t.policies);
  const disagreements: string[] = [];
  const deviations = new Map<string, number>();
  let checked = 0;
  for (const from of t.peers) {
    for (const to of t.peers) {
      if (from === to || from.id === to.id) continue;
      if (from.address !== undefined && to.address !== undefined) continue;
      const set = expectedSet(t, from, to);
      const wrong: string[] = [];
      for (const probe of t.probes) {
        let allowed = false;
        let last: Verdict | undefined;
        for (const s of from.pods) {
          for (const d of to.pods) {
            const conn: Connection = { source: s, destination: d, protocol: probe.protocol, port: probe.port };
            last = evaluator.evaluate(conn);
            allowed ||= last.allowed;
          }
        }
        checked++;
        const exp = connAllows(set, probe.protocol, probe.port);
        if (exp === allowed) continue;
        const d: Disagreement = { case: t.name, from: from.id, to: to.id, protocol: probe.protocol, port: probe.port, expected: exp, verdict: last === undefined ? '' : describeVerdict(last) };
        const dev = NETPOL_DEVIATIONS.find((x) => x.applies(d));
        if (dev !== undefined) {
          deviations.set(dev.id, (deviations.get(dev.id) ?? 0) + 1);
          continue;
        }
        wrong.push(`${probe.protocol}/${probe.port} expected ${exp ? 'allowed' : 'denied'} (${d.verdict})`);
      }
      if (wrong.length > 0) {
        const shown = wrong.slice(0, 4).join('; ');
        disagreements.push(`${from.id} => ${to.id} [golden: ${set === undefined ? 'none' : set === 'all' ? 'All Connections' : [...set.entries()].map(([p, r]) => `${p} ${r.map(([a, b]) => (a === b ? a : `${a}-${b}`)).join(',')}`).join(',')}]: ${wrong.length} probes differ: ${shown}${wrong.length > 4 ? ' …' : ''}`);
      }
    }
  }
  return { checked, disagreements, deviations };
}
