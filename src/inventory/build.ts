/**
 * @module inventory/build — folds decoded flows into Edges (PRODUCT.md §4). Pure: flows in, an
 * Inventory out; time comes from the flows (or `now`), never from the clock.
 *
 * Counting. Hubble reports one packet several times: at the sender's node (EGRESS) and at the
 * receiver's (INGRESS), and on each side possibly as a trace or drop event, a policy-verdict event
 * and, through the proxy, an L7 event. An edge's flow count per hourly bucket is therefore taken from
 * one side only — the sender's EGRESS observation when the source is a cluster workload, the
 * receiver's INGRESS observation otherwise, falling back to the other side when the preferred one was
 * not captured — and within a side it is the largest count of any one event class (trace/drop,
 * policy verdict, L7), so each packet counts once whichever events a capture kept.
 */
import { EMPTY_CLUSTER, isVolatileLabelKey, type ClusterSnapshot, type Labels, type WorkloadKind } from '../cluster/index.js';
import type { Flow, FlowEndpoint } from '../flows/index.js';
import { podLabelsOf } from './labels.js';
import type {
  DecodeSummary,
  Edge,
  EdgeBucket,
  EdgeProtocol,
  EdgeVerdict,
  Finding,
  Inventory,
  InventoryWorkload,
  Peer,
} from './model.js';
import { KIND_SOURCE_RANK, buildClusterLookup, identityKeyOf, resolveEndpoint, type ClusterLookup, type KindSource, type Resolution } from './resolve.js';

const HOUR_MS = 3_600_000;
/** Observation points between nodes rather than at an endpoint. */
const TRANSIT_POINTS: ReadonlySet<string> = new Set(['TO_OVERLAY', 'FROM_OVERLAY', 'TO_NETWORK', 'FROM_NETWORK', 'TO_CRYPTO', 'FROM_CRYPTO']);
/** How many distinct DNS names / HTTP requests an edge keeps in its L7 summary. */
const L7_VALUES_KEPT = 32;
/** How many examples of unresolved endpoints are kept for the finding. */
const EXAMPLES_KEPT = 5;

export interface InventoryOptions {
  /** The cluster dump; without it, workloads come from Hubble's labels and `workloads` alone. */
  readonly cluster?: ClusterSnapshot;
  /** Only flows at or after this instant (RFC 3339). */
  readonly since?: string;
  /** Only flows at or before this instant (RFC 3339). */
  readonly until?: string;
  /**
   * Keep only the last `sinceMs` milliseconds before `now` (a relative `--since 7d`). Applied when
   * the inventory is finished, at hourly-bucket granularity, because "now" is the last flow's time.
   */
  readonly sinceMs?: number;
  /** The reference time; @default the time of the last flow seen. */
  readonly now?: string;
  /** Only edges with a workload in one of these namespaces at either end; @default all. */
  readonly namespaces?: readonly string[];
}

/**
 * The key of a daily (rolled-up) bucket in an edge's bucket map: its day's first hour plus this, so it
 * never meets an hourly bucket of that hour and sorts right after it.
 */
const DAY_KEY = 0.5;

/** One time bucket of an exported edge: raw per-side, per-event-class counters (see {@link InventoryBuilder}). */
export interface BucketState {
  /** The bucket's start, in hours since the epoch. */
  readonly hour: number;
  /** True for a day's bucket (rolled up from its hours); omitted for an hourly one. */
  readonly daily?: true;
  /** A day's bucket: the hours (UTC) that had traffic, bit h for hour h. */
  readonly hours?: number;
  /** `counts[side * 3 + eventClass]`: sides egress, ingress, unknown; classes trace/drop, policy verdict, L7. */
  readonly counts: readonly number[];
  readonly first: string;
  readonly last: string;
  /**
   * The flow records a bucket rolled up as it was read stands for, when its counters hold fewer (a
   * rolled-up day keeps only its flows): what counts of flows that made no edge take. @default the sum of `counts`
   */
  readonly events?: number;
}

/** An exported edge, keyed by its peers' keys (`w:ns/name`, `i:identity`, `e:entity`, `x:ip`, `c:cidr`). */
export interface EdgeState {
  readonly sourceKey: string;
  readonly destinationKey: string;
  readonly sourceIsWorkload: boolean;
  readonly port: number;
  readonly protocol: EdgeProtocol;
  readonly verdict: EdgeVerdict;
  readonly buckets: readonly BucketState[];
  readonly dropReasons?: readonly string[];
  /** DNS names asked, in the order first seen (at most a few dozen). */
  readonly dns?: readonly string[];
  readonly http?: readonly string[];
  readonly l7Truncated?: boolean;
}

/** A workload seen in flows: its kind with the rank of the source that told it, first labels and service account seen. */
export interface WorkloadState {
  readonly namespace: string;
  readonly name: string;
  readonly kind: WorkloadKind;
  readonly kindRank: number;
  readonly labels?: Labels;
  readonly serviceAccount?: string;
}

/**
 * The mergeable state of an {@link InventoryBuilder}: everything `finish()` needs, as plain data in
 * insertion order. Produced by `exportState()`, added to a builder by `mergeState()`.
 */
