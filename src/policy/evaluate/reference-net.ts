/**
 * @module policy/evaluate/reference-net — addresses, CIDRs, DNS name patterns and ICMP type names for the
 * naive reference evaluator (cilium-semantics.md c.3, c.4, c.8). Written for obviousness: addresses are
 * BigInts, patterns are regular expressions built the way Cilium's matchpattern package builds them.
 */

/** An address as a number plus its family. */
export interface Address {
  readonly family: 4 | 6;
  readonly value: bigint;
}

export function parseAddress(text: string): Address | undefined {
  const s = text.trim();
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const parts = s.split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { family: 4, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!s.includes(':')) return undefined;
  let head = s;
  // An IPv4 tail (`::ffff:1.2.3.4`) is rewritten as its two hex groups.
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = parseAddress(s.slice(lastColon + 1));
    if (v4 === undefined || v4.family !== 4) return undefined;
    head = `${s.slice(0, lastColon + 1)}${((v4.value >> 16n) & 0xffffn).toString(16)}:${(v4.value & 0xffffn).toString(16)}`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): bigint[] | undefined => {
    if (h === '') return [];
    const out: bigint[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(BigInt(`0x${g}`));
    }
    return out;
  };
  const left = groups(halves[0] ?? '');
  const right = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (left === undefined || right === undefined) return undefined;
  const known = left.length + right.length;
  if (halves.length === 1 && known !== 8) return undefined;
  if (known > 8) return undefined;
  const all = [...left, ...Array<bigint>(8 - known).fill(0n), ...right];
  return { family: 6, value: all.reduce((acc, g) => (acc << 16n) | g, 0n) };
}

/** A prefix; a bare address counts as a host prefix (/32, /128) (reference-evaluator choice). */
export interface Prefix {
  readonly address: Address;
  readonly bits: number;
}

export function parsePrefix(text: string): Prefix | undefined {
  const slash = text.indexOf('/');
  const address = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  const max = address.family === 4 ? 32 : 128;
  const bits = slash < 0 ? max : Number(text.slice(slash + 1));
  if (!Number.isInteger(bits) || bits < 0 || bits > max) return undefined;
  return { address, bits };
}

export function prefixContains(prefix: Prefix, address: Address): boolean {
  if (prefix.address.family !== address.family) return false;
  const width = BigInt(address.family === 4 ? 32 : 128);
  const shift = width - BigInt(prefix.bits);
  return address.value >> shift === prefix.address.value >> shift;
}

/** A `/0` prefix: Cilium turns 0.0.0.0/0 and ::/0 into the world selector (c.2, c.3). */
export function isWholeFamily(prefix: Prefix): boolean {
  return prefix.bits === 0;
}

// ---- DNS names (c.4) -------------------------------------------------------------------------------

const DNS_CHARS = '[-a-zA-Z0-9_]';

/** Lower case with a trailing dot, as Cilium's matchpattern package compares names. */
export function fqdn(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith('.') ? n : `${n}.`;
}

/**
 * The anchored expression for a `matchPattern` (`pkg/fqdn/matchpattern/matchpattern.go`):
 * - a lone `*` matches every valid name; from 1.19 a lone `**` or `*.` does too;
 * - from 1.19 a leading `**.` matches one or more labels;
 * - any other `*` matches `[-a-zA-Z0-9_]*` and never crosses a dot.
 * Before 1.19 `**` is simply two stars: one label at most.
 */
export function patternToRegExp(pattern: string, atLeast119: boolean): RegExp {
  const p = pattern.trim().toLowerCase();
  const wholeName = `(${DNS_CHARS}+\\.)+`;
  if (p === '*' || (atLeast119 && (p === '**' || p === '*.' || p === '**.'))) return new RegExp(`^${wholeName}$`);
  let body = fqdn(p);
  let lead = '';
  if (atLeast119 && body.startsWith('**.')) {
    lead = wholeName;
    body = body.slice(3);
  }
  const escaped = body
    .split('')
    .map((c) => (c === '*' ? `${DNS_CHARS}*` : c === '.' ? '\\.' : c.replace(/[\\^$+?()[\]{}|]/g, '\\$&')))
    .join('');
  return new RegExp(`^${lead}${escaped}$`);
}

export function nameMatchesPattern(name: string, pattern: string, atLeast119: boolean): boolean {
  return patternToRegExp(pattern, atLeast119).test(fqdn(name));
}

export function nameMatchesName(name: string, matchName: string): boolean {
  return fqdn(name) === fqdn(matchName);
}

// ---- ICMP type names (c.8; the CRD's list) -----------------------------------------------------------

export const ICMPV4_TYPES: Readonly<Record<string, number>> = {
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

export const ICMPV6_TYPES: Readonly<Record<string, number>> = {
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

/** The numeric ICMP type of a policy field (a number, a numeric string, or a CamelCase name); undefined if unknown. */
export function icmpTypeNumber(type: number | string, family: 'IPv4' | 'IPv6'): number | undefined {
  if (typeof type === 'number') return type;
  if (/^\d+$/.test(type)) return Number(type);
  const table = family === 'IPv6' ? ICMPV6_TYPES : ICMPV4_TYPES;
  return table[type];
}
