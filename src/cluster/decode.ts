/**
 * @module cluster/decode — parsed Kubernetes objects → {@link ClusterSnapshot} (pure).
 *
 * Tolerant by design: a `kubectl get` dump holds whatever the cluster holds. Objects that are not
 * objects or have no name become `invalid-object` warnings, kinds tighten does not use are counted,
 * duplicates keep the last one read. Pods are resolved to their top owner through `ownerReferences`
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/owners-dependents/), inferring
 * what the dump lacks where Kubernetes' naming makes it certain, and never guessing otherwise.
 */
import type {
  CiliumAgent,
  ClusterSnapshot,
  ClusterWarning,
  ContainerPort,
  LabelSelector,
  LabelSelectorRequirement,
  Labels,
  Namespace,
  OwnerReference,
  Pod,
  PolicyObject,
  Service,
  ServicePort,
  Workload,
  WorkloadRef,
} from './cluster.js';
import { isVolatileLabelKey } from '../shared/labels.js';

/** One parsed document (or top-level value) of a dump. */
export interface ClusterDocument {
  /** Where it was read, for messages: `file` or `file#document` (1-based). */
  readonly source: string;
  /** The parsed value: an object, a `List` (kind `List` or `*List`), or an array of objects. */
  readonly object: unknown;
  /** The file it came from, for `ClusterSnapshot.sources`. @default source */
  readonly file?: string;
}

type Rec = Record<string, unknown>;

