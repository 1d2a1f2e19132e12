import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSample } from './write.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('writeSample', () => {
  it('writes cluster.yaml, flows.jsonl and truth.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tighten-sample-'));
    dirs.push(dir);
    const progress: number[] = [];
    const out = await writeSample(join(dir, 'demo'), { size: { workloads: 0, flows: 120_000, days: 1 } }, { onProgress: (n) => progress.push(n) });
    const truth = JSON.parse(await readFile(out.truthFile, 'utf8'));
    expect(out.flows).toBe(truth.counts.flows);
    expect(progress).toEqual([100_000]);
    const lines = (await readFile(out.flowsFile, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(out.flows);
    expect(JSON.parse(lines[0] as string).flow.time).toMatch(/^2026-11-02T/);
    const list = parse(await readFile(out.clusterFile, 'utf8'));
    expect(list.kind).toBe('List');
    expect(list.items.length).toBeGreaterThan(100);
  });
});
