/**
 * @module policy/cluster-options — the evaluator's options as the cluster sets them: `cilium-config`'s
 * `enable-non-default-deny-policies`, `enable-policy` (enforcement mode) and `cluster-name`, plus the
 * Cilium version the user gives. Pure; every command that evaluates policies reads them here.
 */
import type { ClusterSnapshot } from '../cluster/index.js';
import type { EvaluateOptions } from './evaluate/index.js';

export function evaluateOptionsOf(cluster: ClusterSnapshot | undefined, ciliumVersion: string | undefined): EvaluateOptions {
  const cfg = cluster?.ciliumConfig ?? {};
  const mode = cfg['enable-policy'];
  return {
    ...(ciliumVersion ? { ciliumVersion } : {}),
    ...(cfg['enable-non-default-deny-policies'] === 'false' ? { enableNonDefaultDenyPolicies: false } : {}),
    ...(mode === 'always' || mode === 'never' || mode === 'default' ? { policyEnforcementMode: mode } : {}),
    ...(cfg['cluster-name'] ? { clusterName: cfg['cluster-name'] } : {}),
  };
}
