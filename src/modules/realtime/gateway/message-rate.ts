/**
 * Per-connection token bucket: `perSecond` sustained, bursts of 2×. Two numbers per connection,
 * no timers; refilled lazily when a message arrives.
 */
export class MessageRate {
  private tokens: number;
  private at: number;
  /** Refusals since the last accepted message; a client that keeps flooding gets disconnected. */
  refusedInARow = 0;

  constructor(private readonly perSecond: number, now = Date.now()) {
    this.tokens = perSecond * 2;
    this.at = now;
  }

  take(now = Date.now()): boolean {
    const burst = this.perSecond * 2;
    this.tokens = Math.min(burst, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.refusedInARow = 0;
      return true;
    }
    this.refusedInARow++;
    return false;
  }
}

/** After this many refused messages in a row the connection is closed: it is not listening to us. */
export const FLOOD_DISCONNECT_AFTER = 200;
