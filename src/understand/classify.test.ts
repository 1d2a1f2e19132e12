import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, decodeConfig } from '../config/index.js';
import { decodeHubbleLine, type Flow } from '../flows/index.js';
import { buildInventory, type Edge, type Inventory, type InventoryWorkload } from '../inventory/index.js';
import { connection, entity, pod as hubblePod } from '../test-support/hubble.js';
import { classifyWorkloads, type WorkloadClassification } from './classify.js';
import { cluster, edge, entityPeer, externalPeer, inventory, object, peer, pod, port, workload } from './test-support/fixtures.js';

function flows(lines: readonly string[]): Flow[] {
  return lines.map((l) => {
    const d = decodeHubbleLine(l);
    if (d?.kind !== 'flow') throw new Error(`not a flow: ${l}`);
    return d.flow;
  });
}

const byName = (cs: readonly WorkloadClassification[], name: string): WorkloadClassification => {
  const c = cs.find((x) => x.workload.name === name);
  if (c === undefined) throw new Error(`no classification for ${name}`);
  return c;
};
const classOf = (inv: Inventory, name: string, config = DEFAULT_CONFIG, dump = cluster({})) => byName(classifyWorkloads(inv, dump, config), name);

/** `n` client Deployments spread over namespaces a, b, c … that each reach `dst` on a port. */
function clients(n: number, namespaces: number, dst: ReturnType<typeof peer>, dport: number, protocol: Edge['protocol'] = 'TCP'): Edge[] {
  return Array.from({ length: n }, (_, i) => edge(peer(`ns${i % namespaces}`, 'Deployment', `client${i}`), dst, dport, { protocol }));
}

describe('classifyWorkloads: batch and debug', () => {
  it('classes Jobs and CronJobs as batch, naming the schedule', () => {
    const inv = inventory([workload('ops', 'CronJob', 'backup'), workload('ops', 'Job', 'migrate')]);
    const dump = cluster({ workloads: [object('ops', 'CronJob', 'backup', {}, { schedule: '0 3 * * *' })] });
    const cs = classifyWorkloads(inv, dump, DEFAULT_CONFIG);
    expect(byName(cs, 'backup')).toEqual({ workload: { namespace: 'ops', kind: 'CronJob', name: 'backup' }, class: 'batch', evidence: ['kind CronJob (schedule "0 3 * * *")'] });
    expect(byName(cs, 'migrate').class).toBe('batch');
  });

  it('classes a bare pod as debug, with kubectl run and kubectl debug marks as further evidence', () => {
    const ref = { namespace: 'shop', kind: 'Pod', name: 'tmp' };
    const inv = inventory([workload('shop', 'Pod', 'tmp', { run: 'tmp' })]);
    const dump = cluster({ pods: [pod('tmp', ref, { hasEphemeralContainers: true })] });
    expect(classOf(inv, 'tmp', DEFAULT_CONFIG, dump)).toEqual({
      workload: ref,
      class: 'debug',
      evidence: ['kind Pod: a bare pod that no controller owns', 'has ephemeral containers (kubectl debug)', 'label run=tmp, as kubectl run sets it'],
    });
  });

  it('classes debugging tools and kubectl debug copies by name, whatever their kind', () => {
    const inv = inventory([
      workload('shop', 'Deployment', 'netshoot'),
      workload('shop', 'Pod', 'web-debug'),
      workload('default', 'Pod', 'node-debugger-worker-1-abcde'),
      workload('shop', 'Deployment', 'debugger-ui-backend'),
    ]);
    const cs = classifyWorkloads(inv, undefined, DEFAULT_CONFIG);
    expect(byName(cs, 'netshoot').evidence).toEqual(['name "netshoot" looks like a debugging pod (netshoot)']);
    expect(byName(cs, 'web-debug').evidence).toContain('name "web-debug" looks like a debugging pod (debug)');
    expect(byName(cs, 'node-debugger-worker-1-abcde').class).toBe('debug');
    expect(cs.every((c) => c.class === 'debug')).toBe(true);
  });

  it('does not take a static pod for a debug pod', () => {
    const ref = { namespace: 'kube-system', kind: 'Pod', name: 'etcd-cp-1' };
    const inv = inventory([workload('kube-system', 'Pod', 'etcd-cp-1', { component: 'etcd' })]);
    const dump = cluster({ pods: [pod('etcd-cp-1', ref, { ownerReferences: [{ kind: 'Node', name: 'cp-1' }] })] });
    expect(classOf(inv, 'etcd-cp-1', DEFAULT_CONFIG, dump)).toEqual({
      workload: ref,
      class: 'application',
      evidence: ['static pod: its node owns it, no controller', 'no platform, batch or debug signal'],
    });
  });

  it('notes ephemeral containers in an owned workload without making it a debug pod', () => {
    const ref = { namespace: 'shop', kind: 'Deployment', name: 'web' };
    const inv = inventory([workload('shop', 'Deployment', 'web', { app: 'web' })]);
    const dump = cluster({ workloads: [object('shop', 'Deployment', 'web')], pods: [pod('web-7d4b9c8f6d-abcde', ref, { hasEphemeralContainers: true })] });
    const c = classOf(inv, 'web', DEFAULT_CONFIG, dump);
    expect(c.class).toBe('application');
    expect(c.evidence).toEqual([
      'no platform, batch or debug signal',
      'note: pod web-7d4b9c8f6d-abcde has ephemeral containers (kubectl debug) and counts as a debug pod of its own',
    ]);
  });

  it('classes a debugged pod the inventory keeps apart from its controller as debug', () => {
    const owner = { namespace: 'shop', kind: 'Deployment', name: 'web' };
    const inv = inventory([workload('shop', 'Deployment', 'web', { app: 'web' }), workload('shop', 'Pod', 'web-7d4b9c8f6d-abcde', { app: 'web' }, { cluster: false })]);
    const dump = cluster({ workloads: [object('shop', 'Deployment', 'web')], pods: [pod('web-7d4b9c8f6d-abcde', owner, { hasEphemeralContainers: true })] });
    const cs = classifyWorkloads(inv, dump, DEFAULT_CONFIG);
    expect(byName(cs, 'web-7d4b9c8f6d-abcde')).toMatchObject({
      class: 'debug',
      evidence: ["pod of Deployment web with ephemeral containers (kubectl debug): its traffic is kept apart from its controller's"],
    });
    expect(byName(cs, 'web').class).toBe('application');
  });
});

