import { describe, expect, test } from 'vitest';
import { ciliumVersionOfImage, decodeClusterDocuments, isVolatileLabelKey, type ClusterDocument } from './decode.js';
import type { ClusterSnapshot } from './cluster.js';

type Obj = Record<string, unknown>;

const docs = (...objects: unknown[]): ClusterDocument[] => objects.map((object, i) => ({ source: `dump.yaml#${i + 1}`, object, file: 'dump.yaml' }));
const decode = (...objects: unknown[]): ClusterSnapshot => decodeClusterDocuments(docs(...objects));

interface PodOpts {
  ns?: string;
  labels?: Record<string, string>;
  owner?: { kind: string; name: string; controller?: boolean }[];
  ip?: string;
  spec?: Obj;
  status?: Obj;
}
const pod = (name: string, o: PodOpts = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: o.ns ?? 'app',
    labels: o.labels ?? {},
    ...(o.owner ? { ownerReferences: o.owner.map((r) => ({ apiVersion: 'apps/v1', controller: true, ...r })) } : {}),
  },
  spec: { containers: [{ name: 'main', image: 'x' }], ...o.spec },
  status: { phase: 'Running', ...(o.ip ? { podIP: o.ip } : {}), ...o.status },
});
const controller = (apiVersion: string, kind: string, name: string, o: { ns?: string; owner?: { kind: string; name: string }; template?: Obj; spec?: Obj } = {}): Obj => ({
  apiVersion,
  kind,
  metadata: { name, namespace: o.ns ?? 'app', ...(o.owner ? { ownerReferences: [{ ...o.owner, controller: true }] } : {}) },
  spec: { ...(o.template ? { template: { metadata: { labels: o.template } } } : {}), ...o.spec },
});
const owners = (s: ClusterSnapshot) => Object.fromEntries(s.pods.map((p) => [p.name, `${p.owner.kind}/${p.owner.name}`]));
const refs = (s: ClusterSnapshot) => s.workloads.map((w) => `${w.namespace}/${w.kind}/${w.name}${w.inferred ? ' (inferred)' : ''}`);
const codes = (s: ClusterSnapshot) => s.warnings.map((w) => w.code);

