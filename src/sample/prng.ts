/**
 * @module sample/prng — a small seeded pseudo-random generator (mulberry32) and the helpers the
 * sample needs. The sample never calls `Math.random`: the same seed always gives the same bytes.
 */

/** FNV-1a over a string, 32 bits: stable across platforms, used to derive independent streams. */
export function hash32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Final avalanche so that near-identical labels give unrelated seeds.
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** The alphabet Kubernetes uses for generated name suffixes and hashes (`rand.SafeEncodeString`). */
const K8S_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const HEX = '0123456789abcdef';

/**
 * A mulberry32 stream. Period 2^32, which is plenty for a sample; streams for different purposes
 * are derived by name with {@link Prng.derive} so that adding draws to one does not shift another.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A stream derived from `seed` and a purpose name, independent of every other purpose. */
  static derive(seed: number, purpose: string): Prng {
    return new Prng(hash32(purpose, hash32(String(seed >>> 0))));
  }

  /** Uniform integer in [0, 2^32). */
  u32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A new array with the items in random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }

  /** `n` characters of Kubernetes' suffix alphabet (pod suffixes are 5, pod-template-hash 9–10). */
  k8sSuffix(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += K8S_ALPHABET[this.u32() % K8S_ALPHABET.length];
    return s;
  }

  /** `n` lowercase hex digits. */
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += HEX[this.u32() & 15];
    return s;
  }

  /** A random (version 4 shaped) UUID, as Kubernetes writes `metadata.uid`. */
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${HEX[8 + (this.u32() & 3)]}${this.hex(3)}-${this.hex(12)}`;
  }
}
