/**
 * @module policy/generate/test-support/fixtures — inventories for the generator's tests: the demo sample cluster
 * (folded from its flows, as `tighten demo` does) and small hand-made ones written edge by edge.
 */
import { decodeClusterDocuments, type ClusterSnapshot } from '../../../cluster/index.js';
import { DEFAULT_CONFIG, type TightenConfig } from '../../../config/index.js';
import { decodeHubbleLine } from '../../../flows/index.js';
import { InventoryBuilder, type Edge, type EdgeProtocol, type EdgeVerdict, type Inventory, type InventoryWorkload, type Peer } from '../../../inventory/index.js';
import { generateSample } from '../../../sample/index.js';
import { understand, type Understanding } from '../../../understand/index.js';

export interface Fixture {
  readonly inventory: Inventory;
  readonly cluster: ClusterSnapshot | undefined;
  readonly understanding: Understanding;
  readonly config: TightenConfig;
}

const demoCache = new Map<number, Fixture>();

/** The small demo cluster of a seed, folded into an inventory and understood. */
export function demoFixture(seed = 1): Fixture {
  const cached = demoCache.get(seed);
  if (cached !== undefined) return cached;
  const sample = generateSample({ size: 'small', seed });
  const cluster = decodeClusterDocuments(sample.cluster.map((object, i) => ({ source: `sample#${i + 1}`, object })));
  const builder = new InventoryBuilder({ cluster });
  for (const line of sample.flowLines()) {
    const d = decodeHubbleLine(line);
    if (d?.kind === 'flow') builder.add(d.flow);
  }
  const inventory = builder.finish();
  const fixture = { inventory, cluster, understanding: understand(inventory, cluster, DEFAULT_CONFIG), config: DEFAULT_CONFIG };
  demoCache.set(seed, fixture);
  return fixture;
}

/** A workload of a hand-made inventory: `ns/name` with its pods' labels (kind Deployment unless said). */
export interface HandWorkload {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly kind?: string;
}

/** An edge of a hand-made inventory: `ns/name`, `entity:host`, `ip:192.0.2.7=api.example.com,cdn.example.com` or `cidr:10.0.0.0/8`. */
export interface HandEdge {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol?: EdgeProtocol;
  readonly verdict?: EdgeVerdict;
  readonly flows?: number;
  readonly dns?: readonly string[];
}

const T0 = '2026-11-02T10:00:00Z';
const T1 = '2026-11-02T11:00:00Z';

function peerOf(id: string, kinds: ReadonlyMap<string, string>): Peer {
  if (id.startsWith('entity:')) return { entity: id.slice(7) as never };
  if (id.startsWith('ip:')) {
    const [ip, names] = id.slice(3).split('=') as [string, string | undefined];
    return { ip, names: names ? names.split(',').sort() : [] };
  }
  if (id.startsWith('cidr:')) return { cidr: id.slice(5) };
  const [namespace, name] = id.split('/') as [string, string];
  return { namespace, kind: kinds.get(id) ?? 'Deployment', name };
}

/** A hand-made inventory (no cluster dump), understood with the default configuration (or `config`). */
export function handFixture(workloads: readonly HandWorkload[], edges: readonly HandEdge[], config: TightenConfig = DEFAULT_CONFIG): Fixture {
  const kinds = new Map(workloads.map((w) => [w.id, w.kind ?? 'Deployment']));
  const ws: InventoryWorkload[] = workloads.map((w) => {
    const [namespace, name] = w.id.split('/') as [string, string];
    return { namespace, name, kind: w.kind ?? 'Deployment', labels: w.labels, seenIn: { cluster: false, flows: true }, firstSeen: T0, lastSeen: T1 };
  });
  const es: Edge[] = edges.map((e) => ({
    source: peerOf(e.from, kinds),
    destination: peerOf(e.to, kinds),
    port: e.port,
    protocol: e.protocol ?? 'TCP',
    verdict: e.verdict ?? 'FORWARDED',
    flows: e.flows ?? 3,
    firstSeen: T0,
    lastSeen: T1,
    ...(e.dns ? { l7: { dns: e.dns } } : {}),
    buckets: [{ start: T0, flows: e.flows ?? 3, firstSeen: T0, lastSeen: T1 }],
  }));
  const inventory: Inventory = {
    window: { since: T0, until: T1, now: T1 },
    workloads: ws,
    edges: es,
    findings: [],
    decode: { files: [], linesRead: 0, flows: 0, skipped: 0, ignored: 0, lostEvents: 0, notEdges: {}, errors: [] },
  };
  return { inventory, cluster: undefined, understanding: understand(inventory, undefined, config), config };
}
