/**
 * @module policy/evaluate/fast/cidr — IPv4/IPv6 addresses and prefixes as 32-bit words, and CIDR
 * peers with `except` (cilium-semantics.md c.3). `fromCIDR: [p]` ≡ `fromCIDRSet: [{cidr: p}]`.
 */

/** An address: one word (IPv4) or four (IPv6), most significant first. */
export interface IpWords {
  readonly v6: boolean;
  readonly words: readonly number[];
}

/** A prefix: address words and the number of leading bits that count (0 = the whole family). */
export interface Prefix extends IpWords {
  readonly bits: number;
}

function parseV4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const b = Number(p);
    if (b > 255) return undefined;
    n = n * 256 + b;
  }
  return [n >>> 0];
}

function parseV6(text: string): number[] | undefined {
  const zone = text.indexOf('%');
  let s = zone >= 0 ? text.slice(0, zone) : text;
  // An embedded IPv4 tail (::ffff:192.0.2.1) is the last two groups.
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) > lastColon) {
    const v4 = parseV4(s.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    const w = v4[0] ?? 0;
    s = `${s.slice(0, lastColon + 1)}${(w >>> 16).toString(16)}:${(w & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (head === undefined || rest === undefined) return undefined;
  const total = head.length + rest.length;
  if (halves.length === 2 ? total > 7 : total !== 8) return undefined;
  const groups = [...head, ...new Array<number>(8 - total).fill(0), ...rest];
  const words: number[] = [];
  for (let i = 0; i < 8; i += 2) words.push((((groups[i] ?? 0) << 16) | (groups[i + 1] ?? 0)) >>> 0);
  return words;
}

/** Parses an IPv4 or IPv6 address; undefined when it is neither. */
export function parseIp(text: string): IpWords | undefined {
  const t = text.trim();
  if (t.includes(':')) {
    const words = parseV6(t);
    return words === undefined ? undefined : { v6: true, words };
  }
  const words = parseV4(t);
  return words === undefined ? undefined : { v6: false, words };
}

/** Parses `addr/len`; a bare address is a host prefix (/32, /128). */
export function parsePrefix(text: string): Prefix | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (ip === undefined) return undefined;
  const max = ip.v6 ? 128 : 32;
  if (slash < 0) return { ...ip, bits: max };
  const lenText = text.slice(slash + 1).trim();
  if (!/^\d{1,3}$/.test(lenText)) return undefined;
  const bits = Number(lenText);
  return bits > max ? undefined : { ...ip, bits };
}

/** Whether the prefix holds the address (same family only). */
export function prefixContains(p: Prefix, ip: IpWords): boolean {
  if (p.v6 !== ip.v6) return false;
  let left = p.bits;
  for (let i = 0; left > 0; i++, left -= 32) {
    const n = left >= 32 ? 32 : left;
    const mask = n === 32 ? 0xffffffff : (0xffffffff << (32 - n)) >>> 0;
    if ((((p.words[i] ?? 0) ^ (ip.words[i] ?? 0)) & mask) !== 0) return false;
  }
  return true;
}

/** A CIDR peer: the prefix minus its `except` prefixes. */
export interface CompiledCidr {
  readonly prefix: Prefix;
  readonly excepts: readonly Prefix[];
}

/** Compiles a CIDR (and its excepts); undefined for an unparsable prefix (it then matches nothing). */
export function compileCidr(cidr: string, except: readonly string[] = []): CompiledCidr | undefined {
  const prefix = parsePrefix(cidr);
  if (prefix === undefined) return undefined;
  const excepts: Prefix[] = [];
  for (const e of except) {
    const p = parsePrefix(e);
    if (p !== undefined) excepts.push(p);
  }
  return { prefix, excepts };
}

/** Whether the address is in the prefix and in none of its excepts. */
export function cidrMatches(c: CompiledCidr, ip: IpWords): boolean {
  if (!prefixContains(c.prefix, ip)) return false;
  for (const e of c.excepts) if (prefixContains(e, ip)) return false;
  return true;
}

/**
 * An address-less world endpoint: Cilium turns `0.0.0.0/0` (`::/0`) into the world identity itself,
 * so only a whole-family prefix without excepts matches it. `worldKinds`: 1 world, 2 world-ipv4, 4 world-ipv6.
 */
export function cidrMatchesWorldWithoutIp(c: CompiledCidr, worldKinds: number): boolean {
  if (c.prefix.bits !== 0 || c.excepts.length > 0) return false;
  return (worldKinds & (c.prefix.v6 ? 5 : 3)) !== 0;
}
