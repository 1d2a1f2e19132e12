import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { stringifyYaml } from './yaml.js';

describe('stringifyYaml', () => {
  it('reads back as the same data, with the strings YAML would misread quoted', () => {
    const tricky = ['true', 'No', 'null', '~', '', '1', '0x1f', '1e3', '.inf', '01', '2026-11-02T00:00:00Z', '0 1 * * *', '*/30 * * * *', '25%', '100m', '10.96.0.1', '-', '- x', 'a: b', 'a #b', 'a:', ' lead', 'trail ', 'line\nbreak', '"quoted"', "it's", '{x}', '[x]', '&anchor', '!tag', '@at', '`tick`', 'k8s:io\\.cilium\\.k8s\\.policy k8s:app', 'app.kubernetes.io/name', 'ünïcode', '#comment', '|', '>', '%YAML', '?', ':x'];
    const doc = {
      strings: tricky,
      keys: Object.fromEntries(tricky.filter((t) => t !== '').map((t, i) => [t, i])),
      numbers: [0, -1, 1.5, 1e21],
      flags: [true, false],
      empty: { list: [], map: {} },
      nested: [{ a: 1, b: [{ c: 'd' }, 'e'], f: { g: { h: 'i' } } }, { j: [] }],
      skipped: undefined,
    };
    const text = stringifyYaml(doc);
    expect(parse(text)).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('writes what the yaml package writes for kubectl-shaped data', () => {
    const doc = { apiVersion: 'v1', items: [{ kind: 'Pod', metadata: { labels: { app: 'web' }, name: 'x' }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } }], kind: 'List' };
    expect(stringifyYaml(doc)).toBe(stringify(doc, { sortMapEntries: true, indentSeq: false, lineWidth: 0 }));
  });

  it('refuses what it cannot write', () => {
    expect(() => stringifyYaml({ a: null })).toThrow(/null/);
    expect(() => stringifyYaml({ a: Number.NaN })).toThrow(/NaN/);
  });
});
