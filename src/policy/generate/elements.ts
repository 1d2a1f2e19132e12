/**
 * @module policy/generate/elements — rule elements from observed peers and ports (pure).
 *
 * Peers are gathered per direction with the exact ports and protocols they were seen on; then peers of the same
 * category that share the same set of ports become one element, so that no peer gains another's port. The
 * categories never share an element (Cilium refuses mixed L3 fields, cilium-semantics.md c.1) and come in this
 * order: peers in the policy's namespace, peers in other namespaces (always naming
 * `k8s:io.kubernetes.pod.namespace`), entities, DNS names (`toFQDNs`), CIDRs. ICMP types go in elements of their
 * own (`icmps` cannot sit beside `toPorts`, c.8), after the port elements of their category. At most 40 ports per port rule and 40 ICMP fields per ICMP rule.
 */
import type { Edge, EdgeProtocol } from '../../inventory/index.js';
import type { EgressRule, EndpointSelector, FQDNSelector, ICMPRule, IngressRule, PolicyEntity, PortRule } from '../model/index.js';
import { MAX_ICMP_FIELDS, MAX_PORTS } from '../model/index.js';
import { canonicalJson } from './rule-id.js';

/** The L3 half of a rule: who the peer is, as a policy names it. */
export type PeerL3 =
  | { readonly kind: 'endpoint'; readonly crossNamespace: boolean; readonly selector: EndpointSelector; readonly label: string }
  | { readonly kind: 'entity'; readonly entity: PolicyEntity; readonly label: string }
  | { readonly kind: 'fqdn'; readonly fqdn: FQDNSelector; readonly label: string }
  | { readonly kind: 'cidr'; readonly cidr: string; readonly label: string };

/** The protocols a rule can carry: ports for TCP/UDP/SCTP, types for ICMP. */
export type RuleProtocol = Extract<EdgeProtocol, 'TCP' | 'UDP' | 'SCTP' | 'ICMPv4' | 'ICMPv6'>;
export const RULE_PROTOCOLS: ReadonlySet<string> = new Set<RuleProtocol>(['TCP', 'UDP', 'SCTP', 'ICMPv4', 'ICMPv6']);

/** One port (or ICMP type) on one protocol. */
export interface L4Item {
  readonly protocol: RuleProtocol;
  readonly port: number;
}

/** What an edge contributes to the evidence. */
export type EdgeCounts = Pick<Edge, 'flows' | 'firstSeen' | 'lastSeen'>;

/** Counts behind an element: distinct edges (an edge to an address with two names counts once), flows, first and last seen. */
export interface Stats {
  readonly edges: number;
  readonly flows: number;
  readonly firstSeen?: string;
  readonly lastSeen?: string;
}

/** Sums distinct edges. */
export function statsOf(edges: Iterable<EdgeCounts>): Stats {
  let n = 0;
  let flows = 0;
  let firstSeen: string | undefined;
  let lastSeen: string | undefined;
  for (const e of new Set(edges)) {
    n++;
    flows += e.flows;
    if (firstSeen === undefined || e.firstSeen < firstSeen) firstSeen = e.firstSeen;
    if (lastSeen === undefined || e.lastSeen > lastSeen) lastSeen = e.lastSeen;
  }
  return { edges: n, flows, ...(firstSeen !== undefined ? { firstSeen } : {}), ...(lastSeen !== undefined ? { lastSeen } : {}) };
}

const isIcmp = (p: RuleProtocol): boolean => p === 'ICMPv4' || p === 'ICMPv6';
const PROTOCOL_ORDER: readonly RuleProtocol[] = ['TCP', 'UDP', 'SCTP', 'ICMPv4', 'ICMPv6'];
const compareItems = (a: L4Item, b: L4Item): number => PROTOCOL_ORDER.indexOf(a.protocol) - PROTOCOL_ORDER.indexOf(b.protocol) || a.port - b.port;

/** `8080/TCP`, `ICMPv4 type 8`. */
export function formatItem(i: L4Item): string {
  return isIcmp(i.protocol) ? `${i.protocol} type ${i.port}` : `${i.port}/${i.protocol}`;
}

const CATEGORY_ORDER = ['intra', 'cross', 'entity', 'fqdn', 'cidr'] as const;
type Category = (typeof CATEGORY_ORDER)[number];

function categoryOf(p: PeerL3): Category {
  return p.kind === 'endpoint' ? (p.crossNamespace ? 'cross' : 'intra') : p.kind;
}