export interface InventoryState {
  readonly edges: readonly EdgeState[];
  readonly workloads: readonly WorkloadState[];
  readonly namesByIp: readonly (readonly [string, readonly string[]])[];
  readonly pendingIdentities: readonly (readonly [string, { readonly namespace: string; readonly labels: readonly string[] }])[];
  /** The workload each identity was seen with; null when several share it. */
  readonly identityWorkloads: readonly (readonly [string, string | null])[];
  readonly notEdges: Readonly<Record<string, number>>;
  readonly unresolvedExamples: readonly string[];
  readonly unresolvedCount: number;
  readonly lostEvents: number;
  readonly lastTime?: string;
}

/** Where a flow was read, for messages. */
export interface FlowPosition {
  readonly file: string;
  readonly line: number;
}

interface BucketAcc {
  /** counts[side * CLASSES + eventClass]: side 0 egress, 1 ingress, 2 unknown; classes as in eventClassOf. */
  readonly counts: number[];
  first: string;
  last: string;
  /** A day's bucket: the hours that had traffic (bit h for hour h). */
  hours?: number;
}

interface EdgeAcc {
  readonly sourceKey: string;
  readonly destinationKey: string;
  readonly sourceIsWorkload: boolean;
  readonly port: number;
  readonly protocol: EdgeProtocol;
  readonly verdict: EdgeVerdict;
  readonly buckets: Map<number, BucketAcc>;
  dropReasons?: Set<string>;
  dns?: Set<string>;
  http?: Set<string>;
  l7Truncated?: boolean;
}

interface WorkloadAcc {
  readonly namespace: string;
  readonly name: string;
  kind: WorkloadKind;
  kindRank: number;
  labels?: Labels;
  fromCluster: boolean;
  fromFlows: boolean;
  serviceAccount?: string;
}

/** Folds flows one at a time; `finish()` returns the Inventory. */
export class InventoryBuilder {
  private readonly lookup: ClusterLookup;
  private readonly options: InventoryOptions;
  private readonly sinceKey: string | undefined;
  private readonly untilKey: string | undefined;
  private readonly scope: ReadonlySet<string> | undefined;
  private readonly edges = new Map<string, EdgeAcc>();
  private readonly workloads = new Map<string, WorkloadAcc>();
  private readonly namesByIp = new Map<string, Set<string>>();
  /** Identities seen without a pod name, to be mapped to a workload when the inventory is finished. */
  private readonly pendingIdentities = new Map<string, { namespace: string; labels: readonly string[] }>();
  /** The workload each identity was seen with (null when several workloads share it). */
  private readonly identityWorkloads = new Map<string, string | null>();
  private readonly notEdges: Record<string, number> = {};
  private readonly unresolvedExamples: string[] = [];
  private unresolvedCount = 0;
  private lostEvents = 0;
  private lastTime: string | undefined;

  constructor(options: InventoryOptions = {}) {
    this.options = options;
    this.lookup = buildClusterLookup(options.cluster ?? EMPTY_CLUSTER);
    this.sinceKey = options.since;
    this.untilKey = options.until;
    this.scope = options.namespaces && options.namespaces.length > 0 ? new Set(options.namespaces) : undefined;
    for (const w of options.cluster?.workloads ?? []) {
      this.workloads.set(`${w.namespace}/${w.name}`, {
        namespace: w.namespace,
        name: w.name,
        kind: w.kind,
        kindRank: KIND_SOURCE_RANK.cluster,
        labels: w.podLabels,
        fromCluster: true,
        fromFlows: false,
        ...(w.serviceAccountName !== undefined ? { serviceAccount: w.serviceAccountName } : {}),
      });
    }
  }

  /** Edges folded so far (identity-only peers not yet mapped to workloads). */
  get edgeCount(): number {
    return this.edges.size;
  }

  /** Records events Hubble reported as lost (`lost_events`). */
  addLost(count: number): void {
    this.lostEvents += count;
  }

