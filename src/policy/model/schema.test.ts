/**
 * The hand-written shapes against the cilium.io/v2 CRDs in shared/reference (skipped when that is absent): every
 * field the CRD knows, the decoder knows, and the other way round (with the documented exceptions).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { metadataShape, networkPolicySpecShape, ruleShape, VOID_WHEN_EMPTY_KEYS } from './schema.js';
import { listShapePaths, type Shape } from './shape.js';
import { POLICY_ENTITIES } from './types.js';

interface JsonSchema {
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly items?: JsonSchema;
  readonly additionalProperties?: JsonSchema | boolean;
  readonly enum?: readonly string[];
}

function crdPaths(s: JsonSchema, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(s.properties ?? {})) out.push(`${prefix}.${k}`, ...crdPaths(v, `${prefix}.${k}`));
  if (s.items !== undefined) out.push(...crdPaths(s.items, `${prefix}[]`));
  if (typeof s.additionalProperties === 'object') out.push(...crdPaths(s.additionalProperties, `${prefix}{}`));
  return out;
}

const shared = new URL('../../../../shared/reference/cilium/', import.meta.url);
const crdFiles = ['crd-v2-ciliumnetworkpolicies.yaml', 'crd-v2-ciliumclusterwidenetworkpolicies.yaml'];
const haveCrds = crdFiles.every((f) => existsSync(fileURLToPath(new URL(f, shared))));
if (!haveCrds) console.warn(`skipping the CRD comparison: ${fileURLToPath(shared)} is absent (the shared reference lives beside the repository)`);

describe.skipIf(!haveCrds).each(crdFiles)('%s', (file) => {
  // A skipped describe still runs its body to collect the tests: read nothing then.
  if (!haveCrds) return;
  const crd = parse(readFileSync(fileURLToPath(new URL(file, shared)), 'utf8')) as { spec: { versions: { name: string; schema: { openAPIV3Schema: JsonSchema } }[] } };
  const v2 = crd.spec.versions.find((v) => v.name === 'v2')!.schema.openAPIV3Schema;
  const spec = v2.properties!.spec!;

  test('spec fields: the shape knows exactly the CRD fields (plus fromRequires/toRequires, removed in 1.19)', () => {
    const fromCrd = new Set(crdPaths(spec));
    const ours = new Set(listShapePaths(ruleShape));
    const extra = [...ours].filter((p) => !fromCrd.has(p));
    expect([...fromCrd].filter((p) => !ours.has(p))).toEqual([]);
    expect(extra.every((p) => /\.(fromRequires|toRequires)(\b|\[)/.test(p))).toBe(true);
    expect(extra.length).toBeGreaterThan(0);
  });

  test('specs[] has the same rule shape as spec', () => {
    expect(crdPaths(v2.properties!.specs!.items!).sort()).toEqual(crdPaths(spec).sort());
  });

  test('the entity enum is POLICY_ENTITIES; the protocol enum adds only VRRP and IGMP', () => {
    const egress = spec.properties!.egress!.items!.properties!;
    expect(egress.toEntities!.items!.enum).toEqual([...POLICY_ENTITIES]);
    const protocols = egress.toPorts!.items!.properties!.ports!.items!.properties!.protocol!.enum!;
    expect([...protocols].sort()).toEqual(['ANY', 'IGMP', 'SCTP', 'TCP', 'UDP', 'VRRP']);
  });
});

describe('void-when-empty keys', () => {
  function voidKeys(shape: Shape, key = '', out = new Set<string>()): Set<string> {
    if (shape.type === 'list') voidKeys(shape.of, '', out);
    else if (shape.type === 'map') {
      if (shape.voidIfEmpty === true) out.add(key);
      voidKeys(shape.of, '', out);
    } else if (shape.type === 'object') {
      if (shape.voidIfEmpty === true) out.add(key);
      for (const [k, s] of Object.entries(shape.fields)) voidKeys(s, k, out);
    }
    return out;
  }

  test('the renderer drops exactly the empty objects the decoder drops', () => {
    const keys = new Set([...voidKeys(ruleShape), ...voidKeys(metadataShape), ...voidKeys(networkPolicySpecShape)]);
    expect([...keys].sort()).toEqual([...VOID_WHEN_EMPTY_KEYS].sort());
  });
});
