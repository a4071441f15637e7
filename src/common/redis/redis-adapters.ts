import { createHash, randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { observeRedis, recordCacheLookup } from '../observability/metrics';
import { Cache, Lock, LockLease, PubSub, RateLimitHit, RateLimitResult, RateLimitStore, rateLimitResult, Unsubscribe } from './ports';

/** Times a command for the redis_command_duration_seconds histogram. */
async function timed<T>(command: string, run: () => Promise<T>): Promise<T> {
  const end = observeRedis(command);
  try {
    return await run();
  } finally {
    end();
  }
}

export class RedisCache implements Cache {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  async get(key: string) {
    const value = await timed('get', () => this.redis.get(this.prefix + key));
    recordCacheLookup(value !== null);
    return value;
  }

  async getMany(keys: string[]) {
    if (keys.length === 0) return [];
    const values = await timed('mget', () => this.redis.mget(keys.map((k) => this.prefix + k)));
    values.forEach((v) => recordCacheLookup(v !== null));
    return values;
  }

  async set(key: string, value: string, ttlMs: number) {
    await timed('set', () => (ttlMs > 0 ? this.redis.set(this.prefix + key, value, 'PX', ttlMs) : this.redis.set(this.prefix + key, value)));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number) {
    const r = await timed('set', () => this.redis.set(this.prefix + key, value, 'PX', ttlMs, 'NX'));
    return r === 'OK';
  }

  async getAndTouch(key: string, ttlMs: number) {
    const value = await timed('getex', () => this.redis.getex(this.prefix + key, 'PX', ttlMs));
    recordCacheLookup(value !== null);
    return value;
  }

  async take(key: string) {
    return timed('getdel', () => this.redis.getdel(this.prefix + key));
  }

  async del(...keys: string[]) {
    if (keys.length) await timed('del', () => this.redis.del(...keys.map((k) => this.prefix + k)));
  }

  async ttlMs(key: string) {
    return timed('pttl', () => this.redis.pttl(this.prefix + key));
  }

  async ping() {
    await timed('ping', () => this.redis.ping());
  }
}

/**
 * Publishes on the command connection; subscribes on a dedicated one (a subscribed Redis
 * connection can run no other command). One Redis SUBSCRIBE per channel, fanned out locally.
 */
export class RedisPubSub implements PubSub {
  private readonly handlers = new Map<string, Set<(message: string, channel: string) => void>>();

  constructor(private readonly pub: Redis, private readonly sub: Redis, private readonly prefix: string) {
    sub.on('message', (channel: string, message: string) => {
      const local = channel.slice(this.prefix.length);
      this.handlers.get(local)?.forEach((h) => h(message, local));
    });
  }

  async publish(channel: string, message: string) {
    await timed('publish', () => this.pub.publish(this.prefix + channel, message));
  }

  async subscribe(channel: string, handler: (message: string, channel: string) => void): Promise<Unsubscribe> {
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      await this.sub.subscribe(this.prefix + channel);
    }
    set.add(handler);
    return async () => {
      const current = this.handlers.get(channel);
      if (!current?.delete(handler) || current.size > 0) return;
      this.handlers.delete(channel);
      await this.sub.unsubscribe(this.prefix + channel);
    };
  }
}

// Compare-and-act scripts: only the owner that set the value may extend or delete it.
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
// INCR the fence and SET NX in one step, so a failed attempt does not burn a token.
const ACQUIRE = `if redis.call('exists', KEYS[1]) == 1 then return 0 end
local fence = redis.call('incr', KEYS[2])
redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
return fence`;

export class RedisLock implements Lock {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  async tryAcquire(name: string, ttlMs: number): Promise<LockLease | null> {
    const key = `${this.prefix}lock:${name}`;
    const owner = randomUUID();
    const fence = Number(await timed('eval', () => this.redis.eval(ACQUIRE, 2, key, `${key}:fence`, owner, ttlMs)));
    if (!fence) return null;
    const redis = this.redis;
    return {
      name,
      fencingToken: fence,
      async extend(ms: number) {
        return Number(await timed('eval', () => redis.eval(EXTEND, 1, key, owner, ms))) === 1;
      },
      async release() {
        await timed('eval', () => redis.eval(RELEASE, 1, key, owner));
      },
    };
  }
}

// KEYS: the windows' counters; ARGV: window ms and limit of each, in the same order.
const HIT_ALL = `local out = {}
for i, key in ipairs(KEYS) do
  local c = redis.call('incr', key)
  if c == 1 then redis.call('pexpire', key, ARGV[2 * i - 1]) end
  out[#out + 1] = c
  out[#out + 1] = redis.call('pttl', key)
  if c > tonumber(ARGV[2 * i]) then break end
end
return out`;
const HIT_ALL_SHA = createHash('sha1').update(HIT_ALL).digest('hex');

export class RedisRateLimitStore implements RateLimitStore {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult> {
    return (await this.hitAll([{ key, limit, windowMs }]))[0];
  }

  async hitAll(hits: RateLimitHit[]): Promise<RateLimitResult[]> {
    const keys = hits.map((h) => `${this.prefix}rl:${h.key}`);
    const args = hits.flatMap((h) => [h.windowMs, h.limit]);
    // EVALSHA sends 40 bytes instead of the script; NOSCRIPT (a restarted Redis) loads it with EVAL.
    const run = () =>
      this.redis.evalsha(HIT_ALL_SHA, keys.length, ...keys, ...args).catch((err: Error) =>
        err.message.startsWith('NOSCRIPT') ? this.redis.eval(HIT_ALL, keys.length, ...keys, ...args) : Promise.reject(err),
      );
    const out = (await timed('evalsha', run)) as number[];
    const results: RateLimitResult[] = [];
    for (let i = 0; i < out.length; i += 2) results.push(rateLimitResult(Number(out[i]), hits[i / 2].limit, Number(out[i + 1])));
    return results;
  }

  async reset(key: string): Promise<void> {
    await timed('del', () => this.redis.del(`${this.prefix}rl:${key}`));
  }
}
