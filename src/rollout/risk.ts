/**
 * @module rollout/risk — ranks namespaces, low risk first (PRODUCT.md §6). Each score is a sum of factor
 * contributions, every one with its value, weight and why, so `tighten plan` can say why a namespace comes
 * first. Pure and deterministic: equal scores are ordered by name.
 */
import { CRITICALITY_LEVELS, type RolloutConfig } from './config.js';
import type { GateEvidence } from './evidence.js';
import { findAcceptance } from './gates.js';

export const RISK_FACTORS = ['criticality', 'dependents', 'world-exposure', 'traffic', 'coverage', 'hygiene', 'would-drops'] as const;
export type RiskFactorName = (typeof RISK_FACTORS)[number];

/**
 * Weights: the most a factor adds to a score (each factor's normalised value is 0–1). Criticality dominates;
 * a namespace others depend on or the world reaches comes next.
 */
export const RISK_WEIGHTS: Readonly<Record<RiskFactorName, number>> = {
  criticality: 40,
  dependents: 20,
  'world-exposure': 15,
  'would-drops': 15,
  traffic: 10,
  coverage: 10,
  hygiene: 10,
};

export interface RiskFactor {
  readonly factor: RiskFactorName;
  /** The raw value (a count, flows, a share). */
  readonly value: number;
  readonly weight: number;
  /** `weight × normalised value`, rounded to 2 decimals. */
  readonly contribution: number;
  readonly why: string;
}

export interface RankedNamespace {
  readonly namespace: string;
  /** 1 for the lowest risk. */
  readonly rank: number;
  /** Sum of contributions, 0–100, rounded to 2 decimals. */
  readonly score: number;
  /** In {@link RISK_FACTORS} order. */
  readonly factors: readonly RiskFactor[];
}

const round = (n: number): number => Math.round(n * 100) / 100;
const clamp = (n: number): number => Math.min(1, Math.max(0, n));
/** Dependents at which the factor is full. */
const DEPENDENTS_FULL = 5;
/** Flows at which traffic is full: log10 scale, 1 flow ≈ 0, 1e6 flows = full. */
const TRAFFIC_FULL_LOG10 = 6;
const HYGIENE_FULL = 10;
const DROPS_FULL = 10;

function factor(f: RiskFactorName, value: number, normalised: number, why: string): RiskFactor {
  return { factor: f, value, weight: RISK_WEIGHTS[f], contribution: round(RISK_WEIGHTS[f] * clamp(normalised)), why };
}

/** The factors of one namespace's risk. `now` decides which acceptances of would-be drops are still in force. */
export function riskFactors(e: GateEvidence, now: Date): RiskFactor[] {
  const level = CRITICALITY_LEVELS.indexOf(e.criticality);
  const coverage = e.windowHours > 0 ? clamp(e.activeHours / e.windowHours) : 0;
  const errors = e.hygiene.filter((h) => h.severity === 'error').length;
  const warnings = e.hygiene.length - errors;
  const pending = (e.wouldDrops ?? []).filter((d) => findAcceptance(d.key, e.acceptances, now).live === undefined).length;
  return [
    factor('criticality', level, level / (CRITICALITY_LEVELS.length - 1), `${e.criticality} (${e.criticalitySource})`),
    factor('dependents', e.dependents.length, e.dependents.length / DEPENDENTS_FULL, e.dependents.length === 0 ? 'no other namespace calls in' : `called from ${e.dependents.length} other namespaces: ${e.dependents.slice(0, 5).join(', ')}${e.dependents.length > 5 ? ' …' : ''}`),
    factor('world-exposure', e.worldIngressFlows, e.worldIngressFlows > 0 ? 1 : 0, e.worldIngressFlows > 0 ? `${e.worldIngressFlows} flows in from outside the cluster` : 'not reached from outside the cluster'),
    factor('traffic', e.flows, Math.log10(1 + e.flows) / TRAFFIC_FULL_LOG10, `${e.flows} flows in the window`),
    factor('coverage', round(coverage), 1 - coverage, e.windowHours > 0 ? `traffic in ${e.activeHours} of ${Math.round(e.windowHours)} hours of the window (less seen, more unknown)` : 'window unknown: counted as unobserved'),
    factor('hygiene', errors + warnings, (errors * 3 + warnings) / HYGIENE_FULL, `${errors} hygiene error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`),
    factor('would-drops', pending, pending / DROPS_FULL, e.wouldDrops === undefined ? 'not simulated' : `${pending} would-be drops not accepted`),
  ];
}

/**
 * Namespaces ordered by risk, lowest first; equal scores by name.
 * @param evidence one entry per namespace to rank (an empty list gives an empty ranking)
 */
export function rankNamespaces(evidence: readonly GateEvidence[], _config: RolloutConfig, now: Date): RankedNamespace[] {
  return evidence
    .map((e) => {
      const factors = riskFactors(e, now);
      return { namespace: e.namespace, score: round(factors.reduce((s, f) => s + f.contribution, 0)), factors };
    })
    .sort((a, b) => a.score - b.score || (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0))
    .map((r, i) => ({ namespace: r.namespace, rank: i + 1, score: r.score, factors: r.factors }));
}

/** One line: `score 12.5: criticality 13.33 (high …), dependents 8 (…)`, non-zero contributions, largest first. */
export function explainRisk(r: RankedNamespace): string {
  const parts = [...r.factors].filter((f) => f.contribution > 0).sort((a, b) => b.contribution - a.contribution || (a.factor < b.factor ? -1 : 1)).map((f) => `${f.factor} +${f.contribution} (${f.why})`);
  return `risk ${r.score}${parts.length > 0 ? `: ${parts.join('; ')}` : ''}`;
}
