/**
 * @module rollout/evidence — everything the gates and the risk ranking look at for one namespace, as a plain
 * value ({@link GateEvidence}), and the pure function that builds it from the inventory, the understanding, an
 * `--as-enforced` simulation and the rollout state ({@link gateEvidence}). Pure: `now` is a value.
 */
import type { WorkloadRef } from '../cluster/index.js';
import type { Edge, Finding, Inventory, Peer, Severity } from '../inventory/index.js';
import { bucketHours, isCidrPeer, isEntityPeer, isExternalPeer, isWorkloadPeer } from '../inventory/index.js';
import type { SimulationReport } from '../policy/simulate.js';
import type { Understanding } from '../understand/index.js';
import { criticalityOf, type Criticality, type RolloutConfig } from './config.js';
import { positionAt, positionOf, type Direction, type Position, type Stage } from './stages.js';

const HOUR_MS = 3_600_000;

/** A would-be drop of one edge in one direction, keyed for acceptances. */
export interface WouldDrop {
  /** `<direction> <source> -> <destination> <protocol>/<port>`: what an {@link Acceptance} names. */
  readonly key: string;
  readonly direction: Direction;
  readonly flows: number;
  readonly lastSeen: string;
}

/** A would-be drop a person accepted (`tighten.state.yaml`): it does not block enforcement until `expires`. */
export interface Acceptance {
  readonly namespace: string;
  /** The {@link WouldDrop.key} accepted. */
  readonly key: string;
  readonly reason: string;
  /** RFC 3339; at or after it the acceptance no longer counts. An unreadable time counts as expired. */
  readonly expires: string;
  readonly by?: string;
}

/**
 * The rollout state as the core needs it. `gitops/state.ts`'s `RepoState` is assignable to it; per-direction
 * enforcement (`enforced`) and `acceptances` are what the state file adds next (issue 7 item 2).
 */
export interface RolloutState {
  readonly namespaces: Readonly<Record<string, { readonly stage: Stage; readonly enforced?: readonly Direction[] }>>;
  /** @default [] */
  readonly acceptances?: readonly Acceptance[];
}

/** Result of `tighten preflight`, as the gates need it. */
export interface PreflightSummary {
  readonly pass: boolean;
  /** What failed, in words; empty when it passed. */
  readonly failures: readonly string[];
}

/** Result of tighten's own validation of the namespace's generated policies. */
export interface PolicyValidation {
  readonly valid: boolean;
  /** @default [] */
  readonly problems: readonly string[];
}

/** Everything known about one namespace for gating and ranking. Hand-made in tests; {@link gateEvidence} in use. */
export interface GateEvidence {
  readonly namespace: string;
  /** Owning team; undefined when none is known. */
  readonly team?: string;
  readonly position: Position;
  readonly criticality: Criticality;
  /** Where the criticality came from (label, configuration, default). */
  readonly criticalitySource: string;
  /** Undefined: preflight was not run, which fails every promotion gate. */
  readonly preflight?: PreflightSummary;
  /** Application workloads of the namespace without a generated policy, `Kind/name`. */
  readonly workloadsWithoutPolicy: readonly string[];
  /** Error and warning findings about the namespace or its workloads. */
  readonly hygiene: readonly { readonly code: string; readonly severity: Severity; readonly message: string }[];
  /** Hours from the namespace's first flow to the end of the window; 0 when never seen. */
  readonly observedHours: number;
  /** Hours of the inventory's window; 0 when unknown. */
  readonly windowHours: number;
  /** Distinct hours with traffic of the namespace. */
  readonly activeHours: number;
  /** CronJobs of the namespace never seen in a flow, by name. */
  readonly cronJobsNotSeen: readonly string[];
  /** Would-be drops in the drop window; undefined: no `--as-enforced` simulation, which fails audit → enforce. */
  readonly wouldDrops?: readonly WouldDrop[];
  /** Acceptances of this namespace's would-be drops, expired or not. */
  readonly acceptances: readonly Acceptance[];
  /** Undefined: not validated, which fails audit → enforce. */
  readonly validation?: PolicyValidation;
  /** Estimated policy-map entries per workload (`Kind/name`), baseline included. */
  readonly policyMapEntries: Readonly<Record<string, number>>;
  /** Other namespaces calling in (platform services left out), sorted. */
  readonly dependents: readonly string[];
  /** Flows into the namespace from outside the cluster (world, external addresses, CIDRs, ingress). */
  readonly worldIngressFlows: number;
  /** Flows from or to the namespace. */
  readonly flows: number;
  /** `--approve` was given (critical namespaces need it to enforce). @default false */
  readonly approved?: boolean;
  /**
   * When acceptances are judged: an expiry is a date on the calendar, so this is the time of the promotion (the
   * clock, or `--now`), not the traffic's. @default the gate's `now`
   */
  readonly acceptancesAt?: Date;
}