  /** Folds one flow. */
  add(flow: Flow, at?: FlowPosition): void {
    if (this.lastTime === undefined || flow.time > this.lastTime) this.lastTime = flow.time;
    this.harvestNames(flow);

    const why = this.notAnEdge(flow);
    if (why !== undefined) return this.skip(why);
    if (this.sinceKey !== undefined && flow.time < this.sinceKey) return this.skip('outside-window');
    if (this.untilKey !== undefined && flow.time > this.untilKey) return this.skip('outside-window');
    const l4 = flow.l4;
    if (l4 === undefined) return this.skip('no-l4');

    const node = flow.nodeName;
    const src = resolveEndpoint(flow.source, flow.ip?.source, node, this.lookup);
    const dst = resolveEndpoint(flow.destination, flow.ip?.destination, node, this.lookup);
    if (src.type === 'noise' || dst.type === 'noise') return this.skip('health');
    if (src.type === 'unresolved' || dst.type === 'unresolved') {
      const reason = src.type === 'unresolved' ? `source: ${src.reason}` : `destination: ${(dst as { reason: string }).reason}`;
      return this.unresolved(at ? `${at.file}:${at.line}: ${reason}` : reason);
    }
    if (this.scope !== undefined && !this.inScope(src) && !this.inScope(dst)) return this.skip('out-of-scope');
    const sourceKey = this.peerKey(src, flow.source);
    const destinationKey = this.peerKey(dst, flow.destination);

    const protocol = l4.protocol;
    const isIcmp = protocol === 'ICMPv4' || protocol === 'ICMPv6';
    const port = isIcmp ? (l4.icmpType ?? 0) : (l4.destinationPort ?? 0);
    const verdict = edgeVerdict(flow.verdict);
    const key = `${sourceKey}\u0000${destinationKey}\u0000${protocol}\u0000${port}\u0000${verdict}`;
    let edge = this.edges.get(key);
    if (edge === undefined) {
      edge = { sourceKey, destinationKey, sourceIsWorkload: src.type === 'identity' || 'namespace' in src.peer, port, protocol, verdict, buckets: new Map() };
      this.edges.set(key, edge);
    }
    const hour = Math.floor(flow.timeMs / HOUR_MS);
    let bucket = edge.buckets.get(hour);
    if (bucket === undefined) {
      bucket = { counts: new Array<number>(SIDES * CLASSES).fill(0), first: flow.time, last: flow.time };
      edge.buckets.set(hour, bucket);
    } else {
      if (flow.time < bucket.first) bucket.first = flow.time;
      if (flow.time > bucket.last) bucket.last = flow.time;
    }
    const side = flow.trafficDirection === 'EGRESS' ? 0 : flow.trafficDirection === 'INGRESS' ? 1 : 2;
    bucket.counts[side * CLASSES + eventClassOf(flow)]! += 1;

    if (verdict === 'DROPPED' && flow.dropReasonDesc !== undefined) (edge.dropReasons ??= new Set()).add(flow.dropReasonDesc);
    if (flow.l7 !== undefined) this.addL7(edge, flow);
  }

  /**
   * The fold so far as plain, JSON-serialisable data: what a store keeps per ingest instead of finished
   * edges, because finished edges cannot be added up (a bucket's flow count is a maximum over event
   * classes and a choice of side, and identity-only peers are mapped to workloads only at `finish`).
   * Workloads known only from the cluster dump are left out: a reader gets them from its own cluster.
   * The options (cluster, window, namespaces) are not part of the state.
   */
  exportState(): InventoryState {
    const edges: EdgeState[] = [];
    for (const acc of this.edges.values()) {
      const buckets: BucketState[] = [];
      for (const [key, b] of acc.buckets) {
        buckets.push({ hour: Math.floor(key), ...(key !== Math.floor(key) ? { daily: true as const, hours: b.hours ?? 0 } : {}), counts: [...b.counts], first: b.first, last: b.last });
      }
      edges.push({
        sourceKey: acc.sourceKey,
        destinationKey: acc.destinationKey,
        sourceIsWorkload: acc.sourceIsWorkload,
        port: acc.port,
        protocol: acc.protocol,
        verdict: acc.verdict,
        buckets,
        ...(acc.dropReasons ? { dropReasons: [...acc.dropReasons] } : {}),
        ...(acc.dns ? { dns: [...acc.dns] } : {}),
        ...(acc.http ? { http: [...acc.http] } : {}),
        ...(acc.l7Truncated ? { l7Truncated: true } : {}),
      });
    }
    const workloads: WorkloadState[] = [];
    for (const w of this.workloads.values()) {
      if (!w.fromFlows) continue;
      workloads.push({
        namespace: w.namespace,
        name: w.name,
        kind: w.kind,
        kindRank: w.kindRank,
        ...(w.labels !== undefined ? { labels: w.labels } : {}),
        ...(w.serviceAccount !== undefined ? { serviceAccount: w.serviceAccount } : {}),
      });
    }
    return {
      edges,
      workloads,
      namesByIp: [...this.namesByIp].map(([ip, names]) => [ip, [...names]] as const),
      pendingIdentities: [...this.pendingIdentities].map(([k, v]) => [k, { namespace: v.namespace, labels: [...v.labels] }] as const),
      identityWorkloads: [...this.identityWorkloads],
      notEdges: { ...this.notEdges },
      unresolvedExamples: [...this.unresolvedExamples],
      unresolvedCount: this.unresolvedCount,
      lostEvents: this.lostEvents,
      ...(this.lastTime !== undefined ? { lastTime: this.lastTime } : {}),
    };
  }

