/**
 * @module relay/recent-ids — the ids of the most recent flows, to drop the flows a resumed stream
 * sends again. Pure.
 *
 * On reconnect the stream resumes at the time of the last flow seen, so the flows of that instant
 * (or more, from a Relay that honours `since` loosely) come twice. Only recent ids can repeat, so
 * memory stays bounded: the last `capacity` ids are kept in a ring. Remembering an id is one array
 * write, since nothing can repeat while a stream runs; only after a resume are ids looked up, in a
 * set built from the ring, for the next `capacity` flows.
 */
export class RecentIds {
  private readonly ring: (string | undefined)[];
  private next = 0;
  /** After {@link resume}: the ids remembered before it, and how many more ids to check against them. */
  private before: Set<string> | undefined;
  private checksLeft = 0;

  /** @param capacity - how many ids are remembered (at least 1). */
  constructor(capacity: number) {
    this.ring = new Array<string | undefined>(Math.max(1, Math.floor(capacity)));
  }

  /** Whether the ids that come next are being checked for repeats. */
  get checking(): boolean {
    return this.before !== undefined;
  }

  /**
   * Marks a resumed stream: the next `capacity` ids are checked against those remembered so far.
   * Call it again on every resume (the ring then includes the ids seen since the previous one).
   */
  resume(): void {
    const before = new Set<string>();
    for (const id of this.ring) if (id !== undefined) before.add(id);
    this.before = before;
    this.checksLeft = this.ring.length;
  }

  /**
   * Takes the next id: true when it repeats one remembered before the last {@link resume} (drop the
   * flow), false when it is new (it is remembered, the oldest id forgotten when full).
   */
  isRepeat(id: string): boolean {
    const before = this.before;
    if (before !== undefined) {
      if (before.has(id)) return true;
      if (--this.checksLeft <= 0) this.before = undefined;
    }
    this.ring[this.next] = id;
    this.next = this.next + 1 === this.ring.length ? 0 : this.next + 1;
    return false;
  }
}
