import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compileLabelFilter, generateSample, renderClusterYaml, type KubeObject, type Sample } from './index.js';
import { PLANTED_FINDINGS, recountEdges } from './test-support/recount.js';

type Json = Record<string, any>;

const small = generateSample();

function digest(lines: Iterable<string>): string {
  const h = createHash('sha256');
  for (const l of lines) h.update(l).update('\n');
  return h.digest('hex');
}

const objects = (s: Sample, kind: string): Json[] => (s.cluster as Json[]).filter((o) => o.kind === kind);
const find = (s: Sample, kind: string, namespace: string, name: string): Json | undefined =>
  objects(s, kind).find((o) => o.metadata.namespace === namespace && o.metadata.name === name);

describe('determinism', () => {
  it('gives the same bytes for the same seed', () => {
    const again = generateSample({ seed: 1 });
    expect(digest(again.flowLines())).toBe(digest(small.flowLines()));
    expect(renderClusterYaml(again.cluster)).toBe(renderClusterYaml(small.cluster));
    expect(JSON.stringify(again.truth)).toBe(JSON.stringify(small.truth));
  });

  it('gives different bytes for another seed', () => {
    const other = generateSample({ seed: 2 });
    expect(digest(other.flowLines())).not.toBe(digest(small.flowLines()));
    expect(renderClusterYaml(other.cluster)).not.toBe(renderClusterYaml(small.cluster));
  });

  it('streams afresh on every call', () => {
    expect(digest(small.flowLines())).toBe(digest(small.flowLines()));
  });
});