describe('classifyWorkloads: platform by well-known names', () => {
  it.each([
    ['kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, 'dns', 'label k8s-app=kube-dns: a well-known DNS server'],
    ['kube-system', 'node-local-dns', { 'k8s-app': 'node-local-dns' }, 'dns', 'label k8s-app=node-local-dns: a well-known DNS server'],
    ['ingress-nginx', 'ingress-nginx-controller', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }, 'ingress-controller', 'label app.kubernetes.io/name=ingress-nginx: a well-known ingress controller'],
    ['istio-system', 'istio-ingressgateway', { app: 'istio-ingressgateway' }, 'ingress-controller', 'label app=istio-ingressgateway: a well-known ingress controller'],
    ['monitoring', 'prometheus-server', { app: 'prom' }, 'metrics', 'name "prometheus-server" is a well-known metrics scraper (prometheus)'],
    ['monitoring', 'vmagent-main', {}, 'metrics', 'name "vmagent-main" is a well-known metrics scraper (vmagent)'],
    ['observability', 'otel-collector', {}, 'tracing', 'name "otel-collector" is a well-known tracing collector (otel-collector)'],
    ['tracing', 'jaeger-collector', {}, 'tracing', 'name "jaeger-collector" is a well-known tracing collector (jaeger)'],
    ['vault', 'vault', { 'app.kubernetes.io/name': 'vault' }, 'secrets', 'label app.kubernetes.io/name=vault: a well-known secret manager'],
    ['vault', 'vault-agent-injector', { 'app.kubernetes.io/name': 'vault-agent-injector' }, 'admission-webhook', 'label app.kubernetes.io/name=vault-agent-injector: a well-known admission webhook'],
    ['external-secrets', 'external-secrets', {}, 'secrets', 'name "external-secrets" is a well-known secret manager (external-secrets)'],
    ['kube-system', 'sealed-secrets-controller', {}, 'secrets', 'name "sealed-secrets-controller" is a well-known secret manager (sealed-secrets)'],
  ])('%s/%s (labels %o) is a platform service', (namespace, name, labels, role, evidence) => {
    const c = classOf(inventory([workload(namespace, 'Deployment', name, labels)]), name);
    expect(c.class).toBe('platform');
    expect(c.role).toBe(role);
    expect(c.evidence[0]).toBe(evidence);
  });

  it.each([
    ['monitoring', 'prometheus-node-exporter'],
    ['monitoring', 'kube-prometheus-stack-operator'],
    ['monitoring', 'alertmanager-kube-prometheus-stack-alertmanager'],
    ['kube-system', 'coredns-autoscaler'],
    ['shop', 'github-webhook'],
  ])('%s/%s is not a platform service by name', (namespace, name) => {
    expect(classOf(inventory([workload(namespace, 'Deployment', name)]), name).class).toBe('application');
  });
});