/** The kinds decoded, with the API groups they must come from ('' = core; undefined apiVersion is accepted). */
const KNOWN_GROUPS: Readonly<Record<string, readonly string[]>> = {
  Namespace: [''],
  Pod: [''],
  Service: [''],
  ConfigMap: [''],
  ReplicationController: [''],
  Deployment: ['apps', 'extensions'],
  StatefulSet: ['apps'],
  DaemonSet: ['apps', 'extensions'],
  ReplicaSet: ['apps', 'extensions'],
  Job: ['batch'],
  CronJob: ['batch'],
  NetworkPolicy: ['networking.k8s.io', 'extensions'],
  CiliumNetworkPolicy: ['cilium.io'],
  CiliumClusterwideNetworkPolicy: ['cilium.io'],
};
const CLUSTER_SCOPED = new Set(['Namespace', 'CiliumClusterwideNetworkPolicy']);
const CONTROLLER_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController']);
/** Kinds whose owner is followed; the walk stops at every other kind. */
const CLIMBING_KINDS = new Set(['Pod', 'ReplicaSet', 'Job']);
const POLICY_KINDS = new Set(['NetworkPolicy', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']);

export { isVolatileLabelKey };

/** A valid object of the dump, after List flattening and de-duplication. */
interface Entry {
  /** The kind as decoded; a known kind under another API group is ignored under `Kind (apiVersion)`. */
  readonly kind: string;
  readonly handled: boolean;
  readonly namespace: string;
  readonly name: string;
  readonly raw: Rec;
  readonly meta: Rec;
  readonly source: string;
}

/** What the walk up the owner chain found. */
interface Resolution {
  readonly top: WorkloadRef;
  /** The owner the dump lacks, when the walk had to stop or infer because of it. */
  readonly missing?: { readonly kind: string; readonly name: string; readonly note: string; readonly dependent: Entry };
}

/** Pod-ish facts of a pod template or a pod, the evidence an inferred workload is built from. */
interface PodFacts {
  readonly labels: Labels;
  readonly serviceAccountName: string;
  readonly containerPorts: readonly ContainerPort[];
  readonly hostNetwork: boolean;
  readonly creationTimestamp: string;
  readonly name: string;
}

/**
 * Turns parsed Kubernetes objects into a {@link ClusterSnapshot}: Namespaces, Pods (with their top owners),
 * workloads (controllers, bare pods and inferred owners), Services, NetworkPolicy / CiliumNetworkPolicy /
 * CiliumClusterwideNetworkPolicy objects (kept raw) and the `cilium-config` ConfigMap's data.
 *
 * Never throws on content: problems become `warnings`, unused kinds are counted in `ignoredKinds`.
 * `sources` lists each document's `file` (or `source`) once, in order of first appearance.
 */
export function decodeClusterDocuments(docs: readonly ClusterDocument[]): ClusterSnapshot {
  const warnings: ClusterWarning[] = [];
  const entries = new Map<string, Entry>();
  const sources: string[] = [];
  const seenSources = new Set<string>();

  const add = (value: unknown, source: string, listKind?: { kind: string; apiVersion: string | undefined; plain: boolean }): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => add(item, `${source}/items/${i}`));
      return;
    }
    if (!isRecord(value)) {
      warnings.push({ code: 'invalid-object', source, message: `not a Kubernetes object (${describe(value)}); skipped` });
      return;
    }
    let kind = str(value.kind);
    const apiVersion = str(value.apiVersion) ?? listKind?.apiVersion;
    const meta = isRecord(value.metadata) ? value.metadata : undefined;
    if (kind !== undefined && isList(kind, value, meta)) {
      const items = Array.isArray(value.items) ? value.items : [];
      const plain = kind === 'List';
      const itemKind = plain ? undefined : kind.slice(0, -'List'.length);
      const itemApiVersion = plain ? undefined : str(value.apiVersion);
      items.forEach((item, i) => add(item, `${source}/items/${i}`, { kind: itemKind ?? '', apiVersion: itemApiVersion, plain }));
      return;
    }
    if (kind === undefined && listKind !== undefined) {
      if (!listKind.plain && listKind.kind !== '') kind = listKind.kind;
      else {
        const guess = inferKind(value, apiVersion);
        if (guess === undefined) {
          warnings.push({ code: 'invalid-object', source, message: 'List item without kind (and its shape names none); skipped. Add "kind:" to it' });
          return;
        }
        warnings.push({ code: 'kind-inferred', source, message: `List item without kind; taken as ${guess} from its apiVersion and shape` });
        kind = guess;
      }
    }
    const name = meta === undefined ? undefined : str(meta.name);
    if (kind === undefined || name === undefined || name === '') {
      const what = kind === undefined ? 'no kind' : 'no metadata.name';
      warnings.push({ code: 'invalid-object', source, message: `${kind ?? 'object'} with ${what}; skipped` });
      return;
    }
    const groups = KNOWN_GROUPS[kind];
    const handled = groups !== undefined && (apiVersion === undefined || groups.includes(apiGroup(apiVersion)));
    const entryKind = groups !== undefined && !handled ? `${kind} (${apiVersion})` : kind;
    const rawNs = str(meta?.namespace);
    const namespace = handled ? (CLUSTER_SCOPED.has(kind) ? '' : rawNs || 'default') : (rawNs ?? '');
    const key = `${entryKind}/${namespace}/${name}`;
    const previous = entries.get(key);
    if (previous !== undefined) {
      warnings.push({
        code: 'duplicate-object',
        source,
        message: `${entryKind} ${qualified(namespace, name)} appears twice (${previous.source} and ${source}); the last one read is used`,
      });
      entries.delete(key);
    }
    const raw = apiVersion !== undefined && value.apiVersion === undefined ? { apiVersion, kind, ...value } : value.kind === undefined ? { kind, ...value } : value;
    entries.set(key, { kind: entryKind, handled, namespace, name, raw, meta: meta ?? {}, source });
  };

  for (const doc of docs) {
    const file = doc.file ?? doc.source;
    if (!seenSources.has(file)) {
      seenSources.add(file);
      sources.push(file);
    }
    if (doc.object === null || doc.object === undefined) continue;
    add(doc.object, doc.source);
  }

  // Decode what tighten uses; count the rest.
  const namespaces: Namespace[] = [];
  const pods: { pod: Omit<Pod, 'owner'>; entry: Entry }[] = [];
  const services: Service[] = [];
  const policies: PolicyObject[] = [];
  const ignoredKinds: Record<string, number> = {};
  let ciliumConfig: { data: Record<string, string>; entry: Entry } | undefined;
  /** Every object by `namespace/kind/name`, for owner lookups (unknown kinds included: they can be owners). */
  const byRef = new Map<string, Entry>();

  for (const entry of entries.values()) {
    byRef.set(`${entry.namespace}/${entry.kind}/${entry.name}`, entry);
    if (!entry.handled) {
      count(ignoredKinds, entry.kind);
      continue;
    }
    switch (entry.kind) {
      case 'Namespace':
        namespaces.push({ name: entry.name, labels: stringMap(entry.meta.labels), annotations: stringMap(entry.meta.annotations) });
        break;
      case 'Pod':
        pods.push({ pod: decodePod(entry), entry });
        break;
      case 'Service':
        services.push(decodeService(entry));
        break;
      case 'ConfigMap':
        if (entry.name !== 'cilium-config') {
          count(ignoredKinds, 'ConfigMap');
          break;
        }
        if (ciliumConfig !== undefined) {
          warnings.push({
            code: 'duplicate-object',
            source: entry.source,
            message: `two cilium-config ConfigMaps (${ciliumConfig.entry.source} in ${ciliumConfig.entry.namespace} and ${entry.source} in ${entry.namespace}); the last one read is used`,
          });
        }
        ciliumConfig = { data: stringMap(entry.raw.data), entry };
        break;
      default:
        if (POLICY_KINDS.has(entry.kind)) {
          policies.push(
            compact({
              kind: entry.kind as PolicyObject['kind'],
              namespace: entry.kind === 'CiliumClusterwideNetworkPolicy' ? undefined : entry.namespace,
              name: entry.name,
              object: entry.raw,
              source: entry.source,
            }),
          );
        }
      // Controllers are read below, from byRef.
    }
  }

  // Ownership: resolve pods and controllers to their top owner, collecting evidence for inferred ones.
  const missing = new Map<string, { kind: string; name: string; namespace: string; note: string; dependents: Set<string>; source: string }>();
  const resolve = (start: Entry, podLabels: Labels | undefined): WorkloadRef => {
    const r = resolveTop(start, podLabels, byRef);
    if (r.missing !== undefined) {
      const { kind, name, note, dependent } = r.missing;
      const key = `${start.namespace}/${kind}/${name}`;
      const m = missing.get(key) ?? { kind, name, note, namespace: start.namespace, dependents: new Set<string>(), source: dependent.source };
      // Name what points at the missing owner directly: the Job, not the Job's pods.
      m.dependents.add(`${dependent.kind === 'Pod' ? 'pod' : dependent.kind} ${dependent.name}`);
      missing.set(key, m);
    }
    return r.top;
  };
  const tops = new Map<string, { ref: WorkloadRef; templates: PodFacts[]; pods: PodFacts[] }>();
  const evidence = (ref: WorkloadRef) => {
    const key = refKey(ref);
    let t = tops.get(key);
    if (t === undefined) tops.set(key, (t = { ref, templates: [], pods: [] }));
    return t;
  };
  for (const entry of [...byRef.values()].filter((e) => e.handled && CONTROLLER_KINDS.has(e.kind)).sort(byEntry)) {
    const top = resolve(entry, undefined);
    const facts = templateFacts(entry);
    const t = evidence(top);
    if (facts !== undefined && !(top.kind === entry.kind && top.name === entry.name)) t.templates.push(facts);
  }
  const resolvedPods: Pod[] = [];
  for (const { pod, entry } of pods.sort((a, b) => byEntry(a.entry, b.entry))) {
    const owner = resolve(entry, pod.labels);
    resolvedPods.push({ ...pod, owner });
    evidence(owner).pods.push({
      labels: pod.labels,
      serviceAccountName: pod.serviceAccountName,
      containerPorts: pod.containerPorts,
      hostNetwork: pod.hostNetwork,
      creationTimestamp: str(entry.meta.creationTimestamp) ?? '',
      name: pod.name,
    });
  }

  for (const m of [...missing.values()].sort((a, b) => cmp(`${a.namespace}/${a.kind}/${a.name}`, `${b.namespace}/${b.kind}/${b.name}`))) {
    const dependents = [...m.dependents];
    const shown = dependents.slice(0, 3).join(', ');
    const more = dependents.length > 3 ? ` and ${dependents.length - 3} more` : '';
    warnings.push({
      code: 'owner-missing',
      source: m.source,
      message: `${m.kind} ${qualified(m.namespace, m.name)} is not in the dump (owner of ${shown}${more}); ${m.note}. Include ${m.kind}s in the dump for exact ownership`,
    });
  }

  const ciliumAgent = findCiliumAgent(byRef);

  const workloads: Workload[] = [];
  for (const { ref, templates, pods: podFacts } of tops.values()) {
    const entry = byRef.get(`${ref.namespace}/${ref.kind}/${ref.name}`) ?? byRef.get(`/${ref.kind}/${ref.name}`);
    workloads.push(buildWorkload(ref, entry, templates.length > 0 ? templates : podFacts));
  }

  return compact({
    namespaces: namespaces.sort((a, b) => cmp(a.name, b.name)),
    pods: resolvedPods,
    workloads: workloads.sort((a, b) => cmp(refKey(a), refKey(b))),
    services: services.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name)),
    policies: policies.sort((a, b) => cmp(a.namespace ?? '', b.namespace ?? '') || cmp(a.kind, b.kind) || cmp(a.name, b.name)),
    ciliumConfig: ciliumConfig?.data,
    ciliumAgent,
    ignoredKinds: Object.fromEntries(Object.entries(ignoredKinds).sort(([a], [b]) => cmp(a, b))),
    warnings,
    sources,
  });
}

