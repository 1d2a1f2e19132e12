/**
 * @module watch/attribute — turns a slice of live traffic into attributed events (PRODUCT.md §1 "Watch"). Pure.
 *
 * A slice is an inventory of the flows of a second or so. Its edges are replayed against the policies the
 * repository applies, with the audit-stage namespaces' generated policies as if enforced (`simulate`); then:
 * - an edge Cilium dropped for policy (`POLICY_DENIED`, `POLICY_DENY`) is a **drop**, in the direction the
 *   policies deny it (its namespace is usually at enforce);
 * - an edge Cilium forwarded with an `AUDIT` verdict (agent-wide audit mode) is an **audit** drop;
 * - a forwarded edge the policies deny is a **would-drop** (its namespace is at audit — or at enforce in the
 *   repository but not yet applied);
 * - a forwarded edge with an end in a namespace at observe, never seen before, is a **new dependency**;
 * - drops for other reasons are not attributed to policy: they are counted, nothing more.
 * Each event names the namespace and its stage, the workload and the peer, the port, the direction, the deciding
 * rule (or default deny), and — for drops and would-drops — the rule that would allow it.
 */
import type { Edge, Peer } from '../inventory/index.js';
import type { DirectionVerdict } from '../policy/evaluate/index.js';
import type { SimulationReport, Suggestion } from '../policy/simulate.js';
import { formatRule } from '../report/trace.js';
import type { Position } from '../rollout/index.js';