describe('flow lines', () => {
  const lines = [...small.flowLines()];
  const flows = lines.map((l) => JSON.parse(l) as Json);

  it('writes as many lines as the truth says, near the size asked', () => {
    expect(lines.length).toBe(small.truth.counts.flows);
    expect(lines.length).toBeGreaterThan(5_000);
    expect(lines.length).toBeLessThan(7_500);
  });

  it('is `hubble observe -o json`: a GetFlowsResponse wrapper per line', () => {
    for (const f of flows) {
      expect(Object.keys(f)).toEqual(['flow', 'node_name', 'time']);
      expect(f.time).toBe(f.flow.time);
      expect(f.node_name).toBe(f.flow.node_name);
      expect(f.node_name).toMatch(/^tighten-demo\/tighten-demo-worker\d*$/);
      expect(f.time).toMatch(/^2026-11-0[2-4]T\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z$/);
      const flow = f.flow as Json;
      expect(flow.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(['FORWARDED', 'DROPPED']).toContain(flow.verdict);
      expect(['L3_L4', 'L7']).toContain(flow.Type);
      expect(flow.IP.ipVersion).toBe('IPv4');
      expect(typeof flow.is_reply).toBe('boolean');
      expect(['INGRESS', 'EGRESS']).toContain(flow.traffic_direction);
      expect(Object.keys(flow.l4)).toHaveLength(1);
      expect(['TCP', 'UDP', 'ICMPv4']).toContain(Object.keys(flow.l4)[0]);
      for (const ep of [flow.source, flow.destination]) {
        expect(Array.isArray(ep.labels)).toBe(true);
        expect(ep.identity).toBeGreaterThan(0);
        if (ep.identity >= 256) {
          expect(ep.labels).toContain(`k8s:io.kubernetes.pod.namespace=${ep.namespace}`);
          expect(ep.labels).toContain('k8s:io.cilium.k8s.policy.cluster=tighten-demo');
          expect([...ep.labels].sort()).toEqual(ep.labels);
          expect(ep.pod_name).toBeTypeOf('string');
        } else {
          expect(ep.labels).toHaveLength(1);
          expect(ep.labels[0]).toMatch(/^reserved:(host|world|remote-node|kube-apiserver|health)$/);
        }
      }
      if (flow.Type === 'L7') {
        expect(flow.event_type).toEqual({ type: 129 });
        expect(flow.l7.dns.observation_source).toBe('proxy');
        expect(flow.is_reply).toBe(flow.l7.type === 'RESPONSE');
      } else if (flow.verdict === 'DROPPED') {
        expect(flow.event_type.type).toBe(1);
        expect(flow.event_type.sub_type).toBe(flow.drop_reason);
        expect(flow.drop_reason_desc).toMatch(/^(POLICY_DENIED|CT_MAP_INSERTION_FAILED|STALE_OR_UNROUTABLE_IP)$/);
      } else {
        expect(flow.event_type.type).toBe(4);
        expect(flow.trace_observation_point).toMatch(/^TO_(ENDPOINT|STACK|OVERLAY|PROXY)$/);
      }
    }
  });

  it('is in time order', () => {
    const ms = flows.map((f) => timeNs(f.time as string));
    for (let i = 1; i < ms.length; i++) expect(ms[i] as bigint >= (ms[i - 1] as bigint)).toBe(true);
    expect(timeNs(flows[0]?.time as string) >= timeNs(small.truth.window.since)).toBe(true);
    expect(timeNs(flows[flows.length - 1]?.time as string) < timeNs(small.truth.window.until)).toBe(true);
  });

  it('flags replies, with `reply` too, and swaps ports', () => {
    const replies = flows.filter((f) => f.flow.is_reply === true);
    expect(replies.length).toBeGreaterThan(flows.length / 3);
    for (const r of replies) expect(r.flow.reply).toBe(true);
    for (const f of flows.filter((x) => x.flow.is_reply === false)) expect(f.flow.reply).toBeUndefined();
    const synAcks = replies.filter((r) => r.flow.l4.TCP?.flags?.SYN === true);
    expect(synAcks.length).toBeGreaterThan(0);
    for (const r of synAcks) expect(r.flow.l4.TCP.flags.ACK).toBe(true);
  });

  it('has unique uuids', () => {
    expect(new Set(flows.map((f) => f.flow.uuid)).size).toBe(flows.length);
  });

  it('observes a connection at both ends, world traffic at the cluster end only', () => {
    const syn = flows.filter((f) => f.flow.l4.TCP?.flags?.SYN === true && f.flow.is_reply === false && f.flow.verdict === 'FORWARDED');
    const egress = syn.filter((f) => f.flow.traffic_direction === 'EGRESS');
    expect(egress.every((f) => f.flow.source.ID !== undefined)).toBe(true);
    const ingress = syn.filter((f) => f.flow.traffic_direction === 'INGRESS');
    expect(ingress.every((f) => f.flow.destination.ID !== undefined)).toBe(true);
    const fromWorld = syn.filter((f) => f.flow.source.labels[0] === 'reserved:world');
    expect(fromWorld.length).toBeGreaterThan(0);
    expect(fromWorld.every((f) => f.flow.traffic_direction === 'INGRESS' && f.flow.destination.pod_name.startsWith('ingress-nginx-controller-'))).toBe(true);
    const toWorld = syn.filter((f) => f.flow.destination.labels[0] === 'reserved:world');
    expect(toWorld.every((f) => f.flow.traffic_direction === 'EGRESS')).toBe(true);
  });

  it('names external destinations only where DNS is visible', () => {
    const named = flows.filter((f) => f.flow.destination_names !== undefined);
    expect(named.map((f) => f.flow.destination_names[0])).toContain('api.stripe.com');
    expect(named.every((f) => f.flow.source.namespace !== 'analytics')).toBe(true);
    const dnsL7 = flows.filter((f) => f.flow.Type === 'L7');
    expect(dnsL7.every((f) => f.flow.source.namespace !== 'analytics' && f.flow.destination.namespace !== 'analytics')).toBe(true);
    const answer = dnsL7.find((f) => f.flow.l7.type === 'RESPONSE' && f.flow.l7.dns.query === 'api.stripe.com.');
    expect(answer?.flow.l7.dns.ips).toHaveLength(2);
    const fromAnalytics = flows.filter((f) => f.flow.source.namespace === 'analytics' && f.flow.l4.UDP?.destination_port === 53);
    expect(fromAnalytics.length).toBeGreaterThan(0);
  });

  it('carries workloads except on the node with the older agent', () => {
    const withWorkloads = flows.filter((f) => f.flow.source.workloads !== undefined || f.flow.destination.workloads !== undefined);
    expect(withWorkloads.length / flows.length).toBeGreaterThan(0.5);
    const old = flows.filter((f) => f.node_name === 'tighten-demo/tighten-demo-worker3');
    expect(old.length).toBeGreaterThan(0);
    expect(old.every((f) => f.flow.source.workloads === undefined && f.flow.destination.workloads === undefined)).toBe(true);
  });

  it('has health checks, policy drops and other drops', () => {
    expect(flows.some((f) => f.flow.destination.labels[0] === 'reserved:health')).toBe(true);
    const denied = flows.filter((f) => f.flow.drop_reason_desc === 'POLICY_DENIED');
    expect(denied.length).toBe(8); // 4 connections × 2 SYN attempts
    expect(denied.every((f) => f.flow.traffic_direction === 'INGRESS' && f.flow.drop_reason === 133 && f.flow.source.pod_name.startsWith('report-api-'))).toBe(true);
    expect(flows.some((f) => f.flow.drop_reason_desc === 'CT_MAP_INSERTION_FAILED')).toBe(true);
  });
});

describe('truth', () => {
  it('matches an independent re-count of the flow lines', () => {
    expect(recountEdges(() => small.flowLines(), small.cluster)).toEqual(small.truth.edges);
  });

  it('names only endpoints that exist in the cluster dump', () => {
    const workloads = new Set(
      (small.cluster as Json[]).filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job', 'Pod'].includes(o.kind)).map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`),
    );
    for (const e of small.truth.edges) {
      for (const p of [e.source, e.destination] as Json[]) {
        if ('namespace' in p) expect(workloads.has(`${p.kind}/${p.namespace}/${p.name}`), JSON.stringify(p)).toBe(true);
        else if ('entity' in p) expect(['host', 'remote-node', 'kube-apiserver', 'world']).toContain(p.entity);
        else expect(p.ip).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\./);
      }
    }
    for (const c of small.truth.classes) expect(workloads.has(`${c.kind}/${c.namespace}/${c.name}`)).toBe(true);
    expect(small.truth.classes).toHaveLength(small.truth.counts.workloads);
  });

  it('has the Online Boutique call graph, DNS names and entities', () => {
    const has = (src: string, dst: string, port: number) =>
      small.truth.edges.some((e) => {
        const s = e.source as Json;
        const d = e.destination as Json;
        return `${s.namespace}/${s.name}` === src && `${d.namespace}/${d.name}` === dst && e.port === port && e.verdict === 'FORWARDED';
      });
    expect(has('boutique/frontend', 'boutique/productcatalogservice', 3550)).toBe(true);
    expect(has('boutique/frontend', 'boutique/productcatalogservice-canary', 3550)).toBe(true);
    expect(has('boutique/checkoutservice', 'boutique/emailservice', 8080)).toBe(true);
    expect(has('boutique/cartservice', 'boutique/redis-cart', 6379)).toBe(true);
    expect(has('analytics/catalog-indexer', 'boutique/productcatalogservice', 3550)).toBe(true);
    const toDns = small.truth.edges.find((e) => (e.source as Json).name === 'paymentservice' && (e.destination as Json).name === 'coredns');
    expect(toDns?.l7?.dns).toContain('api.stripe.com');
    const stripe = small.truth.edges.filter((e) => (e.destination as Json).names?.includes('api.stripe.com'));
    expect(stripe.map((e) => (e.source as Json).name).sort()).toEqual(['nightly-invoice', 'nightly-invoice', 'paymentservice', 'paymentservice']);
    const entities = new Set(small.truth.edges.flatMap((e) => [e.source, e.destination]).map((p) => (p as Json).entity).filter(Boolean));
    expect([...entities].sort()).toEqual(['host', 'kube-apiserver', 'remote-node']);
    const unnamed = small.truth.edges.filter((e) => (e.destination as Json).ip !== undefined && (e.destination as Json).names.length === 0);
    expect(unnamed.map((e) => (e.source as Json).name).sort()).toEqual(['coredns', 'warehouse']);
    const denied = small.truth.edges.filter((e) => e.verdict === 'DROPPED' && e.dropReasons?.includes('POLICY_DENIED'));
    expect(denied.map((e) => `${(e.source as Json).name}->${(e.destination as Json).name}`).sort()).toEqual(['report-api->productcatalogservice', 'report-api->productcatalogservice-canary']);
  });

  it('classifies every workload', () => {
    const cls = (ns: string, name: string) => small.truth.classes.find((c) => c.namespace === ns && c.name === name);
    expect(cls('kube-system', 'coredns')).toMatchObject({ class: 'platform', role: 'dns' });
    expect(cls('monitoring', 'prometheus-k8s')).toMatchObject({ class: 'platform', role: 'metrics' });
    expect(cls('monitoring', 'otel-collector')).toMatchObject({ class: 'platform', role: 'tracing' });
    expect(cls('vault', 'vault')).toMatchObject({ class: 'platform', role: 'secrets' });
    expect(cls('ingress-nginx', 'ingress-nginx-controller')).toMatchObject({ class: 'platform', role: 'ingress-controller' });
    expect(cls('cert-manager', 'cert-manager-webhook')).toMatchObject({ class: 'platform', role: 'admission-webhook' });
    expect(cls('billing', 'nightly-invoice')).toMatchObject({ kind: 'CronJob', class: 'batch' });
    expect(cls('billing', 'ledger-migrate-v42')).toMatchObject({ kind: 'Job', class: 'batch' });
    expect(cls('boutique', 'debug')).toMatchObject({ kind: 'Pod', class: 'debug' });
    expect(cls('analytics', 'tmp-shell')).toMatchObject({ kind: 'Pod', class: 'debug' });
    expect(cls('boutique', 'frontend')).toMatchObject({ class: 'application' });
  });

  it('lists exactly the planted findings', () => {
    expect(small.truth.findings.map((f) => `${f.code} ${Object.values(f.subject).join('/')}`)).toEqual([...PLANTED_FINDINGS]);
  });
});

