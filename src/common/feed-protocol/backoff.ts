export interface BackoffOptions {
  minMs: number;
  maxMs: number;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): minMs doubling up to maxMs, then scaled by a
 * random factor in [0.75, 1.25) and clamped to [minMs, maxMs]. The jitter keeps the broker's
 * replicas from reconnecting in lock-step after a simulator restart; the floor keeps any of them
 * from retrying faster than minMs.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.minMs * 2 ** Math.min(attempt, 30));
  const jittered = ceiling * (0.75 + 0.5 * random());
  return Math.round(Math.min(options.maxMs, Math.max(options.minMs, jittered)));
}