  /**
   * Adds an exported state to this fold, as if its flows had been folded here after the ones already
   * folded: counters add up, first and last seen widen, sets unite, and where the fold keeps the first
   * value seen (a workload's labels, its kind among sources of equal rank) this fold's value stays.
   * So `a.mergeState(b.exportState())` equals folding b's flows into a, when both use the same cluster.
   *
   * This builder's window and namespaces apply: `--namespace` exactly (by the peers' namespaces),
   * `--since`/`--until` per bucket — a bucket is kept when it overlaps the window — so a window that
   * does not fall on hour boundaries keeps a little more than a fold of the flows would.
   */
  mergeState(state: InventoryState): void {
    if (state.lastTime !== undefined && (this.lastTime === undefined || state.lastTime > this.lastTime)) this.lastTime = state.lastTime;
    for (const [ip, names] of state.namesByIp) {
      let set = this.namesByIp.get(ip);
      if (set === undefined) this.namesByIp.set(ip, (set = new Set()));
      for (const n of names) set.add(n);
    }
    for (const [k, v] of state.pendingIdentities) if (!this.pendingIdentities.has(k)) this.pendingIdentities.set(k, { namespace: v.namespace, labels: [...v.labels] });
    for (const [k, v] of state.identityWorkloads) {
      const known = this.identityWorkloads.get(k);
      if (known === undefined) this.identityWorkloads.set(k, v);
      else if (known !== v) this.identityWorkloads.set(k, null);
    }
    for (const [reason, n] of Object.entries(state.notEdges)) this.notEdges[reason] = (this.notEdges[reason] ?? 0) + n;
    for (const e of state.unresolvedExamples) {
      if (this.unresolvedExamples.length < EXAMPLES_KEPT && !this.unresolvedExamples.includes(e)) this.unresolvedExamples.push(e);
    }
    this.unresolvedCount += state.unresolvedCount;
    this.lostEvents += state.lostEvents;
    for (const w of state.workloads) {
      const key = `${w.namespace}/${w.name}`;
      const into = this.workloads.get(key);
      if (into === undefined) {
        this.workloads.set(key, {
          namespace: w.namespace,
          name: w.name,
          kind: w.kind,
          kindRank: w.kindRank,
          ...(w.labels !== undefined ? { labels: w.labels } : {}),
          fromCluster: false,
          fromFlows: true,
          ...(w.serviceAccount !== undefined ? { serviceAccount: w.serviceAccount } : {}),
        });
        continue;
      }
      into.fromFlows = true;
      if (w.kindRank < into.kindRank) {
        into.kind = w.kind;
        into.kindRank = w.kindRank;
      }
      if (into.labels === undefined && w.labels !== undefined) into.labels = w.labels;
      if (into.serviceAccount === undefined && w.serviceAccount !== undefined) into.serviceAccount = w.serviceAccount;
    }
    const identityNamespace = (key: string): string | undefined =>
      key.startsWith('w:') ? key.slice(2, key.indexOf('/')) : key.startsWith('i:') ? this.pendingIdentities.get(key.slice(2))?.namespace : undefined;
    for (const e of state.edges) {
      const raw = (): number => e.buckets.reduce((sum, b) => sum + eventsOf(b), 0);
      if (this.scope !== undefined) {
        const s = identityNamespace(e.sourceKey);
        const d = identityNamespace(e.destinationKey);
        if (!(s !== undefined && this.scope.has(s)) && !(d !== undefined && this.scope.has(d))) {
          const n = raw();
          if (n > 0) this.notEdges['out-of-scope'] = (this.notEdges['out-of-scope'] ?? 0) + n;
          continue;
        }
      }
      const buckets = e.buckets.filter((b) => {
        const outside = (this.sinceKey !== undefined && b.last < this.sinceKey) || (this.untilKey !== undefined && b.first > this.untilKey);
        if (outside) this.notEdges['outside-window'] = (this.notEdges['outside-window'] ?? 0) + eventsOf(b);
        return !outside;
      });
      if (buckets.length === 0 && e.buckets.length > 0) continue;
      const key = `${e.sourceKey}\u0000${e.destinationKey}\u0000${e.protocol}\u0000${e.port}\u0000${e.verdict}`;
      let edge = this.edges.get(key);
      if (edge === undefined) {
        edge = { sourceKey: e.sourceKey, destinationKey: e.destinationKey, sourceIsWorkload: e.sourceIsWorkload, port: e.port, protocol: e.protocol, verdict: e.verdict, buckets: new Map() };
        this.edges.set(key, edge);
      }
      for (const b of buckets) {
        const k = b.daily ? b.hour + DAY_KEY : b.hour;
        const into = edge.buckets.get(k);
        if (into === undefined) edge.buckets.set(k, { counts: [...b.counts], first: b.first, last: b.last, ...(b.daily ? { hours: b.hours ?? 0 } : {}) });
        else {
          for (let i = 0; i < into.counts.length; i++) into.counts[i]! += b.counts[i] ?? 0;
          if (b.first < into.first) into.first = b.first;
          if (b.last > into.last) into.last = b.last;
          if (b.daily) into.hours = (into.hours ?? 0) | (b.hours ?? 0);
        }
      }
      for (const r of e.dropReasons ?? []) (edge.dropReasons ??= new Set()).add(r);
      for (const n of e.dns ?? []) {
        edge.dns ??= new Set();
        if (edge.dns.size < L7_VALUES_KEPT) edge.dns.add(n);
        else if (!edge.dns.has(n)) edge.l7Truncated = true;
      }
      for (const n of e.http ?? []) {
        edge.http ??= new Set();
        if (edge.http.size < L7_VALUES_KEPT) edge.http.add(n);
        else if (!edge.http.has(n)) edge.l7Truncated = true;
      }
      if (e.l7Truncated) edge.l7Truncated = true;
    }
  }

