/**
 * @module relay/backoff — how long to wait before the next reconnection attempt: exponential, capped,
 * with jitter so that many collectors do not reconnect to a restarted Relay in lockstep. Pure: the
 * randomness comes in as a function.
 */

/** Reconnection timing. */
export interface BackoffOptions {
  /** Delay before the first retry. @default 500 */
  readonly initialMs?: number;
  /** No delay is longer than this. @default 30000 */
  readonly maxMs?: number;
  /** Growth per consecutive failed attempt. @default 2 */
  readonly multiplier?: number;
  /**
   * Share of the delay that is random: 0.2 spreads a 1 s delay over 0.8–1.2 s; 0 makes delays exact.
   * @default 0.2
   */
  readonly jitter?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialMs: 500, maxMs: 30_000, multiplier: 2, jitter: 0.2 };

/**
 * The delay before retry number `attempt` (1 for the first retry after a failure), in whole
 * milliseconds: `initialMs · multiplier^(attempt−1)`, capped at `maxMs`, then spread by ±`jitter`
 * (and capped again).
 *
 * @param random - a number in [0, 1), e.g. `Math.random`.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const o = { ...DEFAULT_BACKOFF, ...options };
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(o.maxMs, o.initialMs * o.multiplier ** exponent);
  const spread = base * o.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(o.maxMs, base + spread)));
}