// ---- the Cilium agent --------------------------------------------------------------------------------

/**
 * The agent of the DaemonSet named `cilium` (kube-system first, then any namespace in name order): the image
 * of its `cilium-agent` container, else of a container whose image is `…/cilium/cilium`. Undefined when
 * there is no such DaemonSet or its image carries no version tag (a bare digest, `latest`).
 */
function findCiliumAgent(byRef: ReadonlyMap<string, Entry>): CiliumAgent | undefined {
  const candidates = [...byRef.values()]
    .filter((e) => e.handled && e.kind === 'DaemonSet' && e.name === 'cilium')
    .sort((a, b) => Number(b.namespace === 'kube-system') - Number(a.namespace === 'kube-system') || cmp(a.namespace, b.namespace));
  for (const entry of candidates) {
    const containers = arr(rec(rec(rec(entry.raw.spec).template).spec).containers).filter(isRecord);
    const agent = containers.find((c) => c.name === 'cilium-agent') ?? containers.find((c) => /(^|\/)cilium\/cilium(:|@|$)/.test(str(c.image) ?? ''));
    const image = str(agent?.image);
    const version = image === undefined ? undefined : ciliumVersionOfImage(image);
    if (image !== undefined && version !== undefined) return { version, image, daemonSet: `${entry.namespace}/${entry.name}` };
  }
  return undefined;
}

