export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** How long it stays open before letting one probe through. */
  openMs: number;
  now: () => number;
}

/**
 * Closed → (N consecutive failures) → open → (after openMs) → half-open: one probe; success
 * closes it, failure opens it again. While open, callers fail fast instead of piling requests
 * onto a broken link (the seed's rule: prefer consistency over double execution).
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private current: BreakerState = 'closed';

  constructor(private readonly options: BreakerOptions) {}

  get state(): BreakerState {
    if (this.current === 'open' && this.options.now() - this.openedAt >= this.options.openMs) this.current = 'half-open';
    return this.current;
  }

  /** Whether a call may go through now (a half-open breaker admits one probe at a time). */
  allows(): boolean {
    const state = this.state;
    return state === 'closed' || (state === 'half-open' && !this.probing);
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (!this.allows()) throw new BreakerOpenError('circuit breaker is open');
    const probe = this.state === 'half-open';
    if (probe) this.probing = true;
    try {
      const result = await call();
      this.failures = 0;
      this.current = 'closed';
      return result;
    } catch (err) {
      this.recordFailure();
      throw err;
    } finally {
      if (probe) this.probing = false;
    }
  }

  recordFailure(): void {
    this.failures += 1;
    if (this.current === 'half-open' || this.failures >= this.options.failureThreshold) {
      this.current = 'open';
      this.openedAt = this.options.now();
    }
  }
}

export class BreakerOpenError extends Error {}
