/**
 * The inventory and the understand step against the sample generator's ground truth, over several
 * seeds and sizes: every true edge found with its exact flow count and none invented; every
 * workload classified as the truth says; every planted finding reported.
 */
import { describe, expect, it } from 'vitest';
import { decodeClusterDocuments } from '../src/cluster/index.js';
import { DEFAULT_CONFIG } from '../src/config/index.js';
import { decodeHubbleLine } from '../src/flows/index.js';
import { InventoryBuilder, type Edge, type Finding, type Peer } from '../src/inventory/index.js';
import { generateSample, type SampleOptions, type TruthEdge } from '../src/sample/index.js';
import { understand } from '../src/understand/index.js';

const peerText = (p: Peer): string =>
  'namespace' in p ? `${p.namespace}/${p.kind}/${p.name}` : 'entity' in p ? `entity:${p.entity}` : 'ip' in p ? `${p.ip}[${p.names.join(',')}]` : `cidr:${p.cidr}`;
const edgeText = (e: Edge | TruthEdge): string =>
  `${peerText(e.source)} -> ${peerText(e.destination)} ${e.port}/${e.protocol} ${e.verdict} x${e.flows}` +
  (e.dropReasons ? ` drop:${e.dropReasons.join(',')}` : '') +
  (e.l7?.dns ? ` dns:${e.l7.dns.join(',')}` : '');
const subjectText = (f: Pick<Finding, 'code' | 'subject'>): string => {
  const s = f.subject;
  return `${f.code} ${'kind' in s ? `${s.namespace}/${s.kind}/${s.name}` : 'namespace' in s ? `namespace ${s.namespace}` : s.other}`;
};

function run(options: SampleOptions) {
  const sample = generateSample(options);
  const cluster = decodeClusterDocuments(sample.cluster.map((object, i) => ({ source: `sample#${i + 1}`, object })));
  const builder = new InventoryBuilder({ cluster });
  let line = 0;
  for (const text of sample.flowLines()) {
    line++;
    const d = decodeHubbleLine(text);
    if (d?.kind === 'flow') builder.add(d.flow, { file: 'sample', line });
    else if (d?.kind !== 'lost') throw new Error(`line ${line} did not decode: ${JSON.stringify(d)}`);
  }
  const inventory = builder.finish();
  return { sample, inventory, understanding: understand(inventory, cluster, DEFAULT_CONFIG) };
}

const CASES: readonly [string, SampleOptions][] = [
  ['small, seed 1', { size: 'small', seed: 1 }],
  ['small, seed 7', { size: 'small', seed: 7 }],
  ['small, seed 42, 5 days', { size: 'small', seed: 42, days: 5 }],
  ['200 workloads, seed 3', { size: { workloads: 200, flows: 40_000, days: 2, nodes: 6 }, seed: 3 }],
];

describe.each(CASES)('sample cluster (%s)', (_name, options) => {
  const { sample, inventory, understanding } = run(options);
  const truth = sample.truth;

  it('finds every true edge with its exact flow count, and invents none', () => {
    const found = inventory.edges.map(edgeText).sort();
    const expected = truth.edges.map(edgeText).sort();
    expect(found).toEqual(expected);
  });

  it('classifies every workload as the truth says', () => {
    const found = new Map(understanding.classifications.map((c) => [`${c.workload.namespace}/${c.workload.kind}/${c.workload.name}`, `${c.class}${c.role ? `:${c.role}` : ''}`]));
    const wrong = truth.classes
      .map((c) => [`${c.namespace}/${c.kind}/${c.name}`, `${c.class}${c.role ? `:${c.role}` : ''}`] as const)
      .filter(([key, cls]) => found.get(key) !== cls)
      .map(([key, cls]) => `${key}: expected ${cls}, got ${found.get(key) ?? 'nothing'}`);
    expect(wrong).toEqual([]);
  });

  it('reports every planted finding', () => {
    const reported = new Set(understanding.findings.map(subjectText));
    const missing = truth.findings.map(subjectText).filter((f) => !reported.has(f));
    expect(missing).toEqual([]);
  });
});