/**
 * `major.minor` of an image reference's tag: `quay.io/cilium/cilium:v1.16.3@sha256:…` → `1.16`,
 * `registry:5000/cilium/cilium:1.17.0-rc.1` → `1.17`. Undefined without a tag or with one that is not a version.
 */
export function ciliumVersionOfImage(image: string): string | undefined {
  const name = image.split('@')[0] ?? '';
  const colon = name.lastIndexOf(':');
  if (colon < 0 || colon < name.lastIndexOf('/')) return undefined; // no tag; a colon before the last slash is a registry port
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(name.slice(colon + 1));
  return m ? `${m[1]}.${m[2]}` : undefined;
}

// ---- ownership ---------------------------------------------------------------------------------------

function resolveTop(start: Entry, podLabels: Labels | undefined, byRef: ReadonlyMap<string, Entry>): Resolution {
  const ns = start.namespace;
  let cur = start;
  const seen = new Set<Entry>([start]);
  while (CLIMBING_KINDS.has(cur.kind)) {
    const ref = controllerRef(ownerReferences(cur.meta));
    // A static pod's mirror is "owned" by its Node: that is no workload, the pod stands alone.
    if (ref === undefined || (ref.kind === 'Node' && cur.kind === 'Pod')) break;
    const owner = byRef.get(`${ns}/${ref.kind}/${ref.name}`) ?? byRef.get(`/${ref.kind}/${ref.name}`);
    if (owner !== undefined) {
      if (seen.has(owner)) break; // an ownership cycle: stop where we are
      seen.add(owner);
      cur = owner;
      continue;
    }
    const builtIn = CONTROLLER_KINDS.has(ref.kind);
    if (ref.kind === 'ReplicaSet' && cur === start && podLabels !== undefined) {
      // A Deployment names its ReplicaSets `<deployment>-<pod-template-hash>` and labels their pods with the hash.
      const hash = podLabels['pod-template-hash'];
      if (hash !== undefined && hash !== '' && ref.name.endsWith(`-${hash}`) && ref.name.length > hash.length + 1) {
        const deployment = ref.name.slice(0, -(hash.length + 1));
        const top = { namespace: ns, kind: 'Deployment', name: deployment };
        const dep = byRef.get(`${ns}/Deployment/${deployment}`);
        if (dep !== undefined) return { top };
        const note = `inferred Deployment ${deployment} (not in the dump either) from its name and the pod-template-hash label`;
        return { top, missing: { kind: 'ReplicaSet', name: ref.name, note, dependent: cur } };
      }
    }
    const top = { namespace: ns, kind: ref.kind, name: ref.name };
    if (!builtIn) return { top };
    const note = `took ${ref.kind} ${ref.name} as the top owner${ref.kind === 'ReplicaSet' || ref.kind === 'Job' ? ', though it may itself have an owner' : ''}`;
    return { top, missing: { kind: ref.kind, name: ref.name, note, dependent: cur } };
  }
  return { top: { namespace: ns, kind: cur.kind, name: cur.name } };
}

