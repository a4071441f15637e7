import type Redis from 'ioredis';
import { performance } from 'node:perf_hooks';
import type { WireQuote } from '../../../common/feed-protocol';
import type { Instrument } from '../../instruments';
import { cacheValues, depthKey, stockKey } from '../quotes/quote-mapping';

/** DESIGN §7, exactly: a quote lives 2 s in the cache, its depth 1 s. */
export const STOCK_TTL_MS = 2000;
export const DEPTH_TTL_MS = 1000;
/**
 * Every entry is rewritten at least this often, changed or not, so that expiry means "no
 * leader" and never "a quiet instrument": depth (1 s TTL) must be refreshed well inside its TTL.
 */
const REFRESH_AFTER_MS = 600;
/** How often changes are written (and TTLs refreshed). */
export const CACHE_FLUSH_MS = 200;
/**
 * Quotes per pipeline, pairs per touch script. Redis runs one command at a time: the feed's
 * PUBLISH waits behind whatever pipeline or script is in progress, so each is kept to ~0.5 ms.
 */
const FLUSH_CHUNK = 250;

export interface CacheKeys {
  stockKey: string;
  depthKey: string;
}

export interface CacheEntry extends CacheKeys {
  stock: string;
  depth: string;
}

/** Where cache writes go (Redis; embedded mode has no cache writes, see QuoteReader). */
export interface CacheSink {
  write(entries: readonly CacheEntry[]): Promise<void>;
  /** Restarts the TTLs of unchanged entries; returns those whose keys had lapsed (to be written again). */
  touch<K extends CacheKeys>(entries: readonly K[]): Promise<K[]>;
}

/** PEXPIRE each stock/depth pair; answers the 1-based positions of pairs with a lapsed key. */
const TOUCH = `local lapsed = {}
for i = 1, #KEYS, 2 do
  local a = redis.call('pexpire', KEYS[i], ARGV[1])
  local b = redis.call('pexpire', KEYS[i + 1], ARGV[2])
  if a == 0 or b == 0 then lapsed[#lapsed + 1] = (i + 1) / 2 end
end
return lapsed`;
const TOUCH_CHUNK = 100;

/**
 * One pipeline per batch on the command connection: two SET PX per quote. The Cache port would
 * make each of them a promise, a latency timer and an auto-pipelined write of its own: at 10,000
 * writes/s that bookkeeping alone costs more CPU than the writes.
 */
export class RedisPipelineSink implements CacheSink {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async write(entries: readonly CacheEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const p = this.redis.pipeline();
    for (const e of entries) {
      p.set(this.prefix + e.stockKey, e.stock, 'PX', STOCK_TTL_MS);
      p.set(this.prefix + e.depthKey, e.depth, 'PX', DEPTH_TTL_MS);
    }
    const results = await p.exec();
    const failed = results?.find(([err]) => err !== null);
    if (failed) throw failed[0];
  }

  /**
   * Keeps quiet instruments alive with one script call per 500 pairs instead of 1,000 SETs: the
   * refresh of ~5,000 instruments every ~0.6 s was, as SETs, most of an idle leader's Redis work.
   * (The keys of one call must share a slot under Redis Cluster; this deployment uses Sentinel.)
   */
  async touch<K extends CacheKeys>(entries: readonly K[]): Promise<K[]> {
    const lapsed: K[] = [];
    for (let i = 0; i < entries.length; i += TOUCH_CHUNK) {
      const chunk = entries.slice(i, i + TOUCH_CHUNK);
      const keys = chunk.flatMap((e) => [this.prefix + e.stockKey, this.prefix + e.depthKey]);
      const positions = (await this.redis.eval(TOUCH, keys.length, ...keys, STOCK_TTL_MS, DEPTH_TTL_MS)) as number[];
      for (const p of positions) lapsed.push(chunk[p - 1]);
    }
    return lapsed;
  }
}

/**
 * What the writer holds per instrument: its keys (made once) and its latest quote. Values are
 * serialised only when written, so the strings die young instead of ageing in the old generation
 * (~1 KB per instrument, replaced every second, was the main garbage-collection cost).
 */
interface Held extends CacheKeys {
  w: WireQuote;
  instrument: Instrument;
  writtenAt: number;
}

/**
 * Keeps `stock:{symbol}` and `depth:{symbol}` of every instrument in the cache, on the leader.
 * Conflating: changes are collected and written every CACHE_FLUSH_MS, the latest per instrument —
 * during a 10× burst an instrument changing ten times a second is written five times, and
 * serialised only then. (Replicas get every change over the bus; the cache serves REST reads, for
 * which 200 ms is fresh.) The same flush restarts the TTLs of entries that did not change.
 */
export class QuoteCacheWriter {
  private readonly held = new Map<number, Held>();
  private dirty = new Map<number, Held>();
  private flushing = false;

  constructor(
    private readonly sink: CacheSink,
    private readonly onError: (err: Error) => void,
  ) {}

  /** Queues the instrument's latest quote for the next flush. */
  changed(w: WireQuote, instrument: Instrument): void {
    const token = w.instrumentToken;
    const held = this.held.get(token);
    if (held) {
      held.w = w;
      this.dirty.set(token, held);
      return;
    }
    const e: Held = { stockKey: stockKey(instrument), depthKey: depthKey(instrument), w, instrument, writtenAt: Number.NEGATIVE_INFINITY };
    this.held.set(token, e);
    this.dirty.set(token, e);
  }

  /** Writes what changed, then restarts the TTLs of entries not written for REFRESH_AFTER_MS (call every CACHE_FLUSH_MS). */
  async flush(): Promise<void> {
    if (this.flushing) return; // a slow cache: changes keep collecting, the next flush takes them
    this.flushing = true;
    try {
      const now = performance.now();
      const changed = [...this.dirty.values()];
      this.dirty = new Map();
      // Serialised and sent a slice at a time: each await lets feed batches in between.
      for (let i = 0; i < changed.length; i += FLUSH_CHUNK) {
        try {
          await this.send(changed.slice(i, i + FLUSH_CHUNK), now);
        } catch (err) {
          // The failed slice and those not sent yet go back in the queue (unless changed again meanwhile:
          // the entry is the same object, so the queue holds its latest quote either way).
          for (const e of changed.slice(i)) this.dirty.set(e.w.instrumentToken, e);
          throw err;
        }
      }
      const due: Held[] = [];
      for (const e of this.held.values()) if (now - e.writtenAt >= REFRESH_AFTER_MS && !this.dirty.has(e.w.instrumentToken)) due.push(e);
      if (due.length === 0) return;
      const lapsed = await this.sink.touch(due);
      for (const e of due) if (e.writtenAt < now) e.writtenAt = now;
      await this.send(lapsed, now);
    } catch (err) {
      this.onError(err as Error);
    } finally {
      this.flushing = false;
    }
  }

  clear(): void {
    this.held.clear();
    this.dirty.clear();
  }

  private async send(entries: Held[], now: number): Promise<void> {
    if (entries.length === 0) return;
    try {
      await this.sink.write(entries.map((e) => ({ stockKey: e.stockKey, depthKey: e.depthKey, ...cacheValues(e.w, e.instrument) })));
      for (const e of entries) if (e.writtenAt < now) e.writtenAt = now;
    } catch (err) {
      // Marked due: the next flush writes them again.
      for (const e of entries) e.writtenAt = Math.min(e.writtenAt, now - REFRESH_AFTER_MS);
      throw err;
    }
  }
}

/** DI token of the CacheSink: RedisPipelineSink with Redis, null in embedded mode. */
export const CACHE_SINK = Symbol('MarketDataCacheSink');
