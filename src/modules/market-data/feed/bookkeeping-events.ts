import { performance } from 'node:perf_hooks';

/** Wall-clock ms with performance.now()'s resolution: comparable across threads (each has its own timeOrigin). */
export const epochNow = (): number => performance.timeOrigin + performance.now();

export type BookkeepingWriteTarget = 'cache' | 'db_ticks' | 'db_candles';

/**
 * What the leader's bookkeeping (candles, ticks, quote cache) reports. Plain data only: on a worker
 * thread each call becomes a message to the feed handler's thread, which owns the metrics, the
 * logs and the leadership. Times are epoch ms (epochNow).
 */
export interface BookkeepingEvents {
  /** A tick batch committed; `buffered` ticks are still waiting. */
  ticksCommitted(count: number, oldestReceivedAt: number, committedAt: number, buffered: number): void;
  /** The database is far behind: the oldest buffered ticks were dropped. */
  ticksDropped(count: number): void;
  /** Quotes that carried a trade (stored as ticks), late prints included. */
  tradesRecorded(count: number): void;
  writeFailed(target: BookkeepingWriteTarget, message: string): void;
  /** The leader's term is over (another replica leads), or the bookkeeping cannot go on. */
  fencedOut(reason: string): void;
}
