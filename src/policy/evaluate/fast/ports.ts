/**
 * @module policy/evaluate/fast/ports — the L4 part of a rule element compiled to a flat list of
 * port items (cilium-semantics.md d.1–d.3, c.8).
 *
 * - `port`: a number string, a named port (resolved against the destination endpoint's named ports,
 *   for ingress and egress alike), or "0" for every port; `endPort` (1.16+) makes a range.
 * - `protocol`: TCP, UDP, SCTP, or ANY (= TCP+UDP+SCTP, never ICMP); omitted = ANY.
 * - `icmps`: ICMP types by number or CamelCase name, per family (IPv4 by default).
 * - An element whose `toPorts`/`icmps` yield no item (`toPorts: [{}]`) allows nothing.
 */
import type { ConnectionProtocol, Endpoint } from '../types.js';
import type { ICMPRule, L7Rules, NetworkPolicyPort, PortRule, PortDenyRule } from '../../model/types.js';

/** One bit per connection protocol, so a port item can hold a set of protocols (ANY = TCP|UDP|SCTP). */
export const PROTO_BIT: Readonly<Record<ConnectionProtocol, number>> = { TCP: 1, UDP: 2, SCTP: 4, ICMPv4: 8, ICMPv6: 16 };
const ANY_L4 = 1 | 2 | 4;
const PROTOCOL_MASK: Readonly<Record<string, number>> = { TCP: 1, UDP: 2, SCTP: 4, ANY: ANY_L4 };

/** One allowed (or denied) port range or named port, for a set of protocols. */
export interface PortItem {
  /** {@link PROTO_BIT}s. */
  readonly mask: number;
  readonly lo: number;
  readonly hi: number;
  /** A named port (lower case): matches when the destination's port of that name is this connection's. */
  readonly name: string | undefined;
  /** Allowed only through the L7 proxy (the port rule carries L7 rules). */
  readonly l7: boolean;
}

/** ICMPv4 type names (`pkg/policy/api/icmp.go`, CRD `icmps.fields.type`). */
const ICMP4_TYPES: Readonly<Record<string, number>> = {
  EchoReply: 0,
  DestinationUnreachable: 3,
  Redirect: 5,
  Echo: 8,
  EchoRequest: 8,
  RouterAdvertisement: 9,
  RouterSelection: 10,
  TimeExceeded: 11,
  ParameterProblem: 12,
  Timestamp: 13,
  TimestampReply: 14,
  Photuris: 40,
  ExtendedEchoRequest: 42,
  ExtendedEchoReply: 43,
};

/** ICMPv6 type names. */
const ICMP6_TYPES: Readonly<Record<string, number>> = {
  DestinationUnreachable: 1,
  PacketTooBig: 2,
  TimeExceeded: 3,
  ParameterProblem: 4,
  EchoRequest: 128,
  EchoReply: 129,
  MulticastListenerQuery: 130,
  MulticastListenerReport: 131,
  MulticastListenerDone: 132,
  RouterSolicitation: 133,
  RouterAdvertisement: 134,
  NeighborSolicitation: 135,
  NeighborAdvertisement: 136,
  RedirectMessage: 137,
  RouterRenumbering: 138,
  ICMPNodeInformationQuery: 139,
  ICMPNodeInformationResponse: 140,
  InverseNeighborDiscoverySolicitation: 141,
  InverseNeighborDiscoveryAdvertisement: 142,
  HomeAgentAddressDiscoveryRequest: 144,
  HomeAgentAddressDiscoveryReply: 145,
  MobilePrefixSolicitation: 146,
  MobilePrefixAdvertisement: 147,
  DuplicateAddressRequestCodeSuffix: 157,
  DuplicateAddressConfirmationCodeSuffix: 158,
  ExtendedEchoRequest: 160,
  ExtendedEchoReply: 161,
};

/** An ICMP type (number, numeric string or CamelCase name) for a family; undefined when unknown. */
export function icmpType(type: number | string, family: 'IPv4' | 'IPv6'): number | undefined {
  if (typeof type === 'number') return Number.isInteger(type) && type >= 0 && type <= 255 ? type : undefined;
  if (/^\d+$/.test(type)) return icmpType(Number(type), family);
  const table = family === 'IPv6' ? ICMP6_TYPES : ICMP4_TYPES;
  return Object.hasOwn(table, type) ? table[type] : undefined;
}

/** Whether a port rule sends its traffic through the L7 proxy (http, kafka, dns, l7proto, SNI, listener). */
export function hasL7(rule: PortRule): boolean {
  const r: L7Rules | undefined = rule.rules;
  const l7 =
    r !== undefined &&
    ((r.http?.length ?? 0) > 0 ||
      (r.kafka?.length ?? 0) > 0 ||
      (r.dns?.length ?? 0) > 0 ||
      (r.l7?.length ?? 0) > 0 ||
      (r.l7proto !== undefined && r.l7proto !== ''));
  return l7 || (rule.serverNames?.length ?? 0) > 0 || rule.listener !== undefined;
}