describe('ownership when owners are missing from the dump', () => {
  test('a missing ReplicaSet resolves to its Deployment by name and pod-template-hash; the workload is inferred from the pods', () => {
    const s = decode(
      pod('api-6c9d8f7b5-aaaaa', { labels: { app: 'api', version: '1', 'pod-template-hash': '6c9d8f7b5' }, owner: [{ kind: 'ReplicaSet', name: 'api-6c9d8f7b5' }] }),
      pod('api-6c9d8f7b5-bbbbb', { labels: { app: 'api', version: '2', 'pod-template-hash': '6c9d8f7b5' }, owner: [{ kind: 'ReplicaSet', name: 'api-6c9d8f7b5' }] }),
    );
    expect(owners(s)).toEqual({ 'api-6c9d8f7b5-aaaaa': 'Deployment/api', 'api-6c9d8f7b5-bbbbb': 'Deployment/api' });
    expect(s.workloads).toEqual([
      { namespace: 'app', kind: 'Deployment', name: 'api', labels: {}, annotations: {}, podLabels: { app: 'api' }, serviceAccountName: 'default', containerPorts: [], hostNetwork: false, inferred: true },
    ]);
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]).toMatchObject({ code: 'owner-missing', source: 'dump.yaml#1' });
    expect(s.warnings[0]?.message).toContain('ReplicaSet app/api-6c9d8f7b5 is not in the dump (owner of pod api-6c9d8f7b5-aaaaa, pod api-6c9d8f7b5-bbbbb)');
    expect(s.warnings[0]?.message).toContain('inferred Deployment api');
  });

  test('a missing ReplicaSet whose Deployment is in the dump is no cause for a warning', () => {
    const s = decode(
      controller('apps/v1', 'Deployment', 'api', { template: { app: 'api' } }),
      pod('api-6c9d8f7b5-aaaaa', { labels: { app: 'api', 'pod-template-hash': '6c9d8f7b5' }, owner: [{ kind: 'ReplicaSet', name: 'api-6c9d8f7b5' }] }),
    );
    expect(owners(s)).toEqual({ 'api-6c9d8f7b5-aaaaa': 'Deployment/api' });
    expect(refs(s)).toEqual(['app/Deployment/api']);
    expect(s.warnings).toEqual([]);
  });

  test('a missing ReplicaSet whose name does not carry the pod-template-hash stays a ReplicaSet', () => {
    const s = decode(pod('rs-x1', { labels: { app: 'x', 'pod-template-hash': 'abc' }, owner: [{ kind: 'ReplicaSet', name: 'handmade' }] }));
    expect(owners(s)).toEqual({ 'rs-x1': 'ReplicaSet/handmade' });
    expect(refs(s)).toEqual(['app/ReplicaSet/handmade (inferred)']);
    expect(codes(s)).toEqual(['owner-missing']);
  });

  test('a Job in the dump whose CronJob is not: the CronJob comes from the Job ownerReference, its labels from the Job template', () => {
    const s = decode(
      controller('batch/v1', 'Job', 'nightly-29470200', {
        owner: { kind: 'CronJob', name: 'nightly' },
        template: { app: 'nightly', 'job-name': 'nightly-29470200', 'batch.kubernetes.io/controller-uid': 'u1', 'controller-uid': 'u1' },
      }),
      pod('nightly-29470200-abcde', { labels: { app: 'nightly', 'job-name': 'nightly-29470200' }, owner: [{ kind: 'Job', name: 'nightly-29470200' }] }),
    );
    expect(owners(s)).toEqual({ 'nightly-29470200-abcde': 'CronJob/nightly' });
    expect(refs(s)).toEqual(['app/CronJob/nightly (inferred)']);
    expect(s.workloads[0]?.podLabels).toEqual({ app: 'nightly' });
    expect(s.warnings.map((w) => w.message)).toEqual([expect.stringContaining('CronJob app/nightly is not in the dump (owner of Job nightly-29470200)')]);
  });

  test('a missing Job is not guessed into a CronJob by its name, even when that CronJob exists', () => {
    const s = decode(
      controller('batch/v1', 'CronJob', 'nightly', { spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { metadata: { labels: { app: 'nightly' } } } } } } }),
      pod('nightly-29470200-abcde', { labels: { app: 'nightly', 'job-name': 'nightly-29470200' }, owner: [{ kind: 'Job', name: 'nightly-29470200' }] }),
    );
    expect(owners(s)).toEqual({ 'nightly-29470200-abcde': 'Job/nightly-29470200' });
    expect(refs(s)).toEqual(['app/CronJob/nightly', 'app/Job/nightly-29470200 (inferred)']);
    expect(s.workloads[0]).toMatchObject({ schedule: '0 3 * * *', suspend: false, podLabels: { app: 'nightly' } });
    expect(s.workloads[1]?.podLabels).toEqual({ app: 'nightly' });
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]?.message).toMatch(/^Job app\/nightly-29470200 is not in the dump \(owner of pod nightly-29470200-abcde\)/);
  });

  test('a missing StatefulSet or DaemonSet is the top owner, inferred from its pods without volatile labels', () => {
    const s = decode(
      pod('db-0', { labels: { app: 'db', 'controller-revision-hash': 'db-1', 'statefulset.kubernetes.io/pod-name': 'db-0', 'apps.kubernetes.io/pod-index': '0' }, owner: [{ kind: 'StatefulSet', name: 'db' }] }),
      pod('db-1', { labels: { app: 'db', 'controller-revision-hash': 'db-1', 'statefulset.kubernetes.io/pod-name': 'db-1', 'apps.kubernetes.io/pod-index': '1' }, owner: [{ kind: 'StatefulSet', name: 'db' }] }),
      pod('agent-x2x2x', { labels: { name: 'agent', 'pod-template-generation': '2', 'controller-revision-hash': 'h' }, owner: [{ kind: 'DaemonSet', name: 'agent' }], spec: { hostNetwork: true, serviceAccount: 'agent' } }),
    );
    expect(refs(s)).toEqual(['app/DaemonSet/agent (inferred)', 'app/StatefulSet/db (inferred)']);
    expect(s.workloads.map((w) => w.podLabels)).toEqual([{ name: 'agent' }, { app: 'db' }]);
    expect(s.workloads[0]).toMatchObject({ hostNetwork: true, serviceAccountName: 'agent' });
    expect(s.warnings.map((w) => w.message.split(' is not')[0])).toEqual(['DaemonSet app/agent', 'StatefulSet app/db']);
    expect(s.warnings[1]?.message).toContain('owner of pod db-0, pod db-1)');
  });

  test('a warning names at most three dependents', () => {
    const pods = ['a', 'b', 'c', 'd', 'e'].map((x) => pod(`db-${x}`, { owner: [{ kind: 'StatefulSet', name: 'db' }] }));
    const s = decode(...pods);
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]?.message).toContain('owner of pod db-a, pod db-b, pod db-c and 2 more');
  });
});

