import type { RedisOptions } from 'ioredis';
import { join } from 'node:path';
import type { WireQuote } from '../../../common/feed-protocol';
import type { Instrument } from '../../instruments';
import { BusEncoder } from '../bus/quote-bus';
import type { InstrumentDirectory } from '../quotes/quote-mapping';
import type { MarketWriter } from '../storage/market-writer';
import type { BookkeepingEvents } from './bookkeeping-events';
import { FlushSchedule } from './flush-schedule';
import { PersistQueue } from './persist-queue';
import { MarketThread } from './market-thread';
import { CACHE_FLUSH_MS, QuoteCacheWriter, type CacheSink } from './quote-cache-writer';

/**
 * Everything the leader does with a feed batch after publishing it: candles, ticks for Postgres,
 * the quote cache. Inline on the feed handler's thread, or on a worker thread of its own so that
 * its CPU and garbage never delay the next publish.
 */
export interface Bookkeeping {
  start(): void;
  /**
   * `fresh`: the quotes that were published (newer than what replicas hold), `freshMessage` their
   * bus encoding when there is one; `late`: older prints, which feed only the candles. Candles see
   * the late ones first. `receivedAt` in epoch ms.
   */
  record(fresh: readonly WireQuote[], late: readonly WireQuote[], receivedAt: number, freshMessage: string | null): void;
  /** Ticks waiting for the database. */
  readonly bufferedTicks: number;
  /** Writes what is buffered (unless the term is over) and lets go of connections and timers. */
  stop(): Promise<void>;
}

export interface BookkeepingSettings {
  epoch: number;
  tickFlushMs: number;
  candleFlushMs: number;
}

export interface InlineBookkeepingOptions extends BookkeepingSettings {
  writer: MarketWriter;
  /** Null in embedded mode: its QuotesService memory is the cache. */
  cache: CacheSink | null;
  instruments: InstrumentDirectory;
  events: BookkeepingEvents;
}

export class InlineBookkeeping implements Bookkeeping {
  private readonly persist: PersistQueue;
  private readonly cacheWriter: QuoteCacheWriter | null;
  private readonly cacheSchedule: FlushSchedule | null;
  private stopped = false;

  constructor(private readonly o: InlineBookkeepingOptions) {
    this.persist = new PersistQueue({ writer: o.writer, epoch: o.epoch, tickFlushMs: o.tickFlushMs, candleFlushMs: o.candleFlushMs, events: o.events });
    const cacheWriter = o.cache && new QuoteCacheWriter(o.cache, (err) => o.events.writeFailed('cache', err.message));
    this.cacheWriter = cacheWriter;
    this.cacheSchedule = cacheWriter && new FlushSchedule(CACHE_FLUSH_MS, () => void cacheWriter.flush());
  }

  start(): void {
    this.persist.start();
    this.cacheSchedule?.start();
  }

  /**
   * Two turns of the loop later: on the feed handler's thread, the poll phase in between reads the
   * publish acknowledgement (and the next feed frames) before this batch's bookkeeping takes the CPU.
   */
  record(fresh: readonly WireQuote[], late: readonly WireQuote[], receivedAt: number): void {
    setImmediate(() => setImmediate(() => this.stopped || this.apply(fresh, late, receivedAt)));
  }

  private apply(fresh: readonly WireQuote[], late: readonly WireQuote[], receivedAt: number): void {
    let trades = 0;
    for (const quotes of [late, fresh]) {
      for (const w of quotes) {
        const kind = this.persist.record(w, receivedAt);
        if (kind === 'trade' || kind === 'late') trades++;
      }
    }
    if (trades) this.o.events.tradesRecorded(trades);
    if (this.cacheWriter) {
      for (const w of fresh) {
        const instrument = this.o.instruments.getByToken(w.instrumentToken);
        if (instrument) this.cacheWriter.changed(w, instrument);
      }
    }
    this.persist.afterBatch();
    this.cacheSchedule?.afterBatch();
  }