  /** The inventory of everything folded so far. */
  finish(decode?: Partial<DecodeSummary>): Inventory {
    const now = this.options.now ?? this.lastTime;
    const minHour = this.options.sinceMs !== undefined && now !== undefined
      ? Math.floor((Date.parse(now) - this.options.sinceMs) / HOUR_MS)
      : Number.NEGATIVE_INFINITY;
    const peers = new Map<string, Peer>();
    const peerOf = (key: string): Peer => {
      let p = peers.get(key);
      if (p === undefined) {
        p = this.peerFromKey(key);
        peers.set(key, p);
      }
      return p;
    };
    const seen = new Map<string, { first: string; last: string }>();
    const markSeen = (key: string, first: string, last: string) => {
      const s = seen.get(key);
      if (s === undefined) seen.set(key, { first, last });
      else {
        if (first < s.first) s.first = first;
        if (last > s.last) s.last = last;
      }
    };

    const edges: Edge[] = [];
    let since: string | undefined;
    let until: string | undefined;
    for (const acc of this.mergedEdges()) {
      const buckets: EdgeBucket[] = [];
      let flows = 0;
      let first: string | undefined;
      let last: string | undefined;
      for (const hour of [...acc.buckets.keys()].sort((a, b) => a - b)) {
        if (hour < minHour) continue;
        const b = acc.buckets.get(hour)!;
        const count = bucketCount(b.counts, acc.sourceIsWorkload);
        buckets.push({ start: new Date(Math.floor(hour) * HOUR_MS).toISOString(), flows: count, firstSeen: b.first, lastSeen: b.last, ...(b.hours !== undefined ? { hours: b.hours } : {}) });
        flows += count;
        if (first === undefined || b.first < first) first = b.first;
        if (last === undefined || b.last > last) last = b.last;
      }
      if (first === undefined || last === undefined) continue;
      if (since === undefined || first < since) since = first;
      if (until === undefined || last > until) until = last;
      markSeen(acc.sourceKey, first, last);
      markSeen(acc.destinationKey, first, last);
      const l7 = l7Summary(acc);
      edges.push({
        source: peerOf(acc.sourceKey),
        destination: peerOf(acc.destinationKey),
        port: acc.port,
        protocol: acc.protocol,
        verdict: acc.verdict,
        flows,
        firstSeen: first,
        lastSeen: last,
        ...(acc.dropReasons ? { dropReasons: [...acc.dropReasons].sort() } : {}),
        ...(l7 ? { l7 } : {}),
        buckets,
      });
    }
    edges.sort(compareEdges);

    const workloads: InventoryWorkload[] = [];
    for (const [key, w] of this.workloads) {
      if (this.scope !== undefined && !this.scope.has(w.namespace)) continue;
      const s = seen.get(`w:${key}`);
      workloads.push({
        namespace: w.namespace,
        kind: w.kind,
        name: w.name,
        labels: w.labels ?? {},
        seenIn: { cluster: w.fromCluster, flows: s !== undefined },
        ...(s ? { firstSeen: s.first, lastSeen: s.last } : {}),
        ...(w.serviceAccount !== undefined ? { serviceAccount: w.serviceAccount } : {}),
      });
    }
    workloads.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name) || cmp(a.kind, b.kind));

    const findings: Finding[] = [];
    if (this.unresolvedCount > 0) {
      findings.push({
        code: 'input-unresolved-endpoint',
        severity: 'warning',
        subject: { other: 'flows' },
        message: `${this.unresolvedCount} flow(s) had an endpoint with no Kubernetes identity and were left out, e.g. ${this.unresolvedExamples.join('; ')}. Pass the cluster dump with --cluster, or check the Hubble field mask keeps source/destination.`,
      });
    }
    if (this.lostEvents > 0) {
      findings.push({
        code: 'input-lost-events',
        severity: 'warning',
        subject: { other: 'flows' },
        message: `Hubble reported ${this.lostEvents} lost event(s): some connections may be missing from the inventory. Observe longer, or raise Hubble's buffer size.`,
      });
    }

    return {
      window: {
        ...(this.options.since ?? since ? { since: this.options.since ?? since } : {}),
        ...(this.options.until ?? until ? { until: this.options.until ?? until } : {}),
        ...(now !== undefined ? { now } : {}),
      },
      workloads,
      edges,
      findings,
      decode: {
        files: decode?.files ?? [],
        linesRead: decode?.linesRead ?? 0,
        flows: decode?.flows ?? 0,
        skipped: decode?.skipped ?? 0,
        ignored: decode?.ignored ?? 0,
        lostEvents: decode?.lostEvents ?? this.lostEvents,
        notEdges: sortedRecord({ ...this.notEdges, ...(decode?.notEdges ?? {}) }),
        errors: decode?.errors ?? [],
      },
    };
  }

  /**
   * The edges with every identity-only peer replaced by its workload: the one seen with the same
   * identity and a pod name, else the one dump workload whose selector matches the labels. Edges
   * that then coincide are merged (they are observations of one connection from its two ends).
   */
  private mergedEdges(): Iterable<EdgeAcc> {
    if (this.pendingIdentities.size === 0) return this.edges.values();
    const mapped = new Map<string, string | undefined>();
    for (const [ik, pending] of this.pendingIdentities) {
      const key = this.identityWorkloads.get(ik) ?? this.workloadBySelector(pending.namespace, pending.labels);
      if (key !== undefined && key !== null) this.workloads.get(key)!.fromFlows = true;
      mapped.set(`i:${ik}`, key === undefined || key === null ? undefined : `w:${key}`);
    }
    const merged = new Map<string, EdgeAcc>();
    for (const acc of this.edges.values()) {
      const sourceKey = acc.sourceKey.startsWith('i:') ? mapped.get(acc.sourceKey) : acc.sourceKey;
      const destinationKey = acc.destinationKey.startsWith('i:') ? mapped.get(acc.destinationKey) : acc.destinationKey;
      if (sourceKey === undefined || destinationKey === undefined) {
        const unknown = sourceKey === undefined ? acc.sourceKey : acc.destinationKey;
        const p = this.pendingIdentities.get(unknown.slice(2))!;
        let flows = 0;
        for (const b of acc.buckets.values()) flows += bucketCount(b.counts, acc.sourceIsWorkload);
        this.unresolved(`a pod of namespace ${p.namespace} reported without a pod name (labels ${p.labels.join(', ')}) matches no single workload`, flows);
        continue;
      }
      const key = `${sourceKey}\u0000${destinationKey}\u0000${acc.protocol}\u0000${acc.port}\u0000${acc.verdict}`;
      const into = merged.get(key);
      if (into === undefined) {
        merged.set(key, { ...acc, sourceKey, destinationKey, buckets: new Map([...acc.buckets].map(([h, b]) => [h, { ...b, counts: [...b.counts] }])) });
        continue;
      }
      for (const [hour, b] of acc.buckets) {
        const t = into.buckets.get(hour);
        if (t === undefined) into.buckets.set(hour, { ...b, counts: [...b.counts] });
        else {
          for (let i = 0; i < t.counts.length; i++) t.counts[i]! += b.counts[i]!;
          if (b.first < t.first) t.first = b.first;
          if (b.last > t.last) t.last = b.last;
        }
      }
      for (const r of acc.dropReasons ?? []) (into.dropReasons ??= new Set()).add(r);
      for (const n of acc.dns ?? []) (into.dns ??= new Set()).add(n);
      for (const n of acc.http ?? []) (into.http ??= new Set()).add(n);
      if (acc.l7Truncated) into.l7Truncated = true;
    }
    return merged.values();
  }

  /** The one dump workload in `namespace` whose selector (or pod labels) the identity labels satisfy. */
  private workloadBySelector(namespace: string, identityLabels: readonly string[]): string | undefined {
    const labels = podLabelsOf(identityLabels);
    const found: string[] = [];
    for (const w of this.options.cluster?.workloads ?? []) {
      if (w.namespace !== namespace) continue;
      const wanted = w.selector?.matchLabels ?? w.podLabels;
      const entries = Object.entries(wanted).filter(([k]) => !isVolatileLabelKey(k));
      if (entries.length > 0 && entries.every(([k, v]) => labels[k] === v)) found.push(`${w.namespace}/${w.name}`);
    }
    return found.length === 1 ? found[0] : undefined;
  }

  private skip(reason: string): void {
    this.notEdges[reason] = (this.notEdges[reason] ?? 0) + 1;
  }

  /** Why a flow is not an edge: a reply, a socket trace, a debug or capture event. */
  private notAnEdge(flow: Flow): string | undefined {
    if (flow.type === 'SOCK' || flow.eventType?.type === 7) return 'sock-trace';
    const t = flow.eventType?.type;
    if (t === 2 || t === 3 || t === 130) return 'not-a-packet';
    if (flow.isReply === true) return 'reply';
    const l4 = flow.l4;
    if (l4 !== undefined) {
      if ((l4.protocol === 'ICMPv4' && l4.icmpType === 0) || (l4.protocol === 'ICMPv6' && l4.icmpType === 129)) return 'reply';
      if (flow.isReply === undefined && l4.flags !== undefined && l4.flags.includes('SYN') && l4.flags.includes('ACK')) return 'reply';
    }
    if (flow.l7?.type === 'RESPONSE') return 'reply';
    // Between nodes (overlay, network, crypto) a packet may already be masqueraded and shows no
    // endpoint's view; without a traffic direction it is a transit sighting of a packet that the
    // endpoints' own observations count.
    if (flow.trafficDirection === undefined || flow.trafficDirection === 'TRAFFIC_DIRECTION_UNKNOWN') {
      if (flow.traceObservationPoint !== undefined && TRANSIT_POINTS.has(flow.traceObservationPoint) && flow.verdict !== 'DROPPED') return 'transit';
    }
    return undefined;
  }

  /** DNS names for addresses: `destination_names`, `source_names`, and DNS answers. */
  private harvestNames(flow: Flow): void {
    const dstIp = flow.ip?.destination;
    if (dstIp !== undefined) for (const n of flow.destinationNames) this.addName(dstIp, n);
    const srcIp = flow.ip?.source;
    if (srcIp !== undefined) for (const n of flow.sourceNames) this.addName(srcIp, n);
    const dns = flow.l7?.dns;
    if (dns?.query !== undefined && dns.ips.length > 0) for (const ip of dns.ips) this.addName(ip, dns.query);
  }

  private addName(ip: string, name: string): void {
    const n = normaliseName(name);
    if (n === '') return;
    let set = this.namesByIp.get(ip);
    if (set === undefined) this.namesByIp.set(ip, (set = new Set()));
    set.add(n);
  }

  private addL7(edge: EdgeAcc, flow: Flow): void {
    const l7 = flow.l7!;
    if (l7.dns?.query !== undefined) {
      edge.dns ??= new Set();
      if (edge.dns.size < L7_VALUES_KEPT) edge.dns.add(normaliseName(l7.dns.query));
      else if (!edge.dns.has(normaliseName(l7.dns.query))) edge.l7Truncated = true;
    } else if (l7.http !== undefined) {
      const request = `${l7.http.method ?? ''} ${pathOf(l7.http.url ?? '')}`.trim();
      edge.http ??= new Set();
      if (edge.http.size < L7_VALUES_KEPT) edge.http.add(request);
      else if (!edge.http.has(request)) edge.l7Truncated = true;
    }
  }

  private inScope(r: Extract<Resolution, { type: 'peer' | 'identity' }>): boolean {
    if (r.type === 'identity') return this.scope!.has(r.namespace);
    return 'namespace' in r.peer && this.scope!.has(r.peer.namespace);
  }

  private unresolved(example: string, flows = 1): void {
    this.unresolvedCount += flows;
    if (this.unresolvedExamples.length < EXAMPLES_KEPT && !this.unresolvedExamples.includes(example)) this.unresolvedExamples.push(example);
    this.notEdges.unresolved = (this.notEdges.unresolved ?? 0) + flows;
  }

  /** A stable key for a resolved peer; registers workloads (their kind by precedence, labels). */
  private peerKey(r: Extract<Resolution, { type: 'peer' | 'identity' }>, ep: FlowEndpoint): string {
    if (r.type === 'identity') {
      if (!this.pendingIdentities.has(r.identityKey)) this.pendingIdentities.set(r.identityKey, { namespace: r.namespace, labels: r.labels });
      return `i:${r.identityKey}`;
    }
    const p = r.peer;
    if ('namespace' in p) {
      const key = `${p.namespace}/${p.name}`;
      if (ep.labels.length > 0) {
        const ik = identityKeyOf(ep, p.namespace);
        const known = this.identityWorkloads.get(ik);
        if (known === undefined) this.identityWorkloads.set(ik, key);
        else if (known !== key && known !== null) this.identityWorkloads.set(ik, null);
      }
      const rank = KIND_SOURCE_RANK[r.kindSource ?? ('inferred' satisfies KindSource)];
      let w = this.workloads.get(key);
      if (w === undefined) {
        w = { namespace: p.namespace, name: p.name, kind: p.kind, kindRank: rank, fromCluster: false, fromFlows: true };
        this.workloads.set(key, w);
      } else {
        w.fromFlows = true;
        if (rank < w.kindRank) {
          w.kind = p.kind;
          w.kindRank = rank;
        }
      }
      if (w.labels === undefined && ep.labels.length > 0) w.labels = podLabelsOf(ep.labels);
      if (w.serviceAccount === undefined && r.pod?.serviceAccountName !== undefined) w.serviceAccount = r.pod.serviceAccountName;
      return `w:${key}`;
    }
    if ('entity' in p) return `e:${p.entity}`;
    if ('ip' in p) return `x:${p.ip}`;
    return `c:${p.cidr}`;
  }

  private peerFromKey(key: string): Peer {
    const body = key.slice(2);
    switch (key[0]) {
      case 'w': {
        const w = this.workloads.get(body)!;
        return { namespace: w.namespace, kind: w.kind, name: w.name };
      }
      case 'e':
        return { entity: body as Extract<Peer, { entity: unknown }>['entity'] };
      case 'x':
        return { ip: body, names: [...(this.namesByIp.get(body) ?? [])].sort() };
      default:
        return { cidr: body };
    }
  }
}