describe('ownership of unusual owners', () => {
  test('an unknown owner kind (Argo Rollout) is the workload; its template gives the pod labels', () => {
    const rollout = controller('argoproj.io/v1alpha1', 'Rollout', 'checkout', {
      template: { app: 'checkout' },
      spec: { selector: { matchLabels: { app: 'checkout' } }, strategy: { canary: {} } },
    });
    const rs = controller('apps/v1', 'ReplicaSet', 'checkout-7b9c', { owner: { kind: 'Rollout', name: 'checkout' }, template: { app: 'checkout', 'rollouts-pod-template-hash': '7b9c' } });
    const p = pod('checkout-7b9c-zzzzz', { labels: { app: 'checkout', 'rollouts-pod-template-hash': '7b9c' }, owner: [{ kind: 'ReplicaSet', name: 'checkout-7b9c' }] });
    const s = decode(rollout, rs, p);
    expect(owners(s)).toEqual({ 'checkout-7b9c-zzzzz': 'Rollout/checkout' });
    expect(refs(s)).toEqual(['app/Rollout/checkout']);
    expect(s.workloads[0]).toMatchObject({ podLabels: { app: 'checkout' }, selector: { matchLabels: { app: 'checkout' } } });
    expect(s.ignoredKinds).toEqual({ Rollout: 1 });
    expect(s.warnings).toEqual([]);
  });

  test('an unknown owner missing from the dump is the workload too, inferred, without a warning', () => {
    const s = decode(
      pod('etl-driver', { labels: { 'spark-role': 'driver', 'spark-app-selector': 'spark-1' }, owner: [{ kind: 'SparkApplication', name: 'etl' }] }),
      controller('apps/v1', 'ReplicaSet', 'canary-5f5f', { owner: { kind: 'Rollout', name: 'canary' }, template: { app: 'canary', 'rollouts-pod-template-hash': '5f5f' } }),
    );
    expect(owners(s)).toEqual({ 'etl-driver': 'SparkApplication/etl' });
    expect(refs(s)).toEqual(['app/Rollout/canary (inferred)', 'app/SparkApplication/etl (inferred)']);
    expect(s.workloads[0]?.podLabels).toEqual({ app: 'canary' });
    expect(s.warnings).toEqual([]);
  });

  test('a static pod mirrored by its Node is a bare pod', () => {
    const s = decode(pod('kube-apiserver-node-1', { ns: 'kube-system', labels: { component: 'kube-apiserver', tier: 'control-plane' }, owner: [{ kind: 'Node', name: 'node-1' }], spec: { hostNetwork: true } }));
    expect(owners(s)).toEqual({ 'kube-apiserver-node-1': 'Pod/kube-apiserver-node-1' });
    expect(refs(s)).toEqual(['kube-system/Pod/kube-apiserver-node-1']);
    expect(s.workloads[0]).toMatchObject({ podLabels: { component: 'kube-apiserver', tier: 'control-plane' }, hostNetwork: true });
    expect(s.warnings).toEqual([]);
  });

  test('the controller reference wins over other owner references; without one, the first is taken', () => {
    const s = decode(
      pod('a', { owner: [{ kind: 'ConfigMap', name: 'gc-only', controller: false }, { kind: 'StatefulSet', name: 'sts', controller: true }] }),
      pod('b', { owner: [{ kind: 'CustomThing', name: 'first', controller: false }, { kind: 'Other', name: 'second', controller: false }] }),
    );
    expect(owners(s)).toEqual({ a: 'StatefulSet/sts', b: 'CustomThing/first' });
  });

  test('an ownership cycle does not hang', () => {
    const s = decode(
      controller('apps/v1', 'ReplicaSet', 'loop', { owner: { kind: 'Job', name: 'loop' } }),
      controller('batch/v1', 'Job', 'loop', { owner: { kind: 'ReplicaSet', name: 'loop' } }),
      pod('p', { owner: [{ kind: 'ReplicaSet', name: 'loop' }] }),
    );
    expect(s.pods).toHaveLength(1);
  });

  test('a ReplicaSet without a Deployment and a Job without a CronJob are workloads; owned ones are not', () => {
    const s = decode(
      controller('apps/v1', 'ReplicaSet', 'lonely', { template: { app: 'lonely' }, spec: { selector: { matchLabels: { app: 'lonely' } } } }),
      controller('apps/v1', 'ReplicaSet', 'web-abc', { owner: { kind: 'Deployment', name: 'web' }, template: { app: 'web', 'pod-template-hash': 'abc' } }),
      controller('apps/v1', 'Deployment', 'web', { template: { app: 'web' } }),
      controller('batch/v1', 'Job', 'once', { template: { app: 'once' } }),
    );
    expect(refs(s)).toEqual(['app/Deployment/web', 'app/Job/once', 'app/ReplicaSet/lonely']);
  });
});

