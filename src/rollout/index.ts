/**
 * @module rollout — stages and transitions, risk ranking, gates and the rollout plan (PRODUCT.md §6). Pure
 * core: evidence in, results out, `now` passed in. The only public surface of `src/rollout`.
 */
export { STAGES, DIRECTIONS, DIRECTION_CHOICES, stageRank, nextStage, previousStage, positionAt, positionOf, stageOf, enforcedAhead, describePosition, checkPosition, promotion, rollback, isRollback, type Stage, type Direction, type DirectionChoice, type Position, type Move, type Transition } from './stages.js';
export { CRITICALITY_LEVELS, DEFAULT_GATES, DEFAULT_ROLLOUT_CONFIG, rolloutConfig, parseCriticality, criticalityOf, isCritical, type Criticality, type GatesConfig, type CriticalityConfig, type RolloutConfig } from './config.js';
export { gateEvidence, estimatePolicyMapEntries, peerKey, wouldDropKey, type GateEvidence, type EvidenceSources, type WouldDrop, type Acceptance, type RolloutState, type PreflightSummary, type PolicyValidation } from './evidence.js';
export { GATE_CHECKS, checkGate, decidePromotion, findAcceptance, type GateCheck, type GateCheckName, type GateResult, type PromotionDecision } from './gates.js';
export { RISK_FACTORS, RISK_WEIGHTS, rankNamespaces, riskFactors, explainRisk, type RankedNamespace, type RiskFactor, type RiskFactorName } from './risk.js';
export { historyEntry, type HistoryEntry } from './history.js';
export { planRollout, nextStep, describeStep, type Plan, type PlanStep, type Wave, type TeamSteps } from './plan.js';
export { PREFLIGHT_STATUSES, DUMP_CILIUM_CONFIG, checkPreflight, summarizePreflight, type PreflightCheck, type PreflightOptions, type PreflightResult, type PreflightStatus, type VersionSource } from './preflight.js';
