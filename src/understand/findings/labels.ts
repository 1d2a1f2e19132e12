/**
 * @module understand/findings/labels — label hygiene: workloads without a stable label, selectors that
 * also select another workload's pods, and selector labels Cilium leaves out of identities (pure).
 */
import type { ClusterSnapshot, Labels, WorkloadRef } from '../../cluster/index.js';
import type { TightenConfig } from '../../config/index.js';
import type { Finding, Inventory } from '../../inventory/index.js';
import type { WorkloadClassification } from '../classify.js';
import { formatWorkload, listSome, workloadKeyOf } from '../facts.js';
import { compileIdentityLabelFilter, type IdentityLabelFilter } from '../identity-labels.js';
import { chooseSelector, type LabelledWorkload, type SelectorChoice } from '../selector.js';

/** Where a workload's pod labels are written in its manifest. */
export function podLabelsPath(kind: string): string {
  switch (kind) {
    case 'CronJob':
      return 'spec.jobTemplate.spec.template.metadata.labels';
    case 'Pod':
      return 'metadata.labels';
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
      return 'spec.template.metadata.labels';
    default:
      return "its pod template's labels";
  }
}

/** `app=web,track=stable`. */
export function formatLabels(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** How the filter came about, for messages. */
function describeFilter(filter: IdentityLabelFilter): string {
  return filter.option !== undefined ? `the cilium-config labels option "${filter.option}"` : "Cilium's default label filter";
}

/** A `labels` entry that would keep a key: `k8s:app`, with dots escaped as the option's regexps need. */
function inclusionEntry(key: string): string {
  return `k8s:${key.replace(/[.]/g, '\\.')}`;
}

/**
 * Selectors of every workload except debug pods (they never get policy), with the findings about them.
 * Debug pods are not counted as neighbours either: `kubectl debug --copy-to` copies carry their original's labels.
 */
export function chooseSelectors(
  inventory: Inventory,
  cluster: ClusterSnapshot | undefined,
  classifications: readonly WorkloadClassification[],
  config: TightenConfig,
): { choices: SelectorChoice[]; filter: IdentityLabelFilter } {
  const filter = compileIdentityLabelFilter(cluster?.ciliumConfig);
  const classOf = new Map(classifications.map((c) => [workloadKeyOf(c.workload), c.class]));
  const eligible: LabelledWorkload[] = inventory.workloads.filter((w) => classOf.get(workloadKeyOf(w)) !== 'debug');
  const byNamespace = new Map<string, LabelledWorkload[]>();
  for (const w of eligible) {
    const list = byNamespace.get(w.namespace);
    if (list === undefined) byNamespace.set(w.namespace, [w]);
    else list.push(w);
  }
  const choices = eligible.map((w) => chooseSelector(w, byNamespace.get(w.namespace) ?? [], config, filter));
  return { choices, filter };
}

/** Label-hygiene findings: `label-no-stable-label`, `label-ambiguous-selector`, `label-not-identity-relevant`. */
export function findLabelIssues(
  inventory: Inventory,
  cluster: ClusterSnapshot | undefined,
  classifications: readonly WorkloadClassification[],
  config: TightenConfig,
): Finding[] {
  const { choices, filter } = chooseSelectors(inventory, cluster, classifications, config);
  const labelsOf = new Map(inventory.workloads.map((w) => [workloadKeyOf(w), w.labels]));
  const out: Finding[] = [];
  for (const problem of filter.problems) {
    out.push({
      code: 'label-not-identity-relevant',
      severity: 'warning',
      subject: { other: 'cilium-config' },
      message: `cilium-config labels: ${problem}. Fix the option so that identities keep the labels policies select on.`,
    });
  }
  for (const c of choices) {
    const w = c.workload;
    const subject = { namespace: w.namespace, kind: w.kind, name: w.name };
    const name = formatWorkload(w);
    const where = podLabelsPath(w.kind);
    if (c.preferredKey === undefined) {
      const all = Object.keys(labelsOf.get(workloadKeyOf(w)) ?? {});
      out.push({
        code: 'label-no-stable-label',
        severity: 'error',
        subject,
        message: `${name} has no stable label: its pods carry ${all.length === 0 ? 'no labels at all' : `only volatile labels (${listSome(all)}), which change with every rollout or run`}. Add a label such as app.kubernetes.io/name=${w.name} to ${where}; until then no policy can select exactly its pods.`,
      });
      continue;
    }
    if (c.notIdentityRelevant.includes(c.preferredKey)) out.push(notRelevantFinding(c, name, filter));
    if (c.alsoSelects.length > 0) out.push(ambiguousFinding(c, name, where));
    else if (c.added.length > 0) out.push(separatedFinding(c, name));
  }
  return out;
}

function notRelevantFinding(c: SelectorChoice, name: string, filter: IdentityLabelFilter): Finding {
  const w = c.workload;
  const key = c.preferredKey!;
  const label = `${key}=${c.stable[key]}`;
  const fix = `add "${inclusionEntry(key)}" to the labels option of cilium-config (and restart the agents and the pods)`;
  const base = `the selector label ${label} of ${name} is not identity-relevant under ${describeFilter(filter)}: Cilium leaves it out of the pods' identity, so a policy selecting on it silently matches nothing.`;
  const hasFallback = Object.keys(c.labels).length > 0;
  return {
    code: 'label-not-identity-relevant',
    severity: hasFallback ? 'warning' : 'error',
    subject: { namespace: w.namespace, kind: w.kind, name: w.name },
    message: hasFallback
      ? `${capitalise(base)} tighten selects on ${formatLabels(c.labels)} instead; to select on ${key}, ${fix}.`
      : `${capitalise(base)} None of its stable labels (${listSome(c.notIdentityRelevant)}) is kept: ${fix}, or label the pods with a key Cilium keeps (app.kubernetes.io/name always is).`,
  };
}

function ambiguousFinding(c: SelectorChoice, name: string, where: string): Finding {
  const w = c.workload;
  const others = listSome(c.alsoSelects.map(formatWorkload));
  const expressions = c.absentKeys.length > 0;
  const hint = expressions
    ? ` The others carry ${listSome(c.absentKeys)} and ${w.name} does not, so a matchExpressions entry {key: ${c.absentKeys[0]}, operator: DoesNotExist} would tell them apart; a label of its own is clearer.`
    : '';
  return {
    code: 'label-ambiguous-selector',
    severity: expressions ? 'warning' : 'error',
    subject: { namespace: w.namespace, kind: w.kind, name: w.name },
    message: `The selector ${formatLabels(c.labels)} of ${name} also selects the pods of ${others}: no stable label tells them apart, so a policy for one would apply to the other too. Give each a distinguishing label (e.g. app.kubernetes.io/instance=${w.name}) in ${where}.${hint}`,
  };
}

function separatedFinding(c: SelectorChoice, name: string): Finding {
  const w = c.workload;
  const first = Object.keys(c.labels)[0]!;
  const separated: WorkloadRef[] = c.added.flatMap((a) => a.separates);
  const by = c.added.map((a) => `${a.key}=${c.labels[a.key]}`).join(' and ');
  return {
    code: 'label-ambiguous-selector',
    severity: 'info',
    subject: { namespace: w.namespace, kind: w.kind, name: w.name },
    message: `${first}=${c.labels[first]} alone would also select ${listSome(separated.map(formatWorkload))}; ${by} tells ${name} apart, so its selector is ${formatLabels(c.labels)}. Nothing to do, as long as ${c.added.map((a) => a.key).join(' and ')} stays on its pods.`,
  };
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
