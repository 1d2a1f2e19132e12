import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CELL_X, CELL_Y, layoutMap, type LayoutInput } from './layout.js';

const overlap = (a: { x: number; y: number; width: number; height: number }, b: typeof a) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const inputs = fc.array(fc.record({ id: fc.string({ minLength: 1, maxLength: 6 }), group: fc.constantFrom('a', 'b', 'c', '(outside)', 'kube-system'), degree: fc.nat(50) }), { maxLength: 200 }).map((ns) => {
  const seen = new Set<string>();
  return ns.filter((n) => !seen.has(n.id) && seen.add(n.id));
});

describe('layoutMap', () => {
  it('places every node once, inside its group\'s box, on its own cell; boxes never overlap', () => {
    fc.assert(
      fc.property(inputs, (nodes) => {
        const { positions, boxes } = layoutMap(nodes);
        expect(positions.size).toBe(nodes.length);
        const byId = new Map(boxes.map((b) => [b.id, b]));
        expect(boxes.reduce((s, b) => s + b.nodes, 0)).toBe(nodes.length);
        const cells = new Set<string>();
        for (const n of nodes) {
          const p = positions.get(n.id)!;
          const b = byId.get(n.group)!;
          expect(p.x > b.x && p.x < b.x + b.width && p.y > b.y && p.y < b.y + b.height).toBe(true);
          cells.add(`${p.x},${p.y}`);
        }
        expect(cells.size).toBe(nodes.length);
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) expect(overlap(boxes[i]!, boxes[j]!)).toBe(false);
      }),
    );
  });

  it('is deterministic: the order of the input does not matter', () => {
    fc.assert(
      fc.property(inputs, fc.integer(), (nodes, seed) => {
        const shuffled = [...nodes].sort((a, b) => ((a.id.charCodeAt(0) * seed) % 7) - ((b.id.charCodeAt(0) * seed) % 7));
        const a = layoutMap(nodes);
        const b = layoutMap(shuffled);
        expect([...b.positions].sort()).toEqual([...a.positions].sort());
        expect(b.boxes).toEqual(a.boxes);
      }),
    );
  });

  it('puts the busiest node of a group first, and lays 1,000 nodes out in a roughly square area', () => {
    const nodes: LayoutInput[] = Array.from({ length: 1000 }, (_, i) => ({ id: `ns-${i % 40}/w-${i}`, group: `ns-${i % 40}`, degree: i === 999 ? 500 : i % 13 }));
    const { positions, boxes } = layoutMap(nodes);
    const box = boxes.find((b) => b.id === 'ns-39')!;
    expect(positions.get('ns-39/w-999')).toEqual({ x: box.x + CELL_X / 2, y: box.y + 28 + CELL_Y / 2 });
    const width = Math.max(...boxes.map((b) => b.x + b.width));
    const height = Math.max(...boxes.map((b) => b.y + b.height));
    expect(width / height).toBeGreaterThan(0.5);
    expect(width / height).toBeLessThan(4);
  });
});