/**
 * Rolls an exported state up for keeping: hourly buckets starting before `dailyBeforeHour` become one
 * bucket per day (UTC), and buckets starting before `dropBeforeHour` go, with edges left without any.
 * A day's counters hold the sum of its hours' flow counts on the side an edge is counted from (the
 * per-hour choice of side and event class is made first), so the edge's flow count does not change.
 * Hours folded in later for an already rolled-up day stay hourly buckets beside it.
 */
export function rollUpState(state: InventoryState, dailyBeforeHour: number, dropBeforeHour = Number.NEGATIVE_INFINITY): InventoryState {
  const edges: EdgeState[] = [];
  for (const e of state.edges) {
    const kept: BucketState[] = [];
    const days = new Map<number, { flows: number; first: string; last: string; hours: number }>();
    for (const b of e.buckets) {
      if (b.hour < dropBeforeHour) continue;
      if (b.hour >= dailyBeforeHour) {
        kept.push(b);
        continue;
      }
      const day = Math.floor(b.hour / 24) * 24;
      const flows = b.daily ? b.counts.reduce((a, c) => a + c, 0) : bucketCount(b.counts, e.sourceIsWorkload);
      const hours = b.daily ? (b.hours ?? 0) : 1 << (b.hour - day);
      const d = days.get(day);
      if (d === undefined) days.set(day, { flows, first: b.first, last: b.last, hours });
      else {
        d.flows += flows;
        d.hours |= hours;
        if (b.first < d.first) d.first = b.first;
        if (b.last > d.last) d.last = b.last;
      }
    }
    for (const [day, d] of days) {
      const counts = new Array<number>(SIDES * CLASSES).fill(0);
      counts[(e.sourceIsWorkload ? 0 : 1) * CLASSES] = d.flows;
      kept.push({ hour: day, daily: true, hours: d.hours, counts, first: d.first, last: d.last });
    }
    if (kept.length === 0) continue;
    kept.sort((a, b) => a.hour - b.hour || (a.daily ? 1 : 0) - (b.daily ? 1 : 0));
    edges.push({ ...e, buckets: kept });
  }
  return { ...state, edges };
}