/** The controller reference (`controller: true`), else the first one; undefined when there is none. */
function controllerRef(refs: readonly OwnerReference[]): OwnerReference | undefined {
  return refs.find((r) => r.controller === true) ?? refs[0];
}

function buildWorkload(ref: WorkloadRef, entry: Entry | undefined, evidence: readonly PodFacts[]): Workload {
  const latest = [...evidence].sort((a, b) => cmp(b.creationTimestamp, a.creationTimestamp) || cmp(a.name, b.name))[0];
  const inferredLabels = intersectLabels(evidence.map((e) => e.labels));
  if (entry === undefined) {
    return compact({
      ...ref,
      labels: {},
      podLabels: inferredLabels,
      serviceAccountName: latest?.serviceAccountName,
      containerPorts: latest?.containerPorts ?? [],
      hostNetwork: latest?.hostNetwork ?? false,
      annotations: {},
      inferred: true,
    });
  }
  const spec = rec(entry.raw.spec);
  const common = {
    ...ref,
    labels: stringMap(entry.meta.labels),
    annotations: stringMap(entry.meta.annotations),
    creationTimestamp: str(entry.meta.creationTimestamp),
  };
  if (entry.kind === 'Pod') {
    const p = podSpecFacts(spec);
    return compact({ ...common, podLabels: common.labels, ...p });
  }
  const facts = templateFacts(entry);
  const cron = entry.kind === 'CronJob';
  return compact({
    ...common,
    podLabels: facts?.labels ?? inferredLabels,
    selector: cron ? undefined : decodeSelector(spec.selector),
    serviceAccountName: facts?.serviceAccountName ?? latest?.serviceAccountName,
    containerPorts: facts?.containerPorts ?? latest?.containerPorts ?? [],
    hostNetwork: facts?.hostNetwork ?? latest?.hostNetwork ?? false,
    schedule: cron ? str(spec.schedule) : undefined,
    suspend: cron ? spec.suspend === true : undefined,
    timeZone: cron ? str(spec.timeZone) : undefined,
  });
}

/** Facts of an object's pod template (`spec.template`; a CronJob's `spec.jobTemplate.spec.template`). */
function templateFacts(entry: Entry): PodFacts | undefined {
  const spec = rec(entry.raw.spec);
  const template = entry.kind === 'CronJob' ? rec(rec(spec.jobTemplate).spec).template : spec.template;
  if (!isRecord(template)) return undefined;
  return {
    labels: stringMap(rec(template.metadata).labels),
    ...podSpecFacts(rec(template.spec)),
    creationTimestamp: str(entry.meta.creationTimestamp) ?? '',
    name: entry.name,
  };
}

function podSpecFacts(spec: Rec): { serviceAccountName: string; containerPorts: ContainerPort[]; hostNetwork: boolean } {
  return {
    serviceAccountName: str(spec.serviceAccountName) || str(spec.serviceAccount) || 'default',
    containerPorts: containerPorts(spec),
    hostNetwork: spec.hostNetwork === true,
  };
}

