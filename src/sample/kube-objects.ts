/**
 * @module sample/kube-objects — the sample cluster as Kubernetes objects, as
 * `kubectl get ns,deploy,sts,ds,rs,job,cronjob,pod,svc,cm,cnp,netpol -A -o yaml` prints them at
 * the end of the window: a `List` grouped by kind in that order, each group sorted by namespace and
 * name, with uids, ownerReferences, creation timestamps, specs and statuses.
 *
 * What the dump holds is what a real one would: CronJobs keep their last three Jobs (and those
 * Jobs' pods), so most runs seen in the flows have no pod in the dump; hostNetwork pods have their
 * node's address; the planted CronJob that never ran has no Job at all.
 */
import type { SampleCluster, SamplePod, SampleRun, SampleService, SampleWorkload } from './model.js';
import { isoSeconds } from './truth.js';
import { stringifyYaml } from './yaml.js';

export type KubeObject = Record<string, unknown>;

/** Jobs a CronJob keeps (`successfulJobsHistoryLimit`). */
const JOB_HISTORY = 3;

const KIND_ORDER = ['Namespace', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'Service', 'ConfigMap', 'CiliumNetworkPolicy'] as const;

/** The cluster's objects in `kubectl get … -o yaml` order. */
export function buildKubeObjects(cluster: SampleCluster): KubeObject[] {
  const out: KubeObject[] = [];
  const ts = (ms: number) => isoSeconds(Math.floor(ms / 1000) * 1000);
  const meta = (name: string, namespace: string | undefined, uid: string, createdMs: number, labels: Readonly<Record<string, string>> | undefined, extra: KubeObject = {}): KubeObject => ({
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    uid,
    resourceVersion: String(1000 + (hashText(uid) % 900_000)),
    creationTimestamp: ts(createdMs),
    ...(labels !== undefined && Object.keys(labels).length > 0 ? { labels } : {}),
    ...extra,
  });

  for (const ns of cluster.namespaces) {
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: meta(ns.name, undefined, ns.uid, ns.createdMs, ns.labels), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  }
  for (const w of cluster.workloads) {
    switch (w.kind) {
      case 'Deployment':
        out.push(deployment(w, meta));
        out.push(replicaSet(w, meta));
        break;
      case 'StatefulSet':
        out.push(statefulSet(w, meta));
        break;
      case 'DaemonSet':
        out.push(daemonSet(w, meta));
        break;
      case 'CronJob':
        out.push(cronJob(w, meta));
        break;
      case 'Job':
        break;
      case 'Pod':
        break;
    }
    for (const run of keptRuns(w)) out.push(job(w, run, meta));
    for (const pod of [...w.pods, ...keptRuns(w).map((r) => r.pod)]) out.push(podObject(pod, meta));
  }
  for (const s of cluster.services) out.push(service(s, meta, cluster.sinceMs - 30 * 86_400_000));
  out.push(...configMaps(cluster, meta));
  for (const p of cluster.policies) out.push({ ...p, metadata: { ...(p.metadata as KubeObject), uid: uidFrom(JSON.stringify(p)), creationTimestamp: ts(cluster.sinceMs - 12 * 86_400_000) } });

  const order = new Map<string, number>(KIND_ORDER.map((k, i) => [k, i]));
  const sortKey = (o: KubeObject) => {
    const m = o.metadata as { namespace?: string; name: string };
    return [order.get(o.kind as string) ?? 99, m.namespace ?? '', m.name] as const;
  };
  return out.sort((a, b) => {
    const [ka, na, ma] = sortKey(a);
    const [kb, nb, mb] = sortKey(b);
    return ka - kb || (na < nb ? -1 : na > nb ? 1 : 0) || (ma < mb ? -1 : ma > mb ? 1 : 0);
  });
}

/** Renders objects as the `List` kubectl prints: sorted keys, unindented sequences, one trailing newline. */
export function renderClusterYaml(objects: readonly KubeObject[]): string {
  return stringifyYaml({ apiVersion: 'v1', items: objects, kind: 'List', metadata: { resourceVersion: '' } });
}

type Meta = (name: string, namespace: string | undefined, uid: string, createdMs: number, labels: Readonly<Record<string, string>> | undefined, extra?: KubeObject) => KubeObject;

/** The runs a CronJob still lists; a plain Job's single run. */
function keptRuns(w: SampleWorkload): readonly SampleRun[] {
  return w.kind === 'CronJob' ? w.runs.slice(-JOB_HISTORY) : w.runs;
}