/** Everything {@link gateEvidence} reads. */
export interface EvidenceSources {
  readonly inventory: Inventory;
  readonly understanding: Understanding;
  /** Namespace labels by namespace (from the cluster dump); a missing namespace has none. */
  readonly namespaceLabels: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** An `--as-enforced` simulation of the generated policies; omitted when not run. */
  readonly simulation?: SimulationReport;
  readonly state: RolloutState;
  readonly preflight?: PreflightSummary;
  /** Application workloads (any namespace) that no generated policy selects. */
  readonly workloadsWithoutPolicy: readonly WorkloadRef[];
  /** Validation per namespace; a missing namespace was not validated. */
  readonly validation?: Readonly<Record<string, PolicyValidation>>;
  /** @default false */
  readonly approved?: boolean;
}

/** A peer in words, the same way in every key. */
export function peerKey(p: Peer): string {
  if (isWorkloadPeer(p)) return `${p.namespace}/${p.kind}/${p.name}`;
  if (isEntityPeer(p)) return `entity:${p.entity}`;
  if (isExternalPeer(p)) return p.names.length > 0 ? `fqdn:${p.names[0]!}` : `ip:${p.ip}`;
  if (isCidrPeer(p)) return `cidr:${p.cidr}`;
  return 'unknown';
}

/** The key of a would-be drop, as acceptances name it. */
export const wouldDropKey = (direction: Direction, e: Pick<Edge, 'source' | 'destination' | 'protocol' | 'port'>): string =>
  `${direction} ${peerKey(e.source)} -> ${peerKey(e.destination)} ${e.protocol}/${e.port}`;

const nsOf = (p: Peer): string | undefined => (isWorkloadPeer(p) ? p.namespace : undefined);
const isOutside = (p: Peer): boolean => isExternalPeer(p) || isCidrPeer(p) || (isEntityPeer(p) && (p.entity === 'world' || p.entity === 'ingress'));
const time = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
};

/**
 * Estimated policy-map entries per workload of `namespace`: the distinct (peer × port/protocol) keys of its
 * observed ingress and egress edges (the generated policy allows exactly those), plus `baseline`. A peer outside
 * the cluster is one identity per address or CIDR. Approximates Cilium's per-endpoint map, which holds one
 * entry per (identity, port, protocol, direction).
 */
export function estimatePolicyMapEntries(edges: readonly Edge[], namespace: string, baseline: number): Record<string, number> {
  const keys = new Map<string, Set<string>>();
  const add = (self: Peer, peer: Peer, dir: Direction, e: Edge): void => {
    if (!isWorkloadPeer(self) || self.namespace !== namespace) return;
    const w = `${self.kind}/${self.name}`;
    const peerId = isExternalPeer(peer) ? `ip:${peer.ip}` : peerKey(peer);
    let set = keys.get(w);
    if (set === undefined) keys.set(w, (set = new Set()));
    set.add(`${dir} ${peerId} ${e.protocol}/${e.port}`);
  };
  for (const e of edges) {
    add(e.destination, e.source, 'ingress', e);
    add(e.source, e.destination, 'egress', e);
  }
  return Object.fromEntries([...keys].sort(([a], [b]) => (a < b ? -1 : 1)).map(([w, s]) => [w, s.size + baseline]));
}

/**
 * The evidence for one namespace.
 * @param now the reference time; would-be drops last seen more than `gates.dropWindowDays` before it do not count
 */