/** Labels every set shares with the same value, without volatile keys; empty when there is no set. */
function intersectLabels(sets: readonly Labels[]): Labels {
  const [first, ...rest] = sets;
  if (first === undefined) return {};
  const out: Record<string, string> = {};
  for (const key of Object.keys(first).sort()) {
    const value = first[key];
    if (value !== undefined && !isVolatileLabelKey(key) && rest.every((s) => s[key] === value)) out[key] = value;
  }
  return out;
}

// ---- kinds -------------------------------------------------------------------------------------------

function decodePod(entry: Entry): Omit<Pod, 'owner'> {
  const spec = rec(entry.raw.spec);
  const status = rec(entry.raw.status);
  const fromList = arr(status.podIPs)
    .map((p) => str(rec(p).ip))
    .filter((ip): ip is string => ip !== undefined && ip !== '');
  const podIP = str(status.podIP);
  const hostIP = str(status.hostIP);
  return compact({
    namespace: entry.namespace,
    name: entry.name,
    uid: str(entry.meta.uid),
    labels: stringMap(entry.meta.labels),
    annotations: stringMap(entry.meta.annotations),
    ownerReferences: ownerReferences(entry.meta),
    podIPs: fromList.length > 0 ? fromList : podIP ? [podIP] : [],
    hostIP: hostIP || undefined,
    hostNetwork: spec.hostNetwork === true,
    hasEphemeralContainers: arr(spec.ephemeralContainers).length > 0 || arr(status.ephemeralContainerStatuses).length > 0,
    serviceAccountName: str(spec.serviceAccountName) || str(spec.serviceAccount) || 'default',
    nodeName: str(spec.nodeName) || undefined,
    phase: str(status.phase),
    containerPorts: containerPorts(spec),
  });
}

function decodeService(entry: Entry): Service {
  const spec = rec(entry.raw.spec);
  const selector = stringMap(spec.selector);
  const clusterIP = str(spec.clusterIP);
  const listed = arr(spec.clusterIPs).map(str).filter((ip): ip is string => ip !== undefined);
  const ips = (listed.length > 0 ? listed : clusterIP !== undefined ? [clusterIP] : []).filter((ip) => ip !== '' && ip !== 'None');
  const ports: ServicePort[] = [];
  for (const p of arr(spec.ports).filter(isRecord)) {
    const port = portNumber(p.port);
    if (port === undefined) continue;
    const target = p.targetPort;
    const targetPort = typeof target === 'string' && /^\d+$/.test(target) ? Number(target) : typeof target === 'number' || typeof target === 'string' ? target : port;
    ports.push(compact({ name: str(p.name) || undefined, port, targetPort, protocol: str(p.protocol) ?? 'TCP' }));
  }
  const type = str(spec.type) ?? 'ClusterIP';
  return compact({
    namespace: entry.namespace,
    name: entry.name,
    labels: stringMap(entry.meta.labels),
    selector: Object.keys(selector).length > 0 ? selector : undefined,
    ports,
    clusterIPs: ips,
    type,
    headless: clusterIP === 'None' || listed[0] === 'None' ? true : undefined,
    externalName: type === 'ExternalName' ? str(spec.externalName) : undefined,
  });
}

function containerPorts(spec: Rec): ContainerPort[] {
  const sidecars = arr(spec.initContainers).filter((c) => isRecord(c) && c.restartPolicy === 'Always');
  const out: ContainerPort[] = [];
  for (const c of [...arr(spec.containers), ...sidecars]) {
    for (const p of arr(rec(c).ports).filter(isRecord)) {
      const containerPort = portNumber(p.containerPort);
      if (containerPort === undefined) continue;
      out.push(compact({ name: str(p.name) || undefined, containerPort, protocol: str(p.protocol) ?? 'TCP' }));
    }
  }
  return out;
}

function ownerReferences(meta: Rec): OwnerReference[] {
  const out: OwnerReference[] = [];
  for (const r of arr(meta.ownerReferences).filter(isRecord)) {
    const kind = str(r.kind);
    const name = str(r.name);
    if (!kind || !name) continue;
    out.push(compact({ kind, name, uid: str(r.uid), controller: typeof r.controller === 'boolean' ? r.controller : undefined }));
  }
  return out;
}

