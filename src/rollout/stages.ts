/**
 * @module rollout/stages — the rollout as an explicit state machine (PRODUCT.md §6). Pure.
 *
 * A namespace's position is one stage per direction. `observe` means nothing of the namespace is applied, so it
 * is shared by both directions (both `observe` or neither); from `audit` on, each direction moves on its own, so
 * ingress may be enforced before egress. The namespace-level stage `tighten.state.yaml` records today
 * (`gitops/state.ts`) is the least advanced of the two ({@link stageOf}).
 */
import { TransitionError } from '../shared/errors.js';

/** `observe` (proposed, not applied) → `audit` (applied, `enableDefaultDeny` false) → `enforce` (default deny). */
export const STAGES = ['observe', 'audit', 'enforce'] as const;
export type Stage = (typeof STAGES)[number];

/** Policy directions, in the order the plan enforces them (ingress first). */
export const DIRECTIONS = ['ingress', 'egress'] as const;
export type Direction = (typeof DIRECTIONS)[number];
/** A direction, or both of them. */
export const DIRECTION_CHOICES = ['ingress', 'egress', 'both'] as const;
export type DirectionChoice = (typeof DIRECTION_CHOICES)[number];

/** One stage per direction. Invariant: `observe` on both or on neither (see {@link checkPosition}). */
export interface Position {
  readonly ingress: Stage;
  readonly egress: Stage;
}

const NEXT = { observe: 'audit', audit: 'enforce', enforce: undefined } as const satisfies Record<Stage, Stage | undefined>;
const PREVIOUS = { observe: undefined, audit: 'observe', enforce: 'audit' } as const satisfies Record<Stage, Stage | undefined>;

/** 0 for observe, 1 for audit, 2 for enforce. */
export const stageRank = (s: Stage): number => STAGES.indexOf(s);

/** The stage after `s`. @throws TransitionError at `enforce` */
export function nextStage(s: Stage): Stage {
  const n = NEXT[s];
  if (n === undefined) throw new TransitionError(`already at '${s}'; nothing to promote`);
  return n;
}

/** The stage before `s`. @throws TransitionError at `observe` */
export function previousStage(s: Stage): Stage {
  const p = PREVIOUS[s];
  if (p === undefined) throw new TransitionError(`already at '${s}'; nothing to roll back`);
  return p;
}

/** Both directions at `stage`. */
export const positionAt = (stage: Stage): Position => ({ ingress: stage, egress: stage });

/**
 * The position a state entry describes: the namespace-level `stage` (what `gitops/state.ts` writes), with the
 * directions already enforced when the namespace is at `audit`.
 * @param enforced directions enforced ahead of the other; ignored unless `stage` is `audit`. @default []
 */
export function positionOf(stage: Stage, enforced: readonly Direction[] = []): Position {
  if (stage !== 'audit') return positionAt(stage);
  return { ingress: enforced.includes('ingress') ? 'enforce' : 'audit', egress: enforced.includes('egress') ? 'enforce' : 'audit' };
}

/** The namespace-level stage: the least advanced direction. */
export const stageOf = (p: Position): Stage => (stageRank(p.ingress) <= stageRank(p.egress) ? p.ingress : p.egress);

/** Directions at `enforce` while the namespace-level stage is `audit` (what a per-direction state entry adds). */
export const enforcedAhead = (p: Position): Direction[] => (stageOf(p) === 'audit' ? DIRECTIONS.filter((d) => p[d] === 'enforce') : []);

/** `ingress=enforce egress=audit`, or just the stage when both agree. */
export const describePosition = (p: Position): string => (p.ingress === p.egress ? p.ingress : `ingress=${p.ingress} egress=${p.egress}`);

/** @throws TransitionError when one direction is at `observe` and the other is not */
export function checkPosition(p: Position): Position {
  if ((p.ingress === 'observe') !== (p.egress === 'observe')) throw new TransitionError(`invalid position ${describePosition(p)}: observe applies to both directions`);
  return p;
}

