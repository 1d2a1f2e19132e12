/**
 * @module policy/model/cidr — parses CIDR prefixes the way Go's `netip.ParsePrefix` does (which Cilium uses), for
 * validation only: no leading zeros in IPv4 octets or in the prefix length, no zones, IPv6 with `::` and an
 * embedded IPv4 tail. Host bits may be set (`10.0.0.1/8` is accepted, as by Cilium).
 */

export interface Prefix {
  readonly family: 4 | 6;
  /** The address as a big-endian bigint (32 or 128 bits). */
  readonly address: bigint;
  readonly bits: number;
}

function parseIPv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIPv6(s: string): bigint | undefined {
  if (s.includes('%')) return undefined; // zones are not allowed in prefixes
  let head = s;
  let tail: bigint[] = [];
  // An embedded IPv4 address at the end stands for the last two groups.
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [v4 >> 16n, v4 & 0xffffn];
    head = s.slice(0, lastColon + 1);
    if (!head.endsWith('::')) head = head.slice(0, -1);
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
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if (left === undefined || right === undefined) return undefined;
  const given = left.length + right.length + tail.length;
  let all: bigint[];
  if (halves.length === 2) {
    if (given > 7) return undefined;
    all = [...left, ...Array<bigint>(8 - given).fill(0n), ...right, ...tail];
  } else {
    if (given !== 8) return undefined;
    all = [...left, ...tail];
  }
  return all.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** An address alone (no prefix length). */
export function parseAddress(s: string): { family: 4 | 6; address: bigint } | undefined {
  if (s.includes(':')) {
    const a = parseIPv6(s);
    return a === undefined ? undefined : { family: 6, address: a };
  }
  const a = parseIPv4(s);
  return a === undefined ? undefined : { family: 4, address: a };
}

/** `addr/bits`; undefined when it is not one (a bare address is not a prefix). */
export function parsePrefix(s: string): Prefix | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = parseAddress(s.slice(0, slash));
  const bitsText = s.slice(slash + 1);
  if (addr === undefined || !/^(0|[1-9][0-9]{0,2})$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > (addr.family === 4 ? 32 : 128)) return undefined;
  return { family: addr.family, address: addr.address, bits };
}

/** Whether `outer` contains `inner`'s address (same family). */
export function prefixContains(outer: Prefix, inner: Prefix): boolean {
  if (outer.family !== inner.family) return false;
  const width = outer.family === 4 ? 32n : 128n;
  const shift = width - BigInt(outer.bits);
  return outer.address >> shift === inner.address >> shift;
}