function decodeSelector(value: unknown): LabelSelector | undefined {
  if (!isRecord(value)) return undefined;
  if (!('matchLabels' in value) && !('matchExpressions' in value)) {
    // A ReplicationController's selector is a plain label map.
    const labels = stringMap(value);
    return Object.keys(labels).length > 0 ? { matchLabels: labels } : undefined;
  }
  const matchLabels = stringMap(value.matchLabels);
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const e of arr(value.matchExpressions).filter(isRecord)) {
    const key = str(e.key);
    const operator = str(e.operator);
    if (key === undefined || operator === undefined) continue;
    const values = arr(e.values).map(scalar).filter((v): v is string => v !== undefined);
    matchExpressions.push(compact({ key, operator, values: values.length > 0 ? values : undefined }));
  }
  return compact({
    matchLabels: Object.keys(matchLabels).length > 0 ? matchLabels : undefined,
    matchExpressions: matchExpressions.length > 0 ? matchExpressions : undefined,
  });
}

/**
 * The kind of a plain `List` item that has none, from its apiVersion and the fields the API server
 * always writes; undefined when the shape is not conclusive.
 */
function inferKind(value: Rec, apiVersion: string | undefined): string | undefined {
  const spec = isRecord(value.spec) ? value.spec : undefined;
  const meta = rec(value.metadata);
  const group = apiVersion === undefined ? undefined : apiGroup(apiVersion);
  if (group === 'cilium.io' && spec !== undefined) return meta.namespace === undefined ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy';
  if (group === 'cilium.io' && Array.isArray(value.specs)) return meta.namespace === undefined ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy';
  if (spec === undefined) return undefined;
  if (group === 'networking.k8s.io' && 'podSelector' in spec) return 'NetworkPolicy';
  if (group === 'batch') return 'jobTemplate' in spec ? 'CronJob' : 'template' in spec ? 'Job' : undefined;
  if (group === 'apps' && 'template' in spec) {
    if ('serviceName' in spec || 'volumeClaimTemplates' in spec || 'podManagementPolicy' in spec) return 'StatefulSet';
    if ('strategy' in spec) return 'Deployment';
    if ('updateStrategy' in spec) return 'DaemonSet';
    return 'ReplicaSet';
  }
  if (group === '') {
    if (Array.isArray(spec.containers)) return 'Pod';
    if ('ports' in spec || 'clusterIP' in spec || 'type' in spec) return 'Service';
    if ('template' in spec && 'replicas' in spec) return 'ReplicationController';
  }
  return undefined;
}

// ---- small helpers -----------------------------------------------------------------------------------

function isList(kind: string, value: Rec, meta: Rec | undefined): boolean {
  if (kind !== 'List' && !kind.endsWith('List')) return false;
  if (meta !== undefined && str(meta.name) !== undefined) return false;
  return Array.isArray(value.items) || value.items === undefined || value.items === null;
}

function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function isRecord(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rec(value: unknown): Rec {
  return isRecord(value) ? value : {};
}

function arr(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A label or annotation value: strings as they are; numbers and booleans (hand-written YAML) as text. */
function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(value)) return out;
  for (const key of Object.keys(value).sort()) {
    const v = scalar(value[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function portNumber(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 65535 ? n : undefined;
}

function count(counts: Record<string, number>, kind: string): void {
  counts[kind] = (counts[kind] ?? 0) + 1;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function qualified(namespace: string, name: string): string {
  return namespace === '' ? name : `${namespace}/${name}`;
}

function refKey(ref: WorkloadRef): string {
  return `${ref.namespace}/${ref.kind}/${ref.name}`;
}

function byEntry(a: Entry, b: Entry): number {
  return cmp(a.namespace, b.namespace) || cmp(a.name, b.name) || cmp(a.kind, b.kind);
}

/** Code-point order: the same everywhere, unlike `localeCompare`. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Drops keys whose value is undefined, so snapshots serialise and compare cleanly. */
function compact<T extends object>(o: T): T {
  for (const key of Object.keys(o) as (keyof T)[]) if (o[key] === undefined) delete o[key];
  return o;
}
