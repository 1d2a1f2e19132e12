/**
 * @module kube/dump — a live listing rendered as a dump that `readCluster` (`--cluster FILE`) reads back to
 * the same snapshot: multi-document YAML, or a JSON `List`. Pure and deterministic: objects in
 * `CLUSTER_RESOURCES` order (the `cilium-config` ConfigMap last), each kind sorted by namespace and name, keys
 * sorted. Only the objects' own fields are written — nothing of the kubeconfig, not even the context name.
 */
import { stringify } from 'yaml';
import type { KubeListing, KubeObject } from './read.js';

/** `yaml`: documents separated by `---`; `json`: one `List`. */
export const DUMP_FORMATS = ['yaml', 'json'] as const;
export type DumpFormat = (typeof DUMP_FORMATS)[number];

/** `json` for a name ending in `.json`, else `yaml`. */
export function dumpFormatOf(file: string): DumpFormat {
  return /\.json$/i.test(file) ? 'json' : 'yaml';
}

/** The listing's objects in dump order. */
export function dumpObjects(listing: KubeListing): KubeObject[] {
  const out: KubeObject[] = [];
  for (const l of listing.lists) out.push(...[...(l.items ?? [])].sort(byNamespaceAndName));
  out.push(...[...listing.ciliumConfig].sort(byNamespaceAndName));
  return out;
}

/** Renders the objects: YAML documents separated by `---`, or one JSON `List`; one trailing newline. */
export function renderDump(objects: readonly KubeObject[], format: DumpFormat): string {
  if (format === 'json') {
    return `${JSON.stringify(sortKeys({ apiVersion: 'v1', kind: 'List', items: objects, metadata: { resourceVersion: '' } }), null, 2)}\n`;
  }
  return objects.map((o) => stringify(o, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}

/** Counts of objects per kind, in dump order, for a summary line. */
export function countKinds(objects: readonly KubeObject[]): [kind: string, count: number][] {
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(String(o.kind), (counts.get(String(o.kind)) ?? 0) + 1);
  return [...counts];
}

function byNamespaceAndName(a: KubeObject, b: KubeObject): number {
  const ka = keyOf(a);
  const kb = keyOf(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function keyOf(o: KubeObject): string {
  const m = (o.metadata ?? {}) as { namespace?: string; name?: string };
  return `${m.namespace ?? ''}\u0000${m.name ?? ''}`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const rec = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(rec)
      .sort()
      .map((k) => [k, sortKeys(rec[k])]),
  );
}
