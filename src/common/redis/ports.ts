/**
 * The four things the app needs from Redis, as ports. Each has a Redis adapter (production,
 * shared by all replicas) and an in-memory adapter (embedded mode, one process). One contract
 * test suite runs against both.
 */

export interface Cache {
  get(key: string): Promise<string | null>;
  getMany(keys: string[]): Promise<(string | null)[]>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** SET NX PX: true when this call created the key (used for once-only claims). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** GETEX PX: reads and slides the expiry in one step (sliding sessions). */
  getAndTouch(key: string, ttlMs: number): Promise<string | null>;
  /** GETDEL: reads and removes in one step, so a single-use token is used once across replicas. */
  take(key: string): Promise<string | null>;
  del(...keys: string[]): Promise<void>;
  /** Remaining time to live in ms; -1 without expiry, -2 when the key is missing. */
  ttlMs(key: string): Promise<number>;
  ping(): Promise<void>;
}

export type Unsubscribe = () => Promise<void>;

export interface PubSub {
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, handler: (message: string, channel: string) => void): Promise<Unsubscribe>;
}

export interface LockLease {
  readonly name: string;
  /** Strictly increasing per lock name: a writer that holds an older token must be refused. */
  readonly fencingToken: number;
  /** Extends the lease; false when it was lost (expired and taken by someone else). */
  extend(ttlMs: number): Promise<boolean>;
  release(): Promise<void>;
}

export interface Lock {
  /** Null when another holder has the lock. */
  tryAcquire(name: string, ttlMs: number): Promise<LockLease | null>;
}

export interface RateLimitResult {
  allowed: boolean;
  count: number;
  limit: number;
  remaining: number;
  /** Until the window resets. */
  resetMs: number;
}

export interface RateLimitHit {
  key: string;
  limit: number;
  windowMs: number;
}

export interface RateLimitStore {
  /** Counts one hit on `key` in a fixed window of `windowMs`. */
  hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult>;
  /**
   * Counts one hit on each of several windows in one step (one round trip), in order, stopping
   * after the first that refuses: a refused request does not count against the windows after it.
   * Answers one result per window counted.
   */
  hitAll(hits: RateLimitHit[]): Promise<RateLimitResult[]>;
  /** Forgets the count (e.g. failed logins after a success). */
  reset(key: string): Promise<void>;
}

export const CACHE = Symbol('Cache');
export const PUBSUB = Symbol('PubSub');
export const LOCK = Symbol('Lock');
export const RATE_LIMIT_STORE = Symbol('RateLimitStore');

export function rateLimitResult(count: number, limit: number, resetMs: number): RateLimitResult {
  return { allowed: count <= limit, count, limit, remaining: Math.max(0, limit - count), resetMs: Math.max(0, resetMs) };
}
