import { describe, expect, test } from 'vitest';
import { InputError } from '../shared/errors.js';
import { parseClusterText } from './parse.js';

describe('parseClusterText', () => {
  test('one YAML document is sourced by the file alone', () => {
    expect(parseClusterText('kind: Namespace\nmetadata:\n  name: a\n', 'f.yaml')).toEqual([{ source: 'f.yaml', file: 'f.yaml', object: { kind: 'Namespace', metadata: { name: 'a' } } }]);
  });

  test('documents joined with --- are numbered from 1, empty ones counted but left out', () => {
    const docs = parseClusterText('# header\n---\nkind: A\n---\n---\nkind: B\n...\n', 'f.yaml');
    expect(docs.map((d) => [d.source, d.object])).toEqual([
      ['f.yaml#1', { kind: 'A' }],
      ['f.yaml#3', { kind: 'B' }],
    ]);
  });

  test('only comments or whitespace gives no documents', () => {
    expect(parseClusterText('', 'f')).toEqual([]);
    expect(parseClusterText('  \n\n', 'f')).toEqual([]);
    expect(parseClusterText('# nothing\n---\n', 'f')).toEqual([]);
  });

  test('YAML 1.2 core schema: timestamps and yes/no stay strings; merge keys work', () => {
    const [doc] = parseClusterText('metadata:\n  creationTimestamp: 2026-01-01T00:00:00Z\n  labels: &l\n    enabled: yes\nspec:\n  <<: *l\n  other: 1\n', 'f.yaml');
    expect(doc?.object).toEqual({ metadata: { creationTimestamp: '2026-01-01T00:00:00Z', labels: { enabled: 'yes' } }, spec: { enabled: 'yes', other: 1 } });
  });

  test('JSON: an object, a List, an array', () => {
    expect(parseClusterText('  {"kind":"List","items":[]}', 'f.json')).toEqual([{ source: 'f.json', file: 'f.json', object: { kind: 'List', items: [] } }]);
    expect(parseClusterText('[{"kind":"A"},{"kind":"B"}]', 'f.json')[0]?.object).toEqual([{ kind: 'A' }, { kind: 'B' }]);
  });

  test('JSON values one after another (jq -c, appended -o json outputs) are documents', () => {
    const docs = parseClusterText('{"kind":"A","s":"a}{"}\n{"kind":"B"}\n\n{\n  "kind": "C"\n}\n', 'f.json');
    expect(docs.map((d) => [d.source, d.object])).toEqual([
      ['f.json#1', { kind: 'A', s: 'a}{' }],
      ['f.json#2', { kind: 'B' }],
      ['f.json#3', { kind: 'C' }],
    ]);
  });

  test('a bad value in a JSON stream is reported at its line in the file', () => {
    const error = (() => {
      try {
        parseClusterText('{"kind":"A"}\n{"kind":"B"}\n{"kind":"C",,"x":1}\n', 'f.json');
      } catch (e) {
        return e;
      }
    })() as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/^f\.json:3:\d+: not valid YAML or JSON \(document 3\)/);
  });

  test('flow-style YAML that is not JSON still parses', () => {
    expect(parseClusterText('{kind: Namespace, metadata: {name: a}}', 'f.yaml')[0]?.object).toEqual({ kind: 'Namespace', metadata: { name: 'a' } });
  });

  test('an unresolvable alias is an InputError, not a crash', () => {
    expect(() => parseClusterText('a: 1\n---\nb: *nope\n', 'f.yaml')).toThrow(InputError);
  });
});
