/**
 * @module understand/classify — what each workload is, for policy purposes: a shared platform service
 * (with its role), a batch job, a debugging pod, or an application (PRODUCT.md §1 "understand", §4, §5).
 * Pure: inventory, cluster dump and configuration in, classifications with their evidence out.
 *
 * Precedence: a `tighten.yaml` `classify` entry wins over detection. Detection then tries, in order:
 * batch (kind Job or CronJob), debug (a bare pod, `kubectl run` / `kubectl debug` marks, debugging-tool
 * names), platform (well-known names first, then traffic shape), and otherwise application.
 */
import type { ClusterSnapshot, Pod, WorkloadRef } from '../cluster/index.js';
import type { TightenConfig } from '../config/index.js';
import type { Inventory, PlatformRole, WorkloadClass } from '../inventory/index.js';
import { compareStrings, indexTraffic, indexWorkloadFacts, type TrafficIndex, type WorkloadFacts } from './facts.js';
import { describeMatcher, findOverride } from './overrides.js';
import { detectPlatform } from './platform.js';
import { DEBUG_NAME_WORDS, matchName } from './well-known.js';

/** What a workload is, and why tighten thinks so. */
export interface WorkloadClassification {
  readonly workload: WorkloadRef;
  readonly class: WorkloadClass;
  /** Which shared service a platform workload provides; only for class `platform`. */
  readonly role?: PlatformRole;
  /** Human sentences naming what decided it, most decisive first; never empty. */
  readonly evidence: readonly string[];
}

/**
 * Classifies every workload of the inventory, in (namespace, name, kind) order.
 * @param cluster the dump, when there is one: owners, bare and static pods, ephemeral containers, container ports
 */
export function classifyWorkloads(inventory: Inventory, cluster: ClusterSnapshot | undefined, config: TightenConfig): WorkloadClassification[] {
  const facts = indexWorkloadFacts(inventory, cluster);
  const traffic = indexTraffic(inventory);
  const out = [...facts.values()].map((f) => classifyOne(f, facts, traffic, config));
  return out.sort(
    (a, b) => compareStrings(a.workload.namespace, b.workload.namespace) || compareStrings(a.workload.name, b.workload.name) || compareStrings(a.workload.kind, b.workload.kind),
  );
}

function classifyOne(facts: WorkloadFacts, all: ReadonlyMap<string, WorkloadFacts>, traffic: TrafficIndex, config: TightenConfig): WorkloadClassification {
  const w = facts.workload;
  const ref: WorkloadRef = { namespace: w.namespace, kind: w.kind, name: w.name };
  const detected = detect(facts, all, traffic, config);
  const override = findOverride(w, config);
  if (override === undefined) return { workload: ref, ...detected };
  const evidence = [`config ${override.where} (${describeMatcher(override.matcher)})`];
  if (detected.class !== override.class || detected.role !== override.role) {
    evidence.push(`overrides detection, which said ${detected.class}${detected.role ? ` (${detected.role})` : ''}: ${detected.evidence[0]}`);
  }
  return { workload: ref, class: override.class, ...(override.role !== undefined ? { role: override.role } : {}), evidence };
}

type Detected = Omit<WorkloadClassification, 'workload'>;

function detect(facts: WorkloadFacts, all: ReadonlyMap<string, WorkloadFacts>, traffic: TrafficIndex, config: TightenConfig): Detected {
  const w = facts.workload;
  const notes = ephemeralNotes(facts);

  if (w.kind === 'CronJob' || w.kind === 'Job') {
    const schedule = facts.object?.schedule;
    return { class: 'batch', evidence: [`kind ${w.kind}${schedule !== undefined ? ` (schedule "${schedule}")` : ''}`, ...notes] };
  }

  const debug = debugSignals(facts);
  if (debug.length > 0) return { class: 'debug', evidence: debug };

  const platform = detectPlatform(facts, all, traffic, config);
  const staticPod = isStaticPodWorkload(facts) ? [`static pod: its node owns it, no controller`] : [];
  if (platform !== undefined) return { class: 'platform', role: platform.role, evidence: [...platform.evidence, ...staticPod, ...notes] };

  return { class: 'application', evidence: [...staticPod, 'no platform, batch or debug signal', ...notes] };
}

/** Why a workload looks like a debugging pod; empty when nothing does. */
function debugSignals(facts: WorkloadFacts): string[] {
  const w = facts.workload;
  const out: string[] = [];
  if (w.kind === 'Pod' && !isStaticPodWorkload(facts)) {
    const debugged = facts.pods.find((p) => p.owner.kind !== 'Pod' && p.hasEphemeralContainers);
    if (debugged !== undefined) {
      out.push(`pod of ${debugged.owner.kind} ${debugged.owner.name} with ephemeral containers (kubectl debug): its traffic is kept apart from its controller's`);
    } else {
      out.push('kind Pod: a bare pod that no controller owns');
      if (facts.pods.some((p) => p.hasEphemeralContainers)) out.push('has ephemeral containers (kubectl debug)');
    }
  }
  if (w.labels.run !== undefined && w.labels.run === w.name) out.push(`label run=${w.labels.run}, as kubectl run sets it`);
  const word = matchName(w.name, DEBUG_NAME_WORDS);
  if (word !== undefined) out.push(`name "${w.name}" looks like a debugging pod (${word})`);
  return out;
}

/** A static pod's mirror: owned by its Node (or marked by the kubelet); a kind-Pod workload, but not a debug pod. */
function isStaticPodWorkload(facts: WorkloadFacts): boolean {
  if (facts.workload.kind !== 'Pod') return false;
  return facts.pods.some(isStaticPod);
}

function isStaticPod(p: Pod): boolean {
  return p.ownerReferences.some((o) => o.kind === 'Node') || p.annotations['kubernetes.io/config.mirror'] !== undefined;
}

/** Ephemeral containers in an owned workload's pods: those pods are debug pods of their own, the workload is not. */
function ephemeralNotes(facts: WorkloadFacts): string[] {
  if (facts.workload.kind === 'Pod') return [];
  const pods = facts.pods.filter((p) => p.hasEphemeralContainers).map((p) => p.name);
  if (pods.length === 0) return [];
  return [`note: pod ${pods.join(', ')} has ephemeral containers (kubectl debug) and counts as a debug pod of its own`];
}
