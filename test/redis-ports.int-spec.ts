import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { MemoryCache, MemoryKeyspace, MemoryLock, MemoryPubSub, MemoryRateLimitStore } from '../src/common/redis/memory-adapters';
import { Cache, Lock, PubSub, RateLimitStore } from '../src/common/redis/ports';
import { RedisCache, RedisLock, RedisPubSub, RedisRateLimitStore } from '../src/common/redis/redis-adapters';
import { TEST_REDIS_URL } from './support/services';

interface Ports {
  cache: Cache;
  pubsub: PubSub;
  lock: Lock;
  rateLimit: RateLimitStore;
  close(): Promise<void>;
}

function memoryPorts(): Ports {
  const ks = new MemoryKeyspace();
  return {
    cache: new MemoryCache(ks),
    pubsub: new MemoryPubSub(),
    lock: new MemoryLock(ks),
    rateLimit: new MemoryRateLimitStore(ks),
    close: async () => ks.close(),
  };
}

function redisPorts(): Ports {
  const cmd = new Redis(TEST_REDIS_URL);
  const sub = new Redis(TEST_REDIS_URL);
  const prefix = `contract:${randomBytes(4).toString('hex')}:`;
  return {
    cache: new RedisCache(cmd, prefix),
    pubsub: new RedisPubSub(cmd, sub, prefix),
    lock: new RedisLock(cmd, prefix),
    rateLimit: new RedisRateLimitStore(cmd, prefix),
    close: async () => {
      const keys = await cmd.keys(`${prefix}*`);
      if (keys.length) await cmd.del(...keys);
      cmd.disconnect();
      sub.disconnect();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function nextMessage(pubsub: PubSub, channel: string): Promise<string> {
  return new Promise((resolve) => {
    void pubsub.subscribe(channel, (m) => resolve(m));
  });
}

describe.each([
  ['in-memory', memoryPorts],
  ['redis', redisPorts],
])('Redis ports contract: %s adapter', (_name, make) => {
  let ports: Ports;
  beforeEach(() => {
    ports = make();
  });
  afterEach(() => ports.close());

  describe('Cache', () => {
    it('stores and returns values, and deletes them', async () => {
      await ports.cache.set('a', '1', 10_000);
      await ports.cache.set('b', '2', 10_000);
      expect(await ports.cache.get('a')).toBe('1');
      expect(await ports.cache.getMany(['a', 'missing', 'b'])).toEqual(['1', null, '2']);
      await ports.cache.del('a');
      expect(await ports.cache.get('a')).toBeNull();
    });

    it('expires values after their TTL and reports the remaining TTL', async () => {
      await ports.cache.set('short', 'x', 80);
      const ttl = await ports.cache.ttlMs('short');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(80);
      expect(await ports.cache.ttlMs('never-set')).toBe(-2);
      await sleep(150);
      expect(await ports.cache.get('short')).toBeNull();
    });

    it('getAndTouch slides the expiry; take returns a value once', async () => {
      await ports.cache.set('session', 's', 100);
      await sleep(60);
      expect(await ports.cache.getAndTouch('session', 200)).toBe('s');
      await sleep(80); // past the original 100 ms
      expect(await ports.cache.get('session')).toBe('s');
      expect(await ports.cache.getAndTouch('missing', 200)).toBeNull();
      const takes = await Promise.all([ports.cache.take('session'), ports.cache.take('session')]);
      expect(takes.filter((v) => v === 's')).toHaveLength(1);
      expect(await ports.cache.get('session')).toBeNull();
    });

    it('setIfAbsent lets exactly one of many concurrent callers claim a key', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ports.cache.setIfAbsent('claim', String(i), 10_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(await ports.cache.get('claim')).toBe(String(winner));
    });
  });

  describe('PubSub', () => {
    it('delivers a message to every subscriber of the channel and none of another', async () => {
      const other: string[] = [];
      await ports.pubsub.subscribe('other', (m) => other.push(m));
      const first = nextMessage(ports.pubsub, 'prices');
      const second = nextMessage(ports.pubsub, 'prices');
      await sleep(20);
      await ports.pubsub.publish('prices', 'INFY:1500');
      await expect(first).resolves.toBe('INFY:1500');
      await expect(second).resolves.toBe('INFY:1500');
      expect(other).toEqual([]);
    });

    it('stops delivering after unsubscribe', async () => {
      const got: string[] = [];
      const unsubscribe = await ports.pubsub.subscribe('ch', (m) => got.push(m));
      await ports.pubsub.publish('ch', 'one');
      await sleep(50);
      await unsubscribe();
      await ports.pubsub.publish('ch', 'two');
      await sleep(50);
      expect(got).toEqual(['one']);
    });
  });

  describe('Lock', () => {
    it('has one holder at a time and a larger fencing token for each new holder', async () => {
      const first = await ports.lock.tryAcquire('feed', 5_000);
      expect(first).not.toBeNull();
      expect(await ports.lock.tryAcquire('feed', 5_000)).toBeNull();
      await first!.release();
      const second = await ports.lock.tryAcquire('feed', 5_000);
      expect(second!.fencingToken).toBeGreaterThan(first!.fencingToken);
    });

    it('expires an abandoned lease; the old holder can no longer extend it', async () => {
      const stale = await ports.lock.tryAcquire('eod', 80);
      expect(await stale!.extend(80)).toBe(true);
      await sleep(150);
      const next = await ports.lock.tryAcquire('eod', 5_000);
      expect(next).not.toBeNull();
      expect(next!.fencingToken).toBeGreaterThan(stale!.fencingToken);
      expect(await stale!.extend(5_000)).toBe(false);
      await stale!.release(); // must not release the new holder's lease
      expect(await ports.lock.tryAcquire('eod', 5_000)).toBeNull();
    });
  });

  describe('RateLimitStore', () => {
    it('allows up to the limit in a window, then refuses with the time to reset', async () => {
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await ports.rateLimit.hit('user:1', 3, 1_000));
      expect(results.map((r) => r.allowed)).toEqual([true, true, true, false, false]);
      expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0, 0]);
      expect(results[4].resetMs).toBeGreaterThan(0);
      expect(results[4].resetMs).toBeLessThanOrEqual(1_000);
      expect((await ports.rateLimit.hit('user:2', 3, 1_000)).count).toBe(1);
    });

    it('starts a new window after the old one ends', async () => {
      await ports.rateLimit.hit('ip:1', 1, 80);
      expect((await ports.rateLimit.hit('ip:1', 1, 80)).allowed).toBe(false);
      await sleep(150);
      expect((await ports.rateLimit.hit('ip:1', 1, 80)).allowed).toBe(true);
    });

    it('reset forgets the count', async () => {
      await ports.rateLimit.hit('fail:a', 1, 10_000);
      await ports.rateLimit.reset('fail:a');
      expect((await ports.rateLimit.hit('fail:a', 1, 10_000)).count).toBe(1);
    });

    it('counts concurrent hits exactly', async () => {
      const results = await Promise.all(Array.from({ length: 50 }, () => ports.rateLimit.hit('burst', 30, 10_000)));
      expect(results.filter((r) => r.allowed)).toHaveLength(30);
      expect(Math.max(...results.map((r) => r.count))).toBe(50);
    });

    it('hitAll counts several windows at once and stops after the first refusal', async () => {
      const both = [
        { key: 'all:minute', limit: 2, windowMs: 60_000 },
        { key: 'all:second', limit: 5, windowMs: 1_000 },
      ];
      const first = await ports.rateLimit.hitAll(both);
      expect(first.map((r) => [r.count, r.allowed])).toEqual([[1, true], [1, true]]);
      expect(first[0].resetMs).toBeGreaterThan(1_000);
      expect(first[1].resetMs).toBeLessThanOrEqual(1_000);
      await ports.rateLimit.hitAll(both);
      // The first window refuses: the second is neither counted nor answered.
      const refused = await ports.rateLimit.hitAll(both);
      expect(refused.map((r) => [r.count, r.allowed])).toEqual([[3, false]]);
      expect((await ports.rateLimit.hit('all:second', 5, 1_000)).count).toBe(3);
    });
  });
});