describe('classifyWorkloads: platform by traffic shape', () => {
  it('finds a DNS server serving UDP/53 to many workloads in many namespaces', () => {
    const dns = peer('infra', 'Deployment', 'resolver');
    const c = classOf(inventory([], clients(4, 3, dns, 53, 'UDP')), 'resolver');
    expect(c).toMatchObject({ class: 'platform', role: 'dns', evidence: ['receives UDP/53 from 4 workloads in 3 namespaces'] });
  });

  it('does not call a workload answering UDP/53 to one client a DNS server, unless it runs in kube-system', () => {
    expect(classOf(inventory([], clients(1, 1, peer('infra', 'Deployment', 'resolver'), 53, 'UDP')), 'resolver').class).toBe('application');
    expect(classOf(inventory([], clients(1, 1, peer('kube-system', 'Deployment', 'resolver'), 53, 'UDP')), 'resolver')).toMatchObject({
      role: 'dns',
      evidence: ['receives UDP/53 from 1 workload in 1 namespace, and runs in kube-system'],
    });
  });

  it('finds a DNS server by a declared UDP/53 container port', () => {
    const inv = inventory([workload('infra', 'DaemonSet', 'resolver')]);
    const dump = cluster({ workloads: [object('infra', 'DaemonSet', 'resolver', {}, { containerPorts: [port(53, 'dns', 'UDP')] })] });
    expect(classOf(inv, 'resolver', DEFAULT_CONFIG, dump).evidence).toEqual(['declares container port 53/UDP (dns)']);
  });

  it('finds DNS in an inventory built from Hubble flows', () => {
    const dns = hubblePod('kube-system', 'resolver-0', '10.0.0.53', { app: 'resolver' }, { kind: 'StatefulSet', name: 'resolver' });
    const lines = ['shop', 'blog', 'crm'].flatMap((ns, i) =>
      connection({ time: `2026-11-02T10:00:0${i}.000000000Z`, src: hubblePod(ns, `web-${i}`, `10.0.${i + 1}.10`, { app: 'web' }, { kind: 'Deployment', name: 'web' }), dst: dns, proto: 'UDP', dport: 53, srcIsPod: true, dstIsPod: true }),
    );
    const inv = buildInventory(flows(lines));
    const c = classOf(inv, 'resolver');
    expect(c).toMatchObject({ class: 'platform', role: 'dns', evidence: ['receives UDP/53 from 3 workloads in 3 namespaces'] });
  });

  it('finds an admission webhook called by kube-apiserver, also in flows', () => {
    const api = entity('kube-apiserver', '172.18.0.2');
    const hook = hubblePod('policy', 'guard-5d9c7b8f4-abcde', '10.0.5.5', { app: 'guard', 'pod-template-hash': '5d9c7b8f4' }, { kind: 'Deployment', name: 'guard' });
    const inv = buildInventory(flows(connection({ time: '2026-11-02T10:00:00.000000000Z', src: api, dst: hook, dport: 9443, srcIsPod: false, dstIsPod: true })));
    expect(classOf(inv, 'guard')).toMatchObject({ class: 'platform', role: 'admission-webhook', evidence: ['called by kube-apiserver on TCP/9443 (1 flow)'] });
  });

  it('finds an ingress controller: traffic from the world, forwarded into other namespaces', () => {
    const gw = peer('edge', 'Deployment', 'gateway');
    const inv = inventory([], [
      edge(entityPeer('world'), gw, 443, { flows: 10 }),
      edge(externalPeer('198.51.100.7'), gw, 80),
      edge(gw, peer('shop', 'Deployment', 'web'), 8080),
      edge(gw, peer('blog', 'Deployment', 'ghost'), 2368),
      edge(gw, peer('kube-system', 'Deployment', 'coredns'), 53, { protocol: 'UDP' }),
    ]);
    expect(classOf(inv, 'gateway')).toMatchObject({
      class: 'platform',
      role: 'ingress-controller',
      evidence: ['receives traffic from world on TCP/443, TCP/80 and forwards it to 2 workloads in 2 other namespaces'],
    });
  });

  it('does not take a frontend that calls its own namespace for an ingress controller', () => {
    const web = peer('shop', 'Deployment', 'frontend');
    const inv = inventory([], [edge(entityPeer('world'), web, 443), edge(web, peer('shop', 'Deployment', 'cart'), 8080), edge(web, peer('payments', 'Deployment', 'api'), 8080)]);
    expect(classOf(inv, 'frontend').class).toBe('application');
  });

  it('trusts a well-known ingress namespace once world traffic arrives', () => {
    const inv = inventory([], [edge(entityPeer('world'), peer('traefik', 'DaemonSet', 'edge-proxy'), 443)]);
    expect(classOf(inv, 'edge-proxy')).toMatchObject({ role: 'ingress-controller', evidence: ['runs in traefik and receives traffic from world on TCP/443'] });
  });

  it('finds a metrics scraper by ports in the metrics ranges, named metrics ports and /metrics requests', () => {
    const scraper = peer('obs', 'StatefulSet', 'collector');
    const inv = inventory([], [
      edge(scraper, peer('shop', 'Deployment', 'web'), 9100),
      edge(scraper, peer('shop', 'Deployment', 'cart'), 8080, { http: ['GET /metrics'] }),
      edge(scraper, peer('blog', 'Deployment', 'ghost'), 2112),
      edge(scraper, peer('blog', 'Deployment', 'db'), 9187),
      edge(scraper, peer('kube-system', 'Deployment', 'coredns'), 53, { protocol: 'UDP' }),
    ]);
    const dump = cluster({ workloads: [object('blog', 'Deployment', 'ghost', {}, { containerPorts: [port(2112, 'metrics')] })] });
    expect(classOf(inv, 'collector', DEFAULT_CONFIG, dump)).toMatchObject({
      class: 'platform',
      role: 'metrics',
      evidence: ['connects to metrics endpoints of 4 workloads in 2 namespaces (TCP/2112 (metrics), TCP/8080 /metrics, TCP/9100, TCP/9187)'],
    });
  });

  it('does not take an application that reaches a few 9xxx ports among many others for a scraper', () => {
    const app = peer('shop', 'Deployment', 'orders');
    const others = Array.from({ length: 6 }, (_, i) => edge(app, peer('shop', 'Deployment', `svc${i}`), 8080));
    const inv = inventory([], [
      ...others,
      edge(app, peer('data', 'StatefulSet', 'kafka'), 9092),
      edge(app, peer('data', 'StatefulSet', 'es'), 9200),
      edge(app, peer('shop', 'Deployment', 'x'), 9300),
      edge(app, peer('cache', 'Deployment', 'y'), 9400),
    ]);
    expect(classOf(inv, 'orders').class).toBe('application');
  });

  it('finds tracing collectors and secret managers by the ports they serve to many', () => {
    const traces = peer('obs', 'Deployment', 'traces');
    const secrets = peer('sec', 'StatefulSet', 'keystore');
    const inv = inventory([], [...clients(3, 2, traces, 4317), ...clients(3, 2, secrets, 8200)]);
    expect(classOf(inv, 'traces')).toMatchObject({ role: 'tracing', evidence: ['receives TCP/4317 from 3 workloads in 2 namespaces'] });
    expect(classOf(inv, 'keystore')).toMatchObject({ role: 'secrets', evidence: ['receives TCP/8200 from 3 workloads in 2 namespaces'] });
  });

  it('keeps the well-known name and lists the other shapes seen', () => {
    const nginx = peer('ingress-nginx', 'Deployment', 'ingress-nginx-controller');
    const inv = inventory([workload('ingress-nginx', 'Deployment', 'ingress-nginx-controller', { 'app.kubernetes.io/name': 'ingress-nginx' })], [
      edge(entityPeer('kube-apiserver'), nginx, 8443),
      edge(entityPeer('world'), nginx, 443),
    ]);
    expect(classOf(inv, 'ingress-nginx-controller')).toMatchObject({
      role: 'ingress-controller',
      evidence: [
        'label app.kubernetes.io/name=ingress-nginx: a well-known ingress controller',
        'runs in ingress-nginx and receives traffic from world on TCP/443',
        'also: called by kube-apiserver on TCP/8443 (1 flow)',
      ],
    });
  });

  it('follows the configured thresholds and ports', () => {
    const dns = peer('infra', 'Deployment', 'resolver');
    const inv = inventory([], clients(2, 2, dns, 5353, 'UDP'));
    expect(classOf(inv, 'resolver').class).toBe('application');
    const cfg = decodeConfig('platform:\n  dnsPorts: [53, 5353]\n  minClients: 2\n', 'f');
    expect(classOf(inv, 'resolver', cfg).role).toBe('dns');
  });
});

