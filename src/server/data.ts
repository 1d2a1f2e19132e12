/**
 * @module server/data — what the dashboard shows, read once (and again after a promote or rollback): the same
 * rollout context `plan` and `promote` judge on (`cli/rollout-context.ts`), the plan, and each view's document.
 * A namespace's policy preview (the diff of its next promotion) is computed on demand and kept until the next load.
 */
import type { Io } from '../cli/io.js';
import { readRolloutContext, type RolloutContext, type RolloutSources } from '../cli/rollout-context.js';
import { connectivityDelta } from '../cli/stage-change.js';
import { NAMESPACES_DIR, planTransitions } from '../gitops/index.js';
import { API_VERSION } from '../report/inventory.js';
import { renderDiff } from '../report/diff.js';
import { unifiedDiff } from '../report/text-diff.js';
import { checkGate, describePosition, enforcedAhead, historyEntry, nextStep, planRollout, positionOf, promotion, stageOf, type Plan } from '../rollout/index.js';
import type { BoardDocument, DropsDocument, HygieneDocument, MapDocument, PoliciesDocument, SessionDocument } from './api-types.js';
import { buildBoard, buildDrops, buildHygiene, buildMap, planViewOf } from './views.js';

/** The sources `tighten serve` reads, as `plan` takes them. */
export type DashboardSources = RolloutSources;

export interface DashboardData {
  readonly context: RolloutContext;
  readonly plan: Plan;
  readonly map: MapDocument;
  readonly drops: DropsDocument;
  readonly board: BoardDocument;
  readonly hygiene: HygieneDocument;
  /** 1 for the first load, then one more per reload. */
  readonly generation: number;
  /** The policy view of a namespace, computed on first request. */
  policies(namespace: string): PoliciesDocument | undefined;
}

/** Reads the sources and builds every view. Progress is never shown: the server's stderr is its log. */
export async function readDashboardData(sources: DashboardSources, io: Io, generation = 1): Promise<DashboardData> {
  const context = await readRolloutContext(sources, { approve: false, progress: false }, io);
  const plan = planRollout(context.namespaces, context.evidence, context.contents.state, context.rollout, context.now);
  const previews = new Map<string, PoliciesDocument>();
  return {
    context,
    plan,
    map: buildMap(context.inventory, context.understanding, context.simulation),
    drops: buildDrops(context.simulation, context.repo),
    board: buildBoard(planViewOf(plan, context.evidence, context.preflight), context.evidence),
    hygiene: buildHygiene(context.inventory, context.understanding, context.evidence),
    generation,
    policies(namespace) {
      if (!context.namespaces.includes(namespace)) return undefined;
      let doc = previews.get(namespace);
      if (doc === undefined) previews.set(namespace, (doc = previewPolicies(context, namespace)));
      return doc;
    },
  };
}

/** The session document: what the page needs first. */
export function sessionDocument(data: DashboardData, writable: boolean): SessionDocument {
  const inv = data.context.inventory;
  return {
    apiVersion: API_VERSION,
    kind: 'Session',
    writable,
    window: inv.window,
    namespaces: [...new Set([...data.context.namespaces, ...inv.workloads.map((w) => w.namespace)])].sort(),
    counts: { workloads: inv.workloads.length, edges: inv.edges.length, findings: data.hygiene.findings.length, wouldDrops: data.context.simulation.totals.wouldDropEdges },
    generation: data.generation,
  };
}

/**
 * A namespace's policy files and its next promotion, planned exactly as `promote` plans it (same transition, gate
 * and file plan, nothing written), with the connectivity delta of the applied policies.
 */
export function previewPolicies(ctx: RolloutContext, namespace: string): PoliciesDocument {
  const prefix = `${NAMESPACES_DIR}/${namespace}/`;
  const files = [...ctx.contents.files].filter(([p]) => p.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, text]) => ({ path, text }));
  const base = { apiVersion: API_VERSION, kind: 'NamespacePolicies' as const, namespace, files };
  const entry = ctx.contents.state.namespaces[namespace];
  const evidence = ctx.evidence[namespace];
  if (entry === undefined || evidence === undefined) return { ...base, note: `${namespace} is not in the state file: run tighten recommend --namespace ${namespace} first` };
  const from = positionOf(entry.stage, entry.enforced);
  const position = { ingress: from.ingress, egress: from.egress };
  const step = nextStep(from);
  if (step === undefined) return { ...base, position, note: `${namespace} enforces both ways: there is no next promotion` };
  try {
    const transition = promotion(from, step.to, step.direction);
    const gate = checkGate(namespace, transition.moves[0]!.from, transition.stage, step.direction, { ...evidence, position: from }, ctx.rollout, ctx.now);
    const plan = planTransitions(ctx.contents, [{ namespace, stage: stageOf(transition.to), enforced: enforcedAhead(transition.to), entry: historyEntry(transition, ctx.now, 'preview') }]);
    const changed = plan.actions.filter((a) => a.action !== 'unchanged' && a.action !== 'skip');
    const connectivity = connectivityDelta(plan, ctx.contents, ctx.repo, { ...(ctx.cluster ? { cluster: ctx.cluster } : {}), inventory: ctx.inventory, identities: ctx.identities, existing: ctx.existing, evaluate: ctx.evaluate });
    return {
      ...base,
      position,
      next: {
        title: `${namespace}: ${describePosition(from)} → ${describePosition(transition.to)}`,
        gate: { pass: gate.pass, reasons: [...gate.reasons] },
        diff: changed.map((a) => unifiedDiff(a.path, plan.before.get(a.path), a.action === 'delete' ? undefined : a.content)).join(''),
        files: changed.map((a) => ({ path: a.path, action: a.action })),
        connectivity: connectivity.diff !== undefined ? renderDiff(connectivity.diff, 'text').output : (connectivity.note ?? ''),
        ...(connectivity.diff !== undefined ? { connectivityTotals: { ...connectivity.diff.totals } as Record<string, number> } : {}),
      },
    };
  } catch (e) {
    return { ...base, position, note: (e as Error).message.split('\n')[0] ?? 'no preview' };
  }
}