/** One direction's move. */
export interface Move {
  readonly direction: Direction;
  readonly from: Stage;
  readonly to: Stage;
}

/** A legal change of position: only the directions that move are listed, in ingress, egress order. */
export interface Transition {
  readonly kind: 'promote' | 'rollback';
  readonly from: Position;
  readonly to: Position;
  /** The namespace-level target stage asked for. */
  readonly stage: Stage;
  /** Never empty. */
  readonly moves: readonly Move[];
}

const directionsOf = (d: DirectionChoice): readonly Direction[] => (d === 'both' ? DIRECTIONS : [d]);

function build(kind: Transition['kind'], from: Position, stage: Stage, dirs: readonly Direction[]): Transition {
  const to = { ...from };
  const moves: Move[] = [];
  for (const d of DIRECTIONS) {
    if (!dirs.includes(d) || from[d] === stage) continue;
    to[d] = stage;
    moves.push({ direction: d, from: from[d], to: stage });
  }
  return { kind, from, to, stage, moves };
}

/**
 * The promotion of a namespace at `from` to `to` for `direction`. Legal: observe → audit (both directions at
 * once), audit → enforce per direction. A direction already at `to` is left alone.
 * @param to @default the next stage of the least advanced direction
 * @param direction @default 'both'
 * @throws TransitionError naming the stage to go through, for anything else
 */
export function promotion(from: Position, to?: Stage, direction: DirectionChoice = 'both'): Transition {
  checkPosition(from);
  const current = stageOf(from);
  const target = to ?? nextStage(current);
  switch (target) {
    case 'observe':
      throw new TransitionError(`cannot promote to 'observe'; use rollback (tighten rollback NS --to observe)`);
    case 'audit': {
      if (direction !== 'both') throw new TransitionError(`'audit' covers both directions; --direction applies to enforce only`);
      if (current !== 'observe') throw new TransitionError(`already at ${describePosition(from)}; to go back to audit use rollback (tighten rollback NS --to audit)`);
      return build('promote', from, 'audit', DIRECTIONS);
    }
    case 'enforce': {
      const dirs = directionsOf(direction);
      for (const d of dirs) if (from[d] === 'observe') throw new TransitionError(`${d} is at 'observe'; promote to 'audit' first (observe → audit → enforce)`);
      const t = build('promote', from, 'enforce', dirs);
      if (t.moves.length === 0) throw new TransitionError(`${dirs.join(' and ')} already at 'enforce'; nothing to promote`);
      return t;
    }
  }
}

/**
 * The rollback of a namespace at `from`. Always legal when something is above `to`; gates never apply.
 * `observe` takes both directions back (nothing is applied any more).
 * @param to @default one step down from the most advanced direction: `enforce` → `audit`, `audit` → `observe`
 * @param direction @default 'both' (only directions above `to` move)
 * @throws TransitionError when nothing is above `to` (e.g. rolling back a namespace at `observe`)
 */
export function rollback(from: Position, to?: Stage, direction: DirectionChoice = 'both'): Transition {
  checkPosition(from);
  const top = stageRank(from.ingress) >= stageRank(from.egress) ? from.ingress : from.egress;
  const target = to ?? previousStage(top);
  if (target === 'enforce') throw new TransitionError(`cannot roll back to 'enforce'; use promote`);
  const dirs = target === 'observe' ? DIRECTIONS : directionsOf(direction);
  const t = build('rollback', from, target, dirs.filter((d) => stageRank(from[d]) > stageRank(target)));
  if (t.moves.length === 0) throw new TransitionError(`${describePosition(from)} is not above '${target}'; nothing to roll back`);
  return t;
}

/** `promote` when every move goes up, `rollback` when every move goes down. */
export const isRollback = (from: Stage, to: Stage): boolean => stageRank(to) < stageRank(from);