function containers(w: SampleWorkload): KubeObject[] {
  const c: KubeObject = {
    name: w.kind === 'Pod' ? w.name : (w.image.split('/').pop() ?? w.name).split(':')[0] ?? w.name,
    image: w.image,
    imagePullPolicy: 'IfNotPresent',
    ...(w.ports.length > 0 ? { ports: w.ports.map((p) => ({ ...(p.name !== undefined ? { name: p.name } : {}), containerPort: p.port, protocol: p.protocol })) } : {}),
    ...(w.probePort !== undefined ? { readinessProbe: probe(w.probePort), livenessProbe: probe(w.probePort) } : {}),
    resources: { requests: { cpu: '100m', memory: '128Mi' } },
  };
  if (w.kind === 'Pod') c.command = ['sleep', '1d'];
  return [c];
}

function probe(port: number): KubeObject {
  return { tcpSocket: { port }, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1 };
}

function podSpec(w: SampleWorkload): KubeObject {
  return {
    containers: containers(w),
    ...(w.hostNetwork ? { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' } : { dnsPolicy: 'ClusterFirst' }),
    restartPolicy: w.kind === 'CronJob' || w.kind === 'Job' ? 'OnFailure' : 'Always',
    serviceAccountName: w.serviceAccount,
    terminationGracePeriodSeconds: 30,
  };
}

function template(w: SampleWorkload, labels: Readonly<Record<string, string>>): KubeObject {
  return { metadata: Object.keys(labels).length > 0 ? { labels } : {}, spec: podSpec(w) };
}

function deployment(w: SampleWorkload, meta: Meta): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(w.name, w.namespace, w.uid, w.createdMs, w.labels, { generation: 1, annotations: { 'deployment.kubernetes.io/revision': '1' } }),
    spec: {
      replicas: w.replicas,
      revisionHistoryLimit: 10,
      selector: { matchLabels: w.selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: template(w, w.podLabels),
    },
    status: { observedGeneration: 1, replicas: w.replicas, readyReplicas: w.replicas, availableReplicas: w.replicas, updatedReplicas: w.replicas },
  };
}

function replicaSet(w: SampleWorkload, meta: Meta): KubeObject {
  const hash = w.templateHash as string;
  const labels = { ...w.podLabels, 'pod-template-hash': hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: meta(`${w.name}-${hash}`, w.namespace, w.replicaSetUid as string, w.createdMs + 1000, labels, {
      annotations: { 'deployment.kubernetes.io/desired-replicas': String(w.replicas), 'deployment.kubernetes.io/max-replicas': String(w.replicas + 1), 'deployment.kubernetes.io/revision': '1' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: w.name, uid: w.uid, controller: true, blockOwnerDeletion: true }],
    }),
    spec: { replicas: w.replicas, selector: { matchLabels: { ...w.selector, 'pod-template-hash': hash } }, template: template(w, labels) },
    status: { replicas: w.replicas, readyReplicas: w.replicas, availableReplicas: w.replicas, fullyLabeledReplicas: w.replicas, observedGeneration: 1 },
  };
}

function statefulSet(w: SampleWorkload, meta: Meta): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta(w.name, w.namespace, w.uid, w.createdMs, w.labels, { generation: 1 }),
    spec: { replicas: w.replicas, serviceName: w.name, podManagementPolicy: 'OrderedReady', selector: { matchLabels: w.selector }, template: template(w, w.podLabels) },
    status: { replicas: w.replicas, readyReplicas: w.replicas, currentReplicas: w.replicas, updatedReplicas: w.replicas, observedGeneration: 1 },
  };
}

function daemonSet(w: SampleWorkload, meta: Meta): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: meta(w.name, w.namespace, w.uid, w.createdMs, w.labels, { generation: 1 }),
    spec: { selector: { matchLabels: w.selector }, template: template(w, w.podLabels), updateStrategy: { type: 'RollingUpdate' } },
    status: { desiredNumberScheduled: w.replicas, currentNumberScheduled: w.replicas, numberReady: w.replicas, numberAvailable: w.replicas, observedGeneration: 1 },
  };
}

function cronJob(w: SampleWorkload, meta: Meta): KubeObject {
  const last = w.runs[w.runs.length - 1];
  const status: KubeObject = {};
  if (last !== undefined) {
    status.lastScheduleTime = isoSeconds(Math.floor(last.scheduledMs / 1000) * 1000);
    status.lastSuccessfulTime = isoSeconds(Math.floor(last.endMs / 1000) * 1000);
  }
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: meta(w.name, w.namespace, w.uid, w.createdMs, w.labels, { generation: 1 }),
    spec: {
      schedule: w.schedule,
      timeZone: 'Etc/UTC',
      suspend: false,
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: JOB_HISTORY,
      failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: {}, spec: { backoffLimit: 2, template: template(w, w.podLabels) } },
    },
    status,
  };
}

function jobLabels(w: SampleWorkload, run: SampleRun): Record<string, string> {
  return { ...w.podLabels, 'batch.kubernetes.io/controller-uid': run.jobUid, 'batch.kubernetes.io/job-name': run.jobName, 'controller-uid': run.jobUid, 'job-name': run.jobName };
}