describe('documents and Lists', () => {
  test('items of a typed List (PodList, DeploymentList) take their kind and apiVersion from the List', () => {
    const s = decode(
      { apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '1' }, items: [{ metadata: { name: 'p1', namespace: 'a' }, spec: {}, status: { podIP: '10.0.0.1' } }] },
      { apiVersion: 'apps/v1', kind: 'DeploymentList', items: [{ metadata: { name: 'd1', namespace: 'a' }, spec: { template: { metadata: { labels: { app: 'd1' } } } } }] },
      { apiVersion: 'v1', kind: 'ServiceList', items: null },
    );
    expect(s.pods.map((p) => [p.name, p.podIPs])).toEqual([['p1', ['10.0.0.1']]]);
    expect(refs(s)).toEqual(['a/Deployment/d1', 'a/Pod/p1']);
    expect(s.warnings).toEqual([]);
  });

  test('an item of a plain List without kind is inferred from its apiVersion and shape, with a warning naming source and index', () => {
    const s = decode({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
        { apiVersion: 'v1', metadata: { name: 'svc', namespace: 'a' }, spec: { ports: [{ port: 80 }], selector: { app: 'x' } } },
        { apiVersion: 'apps/v1', metadata: { name: 'sts', namespace: 'a' }, spec: { serviceName: 'sts', template: { metadata: { labels: { app: 'sts' } } } } },
        { apiVersion: 'batch/v1', metadata: { name: 'cj', namespace: 'a' }, spec: { schedule: '@daily', jobTemplate: {} } },
        { apiVersion: 'cilium.io/v2', metadata: { name: 'ccnp' }, spec: { endpointSelector: {} } },
        { apiVersion: 'example.com/v1', metadata: { name: 'mystery' }, spec: {} },
        { metadata: { name: 'no-api-version' } },
      ],
    });
    expect(s.warnings).toEqual([
      { code: 'kind-inferred', source: 'dump.yaml#1/items/1', message: 'List item without kind; taken as Service from its apiVersion and shape' },
      { code: 'kind-inferred', source: 'dump.yaml#1/items/2', message: 'List item without kind; taken as StatefulSet from its apiVersion and shape' },
      { code: 'kind-inferred', source: 'dump.yaml#1/items/3', message: 'List item without kind; taken as CronJob from its apiVersion and shape' },
      { code: 'kind-inferred', source: 'dump.yaml#1/items/4', message: 'List item without kind; taken as CiliumClusterwideNetworkPolicy from its apiVersion and shape' },
      { code: 'invalid-object', source: 'dump.yaml#1/items/5', message: expect.stringContaining('List item without kind') },
      { code: 'invalid-object', source: 'dump.yaml#1/items/6', message: expect.stringContaining('List item without kind') },
    ]);
    expect(s.services.map((v) => v.name)).toEqual(['svc']);
    expect(refs(s)).toEqual(['a/CronJob/cj', 'a/StatefulSet/sts']);
    expect(s.policies.map((p) => [p.kind, p.name, p.object.kind])).toEqual([['CiliumClusterwideNetworkPolicy', 'ccnp', 'CiliumClusterwideNetworkPolicy']]);
  });

  test('what is not an object, or has no name, is an invalid-object warning, not a crash', () => {
    const s = decode('just a string', 42, [1, { kind: 'Pod', metadata: { name: 'in-array', namespace: 'a' } }], { kind: 'Pod', metadata: {} }, { kind: 'Pod' }, { metadata: { name: 'no-kind' } }, null);
    expect(s.warnings.map((w) => [w.code, w.source, w.message])).toEqual([
      ['invalid-object', 'dump.yaml#1', 'not a Kubernetes object (a string); skipped'],
      ['invalid-object', 'dump.yaml#2', 'not a Kubernetes object (a number); skipped'],
      ['invalid-object', 'dump.yaml#3/items/0', 'not a Kubernetes object (a number); skipped'],
      ['invalid-object', 'dump.yaml#4', 'Pod with no metadata.name; skipped'],
      ['invalid-object', 'dump.yaml#5', 'Pod with no metadata.name; skipped'],
      ['invalid-object', 'dump.yaml#6', 'object with no kind; skipped'],
    ]);
    expect(s.pods.map((p) => p.name)).toEqual(['in-array']);
    expect(s.sources).toEqual(['dump.yaml']);
  });

  test('a duplicate object: the last one read wins, with a warning naming both', () => {
    const s = decode(pod('p', { ip: '10.0.0.1' }), pod('p', { ip: '10.0.0.2' }), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'a' } }, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'a' } });
    expect(s.pods.map((p) => p.podIPs)).toEqual([['10.0.0.2']]);
    expect(s.warnings).toEqual([
      { code: 'duplicate-object', source: 'dump.yaml#2', message: 'Pod app/p appears twice (dump.yaml#1 and dump.yaml#2); the last one read is used' },
      { code: 'duplicate-object', source: 'dump.yaml#4', message: 'Secret a/s appears twice (dump.yaml#3 and dump.yaml#4); the last one read is used' },
    ]);
    expect(s.ignoredKinds).toEqual({ Secret: 1 });
  });

  test('objects without a namespace are in default; cluster-scoped ones have none', () => {
    const s = decode(
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { selector: { app: 'x' }, ports: [{ port: '8080' }] } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np' }, spec: { podSelector: {} } },
      { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'ccnp', namespace: 'ignored' }, spec: {} },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns', namespace: 'weird' } },
    );
    expect(s.services[0]).toMatchObject({ namespace: 'default', ports: [{ port: 8080, targetPort: 8080, protocol: 'TCP' }], type: 'ClusterIP' });
    expect(s.policies.map((p) => [p.kind, p.namespace])).toEqual([
      ['CiliumClusterwideNetworkPolicy', undefined],
      ['NetworkPolicy', 'default'],
    ]);
    expect(s.namespaces.map((n) => n.name)).toEqual(['ns']);
  });

  test('a kind tighten decodes, under another API group, is counted, not decoded', () => {
    const s = decode(
      { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'hello', namespace: 'a' }, spec: { template: {} } },
      { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'calico', namespace: 'a' }, spec: {} },
      { apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'old', namespace: 'a' }, spec: { template: { metadata: { labels: { app: 'old' } } } } },
    );
    expect(s.services).toEqual([]);
    expect(s.policies).toEqual([]);
    expect(refs(s)).toEqual(['a/Deployment/old']);
    expect(s.ignoredKinds).toEqual({ 'NetworkPolicy (projectcalico.org/v3)': 1, 'Service (serving.knative.dev/v1)': 1 });
  });

  test('cilium-config is found in any namespace; other ConfigMaps are counted', () => {
    const cm = (name: string, ns: string, data: Obj) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data });
    const one = decode(cm('cilium-config', 'cilium', { 'enable-policy': 'default', 'policy-audit-mode': false }), cm('other', 'cilium', { a: 'b' }));
    expect(one.ciliumConfig).toEqual({ 'enable-policy': 'default', 'policy-audit-mode': 'false' });
    expect(one.ignoredKinds).toEqual({ ConfigMap: 1 });
    const two = decode(cm('cilium-config', 'kube-system', { a: '1' }), cm('cilium-config', 'cilium', { a: '2' }));
    expect(two.ciliumConfig).toEqual({ a: '2' });
    expect(codes(two)).toEqual(['duplicate-object']);
    expect(decode(pod('p')).ciliumConfig).toBeUndefined();
  });

  test('pods: deprecated serviceAccount, podIP alone, sidecar ports, numeric label values, ephemeral container statuses', () => {
    const s = decode(
      pod('p', {
        labels: { version: 2 as unknown as string },
        ip: '10.1.1.1',
        spec: {
          serviceAccount: 'legacy-sa',
          initContainers: [{ name: 'mesh', restartPolicy: 'Always', ports: [{ containerPort: 15001, protocol: 'TCP' }] }],
          containers: [{ name: 'main', ports: [{ containerPort: 53, protocol: 'UDP', name: 'dns' }, { containerPort: 'bad' }] }],
        },
        status: { ephemeralContainerStatuses: [{ name: 'debugger' }] },
      }),
    );
    expect(s.pods[0]).toMatchObject({
      labels: { version: '2' },
      podIPs: ['10.1.1.1'],
      serviceAccountName: 'legacy-sa',
      hasEphemeralContainers: true,
      containerPorts: [
        { name: 'dns', containerPort: 53, protocol: 'UDP' },
        { containerPort: 15001, protocol: 'TCP' },
      ],
    });
    expect(s.pods[0]?.hostIP).toBeUndefined();
  });

  test('the snapshot does not depend on the order of the input', () => {
    const objects = [
      controller('apps/v1', 'Deployment', 'web', { template: { app: 'web' } }),
      pod('web-abc-1', { labels: { app: 'web', 'pod-template-hash': 'abc' }, owner: [{ kind: 'ReplicaSet', name: 'web-abc' }] }),
      pod('zz', { ns: 'b' }),
      pod('db-0', { owner: [{ kind: 'StatefulSet', name: 'db' }] }),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'app' }, spec: {} },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } },
    ];
    const forward = decodeClusterDocuments(objects.map((object) => ({ source: 'x', object })));
    const backward = decodeClusterDocuments([...objects].reverse().map((object) => ({ source: 'x', object })));
    expect(backward).toEqual(forward);
    expect(JSON.parse(JSON.stringify(forward))).toEqual(forward);
  });
});

