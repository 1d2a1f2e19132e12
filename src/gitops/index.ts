/**
 * @module gitops — the GitOps repository: its layout and kustomizations, the state file (stages, history, hashes of
 * generated files), evidence files, and the plan and atomic application of `recommend`'s writes. The only writer of
 * policy files, and the only public surface of `src/gitops`.
 */
export { GitopsLockError, GitopsStateError } from './errors.js';
export {
  STATE_FILE,
  STATE_VERSION,
  STAGES,
  DIRECTIONS,
  EMPTY_STATE,
  decodeState,
  migrateState,
  renderState,
  hashText,
  isRfc3339,
  isSafeRelativePath,
  type AcceptanceRecord,
  type Direction,
  type NamespaceState,
  type RepoState,
  type Stage,
  type StageChange,
} from './state.js';
export { LOCK_FILE, withStateLock, parseLockHolder, isProcessAlive, type LockHolder, type StateLockOptions } from './lock.js';
export { ROOT_KUSTOMIZATION, KUSTOMIZATION, EVIDENCE_FILE, PLATFORM_DIR, NAMESPACES_DIR, namespaceDir, policyFileName, baselineFile, renderKustomization, renderRootKustomization, appliedStages } from './layout.js';
export { atStage, workloadStage } from './stage.js';
export { renderEvidence, noteNamespaces, type EvidenceInput } from './evidence.js';
export { planRepository, POLICY_FORMATS, type FileAction, type FileActionKind, type PlanOptions, type PolicyFormat, type RepoPlan, type RepoSnapshot } from './plan.js';
export { readRepository, applyPlan, writeFileAtomic, type RepositoryContents } from './repository.js';
export { writeRecommendation, type WriteRecommendationOptions, type WrittenRecommendation } from './recommend.js';
export { planTransitions, appliedNamespaces, repositoryFormat, type NamespaceMove, type TransitionPlan } from './transition.js';
export { runGit, isGitWorkTree, gitIdentity, commitPaths } from './git.js';
export { appliedPolicies } from './applied.js';
