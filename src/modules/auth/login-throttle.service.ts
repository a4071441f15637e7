import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppConfig } from '../../common/config/app-config';
import { TooManyRequestsError } from '../../common/errors';
import { Cache, CACHE, RATE_LIMIT_STORE, RateLimitStore } from '../../common/redis/ports';

const FAILURE_WINDOW_MS = 60 * 60_000;
const BASE_LOCK_MS = 30_000;
const MAX_LOCK_MS = 60 * 60_000;
/** Failures from one IP (across accounts: credential stuffing) before that IP waits. */
const IP_FAILURES_PER_WINDOW = 50;
const IP_WINDOW_MS = 15 * 60_000;

const LOCKED_MESSAGE = 'Too many failed attempts. Try again later.';

/**
 * Brute-force defence for password and second-factor checks. Failures are counted per account
 * key (a hash of the email, so unknown emails behave exactly like known ones) and per IP; past
 * the limit the account key is locked with exponential backoff. All counters live in the
 * shared store, so every replica sees the same lock.
 */
@Injectable()
export class LoginThrottle {
  private readonly maxFailures: number;

  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly counters: RateLimitStore,
    @Inject(CACHE) private readonly cache: Cache,
    config: AppConfig,
  ) {
    this.maxFailures = config.auth.loginMaxFailures;
  }

  static accountKey(email: string): string {
    return createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);
  }

  /** Throws 429 with Retry-After while the account or the IP is locked out. */
  async assertAllowed(accountKey: string, ip: string): Promise<void> {
    const lockMs = await this.cache.ttlMs(`login-lock:${accountKey}`);
    if (lockMs > 0) throw new TooManyRequestsError(LOCKED_MESSAGE, lockMs / 1000, 'AUTH.LOCKED');
    const ipLockMs = await this.cache.ttlMs(`login-ip-lock:${ip}`);
    if (ipLockMs > 0) throw new TooManyRequestsError(LOCKED_MESSAGE, ipLockMs / 1000, 'AUTH.IP_THROTTLED');
  }

  /** Records a failure; returns the lock duration when this failure locked the account. */
  async recordFailure(accountKey: string, ip: string): Promise<number | null> {
    const perIp = await this.counters.hit(`login-ip-fail:${ip}`, IP_FAILURES_PER_WINDOW, IP_WINDOW_MS);
    if (!perIp.allowed) await this.cache.set(`login-ip-lock:${ip}`, '1', perIp.resetMs);
    const { count } = await this.counters.hit(`login-fail:${accountKey}`, this.maxFailures, FAILURE_WINDOW_MS);
    if (count < this.maxFailures) return null;
    const lockMs = Math.min(MAX_LOCK_MS, BASE_LOCK_MS * 2 ** (count - this.maxFailures));
    await this.cache.set(`login-lock:${accountKey}`, '1', lockMs);
    return lockMs;
  }

  async recordSuccess(accountKey: string): Promise<void> {
    await Promise.all([this.counters.reset(`login-fail:${accountKey}`), this.cache.del(`login-lock:${accountKey}`)]);
  }
}