function portItem(port: string | undefined, endPort: number | undefined, mask: number, l7: boolean, withEndPort: boolean): PortItem | undefined {
  // An empty port (validation rejects it) reads as "0": every port.
  const text = (port ?? '').trim() || '0';
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n === 0) return { mask, lo: 0, hi: 65535, name: undefined, l7 };
    if (n > 65535) return undefined;
    const hi = withEndPort && endPort !== undefined && endPort > n ? Math.min(endPort, 65535) : n;
    return { mask, lo: n, hi, name: undefined, l7 };
  }
  // endPort is ignored for named ports (d.1).
  return { mask, lo: 0, hi: 0, name: text.toLowerCase(), l7 };
}

/**
 * Compiles `toPorts` + `icmps` of a CNP/CCNP element. Returns null when the element has neither
 * (L3 only: every port and protocol, ICMP included).
 */
export function compileCiliumPorts(
  toPorts: readonly (PortRule | PortDenyRule)[] | undefined,
  icmps: readonly ICMPRule[] | undefined,
  withEndPort: boolean,
): PortItem[] | null {
  if ((toPorts?.length ?? 0) === 0 && (icmps?.length ?? 0) === 0) return null;
  const items: PortItem[] = [];
  for (const pr of toPorts ?? []) {
    const l7 = hasL7(pr as PortRule);
    for (const p of pr.ports ?? []) {
      const mask = PROTOCOL_MASK[(p.protocol ?? 'ANY').toUpperCase()];
      if (mask === undefined) continue;
      const item = portItem(p.port, p.endPort, mask, l7, withEndPort);
      if (item !== undefined) items.push(item);
    }
  }
  for (const rule of icmps ?? []) {
    for (const f of rule.fields ?? []) {
      const family = f.family ?? 'IPv4';
      const t = icmpType(f.type, family);
      if (t === undefined) continue;
      items.push({ mask: family === 'IPv6' ? PROTO_BIT.ICMPv6 : PROTO_BIT.ICMPv4, lo: t, hi: t, name: undefined, l7: false });
    }
  }
  return items;
}

/** Compiles NetworkPolicy `ports` (protocol default TCP; no port = every port of that protocol). */
export function compileNetworkPolicyPorts(ports: readonly NetworkPolicyPort[] | undefined, withEndPort: boolean): PortItem[] | null {
  if ((ports?.length ?? 0) === 0) return null;
  const items: PortItem[] = [];
  for (const p of ports ?? []) {
    const mask = PROTOCOL_MASK[(p.protocol ?? 'TCP').toUpperCase()];
    if (mask === undefined) continue;
    const item = portItem(p.port === undefined ? undefined : String(p.port), p.endPort, mask, false, withEndPort);
    if (item !== undefined) items.push(item);
  }
  return items;
}

type NamedPorts = Endpoint['namedPorts'];

function namedPort(named: NamedPorts, name: string): { port: number; protocol: string } | undefined {
  if (named === undefined) return undefined;
  if (Object.hasOwn(named, name)) return named[name];
  for (const [k, v] of Object.entries(named)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/**
 * The narrowest matching items so far, plain and L7 (Infinity: none). A plain allow shadows an L7 one
 * when it covers no more ports (the same port key merges, and the datapath prefers the most specific
 * key): an L3-only allow (width Infinity) does not lift an L7 restriction on a port (d.3).
 */
export interface PortHit {
  plain: number;
  l7: number;
}

/** Whether a protocol/port matches some item; records the narrowest matching widths in `hit`. */
export function matchPorts(items: readonly PortItem[], protoBit: number, port: number, named: NamedPorts, hit: PortHit): boolean {
  let matched = false;
  for (const it of items) {
    if ((it.mask & protoBit) === 0) continue;
    let width: number;
    if (it.name === undefined) {
      if (port < it.lo || port > it.hi) continue;
      width = it.hi - it.lo + 1;
    } else {
      const np = namedPort(named, it.name);
      if (np === undefined || np.port !== port || PROTO_BIT[np.protocol as ConnectionProtocol] !== protoBit) continue;
      width = 1;
    }
    matched = true;
    if (it.l7) {
      if (width < hit.l7) hit.l7 = width;
    } else if (width < hit.plain) hit.plain = width;
  }
  return matched;
}

/**
 * Calls `add(protoBit, port)` for every port at which matching `items` can start or stop (an item's
 * `lo` and `hi + 1`; a named port resolved against the destination's `named`, and the port after it),
 * once per protocol of the item. An unresolved named port matches nothing and adds nothing.
 */
export function addPortBoundaries(items: readonly PortItem[], named: NamedPorts, add: (protoBit: number, port: number) => void): void {
  for (const it of items) {
    if (it.name === undefined) {
      for (let bit = 1; bit <= it.mask; bit <<= 1) {
        if ((it.mask & bit) === 0) continue;
        add(bit, it.lo);
        add(bit, it.hi + 1);
      }
      continue;
    }
    const np = namedPort(named, it.name);
    const bit = np === undefined ? 0 : (PROTO_BIT[np.protocol as ConnectionProtocol] ?? 0);
    if (np === undefined || (it.mask & bit) === 0) continue;
    add(bit, np.port);
    add(bit, np.port + 1);
  }
}

/** Whether any item is a named port (its result then depends on the destination, not only its identity). */
export function hasNamedPort(items: readonly PortItem[] | null): boolean {
  return items !== null && items.some((i) => i.name !== undefined);
}