export function gateEvidence(namespace: string, src: EvidenceSources, config: RolloutConfig, now: Date): GateEvidence {
  const { inventory, understanding } = src;
  const labels = src.namespaceLabels[namespace] ?? {};
  const crit = criticalityOf(namespace, labels, config);
  const entry = src.state.namespaces[namespace];
  const position = entry === undefined ? positionAt('observe') : positionOf(entry.stage, entry.enforced);

  const platform = new Set(understanding.classifications.filter((c) => c.class === 'platform').map((c) => `${c.workload.namespace}/${c.workload.name}`));
  const dependents = new Set<string>();
  const hours = new Set<string>();
  let worldIngressFlows = 0;
  let flows = 0;
  let first: number | undefined;
  for (const e of inventory.edges) {
    const s = nsOf(e.source);
    const d = nsOf(e.destination);
    if (s !== namespace && d !== namespace) continue;
    flows += e.flows;
    for (const b of e.buckets) for (const h of bucketHours(b)) hours.add(h);
    const f = time(e.firstSeen);
    if (f !== undefined && (first === undefined || f < first)) first = f;
    if (d === namespace) {
      if (s !== undefined && s !== namespace && isWorkloadPeer(e.source) && !platform.has(`${s}/${e.source.name}`)) dependents.add(s);
      if (isOutside(e.source)) worldIngressFlows += e.flows;
    }
  }
  const since = time(inventory.window.since);
  const until = time(inventory.window.until) ?? time(inventory.window.now) ?? now.getTime();
  const windowHours = since === undefined ? 0 : Math.max(0, (until - since) / HOUR_MS);
  const observedHours = first === undefined ? 0 : Math.max(0, (until - first) / HOUR_MS);

  const inNs = (f: Finding): boolean => 'namespace' in f.subject && f.subject.namespace === namespace;
  const hygiene = understanding.findings.filter((f) => inNs(f) && f.severity !== 'info').map((f) => ({ code: f.code, severity: f.severity, message: f.message }));
  const cron = new Set<string>();
  for (const w of inventory.workloads) if (w.namespace === namespace && w.kind === 'CronJob' && !w.seenIn.flows) cron.add(w.name);
  for (const f of understanding.findings) if (f.code === 'coverage-cronjob-not-seen' && inNs(f) && 'name' in f.subject) cron.add(f.subject.name);

  let wouldDrops: WouldDrop[] | undefined;
  if (src.simulation !== undefined) {
    const cutoff = now.getTime() - config.gates.dropWindowDays * 24 * HOUR_MS;
    wouldDrops = [];
    for (const ev of src.simulation.evaluations) {
      if (!ev.wouldDrop || ev.verdict === undefined) continue;
      const last = time(ev.edge.lastSeen);
      if (last !== undefined && last < cutoff) continue;
      const denied = (dec: string): boolean => dec === 'denied-default' || dec === 'denied-rule';
      if (denied(ev.verdict.ingress.decision) && nsOf(ev.edge.destination) === namespace) wouldDrops.push({ key: wouldDropKey('ingress', ev.edge), direction: 'ingress', flows: ev.edge.flows, lastSeen: ev.edge.lastSeen });
      if (denied(ev.verdict.egress.decision) && nsOf(ev.edge.source) === namespace) wouldDrops.push({ key: wouldDropKey('egress', ev.edge), direction: 'egress', flows: ev.edge.flows, lastSeen: ev.edge.lastSeen });
    }
    wouldDrops.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  const validation = src.validation?.[namespace];
  const team = understanding.teams[namespace];
  return {
    namespace,
    ...(team !== undefined ? { team } : {}),
    position,
    criticality: crit.level,
    criticalitySource: crit.source,
    ...(src.preflight !== undefined ? { preflight: src.preflight } : {}),
    workloadsWithoutPolicy: src.workloadsWithoutPolicy.filter((w) => w.namespace === namespace).map((w) => `${w.kind}/${w.name}`).sort(),
    hygiene,
    observedHours,
    windowHours,
    activeHours: hours.size,
    cronJobsNotSeen: [...cron].sort(),
    ...(wouldDrops !== undefined ? { wouldDrops } : {}),
    acceptances: (src.state.acceptances ?? []).filter((a) => a.namespace === namespace),
    ...(validation !== undefined ? { validation } : {}),
    policyMapEntries: estimatePolicyMapEntries(inventory.edges, namespace, config.gates.baselineEntries),
    dependents: [...dependents].sort(),
    worldIngressFlows,
    flows,
    ...(src.approved === true ? { approved: true } : {}),
  };
}
