/**
 * @module understand — what the inventory means: workload classes (platform, batch, debug, application),
 * selector choice and label hygiene, namespace boundaries, coverage and ownership. Pure core; the only
 * public surface of `src/understand`.
 */
export { classifyWorkloads, type WorkloadClassification } from './classify.js';
export { understand, type Understanding } from './understand.js';
export {
  CRON_GRACE_MS,
  chooseSelectors,
  compareFindings,
  findBoundaryIssues,
  findCoverageIssues,
  findIssues,
  findLabelIssues,
  findOwnershipIssues,
  formatLabels,
  podLabelsPath,
  sortFindings,
  subjectKey,
  teamsByNamespace,
} from './findings/index.js';
export { chooseSelector, type AddedKey, type LabelledWorkload, type SelectorChoice } from './selector.js';
export { compileIdentityLabelFilter, type IdentityLabelFilter } from './identity-labels.js';
export { cronTimesBetween, nextCronTime, parseCronSchedule, type CronParseResult, type CronSchedule } from './cron.js';
export { detectPlatform, metricsEndpoint, type PlatformDetection } from './platform.js';
export { findOverride, globMatch, matchesWorkload, matcherSpecificity, type Override } from './overrides.js';
export { PLATFORM_NAME_RULES, PLATFORM_NAMESPACE_HINTS, DEBUG_NAME_WORDS, type NameRule } from './well-known.js';
