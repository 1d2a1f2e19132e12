/**
 * @module rollout/test-support — hand-made evidence for the rollout's tests. Not part of the public surface.
 */
import type { GateEvidence } from '../evidence.js';

/** Evidence of a namespace that passes every gate; override what a test is about. */
export function passingEvidence(namespace: string, over: Partial<GateEvidence> = {}): GateEvidence {
  return {
    namespace,
    position: { ingress: 'audit', egress: 'audit' },
    criticality: 'normal',
    criticalitySource: 'default',
    preflight: { pass: true, failures: [] },
    workloadsWithoutPolicy: [],
    hygiene: [],
    observedHours: 10 * 24,
    windowHours: 10 * 24,
    activeHours: 10 * 24,
    cronJobsNotSeen: [],
    wouldDrops: [],
    acceptances: [],
    validation: { valid: true, problems: [] },
    policyMapEntries: { 'Deployment/api': 20 },
    dependents: [],
    worldIngressFlows: 0,
    flows: 100,
    ...over,
  };
}
