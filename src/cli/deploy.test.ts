import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CILIUM_CONFIG, CLUSTER_RESOURCES } from '../kube/index.js';
import { commandOptions } from './index.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const text = readFileSync(new URL('../../deploy/collector.yaml', import.meta.url), 'utf8');
const docs = parseAllDocuments(text);
const objects = docs.map((d) => d.toJS() as Obj);
const find = (kind: string): Obj[] => objects.filter((o) => o.kind === kind);
const one = (kind: string): Obj => find(kind)[0]!;
const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('deploy/collector.yaml', () => {
  it('is valid YAML of well-formed Kubernetes objects', () => {
    expect(docs.every((d) => d.errors.length === 0)).toBe(true);
    expect(objects.map((o) => o.kind)).toEqual(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'DaemonSet', 'CronJob']);
    for (const o of objects) {
      expect(typeof o.apiVersion).toBe('string');
      expect(o.metadata?.name).toMatch(DNS1123);
    }
    const ds = one('DaemonSet');
    expect(ds.spec.selector.matchLabels).toEqual(Object.fromEntries(Object.entries(ds.spec.template.metadata.labels).filter(([k]) => k in ds.spec.selector.matchLabels)));
    const mounts = ds.spec.template.spec.containers.flatMap((c: Obj) => (c.volumeMounts ?? []).map((m: Obj) => m.name));
    const volumes = ds.spec.template.spec.volumes.map((v: Obj) => v.name);
    for (const m of mounts) expect(volumes).toContain(m);
    const binding = one('ClusterRoleBinding');
    const sa = one('ServiceAccount');
    expect(binding.subjects).toContainEqual({ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace });
    expect(ds.spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
    expect(binding.roleRef.name).toBe(one('ClusterRole').metadata.name);
  });

  it('runs a command line tighten accepts: observe --follow into a ClickHouse store, one collector id per node', () => {
    const ds = one('DaemonSet');
    const args: string[] = ds.spec.template.spec.containers[0].args;
    expect(args[0]).toBe('observe');
    const parsed = parseArgs({ args: args.slice(1), options: commandOptions('observe')!, allowPositionals: true, strict: true });
    expect(parsed.values.follow).toBe('/var/run/cilium/hubble/events.log');
    expect(String(parsed.values.store)).toMatch(/^clickhouse:\/\/[^:@]+@[^/]+\/\w+$/); // no password in the manifest
    expect(parsed.values['collector-id']).toBe('$(NODE_NAME)');
    expect(parsed.values.kube).toBe(true);
    const env = ds.spec.template.spec.containers[0].env as Obj[];
    expect(env.find((e) => e.name === 'NODE_NAME')?.valueFrom.fieldRef.fieldPath).toBe('spec.nodeName');
    expect(env.find((e) => e.name === 'TIGHTEN_CLICKHOUSE_PASSWORD')?.valueFrom.secretKeyRef).toBeDefined();
  });

  it('compacts the same store on a schedule, one compaction at a time, with a command line tighten accepts', () => {
    const job = one('CronJob');
    expect(job.spec.concurrencyPolicy).toBe('Forbid');
    expect(job.spec.schedule.split(' ')).toHaveLength(5);
    const pod = job.spec.jobTemplate.spec.template;
    expect(pod.spec.restartPolicy).toMatch(/^(OnFailure|Never)$/);
    const container = pod.spec.containers[0];
    expect(container.args[0]).toBe('compact');
    const parsed = parseArgs({ args: container.args.slice(1), options: commandOptions('compact')!, allowPositionals: false, strict: true });
    expect(parsed.values.store).toBe(parseArgs({ args: one('DaemonSet').spec.template.spec.containers[0].args.slice(1), options: commandOptions('observe')!, allowPositionals: true, strict: true }).values.store);
    expect(container.env.find((e: Obj) => e.name === 'TIGHTEN_CLICKHOUSE_PASSWORD')?.valueFrom.secretKeyRef).toBeDefined();
  });

  it('grants list and watch on exactly what --kube reads, and no Secret, and only the cilium-config ConfigMap', () => {
    const rules = one('ClusterRole').rules as Obj[];
    const granted = (group: string, resource: string) => rules.find((r) => r.apiGroups.includes(group) && r.resources.includes(resource));
    for (const r of [...CLUSTER_RESOURCES, CILIUM_CONFIG.resource]) {
      const group = r.apiVersion.includes('/') ? r.apiVersion.split('/')[0]! : '';
      const rule = granted(group, r.plural);
      expect(rule, `${r.plural} in ${group || 'core'}`).toBeDefined();
      expect(rule!.verbs).toEqual(expect.arrayContaining(['list', 'watch']));
    }
    expect(rules.some((r) => r.resources.includes('secrets'))).toBe(false);
    expect(granted('', 'configmaps')!.resourceNames).toEqual([CILIUM_CONFIG.name]);
    expect(rules.every((r) => r.verbs.every((v: string) => ['get', 'list', 'watch'].includes(v)))).toBe(true);
  });
});