  get bufferedTicks(): number {
    return this.persist.bufferedTicks;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cacheSchedule?.stop();
    await this.persist.stop();
    this.cacheWriter?.clear();
  }
}

/** What the bookkeeping thread connects to: its own Postgres pool and Redis connection. */
export interface WorkerConnections {
  databaseUrl: string;
  /** Null with the in-memory cache (no Redis): no cache writes. */
  redis: { url?: string; options: RedisOptions } | null;
  keyPrefix: string;
  /** The leader-term row the writer fences on (MarketWriter's cluster). */
  cluster: string;
  logLevel: string;
}

export interface WorkerInit extends BookkeepingSettings {
  connections: WorkerConnections;
}

/** Feed handler thread → bookkeeping thread. */
export type ToBookkeeping =
  | { type: 'batch'; receivedAt: number; fresh: string | null; late: string | null; instruments: Instrument[] }
  | { type: 'stop' };

/** Bookkeeping thread → feed handler thread: an event call, or the end of `stop`. */
export type FromBookkeeping = { event: keyof BookkeepingEvents; args: unknown[] } | { event: 'stopped' };

const STOP_TIMEOUT_MS = 15_000;

/**
 * The bookkeeping on a worker thread. A batch crosses as the bus message already encoded for the
 * publish (a string: one copy, no structured clone of hundreds of quote objects); late prints,
 * which are not published, go encoded on their own; each instrument's reference data goes once.
 */
export class WorkerBookkeeping implements Bookkeeping {
  private readonly thread: MarketThread<ToBookkeeping, FromBookkeeping>;
  private readonly encoder = new BusEncoder();
  /** Tokens whose Instrument the thread already has. */
  private readonly shared = new Set<number>();
  private buffered = 0;

  constructor(
    init: WorkerInit,
    private readonly instruments: InstrumentDirectory,
    private readonly events: BookkeepingEvents,
  ) {
    this.thread = new MarketThread({
      entry: join(__dirname, 'bookkeeping.worker'),
      workerData: init,
      name: 'market-data bookkeeping thread',
      onMessage: (m) => this.onMessage(m),
      onDeath: (reason) => events.fencedOut(reason),
      isStopped: (m) => m.event === 'stopped',
      stopTimeoutMs: STOP_TIMEOUT_MS,
    });
  }

  start(): void {
    // The thread starts its flush timers as soon as its connections are up.
  }

  record(fresh: readonly WireQuote[], late: readonly WireQuote[], receivedAt: number, freshMessage: string | null): void {
    if (this.thread.stopRequested) return;
    const instruments: Instrument[] = [];
    for (const quotes of [late, fresh]) {
      for (const w of quotes) {
        if (this.shared.has(w.instrumentToken)) continue;
        const instrument = this.instruments.getByToken(w.instrumentToken);
        if (instrument) instruments.push(instrument);
        this.shared.add(w.instrumentToken);
      }
    }
    const header = { epoch: 0, seq: 0, publishedAt: 0 };
    const message: ToBookkeeping = {
      type: 'batch',
      receivedAt,
      fresh: freshMessage ?? (fresh.length ? this.encoder.quotes(header, fresh) : null),
      late: late.length ? this.encoder.quotes(header, late) : null,
      instruments,
    };
    this.thread.post(message);
  }

  get bufferedTicks(): number {
    return this.buffered;
  }

  /** A thread that already died (the usual reason for stopping it) has nothing left to write. */
  stop(): Promise<void> {
    return this.thread.stop({ type: 'stop' });
  }

  private onMessage(m: FromBookkeeping): void {
    if (m.event === 'stopped') return;
    if (m.event === 'ticksCommitted') this.buffered = m.args[3] as number;
    (this.events[m.event] as (...args: unknown[]) => void)(...m.args);
  }
}
