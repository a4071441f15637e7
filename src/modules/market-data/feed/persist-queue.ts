import { performance } from 'node:perf_hooks';
import { CandleAggregator, type CandleDelta, type QuoteState, type TradeKind } from '../candles/candle-aggregator';
import { FencedOutError, type MarketWriter, type TickRow } from '../storage/market-writer';
import { epochNow, type BookkeepingEvents } from './bookkeeping-events';
import { FlushSchedule } from './flush-schedule';

export interface PersistQueueOptions {
  writer: MarketWriter;
  epoch: number;
  tickFlushMs: number;
  /** Open candles are written this often; closed ones within a second of closing. */
  candleFlushMs: number;
  /** Ticks held at most (about 40 s at 5,000/s); past it the oldest are dropped and counted. */
  maxBufferedTicks?: number;
  /** Commits, drops, failures and the end of the term (another replica leads) go here. */
  events: Pick<BookkeepingEvents, 'ticksCommitted' | 'ticksDropped' | 'writeFailed' | 'fencedOut'>;
}

/**
 * Rows per candle upsert transaction, and per tick insert: each holds a connection for ~10-25 ms
 * (PGlite, measured), which bounds how long an order or a health check can queue behind market
 * data on embedded mode's single connection.
 */
const CANDLE_CHUNK = 1_000;
const TICK_CHUNK = 2_000;

interface BufferedTick extends TickRow {
  /** Epoch ms (fractional): the feed may have been read on another thread. */
  receivedAt: number;
}

/**
 * The leader's write-behind buffer: ticks flushed every tickFlushMs as one statement, candles
 * aggregated in memory and upserted every candleFlushMs. One flush of each kind in flight at a
 * time; a failed batch is kept and retried (ticks) or merged back (candles), so a slow or briefly
 * unreachable database delays persistence but never blocks the feed.
 */
export class PersistQueue {
  readonly aggregator = new CandleAggregator();
  private ticks: BufferedTick[] = [];
  private readonly maxBufferedTicks: number;
  private readonly tickSchedule: FlushSchedule;
  private readonly candleSchedule: FlushSchedule;
  private tickFlush: Promise<void> | null = null;
  private candleFlush: Promise<void> | null = null;
  private stopped = false;
  private lastFullFlush = performance.now();

  constructor(private readonly options: PersistQueueOptions) {
    this.maxBufferedTicks = options.maxBufferedTicks ?? 200_000;
    this.tickSchedule = new FlushSchedule(options.tickFlushMs, () => void this.flushTicks());
    this.candleSchedule = new FlushSchedule(Math.min(1000, options.candleFlushMs), () => void this.flushCandles());
  }

  start(): void {
    this.tickSchedule.start();
    this.candleSchedule.start();
  }

  /** A feed batch has been recorded: the flushes that are due run now (see FlushSchedule). */
  afterBatch(): void {
    this.tickSchedule.afterBatch();
    this.candleSchedule.afterBatch();
  }

  /** Feeds one quote to the candles; stores a tick when it carried a trade. `receivedAt` in epoch ms. */
  record(q: QuoteState & { lastQuantity: number; averagePrice: number }, receivedAt: number): TradeKind {
    const kind = this.aggregator.onQuote(q);
    if (kind === 'trade' || kind === 'late') {
      if (this.ticks.length >= this.maxBufferedTicks) {
        // The database is far behind: shed the oldest sixteenth at once (one shift per tick is
        // O(buffer) each, and made a 200,000-tick backlog cost seconds of CPU per second).
        const shed = Math.max(1, this.maxBufferedTicks >> 4);
        this.ticks.splice(0, shed);
        this.options.events.ticksDropped(shed);
      }
      this.ticks.push({
        time: q.lastTradeTime,
        instrumentToken: q.instrumentToken,
        lastPrice: q.lastPrice,
        lastQuantity: q.lastQuantity,
        volume: q.volume,
        averagePrice: q.averagePrice,
        receivedAt,
      });
    }
    return kind;
  }

