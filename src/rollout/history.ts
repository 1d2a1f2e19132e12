/**
 * @module rollout/history — the history entry a transition leaves in `tighten.state.yaml` (PRODUCT.md §6: when,
 * from, to, why, who, forced or not). Shaped like `gitops/state.ts`'s `StageChange`, whose `from`/`to` are
 * the moved directions' stages (the namespace-level stage stays `audit` while one direction is enforced ahead);
 * `directions` says which directions moved when only some did. Pure: `now` is a value.
 */
import type { PromotionDecision } from './gates.js';
import { stageRank, type Direction, type Stage, type Transition } from './stages.js';

export interface HistoryEntry {
  /** RFC 3339 of `now`. */
  readonly at: string;
  readonly from: Stage;
  readonly to: Stage;
  readonly why: string;
  /** From git config or `--by`; omitted when unknown. */
  readonly by?: string;
  /** Present (true) only for a promotion forced past a failing gate. */
  readonly forced?: true;
  /** The directions that moved, when not both. */
  readonly directions?: readonly Direction[];
}

/**
 * The entry for `t`. A forced promotion's `why` is the force reason followed by the gate reasons it overrode.
 * @param why what the person said (`--reason`), or a default such as `promote` / `rollback`
 */
export function historyEntry(t: Transition, now: Date, why: string, by?: string, decision?: PromotionDecision): HistoryEntry {
  const forced = decision !== undefined && decision.allowed && decision.forced;
  const text = forced ? `${decision.reason} (forced past: ${decision.overridden.join('; ')})` : why;
  const dirs = t.moves.map((m) => m.direction);
  // The moved directions' stages: `audit → enforce, directions [ingress]` when ingress is enforced ahead of egress.
  const froms = t.moves.map((m) => m.from).sort((a, b) => stageRank(a) - stageRank(b));
  return {
    at: now.toISOString(),
    from: t.kind === 'promote' ? froms[0]! : froms[froms.length - 1]!,
    to: t.stage,
    why: text,
    ...(by !== undefined ? { by } : {}),
    ...(forced ? { forced: true as const } : {}),
    ...(dirs.length === 1 ? { directions: dirs } : {}),
  };
}