describe('cluster dump', () => {
  it('round-trips through YAML as a kubectl List', () => {
    const text = renderClusterYaml(small.cluster);
    expect(text.startsWith('apiVersion: v1\nitems:\n- apiVersion:')).toBe(true);
    expect(text.endsWith('kind: List\nmetadata:\n  resourceVersion: ""\n')).toBe(true);
    const back = parse(text) as Json;
    expect(back.items).toEqual(JSON.parse(JSON.stringify(small.cluster)));
  });

  it('holds the objects kubectl would print, owners linked', () => {
    const kinds = new Set((small.cluster as Json[]).map((o) => o.kind));
    for (const k of ['Namespace', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job', 'Pod', 'Service', 'ConfigMap', 'CiliumNetworkPolicy']) expect(kinds.has(k)).toBe(true);
    const uids = new Map((small.cluster as Json[]).map((o) => [o.metadata.uid, o]));
    expect(uids.size).toBe(small.cluster.length);
    for (const o of small.cluster as Json[]) {
      for (const ref of o.metadata.ownerReferences ?? []) {
        const owner = uids.get(ref.uid);
        expect(owner?.kind, `${o.kind} ${o.metadata.name}`).toBe(ref.kind);
        expect(owner?.metadata.name).toBe(ref.name);
        expect(ref.controller).toBe(true);
      }
    }
    const ips = objects(small, 'Pod').filter((p) => !p.spec.hostNetwork).map((p) => p.status.podIP);
    expect(new Set(ips).size).toBe(ips.length);
    for (const p of objects(small, 'Pod').filter((x) => x.spec.hostNetwork)) expect(p.status.podIP).toBe(p.status.hostIP);
  });

  it('keeps a CronJob’s last three Jobs, and the pods every line names are in it or named by Hubble', () => {
    const jobs = objects(small, 'Job').filter((j) => j.metadata.ownerReferences?.[0]?.name === 'nightly-invoice');
    expect(jobs).toHaveLength(3);
    for (const j of jobs) expect(j.metadata.name).toMatch(/^nightly-invoice-\d{8}$/);
    const run = objects(small, 'Pod').find((p) => p.metadata.labels?.['job-name'] === jobs[0]?.metadata.name);
    expect(run?.metadata.name).toMatch(/^nightly-invoice-\d{8}-[a-z0-9]{5}$/);
    expect(Object.keys(run?.metadata.labels ?? {}).sort()).toEqual(['app', 'app.kubernetes.io/name', 'batch.kubernetes.io/controller-uid', 'batch.kubernetes.io/job-name', 'controller-uid', 'job-name']);
  });

  it('plants the label problems', () => {
    const tpl = (ns: string, name: string) => find(small, 'Deployment', ns, name)?.spec.template.metadata.labels;
    expect(tpl('marketing', 'landing-page')).toEqual({ app: 'web' });
    expect(tpl('marketing', 'promo-site')).toEqual({ app: 'web' });
    const canary = tpl('boutique', 'productcatalogservice-canary');
    const stable = tpl('boutique', 'productcatalogservice');
    expect(canary).toEqual({ ...stable, track: 'canary' });
    expect(tpl('billing', 'invoice-worker')).toEqual({ component: 'invoice-worker' });
    const config = find(small, 'ConfigMap', 'kube-system', 'cilium-config')?.data as Record<string, string>;
    expect(config).toMatchObject({ 'enable-policy': 'default', 'enable-hubble': 'true', 'policy-audit-mode': 'false', 'enable-l7-proxy': 'true', 'cluster-name': 'tighten-demo' });
    const filter = compileLabelFilter(config.labels);
    expect(filter('k8s', 'component')).toBe(false);
    expect(filter('k8s', 'app')).toBe(true);
    expect(filter('k8s', 'track')).toBe(true);
    expect(filter('k8s', 'app.kubernetes.io/name')).toBe(true);
    expect(filter('k8s', 'pod-template-hash')).toBe(false);
    expect(filter('k8s', 'job-name')).toBe(false);
    const backfill = objects(small, 'Pod').find((p) => p.metadata.labels?.['job-name'] === 'backfill');
    expect(Object.keys(backfill?.metadata.labels ?? {}).sort()).toEqual(['batch.kubernetes.io/controller-uid', 'batch.kubernetes.io/job-name', 'controller-uid', 'job-name']);
  });

  it('plants the coverage and ownership problems', () => {
    expect(find(small, 'CronJob', 'analytics', 'daily-export')?.status).toEqual({});
    expect(objects(small, 'Job').some((j) => j.metadata.ownerReferences?.[0]?.name === 'daily-export')).toBe(false);
    expect(find(small, 'Deployment', 'marketing', 'newsletter-signup')).toBeDefined();
    const teamless = objects(small, 'Namespace').filter((n) => n.metadata.labels.team === undefined).map((n) => n.metadata.name);
    expect(teamless).toEqual(['marketing']);
    for (const n of objects(small, 'Namespace')) expect(n.metadata.labels['kubernetes.io/metadata.name']).toBe(n.metadata.name);
  });

  it('has the debug pods and the existing policy', () => {
    const debug = find(small, 'Pod', 'boutique', 'debug');
    expect(debug?.metadata.labels).toEqual({ run: 'debug' });
    expect(debug?.metadata.ownerReferences).toBeUndefined();
    expect(find(small, 'Pod', 'analytics', 'tmp-shell')?.spec.ephemeralContainers).toHaveLength(1);
    expect(find(small, 'CiliumNetworkPolicy', 'boutique', 'productcatalog-ingress')?.spec.endpointSelector).toEqual({ matchLabels: { app: 'productcatalogservice' } });
  });
});

function timeNs(t: string): bigint {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(t);
  if (m === null) throw new Error(`bad time ${t}`);
  return BigInt(Date.parse(`${m[1]}Z`)) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

export type { KubeObject };