  /** Stops the timers and writes what is buffered (unless the term is over). */
  async stop(): Promise<void> {
    this.tickSchedule.stop();
    this.candleSchedule.stop();
    await Promise.allSettled([this.tickFlush, this.candleFlush]);
    if (!this.stopped) await Promise.allSettled([this.flushTicks(), this.flushCandles(true)]);
    this.stopped = true;
  }

  get bufferedTicks(): number {
    return this.ticks.length;
  }

  flushTicks(): Promise<void> {
    if (this.tickFlush || this.stopped || this.ticks.length === 0) return this.tickFlush ?? Promise.resolve();
    const batch = this.ticks;
    this.ticks = [];
    this.tickFlush = this.writeTickChunks(batch).finally(() => (this.tickFlush = null));
    return this.tickFlush;
  }

  /** Statements of TICK_CHUNK rows: building and serialising the arrays is synchronous work, and the feed must not wait behind it. */
  private async writeTickChunks(batch: BufferedTick[]): Promise<void> {
    for (let i = 0; i < batch.length; i += TICK_CHUNK) {
      const chunk = batch.slice(i, i + TICK_CHUNK);
      try {
        await this.options.writer.writeTicks(this.options.epoch, chunk);
      } catch (err) {
        if (this.fencedOut(err)) return;
        this.ticks = batch.slice(i).concat(this.ticks).slice(-this.maxBufferedTicks);
        this.failed('ticks', err);
        return;
      }
      const committedAt = epochNow();
      let oldest = Number.POSITIVE_INFINITY;
      for (const t of chunk) if (t.receivedAt < oldest) oldest = t.receivedAt;
      this.options.events.ticksCommitted(chunk.length, oldest, committedAt, this.ticks.length);
    }
  }

  /**
   * Every 5 timeframes of every trading instrument change with each trade: writing all open
   * candles each second would be ~25,000 upserts/s for 5,000 instruments. Closed candles are
   * written within a second; open ones every candleFlushMs (and on stop).
   */
  flushCandles(all = false): Promise<void> {
    if (this.candleFlush || this.stopped || this.aggregator.pendingCount === 0) return this.candleFlush ?? Promise.resolve();
    const now = performance.now();
    const full = all || now - this.lastFullFlush >= this.options.candleFlushMs;
    if (full) this.lastFullFlush = now;
    const deltas = full ? this.aggregator.drain() : this.aggregator.drainClosed(this.aggregator.watermark);
    if (deltas.length === 0) return Promise.resolve();
    this.candleFlush = this.writeCandleChunks(deltas).finally(() => (this.candleFlush = null));
    return this.candleFlush;
  }

  /**
   * In transactions of CANDLE_CHUNK rows: a 25,000-row upsert holds a connection for about half a
   * second (PGlite), and in embedded mode the only one: orders would queue behind it. Committed
   * chunks are final; only the failed chunk and those after it are merged back (volumes must not
   * count twice).
   */
  private async writeCandleChunks(deltas: CandleDelta[]): Promise<void> {
    for (let i = 0; i < deltas.length; i += CANDLE_CHUNK) {
      try {
        await this.options.writer.writeCandles(this.options.epoch, deltas.slice(i, i + CANDLE_CHUNK));
      } catch (err) {
        if (this.fencedOut(err)) return;
        this.aggregator.restore(deltas.slice(i));
        this.failed('candles', err);
        return;
      }
    }
  }

  private fencedOut(err: unknown): boolean {
    if (!(err instanceof FencedOutError)) return false;
    this.stopped = true;
    this.ticks = [];
    this.options.events.fencedOut(err.message);
    return true;
  }

  private failed(what: 'ticks' | 'candles', err: unknown): void {
    this.options.events.writeFailed(`db_${what}`, `${(err as Error).message} (will retry)`);
  }
}
