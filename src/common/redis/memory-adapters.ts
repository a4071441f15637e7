import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Cache, Lock, LockLease, PubSub, RateLimitHit, RateLimitResult, RateLimitStore, rateLimitResult, Unsubscribe } from './ports';

interface Entry {
  value: string;
  expiresAt: number; // epoch ms; Infinity = no expiry
}

/** One process's stand-in for Redis: a map with lazy expiry plus a periodic sweep. */
export class MemoryKeyspace {
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), 30_000);
    this.sweeper.unref();
  }

  read(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e && e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  write(key: string, value: string, ttlMs: number): void {
    this.entries.set(key, { value, expiresAt: ttlMs > 0 ? this.now() + ttlMs : Infinity });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  remainingMs(key: string): number {
    const e = this.read(key);
    if (!e) return -2;
    return e.expiresAt === Infinity ? -1 : e.expiresAt - this.now();
  }

  close(): void {
    clearInterval(this.sweeper);
    this.entries.clear();
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
  }
}

export class MemoryCache implements Cache {
  constructor(private readonly ks: MemoryKeyspace) {}
  async get(key: string) { return this.ks.read(key)?.value ?? null; }
  async getMany(keys: string[]) { return keys.map((k) => this.ks.read(k)?.value ?? null); }
  async set(key: string, value: string, ttlMs: number) { this.ks.write(key, value, ttlMs); }
  async setIfAbsent(key: string, value: string, ttlMs: number) {
    if (this.ks.read(key)) return false;
    this.ks.write(key, value, ttlMs);
    return true;
  }
  async getAndTouch(key: string, ttlMs: number) {
    const e = this.ks.read(key);
    if (!e) return null;
    this.ks.write(key, e.value, ttlMs);
    return e.value;
  }
  async take(key: string) {
    const value = this.ks.read(key)?.value ?? null;
    this.ks.delete(key);
    return value;
  }
  async del(...keys: string[]) { keys.forEach((k) => this.ks.delete(k)); }
  async ttlMs(key: string) { return this.ks.remainingMs(key); }
  async ping() {}
}

export class MemoryPubSub implements PubSub {
  private readonly bus = new EventEmitter().setMaxListeners(0);

  async publish(channel: string, message: string): Promise<void> {
    // Asynchronous like Redis: a publisher never runs subscriber code on its own stack.
    setImmediate(() => this.bus.emit(channel, message, channel));
  }

  async subscribe(channel: string, handler: (message: string, channel: string) => void): Promise<Unsubscribe> {
    this.bus.on(channel, handler);
    return async () => void this.bus.off(channel, handler);
  }
}

export class MemoryLock implements Lock {
  private readonly fences = new Map<string, number>();

  constructor(private readonly ks: MemoryKeyspace) {}

  async tryAcquire(name: string, ttlMs: number): Promise<LockLease | null> {
    const key = `lock:${name}`;
    if (this.ks.read(key)) return null;
    const owner = randomUUID();
    const fencingToken = (this.fences.get(name) ?? 0) + 1;
    this.fences.set(name, fencingToken);
    this.ks.write(key, owner, ttlMs);
    const ks = this.ks;
    return {
      name,
      fencingToken,
      async extend(ms: number) {
        if (ks.read(key)?.value !== owner) return false;
        ks.write(key, owner, ms);
        return true;
      },
      async release() {
        if (ks.read(key)?.value === owner) ks.delete(key);
      },
    };
  }
}

export class MemoryRateLimitStore implements RateLimitStore {
  constructor(private readonly ks: MemoryKeyspace) {}

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult> {
    return this.count(key, limit, windowMs);
  }

  async hitAll(hits: RateLimitHit[]): Promise<RateLimitResult[]> {
    const results: RateLimitResult[] = [];
    for (const h of hits) {
      const result = this.count(h.key, h.limit, h.windowMs);
      results.push(result);
      if (!result.allowed) break;
    }
    return results;
  }

  async reset(key: string): Promise<void> {
    this.ks.delete(`rl:${key}`);
  }

  private count(key: string, limit: number, windowMs: number): RateLimitResult {
    const k = `rl:${key}`;
    const current = this.ks.read(k);
    const count = current ? Number(current.value) + 1 : 1;
    if (current) current.value = String(count);
    else this.ks.write(k, '1', windowMs);
    return rateLimitResult(count, limit, this.ks.remainingMs(k));
  }
}