/** The `toPorts` of a set of ports (sorted, 40 to a port rule). */
export function toPortsOf(items: readonly L4Item[], rules?: PortRule['rules']): PortRule[] {
  const ports = [...items].sort(compareItems).map((i) => ({ port: String(i.port), protocol: i.protocol as 'TCP' | 'UDP' | 'SCTP' }));
  const out: PortRule[] = [];
  for (let i = 0; i < ports.length; i += MAX_PORTS) out.push({ ports: ports.slice(i, i + MAX_PORTS), ...(rules !== undefined ? { rules } : {}) });
  return out;
}

/** The `icmps` of a set of ICMP types (sorted, 40 to an ICMP rule). */
export function icmpsOf(items: readonly L4Item[]): ICMPRule[] {
  const fields = [...items].sort(compareItems).map((i) => ({ family: i.protocol === 'ICMPv6' ? ('IPv6' as const) : ('IPv4' as const), type: i.port }));
  const out: ICMPRule[] = [];
  for (let i = 0; i < fields.length; i += MAX_ICMP_FIELDS) out.push({ fields: fields.slice(i, i + MAX_ICMP_FIELDS) });
  return out;
}

/** The L3 fields of an element naming these peers (all of one category). */
export function l3Fields(direction: 'ingress' | 'egress', peers: readonly PeerL3[]): Record<string, unknown> {
  const sorted = <T>(xs: readonly T[], key: (x: T) => string): T[] => {
    const seen = new Map<string, T>();
    for (const x of xs) seen.set(key(x), x);
    return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, x]) => x);
  };
  const first = peers[0];
  if (first === undefined) return {};
  switch (first.kind) {
    case 'endpoint': {
      const selectors = sorted(peers, peerL3Key).map((p) => (p as Extract<PeerL3, { kind: 'endpoint' }>).selector);
      return direction === 'ingress' ? { fromEndpoints: selectors } : { toEndpoints: selectors };
    }
    case 'entity': {
      const entities = sorted(peers.map((p) => (p as Extract<PeerL3, { kind: 'entity' }>).entity), (e) => e);
      return direction === 'ingress' ? { fromEntities: entities } : { toEntities: entities };
    }
    case 'fqdn':
      return { toFQDNs: sorted(peers.map((p) => (p as Extract<PeerL3, { kind: 'fqdn' }>).fqdn), canonicalJson) };
    case 'cidr': {
      const cidrs = sorted(peers.map((p) => (p as Extract<PeerL3, { kind: 'cidr' }>).cidr), (c) => c);
      return direction === 'ingress' ? { fromCIDR: cidrs } : { toCIDR: cidrs };
    }
  }
}

/** A built element with what it names and the counts behind it. */
export interface BuiltElement {
  readonly element: IngressRule | EgressRule;
  /** `canonicalJson(element)`. */
  readonly text: string;
  readonly peers: readonly string[];
  readonly ports: readonly string[];
  readonly stats: Stats;
  readonly notes: readonly string[];
}

interface PeerAcc {
  readonly l3: PeerL3;
  /** By protocol index × 65536 + port. */
  readonly items: Map<number, { item: L4Item; edges: EdgeCounts[] }>;
  notes?: Set<string>;
}

const l3Texts = new WeakMap<PeerL3, string>();

/** The canonical JSON of the peer as an item of its L3 list (remembered per object: callers reuse them). */
function peerL3Text(l3: PeerL3): string {
  let text = l3Texts.get(l3);
  if (text === undefined) {
    text = l3.kind === 'endpoint' ? canonicalJson(l3.selector) : l3.kind === 'fqdn' ? canonicalJson(l3.fqdn) : JSON.stringify(l3.kind === 'entity' ? l3.entity : l3.cidr);
    l3Texts.set(l3, text);
  }
  return text;
}

const l3Keys = new WeakMap<PeerL3, string>();

/** A peer's identity in a rule: equal peers, equal keys. */
function peerL3Key(l3: PeerL3): string {
  let key = l3Keys.get(l3);
  if (key === undefined) l3Keys.set(l3, (key = `${l3.kind}\u0000${peerL3Text(l3)}`));
  return key;
}

const L3_FIELD = {
  ingress: { endpoint: 'fromEndpoints', entity: 'fromEntities', fqdn: 'toFQDNs', cidr: 'fromCIDR' },
  egress: { endpoint: 'toEndpoints', entity: 'toEntities', fqdn: 'toFQDNs', cidr: 'toCIDR' },
} as const;