test('isVolatileLabelKey', () => {
  for (const key of ['pod-template-hash', 'controller-revision-hash', 'statefulset.kubernetes.io/pod-name', 'job-name', 'controller-uid', 'batch.kubernetes.io/job-name', 'batch.kubernetes.io/job-completion-index']) {
    expect(isVolatileLabelKey(key)).toBe(true);
  }
  for (const key of ['app', 'app.kubernetes.io/name', 'k8s-app', 'name']) expect(isVolatileLabelKey(key)).toBe(false);
});

describe('the Cilium agent version', () => {
  const ds = (ns: string, name: string, containers: Obj[]): Obj =>
    controller('apps/v1', 'DaemonSet', name, { ns, spec: { template: { metadata: { labels: { 'k8s-app': name } }, spec: { containers } } } });

  test('from the image tag of the cilium DaemonSet\'s cilium-agent container', () => {
    const s = decode(ds('kube-system', 'cilium', [{ name: 'mount-bpf', image: 'quay.io/cilium/cilium:v1.15.0' }, { name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.16.3@sha256:0123abcd' }]));
    expect(s.ciliumAgent).toEqual({ version: '1.16', image: 'quay.io/cilium/cilium:v1.16.3@sha256:0123abcd', daemonSet: 'kube-system/cilium' });
  });

  test('else the container running a cilium/cilium image; kube-system wins over another namespace', () => {
    const s = decode(ds('aaa', 'cilium', [{ name: 'agent', image: 'cilium/cilium:v1.14.1' }]), ds('kube-system', 'cilium', [{ name: 'cilium', image: 'registry.local:5000/cilium/cilium:1.18.4' }]));
    expect(s.ciliumAgent).toEqual({ version: '1.18', image: 'registry.local:5000/cilium/cilium:1.18.4', daemonSet: 'kube-system/cilium' });
  });

  test('absent without a cilium DaemonSet, or with an image that names no version', () => {
    expect(decode(ds('kube-system', 'cilium-envoy', [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.16.3' }])).ciliumAgent).toBeUndefined();
    expect(decode(ds('kube-system', 'cilium', [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:latest' }])).ciliumAgent).toBeUndefined();
    expect(decode(ds('kube-system', 'cilium', [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium@sha256:0123' }])).ciliumAgent).toBeUndefined();
    expect('ciliumAgent' in decode(pod('p'))).toBe(false);
  });

  test.each([
    ['quay.io/cilium/cilium:v1.16.3@sha256:abc', '1.16'],
    ['cilium/cilium:1.19.0-pre.4', '1.19'],
    ['localhost:5000/cilium/cilium', undefined],
    ['localhost:5000/cilium/cilium:stable', undefined],
    ['cilium:v2.0', '2.0'],
  ])('ciliumVersionOfImage(%s) = %s', (image, version) => {
    expect(ciliumVersionOfImage(image)).toBe(version);
  });
});
