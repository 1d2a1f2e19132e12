/**
 * @module sample/later — traffic after the sample's window that brings a new dependency, for the demo's rollout
 * walk-through: a new release of a service listens on a second port, and its caller starts using it. Pure: flow
 * lines in, flow lines out.
 *
 * The new flows are copies of the caller's existing connections to the service (the same pods, identities and
 * observation points, so they resolve as the old ones do), with the new destination port, new uuids, and times
 * from `start` on, a second apart.
 */

export interface NewPortOptions {
  readonly namespace: string;
  /** The caller's and the service's workload names (pods are `<name>-…`). */
  readonly source: string;
  readonly destination: string;
  /** The port the caller uses today, and the new one. */
  readonly port: number;
  readonly newPort: number;
  /** RFC 3339, whole seconds: the first new flow's time. */
  readonly start: string;
  /** At most this many flows. @default 200 */
  readonly max?: number;
}

interface FlowLine {
  time?: string;
  flow?: {
    time?: string;
    uuid?: string;
    is_reply?: boolean;
    l4?: { TCP?: { source_port?: number; destination_port?: number } };
    source?: { namespace?: string; pod_name?: string };
    destination?: { namespace?: string; pod_name?: string };
  };
}

const isPodOf = (ep: { namespace?: string; pod_name?: string } | undefined, ns: string, name: string): boolean => ep?.namespace === ns && (ep.pod_name ?? '').startsWith(`${name}-`);

/** The new flows (JSON lines, each ending in a newline), in time order; none when the caller never used `port`. */
export function newPortTraffic(lines: Iterable<string>, o: NewPortOptions): string[] {
  const max = o.max ?? 200;
  const start = Date.parse(o.start);
  const out: string[] = [];
  for (const line of lines) {
    if (out.length >= max) break;
    if (!line.includes(`"destination_port":${o.port}`)) continue;
    const doc = JSON.parse(line) as FlowLine;
    const f = doc.flow;
    const tcp = f?.l4?.TCP;
    if (f === undefined || tcp === undefined || f.is_reply === true || tcp.destination_port !== o.port) continue;
    if (!isPodOf(f.source, o.namespace, o.source) || !isPodOf(f.destination, o.namespace, o.destination)) continue;
    const time = `${new Date(start + out.length * 1000).toISOString().slice(0, 19)}.000000000Z`;
    tcp.destination_port = o.newPort;
    f.time = time;
    if (doc.time !== undefined) doc.time = time;
    f.uuid = `1a7e0000-0000-4000-8000-${out.length.toString(16).padStart(12, '0')}`;
    out.push(`${JSON.stringify(doc)}\n`);
  }
  return out;
}