/**
 * The element and its canonical JSON, composed from the peers' canonical texts (sorted, deduplicated) rather than
 * serialised again: `canonicalJson(element) === text`.
 */
function composeElement(direction: 'ingress' | 'egress', peers: readonly PeerL3[], l4Key: 'icmps' | 'toPorts', l4: unknown): { element: IngressRule | EgressRule; text: string } {
  const byText = new Map<string, PeerL3>();
  for (const p of peers) byText.set(peerL3Text(p), p);
  const texts = [...byText.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const first = peers[0]!;
  const field = L3_FIELD[direction][first.kind];
  const items = texts.map((t) => {
    const p = byText.get(t)!;
    return p.kind === 'endpoint' ? p.selector : p.kind === 'entity' ? p.entity : p.kind === 'fqdn' ? p.fqdn : p.cidr;
  });
  const l3Text = `${JSON.stringify(field)}:[${texts.join(',')}]`;
  const l4Text = `${JSON.stringify(l4Key)}:${canonicalJson(l4)}`;
  const text = field < l4Key ? `{${l3Text},${l4Text}}` : `{${l4Text},${l3Text}}`;
  return { element: { [field]: items, [l4Key]: l4 } as IngressRule | EgressRule, text };
}

/** Gathers the peers of one direction of one subject, then builds its elements. */
export class RuleAccumulator {
  private readonly peers = new Map<string, PeerAcc>();
  readonly direction: 'ingress' | 'egress';

  constructor(direction: 'ingress' | 'egress') {
    this.direction = direction;
  }

  get size(): number {
    return this.peers.size;
  }

  /** Adds one observed edge (or, with `edge` undefined, a port with no observation behind it) for a peer. */
  add(l3: PeerL3, item: L4Item, edge?: EdgeCounts, note?: string): void {
    const key = peerL3Key(l3);
    let acc = this.peers.get(key);
    if (acc === undefined) this.peers.set(key, (acc = { l3, items: new Map() }));
    const itemKey = PROTOCOL_ORDER.indexOf(item.protocol) * 65536 + item.port;
    let slot = acc.items.get(itemKey);
    if (slot === undefined) acc.items.set(itemKey, (slot = { item, edges: [] }));
    if (edge !== undefined) slot.edges.push(edge);
    if (note !== undefined) (acc.notes ??= new Set()).add(note);
  }

  /**
   * The elements, in category order; within a category ordered by their canonical text. `l7` adds L7 rules to
   * every port rule (the baseline's DNS rule).
   */
  build(l7?: PortRule['rules']): BuiltElement[] {
    const groups = new Map<string, { category: Category; icmp: boolean; items: L4Item[]; peers: PeerAcc[] }>();
    for (const acc of this.peers.values()) {
      const all = [...acc.items.values()].map((s) => s.item);
      for (const icmp of [false, true]) {
        const items = all.filter((i) => isIcmp(i.protocol) === icmp).sort(compareItems);
        if (items.length === 0) continue;
        const category = categoryOf(acc.l3);
        const key = `${category}\u0000${icmp}\u0000${items.map(formatItem).join(',')}`;
        let g = groups.get(key);
        if (g === undefined) groups.set(key, (g = { category, icmp, items, peers: [] }));
        g.peers.push(acc);
      }
    }
    const built = [...groups.values()].map((g) => {
      const { element, text } = composeElement(
        this.direction,
        g.peers.map((p) => p.l3),
        g.icmp ? 'icmps' : 'toPorts',
        g.icmp ? icmpsOf(g.items) : toPortsOf(g.items, l7),
      );
      const edges: EdgeCounts[] = [];
      for (const p of g.peers) for (const s of p.items.values()) if (isIcmp(s.item.protocol) === g.icmp) edges.push(...s.edges);
      const stats = statsOf(edges);
      const notes = [...new Set(g.peers.flatMap((p) => (p.notes ? [...p.notes] : [])))].sort();
      return {
        category: g.category,
        icmp: g.icmp,
        text,
        built: { element, text: '', peers: [...new Set(g.peers.map((p) => p.l3.label))].sort(), ports: g.items.map(formatItem), stats, notes },
      };
    });
    built.sort(
      (a, b) => CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category) || Number(a.icmp) - Number(b.icmp) || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0),
    );
    return built.map((b) => ({ ...b.built, text: b.text }));
  }
}