describe('classifyWorkloads: configuration and order', () => {
  const config = decodeConfig(
    `classify:
  platform:
    - namespace: monitoring
      role: metrics
  application:
    - namespace: monitoring
      name: grafana
  debug:
    - labels: {purpose: troubleshooting}
  batch:
    - kind: Deployment
      name: "*-worker"
`,
    'tighten.yaml',
  );
  const inv = inventory([
    workload('monitoring', 'Deployment', 'grafana'),
    workload('monitoring', 'StatefulSet', 'thanos-store'),
    workload('kube-system', 'Deployment', 'coredns', { 'k8s-app': 'kube-dns', purpose: 'troubleshooting' }),
    workload('shop', 'Deployment', 'email-worker'),
  ]);
  const cs = classifyWorkloads(inv, undefined, config);

  it('lets config entries win over detection, saying what detection thought', () => {
    expect(byName(cs, 'thanos-store')).toEqual({
      workload: { namespace: 'monitoring', kind: 'StatefulSet', name: 'thanos-store' },
      class: 'platform',
      role: 'metrics',
      evidence: ['config classify.platform[0] (namespace monitoring)', 'overrides detection, which said application: no platform, batch or debug signal'],
    });
    expect(byName(cs, 'coredns')).toMatchObject({
      class: 'debug',
      evidence: [
        'config classify.debug[0] (labels purpose=troubleshooting)',
        'overrides detection, which said platform (dns): label k8s-app=kube-dns: a well-known DNS server',
      ],
    });
    expect(byName(cs, 'email-worker')).toMatchObject({ class: 'batch', evidence: ['config classify.batch[0] (kind Deployment, name *-worker)', expect.any(String)] });
  });

  it('prefers the more specific entry', () => {
    expect(byName(cs, 'grafana')).toMatchObject({ class: 'application', evidence: ['config classify.application[0] (namespace monitoring, name grafana)'] });
  });

  it('lists workloads by namespace, name and kind', () => {
    expect(cs.map((c) => `${c.workload.namespace}/${c.workload.name}`)).toEqual(['kube-system/coredns', 'monitoring/grafana', 'monitoring/thanos-store', 'shop/email-worker']);
    const reversed: InventoryWorkload[] = [...inv.workloads].reverse();
    expect(classifyWorkloads({ ...inv, workloads: reversed }, undefined, config)).toEqual(cs);
  });
});