export const EVENT_KINDS = ['drop', 'audit', 'would-drop', 'new-dependency'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** One attributed observation of an edge in a slice. */
export interface RawEvent {
  /** Stable across slices: kind, direction, source, destination, protocol/port. */
  readonly key: string;
  readonly kind: EventKind;
  /** The namespace the event is about (the policy subject's), and its position in the rollout. */
  readonly namespace: string;
  /** Undefined: the namespace is not in the rollout. */
  readonly position?: Position;
  /** The direction denied; undefined for a new dependency. */
  readonly direction?: 'ingress' | 'egress';
  readonly source: Peer;
  readonly destination: Peer;
  readonly port: number;
  readonly protocol: Edge['protocol'];
  /** `default deny`, or the rule that denies it; undefined for a new dependency. */
  readonly rule?: string;
  readonly flows: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** The rule that would allow it (drops and would-drops). */
  readonly suggestion?: Suggestion;
}

export interface SliceStats {
  /** Edges dropped by Cilium for reasons other than policy (not attributed). */
  readonly otherDrops: number;
  readonly edges: number;
}

const POLICY_REASONS: ReadonlySet<string> = new Set(['POLICY_DENIED', 'POLICY_DENY', 'POLICY_DENY_AUTH']);
const nsOf = (p: Peer): string | undefined => ('namespace' in p ? p.namespace : undefined);
const denied = (d: DirectionVerdict): boolean => d.decision === 'denied-default' || d.decision === 'denied-rule';
const ruleOf = (d: DirectionVerdict): string => (d.decision === 'denied-rule' ? `denied by ${d.by.map(formatRule).join('; ')}` : 'default deny');

/** `<source> -> <destination> <protocol>/<port>`, the same words as acceptances' keys. */
export function peerWords(p: Peer): string {
  if ('namespace' in p) return `${p.namespace}/${p.kind}/${p.name}`;
  if ('entity' in p) return `entity:${p.entity}`;
  if ('ip' in p) return p.names.length > 0 ? `fqdn:${p.names[0]!}` : `ip:${p.ip}`;
  return `cidr:${p.cidr}`;
}

/**
 * The events of one slice.
 * @param report the slice replayed by `simulate`, with Cilium's policy drops re-evaluated as if forwarded (see {@link asReplayable})
 * @param observed the verdict Cilium gave each edge, by {@link edgeId} (what `asReplayable` changed)
 * @param positions the rollout's namespaces and where they stand
 * @param known edges seen before (by {@link edgeId}); the slice's forwarded edges are added to it
 */
export function attributeSlice(
  report: SimulationReport,
  observed: ReadonlyMap<string, Edge['verdict']>,
  positions: ReadonlyMap<string, Position>,
  known: Set<string>,
): { events: RawEvent[]; stats: SliceStats } {
  const events: RawEvent[] = [];
  let otherDrops = 0;
  for (const ev of report.evaluations) {
    const e = ev.edge;
    const id = edgeId(e);
    const verdict = observed.get(id) ?? e.verdict;
    // asReplayable left only the drops for other reasons as DROPPED.
    if (e.verdict === 'DROPPED') {
      otherDrops++;
      continue;
    }
    const base = { source: e.source, destination: e.destination, port: e.port, protocol: e.protocol, flows: e.flows, firstSeen: e.firstSeen, lastSeen: e.lastSeen };
    const kind: EventKind | undefined = verdict === 'DROPPED' ? 'drop' : verdict === 'AUDIT' ? 'audit' : ev.wouldDrop ? 'would-drop' : undefined;
    if (kind !== undefined && ev.verdict !== undefined) {
      const directions = (['egress', 'ingress'] as const).filter((d) => denied(ev.verdict![d]));
      // Cilium dropped it and the repository's policies would not: some other policy did; name the receiving side.
      for (const d of directions.length > 0 ? directions : (['ingress'] as const)) {
        const namespace = nsOf(d === 'ingress' ? e.destination : e.source) ?? nsOf(d === 'ingress' ? e.source : e.destination);
        if (namespace === undefined) continue;
        const suggestion = ev.suggestions.find((s) => s.direction === d);
        events.push({
          key: `${kind} ${d} ${peerWords(e.source)} -> ${peerWords(e.destination)} ${e.protocol}/${e.port}`,
          kind,
          namespace,
          ...(positions.has(namespace) ? { position: positions.get(namespace)! } : {}),
          direction: d,
          ...base,
          rule: directions.length > 0 ? ruleOf(ev.verdict[d]) : 'a policy not in the repository',
          ...(suggestion !== undefined ? { suggestion } : {}),
        });
      }
      continue;
    }
    if (verdict !== 'FORWARDED' || known.has(id)) continue;
    known.add(id);
    const observing = [nsOf(e.source), nsOf(e.destination)].find((ns) => ns !== undefined && positions.get(ns)?.ingress === 'observe');
    if (observing === undefined) continue;
    events.push({ key: `new-dependency ${peerWords(e.source)} -> ${peerWords(e.destination)} ${e.protocol}/${e.port}`, kind: 'new-dependency', namespace: observing, position: positions.get(observing)!, ...base });
  }
  return { events, stats: { otherDrops, edges: report.evaluations.length } };
}

/** An edge's identity across slices. */
export const edgeId = (e: Pick<Edge, 'source' | 'destination' | 'protocol' | 'port'>): string => `${peerWords(e.source)} -> ${peerWords(e.destination)} ${e.protocol}/${e.port}`;

/**
 * The slice's edges as `simulate` should replay them, one per connection: an edge Cilium dropped for policy, or
 * forwarded in audit mode, is replayed as forwarded so that the simulation says which direction denies it and what
 * would allow it. A connection seen forwarded at its source and dropped at its destination is two edges: the drop
 * is kept. Returns the edges and the verdict Cilium gave each (by {@link edgeId}).
 */
export function asReplayable(edges: readonly Edge[]): { edges: Edge[]; observed: Map<string, Edge['verdict']> } {
  const rank = (e: Edge): number => (e.verdict === 'DROPPED' && isPolicyDrop(e) ? 3 : e.verdict === 'AUDIT' ? 2 : e.verdict === 'DROPPED' ? 1 : 0);
  const chosen = new Map<string, Edge>();
  for (const e of edges) {
    const id = edgeId(e);
    const had = chosen.get(id);
    if (had === undefined || rank(e) > rank(had)) chosen.set(id, e);
  }
  const observed = new Map<string, Edge['verdict']>();
  const out: Edge[] = [];
  for (const [id, e] of chosen) {
    observed.set(id, e.verdict);
    if (rank(e) >= 2) {
      const { dropReasons: _reasons, ...rest } = e;
      out.push({ ...rest, verdict: 'FORWARDED' });
    } else out.push(e);
  }
  return { edges: out, observed };
}

const isPolicyDrop = (e: Edge): boolean => (e.dropReasons ?? []).some((r) => POLICY_REASONS.has(r));
