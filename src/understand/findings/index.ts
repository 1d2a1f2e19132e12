/**
 * @module understand/findings — every understanding finding (label hygiene, namespace boundaries,
 * coverage, ownership), sorted deterministically (pure; `now` is a value).
 */
import type { ClusterSnapshot } from '../../cluster/index.js';
import type { TightenConfig } from '../../config/index.js';
import { SEVERITIES, type Finding, type FindingSubject, type Inventory } from '../../inventory/index.js';
import type { WorkloadClassification } from '../classify.js';
import { compareStrings } from '../facts.js';
import { findBoundaryIssues } from './boundaries.js';
import { findCoverageIssues } from './coverage.js';
import { findLabelIssues } from './labels.js';
import { findOwnershipIssues } from './ownership.js';

export { findBoundaryIssues } from './boundaries.js';
export { CRON_GRACE_MS, findCoverageIssues } from './coverage.js';
export { chooseSelectors, findLabelIssues, formatLabels, podLabelsPath } from './labels.js';
export { findOwnershipIssues, teamsByNamespace } from './ownership.js';

/**
 * All findings about the inventory, the dump and the classification.
 * @param now the reference time (RFC 3339), the end of the coverage window; without it no CronJob run can be due
 */
export function findIssues(
  inventory: Inventory,
  cluster: ClusterSnapshot | undefined,
  classifications: readonly WorkloadClassification[],
  config: TightenConfig,
  now: string | undefined,
): Finding[] {
  return sortFindings([
    ...findLabelIssues(inventory, cluster, classifications, config),
    ...findBoundaryIssues(inventory, classifications, config),
    ...findCoverageIssues(inventory, cluster, classifications, now),
    ...findOwnershipIssues(inventory, cluster, classifications, config),
  ]);
}

/** `ns/Kind/name`, `ns`, or the other subject's words: the order findings of one code are listed in. */
export function subjectKey(s: FindingSubject): string {
  if ('other' in s) return `~${s.other}`;
  if ('kind' in s) return `${s.namespace}/${s.kind}/${s.name}`;
  return s.namespace;
}

/** Severity (error first), then code, then subject, then message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) ||
    compareStrings(a.code, b.code) ||
    compareStrings(subjectKey(a.subject), subjectKey(b.subject)) ||
    compareStrings(a.message, b.message)
  );
}

/** A sorted copy. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}
