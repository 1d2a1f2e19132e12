/**
 * @module sample/net — IPv4 addresses as integers, for allocating the sample's address plan.
 */

/** `a.b.c.d` → unsigned 32-bit integer. */
export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new RangeError(`not an IPv4 address: '${ip}'`);
  }
  return (((parts[0] as number) << 24) | ((parts[1] as number) << 16) | ((parts[2] as number) << 8) | (parts[3] as number)) >>> 0;
}

/** Unsigned 32-bit integer → `a.b.c.d`. */
export function intToIp(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** The address `offset` places after `base`. */
export function ipAdd(base: string, offset: number): string {
  return intToIp((ipToInt(base) + offset) >>> 0);
}