/** Folds a whole sequence of flows: the convenience form of InventoryBuilder. */
export function buildInventory(flows: Iterable<Flow>, options: InventoryOptions = {}): Inventory {
  const b = new InventoryBuilder(options);
  for (const f of flows) b.add(f);
  return b.finish();
}

/**
 * Event classes: each reports a packet at most once per side. 0: the datapath's trace or drop
 * event (one per packet and side, whichever the observation point: a pod's egress goes either to the
 * stack or to the overlay); 1: the policy-verdict event; 2: the proxy's L7 event.
 */
const CLASSES = 3;
/** Sides: 0 the sender's EGRESS observation, 1 the receiver's INGRESS, 2 a direction Hubble did not report. */
const SIDES = 3;
function eventClassOf(flow: Flow): number {
  if (flow.type === 'L7' || flow.eventType?.type === 129) return 2;
  if (flow.eventType?.type === 5) return 1;
  return 0;
}

/** The flow records a bucket stands for. */
function eventsOf(b: BucketState): number {
  return b.events ?? b.counts.reduce((a, c) => a + c, 0);
}

function bucketCount(c: readonly number[], sourceIsWorkload: boolean): number {
  const side = (s: number) => Math.max(c[s * CLASSES]!, c[s * CLASSES + 1]!, c[s * CLASSES + 2]!);
  const egress = side(0);
  const ingress = side(1);
  const preferred = sourceIsWorkload ? egress : ingress;
  const other = sourceIsWorkload ? ingress : egress;
  return preferred || other || side(2);
}

