import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeClusterDocuments, parseClusterText, type ClusterSnapshot } from '../cluster/index.js';
import { decodeHubbleLine, type Flow } from '../flows/index.js';
import { generateSample, renderClusterYaml } from '../sample/index.js';
import { InventoryBuilder, rollUpState, type InventoryOptions, type InventoryState } from './build.js';

const sample = generateSample();
const flows: Flow[] = [];
for (const line of sample.flowLines()) {
  const d = decodeHubbleLine(line);
  if (d?.kind === 'flow') flows.push(d.flow);
}
const cluster: ClusterSnapshot = decodeClusterDocuments(parseClusterText(renderClusterYaml(sample.cluster), 'cluster.yaml'));

function fold(part: readonly Flow[], options: InventoryOptions): InventoryBuilder {
  const b = new InventoryBuilder(options);
  for (const f of part) b.add(f);
  return b;
}

/** Through JSON, as a store keeps it. */
const stored = (s: InventoryState): InventoryState => JSON.parse(JSON.stringify(s)) as InventoryState;

function cuts(n: number) {
  return fc.uniqueArray(fc.integer({ min: 1, max: n - 1 }), { maxLength: 5 }).map((a) => [0, ...a.sort((x, y) => x - y), n]);
}

describe('InventoryBuilder state', () => {
  it('merging the states of consecutive parts gives the inventory of folding them all', () => {
    fc.assert(
      fc.property(cuts(flows.length), fc.boolean(), (bounds, withCluster) => {
        const options: InventoryOptions = withCluster ? { cluster } : {};
        const whole = fold(flows, options).finish();
        const merged = new InventoryBuilder(options);
        for (let i = 0; i + 1 < bounds.length; i++) merged.mergeState(stored(fold(flows.slice(bounds[i], bounds[i + 1]), options).exportState()));
        expect(merged.finish()).toEqual(whole);
      }),
      { numRuns: 12 },
    );
  });

  it('applies a reader\'s --namespace exactly and a relative --since as the fold does', () => {
    const options: InventoryOptions = { cluster, namespaces: ['billing', 'analytics'], sinceMs: 86_400_000 };
    const whole = fold(flows, options).finish();
    const merged = new InventoryBuilder(options);
    merged.mergeState(stored(fold(flows.slice(0, 2000), { cluster }).exportState()));
    merged.mergeState(stored(fold(flows.slice(2000), { cluster }).exportState()));
    const got = merged.finish();
    expect(got.edges).toEqual(whole.edges);
    expect(got.workloads).toEqual(whole.workloads);
    expect(got.decode.notEdges['out-of-scope']).toBe(whole.decode.notEdges['out-of-scope']);
    expect(got.edges.length).toBeGreaterThan(0);
  });

  it('keeps edge flow counts when hours are rolled up into days, and drops what is older than retention', () => {
    const b = fold(flows, { cluster });
    const before = b.finish();
    const state = b.exportState();
    const lastHour = Math.floor(Date.parse(before.window.until!) / 3_600_000);
    const rolled = new InventoryBuilder({ cluster });
    rolled.mergeState(stored(rollUpState(state, lastHour - 24)));
    const after = rolled.finish();
    expect(after.edges.map((e) => e.flows)).toEqual(before.edges.map((e) => e.flows));
    expect(after.edges.reduce((n, e) => n + e.buckets.length, 0)).toBeLessThan(before.edges.reduce((n, e) => n + e.buckets.length, 0));
    // A day's bucket keeps which of its hours had traffic.
    const hoursOf = (inv: typeof before) =>
      inv.edges.map((e) => e.buckets.flatMap((b) => (b.hours === undefined ? [b.start] : Array.from({ length: 24 }, (_, h) => h).filter((h) => b.hours! & (1 << h)).map((h) => new Date(Date.parse(b.start) + h * 3_600_000).toISOString()))).sort());
    expect(hoursOf(after)).toEqual(hoursOf(before));
    expect(after.edges.some((e) => e.buckets.some((b) => b.hours !== undefined))).toBe(true);
    // Rolling up again, or merging a rolled-up state with more of the same day, keeps the sums.
    const twice = new InventoryBuilder({ cluster });
    twice.mergeState(rollUpState(rollUpState(state, lastHour - 24), lastHour - 24));
    expect(twice.finish().edges.map((e) => e.flows)).toEqual(before.edges.map((e) => e.flows));

    const kept = new InventoryBuilder({ cluster });
    kept.mergeState(rollUpState(state, lastHour - 24, lastHour - 24));
    const recent = kept.finish();
    expect(recent.edges.every((e) => Date.parse(e.lastSeen) >= (lastHour - 24) * 3_600_000)).toBe(true);
    expect(recent.edges.length).toBeLessThan(before.edges.length);
  });
});
