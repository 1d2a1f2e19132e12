import { describe, expect, it } from 'vitest';
import { buildInventory } from '../inventory/index.js';
import { decodeHubbleLine } from '../flows/index.js';
import { generateSample } from './generate.js';
import { newPortTraffic } from './later.js';

describe('newPortTraffic', () => {
  it('copies the caller\'s connections to the new port, after the window, with new uuids; they fold into one new edge', () => {
    const sample = generateSample({ size: 'small', seed: 1 });
    const lines = [...sample.flowLines()];
    const later = newPortTraffic(lines, { namespace: 'boutique', source: 'checkoutservice', destination: 'cartservice', port: 7070, newPort: 7071, start: '2026-11-06T09:00:00Z', max: 50 });
    expect(later.length).toBeGreaterThan(0);
    expect(later.length).toBeLessThanOrEqual(50);
    const flows = later.map((l, i) => {
      const d = decodeHubbleLine(l.trimEnd());
      if (d?.kind !== 'flow') throw new Error(`line ${i + 1} is not a flow`);
      return d.flow;
    });
    expect(new Set(flows.map((f) => f.uuid)).size).toBe(flows.length);
    expect(flows.every((f) => f.time >= '2026-11-06T09:00:00')).toBe(true);
    const edges = buildInventory(flows).edges;
    expect(edges.map((e) => [('name' in e.source ? e.source.name : ''), ('name' in e.destination ? e.destination.name : ''), e.port])).toEqual([['checkoutservice', 'cartservice', 7071]]);
    expect(newPortTraffic(lines, { namespace: 'boutique', source: 'checkoutservice', destination: 'cartservice', port: 1, newPort: 2, start: '2026-11-06T09:00:00Z' })).toEqual([]);
  });
});