function job(w: SampleWorkload, run: SampleRun, meta: Meta): KubeObject {
  const labels = jobLabels(w, run);
  const owner = w.kind === 'CronJob' ? { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: w.name, uid: w.uid, controller: true, blockOwnerDeletion: true }] } : {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(run.jobName, w.namespace, run.jobUid, run.scheduledMs, labels, owner),
    spec: {
      backoffLimit: 2,
      completions: 1,
      parallelism: 1,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': run.jobUid } },
      template: template(w, labels),
    },
    status: {
      active: 0,
      succeeded: 1,
      ready: 0,
      startTime: isoSeconds(Math.floor(run.startMs / 1000) * 1000),
      completionTime: isoSeconds(Math.ceil(run.endMs / 1000) * 1000),
      conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: isoSeconds(Math.ceil(run.endMs / 1000) * 1000), lastProbeTime: isoSeconds(Math.ceil(run.endMs / 1000) * 1000) }],
    },
  };
}

function podObject(pod: SamplePod, meta: Meta): KubeObject {
  const w = pod.workload;
  const owner = pod.owner !== undefined ? { ownerReferences: [{ ...pod.owner, controller: true, blockOwnerDeletion: true }] } : {};
  const generateName = pod.owner !== undefined && w.kind !== 'StatefulSet' ? { generateName: pod.name.slice(0, pod.name.lastIndexOf('-') + 1) } : {};
  const spec: KubeObject = { ...podSpec(w), nodeName: pod.node.name };
  if (w.ephemeralContainer) {
    spec.ephemeralContainers = [{ name: 'debugger-x7k2p', image: 'busybox:1.37', stdin: true, tty: true, targetContainerName: w.name }];
  }
  const done = pod.endMs !== undefined;
  const started = isoSeconds(Math.floor(pod.startMs / 1000) * 1000);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(pod.name, pod.namespace, pod.uid, pod.startMs - 2000, pod.labels, { ...generateName, ...owner }),
    spec,
    status: {
      phase: done ? 'Succeeded' : 'Running',
      hostIP: pod.node.ip,
      hostIPs: [{ ip: pod.node.ip }],
      podIP: pod.ip,
      podIPs: [{ ip: pod.ip }],
      qosClass: 'Burstable',
      startTime: started,
      conditions: [{ type: 'Ready', status: done ? 'False' : 'True', lastTransitionTime: started, ...(done ? { reason: 'PodCompleted' } : {}) }],
      ...(w.ephemeralContainer ? { ephemeralContainerStatuses: [{ name: 'debugger-x7k2p', image: 'busybox:1.37', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } : {}),
    },
  };
}

function service(s: SampleService, meta: Meta, createdMs: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(s.name, s.namespace, s.uid, createdMs, s.selector !== undefined ? s.labels : { component: 'apiserver', provider: 'kubernetes' }),
    spec: {
      type: s.type,
      clusterIP: s.clusterIP,
      clusterIPs: [s.clusterIP],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ...(s.selector !== undefined ? { selector: s.selector } : {}),
      ports: s.ports.map((p) => ({ ...(p.name !== undefined ? { name: p.name } : {}), port: p.port, protocol: p.protocol, targetPort: p.targetPort })),
      sessionAffinity: 'None',
      ...(s.type === 'LoadBalancer' ? { externalTrafficPolicy: 'Cluster' } : {}),
    },
    status: s.type === 'LoadBalancer' ? { loadBalancer: { ingress: [{ ip: '198.51.100.250' }] } } : { loadBalancer: {} },
  };
}

function configMaps(cluster: SampleCluster, meta: Meta): KubeObject[] {
  const out: KubeObject[] = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('cilium-config', 'kube-system', uidFrom('cilium-config'), cluster.sinceMs - 200 * 86_400_000, undefined), data: cluster.ciliumConfig },
  ];
  for (const ns of cluster.namespaces) {
    out.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('kube-root-ca.crt', ns.name, uidFrom(`kube-root-ca.crt/${ns.name}`), ns.createdMs, undefined, { annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } }),
      data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIC/jCCAeagAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwprdWJl\n-----END CERTIFICATE-----\n' },
    });
  }
  return out;
}

function hashText(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** A stable uid for objects that have no random one in the model. */
function uidFrom(text: string): string {
  const h = (n: number) => hashText(`${n}:${text}`).toString(16).padStart(8, '0');
  const a = h(1) + h(2) + h(3) + h(4);
  return `${a.slice(0, 8)}-${a.slice(8, 12)}-4${a.slice(13, 16)}-a${a.slice(17, 20)}-${a.slice(20, 32)}`;
}
