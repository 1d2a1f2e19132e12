/**
 * @module relay/recent-ids — a bounded set of the most recently seen flow ids, to drop the flows a
 * resumed stream sends again. Pure.
 *
 * On reconnect the stream resumes at the time of the last flow seen, so the flows of that instant
 * (and, since Relay merges nodes' streams in approximate time order, a few before it) come twice.
 * Only recent ids can repeat, so memory stays bounded: the oldest id is forgotten first.
 */
export class RecentIds {
  private readonly ids = new Set<string>();
  private readonly ring: (string | undefined)[];
  private next = 0;

  /** @param capacity - how many ids are remembered (at least 1). */
  constructor(capacity: number) {
    this.ring = new Array<string | undefined>(Math.max(1, Math.floor(capacity)));
  }

  /** How many ids are remembered now. */
  get size(): number {
    return this.ids.size;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /**
   * Remembers `id`; returns false when it was already remembered (a duplicate), true when new.
   * When full, the oldest id is forgotten.
   */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    const old = this.ring[this.next];
    if (old !== undefined) this.ids.delete(old);
    this.ring[this.next] = id;
    this.next = (this.next + 1) % this.ring.length;
    this.ids.add(id);
    return true;
  }
}