export function edgeVerdict(v: string): EdgeVerdict {
  switch (v) {
    case 'DROPPED':
      return 'DROPPED';
    case 'AUDIT':
      return 'AUDIT';
    case 'ERROR':
      return 'ERROR';
    default:
      return 'FORWARDED';
  }
}

function l7Summary(acc: EdgeAcc): Edge['l7'] {
  if (acc.dns === undefined && acc.http === undefined) return undefined;
  return {
    ...(acc.dns ? { dns: [...acc.dns].sort() } : {}),
    ...(acc.http ? { http: [...acc.http].sort() } : {}),
    ...(acc.l7Truncated ? { truncated: true } : {}),
  };
}

/** DNS names compare lower-case without the trailing dot. */
export function normaliseName(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

function pathOf(url: string): string {
  let rest = url;
  const scheme = rest.indexOf('://');
  if (scheme >= 0) {
    const slash = rest.indexOf('/', scheme + 3);
    rest = slash < 0 ? '/' : rest.slice(slash);
  }
  const q = rest.search(/[?#]/);
  return q < 0 ? rest : rest.slice(0, q);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A total order on peers: workloads (namespace, name), then entities, externals, CIDRs. */
export function peerSortKey(p: Peer): string {
  if ('namespace' in p) return `0 ${p.namespace} ${p.name}`;
  if ('entity' in p) return `1 ${p.entity}`;
  if ('ip' in p) return `2 ${p.ip}`;
  return `3 ${p.cidr}`;
}

export function compareEdges(a: Edge, b: Edge): number {
  return (
    cmp(peerSortKey(a.source), peerSortKey(b.source)) ||
    cmp(peerSortKey(a.destination), peerSortKey(b.destination)) ||
    cmp(a.protocol, b.protocol) ||
    a.port - b.port ||
    cmp(a.verdict, b.verdict)
  );
}

function sortedRecord(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => cmp(a, b)));
}
