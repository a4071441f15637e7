import { Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { FeedClient, type FeedClientOptions, type WireQuote } from '../../../common/feed-protocol';
import type { PubSub } from '../../../common/redis/ports';
import { BusEncoder, QUOTES_CHANNEL, type BusMessage } from '../bus/quote-bus';
import type { InstrumentDirectory } from '../quotes/quote-mapping';
import type { MarketWriter } from '../storage/market-writer';
import { InlineBookkeeping, WorkerBookkeeping, type Bookkeeping, type WorkerConnections } from './bookkeeping';
import type { BookkeepingEvents } from './bookkeeping-events';
import { registryFeedMetrics, type FeedMetrics, type FeedWriteTarget } from './feed-metrics';
import type { CacheSink } from './quote-cache-writer';

export interface FeedIngestOptions {
  target: { host: string; port: number };
  epoch: number;
  instruments: InstrumentDirectory;
  /** Null in embedded mode: one process, nobody else to tell (its QuotesService gets deliverLocally). */
  pubsub: Pick<PubSub, 'publish'> | null;
  /** This process's own QuotesService: gets each message as it is published, not decoded back from the bus. */
  deliverLocally?: (message: BusMessage, encoded: string | null) => void;
  /**
   * Candles, ticks and the quote cache: on a thread of their own with connections of their own
   * (production), or inline on this one (embedded mode: PGlite is a single connection; no cache).
   */
  bookkeeping: { thread: 'worker'; connections: WorkerConnections } | { thread: 'inline'; writer: MarketWriter; cache: CacheSink | null };
  tickFlushMs: number;
  candleFlushMs: number;
  /** How long the bookkeeping waits for a batch's publish to be acknowledged (default PUBLISH_WAIT_MS). */
  publishWaitMs?: number;
  /** The leader's term is over (fenced out by the database): the caller steps down. */
  onDeposed: (reason: string) => void;
  /** The exchange feed came up or went down. */
  onFeedState?: (up: boolean) => void;
  /** Where counts and lags go (default: this thread's metrics registry). */
  metrics?: FeedMetrics;
  client?: FeedClientOptions;
  /** Benchmarks observe each acknowledged publish and each committed tick batch. */
  observer?: {
    published?(batch: PublishedBatch): void;
    /** Times in epoch ms. */
    ticksCommitted?(count: number, oldestReceivedAt: number, committedAt: number): void;
  };
}

/** An acknowledged publish, for benchmarks. Times in epoch ms. */
export interface PublishedBatch {
  /** The first quote's exchange timestamp (the benchmark's key for its emit time). */
  firstTimestamp: number;
  quotes: number;
  receivedAt: number;
  ackedAt: number;
}

/** What the feed leader holds for its term: FeedIngest on its thread, or FeedThread around it. */
export interface FeedHandler {
  start(): void;
  /** Closes the feed and writes what is buffered. */
  stop(): Promise<void>;
  readonly feedConnected: boolean;
  /** How long the feed has been down (0 while up). */
  readonly feedDownForMs: number;
  /** Ticks not yet committed to Postgres. */
  readonly bufferedTicks: number;
}

const HEARTBEAT_MS = 1000;
/** The bookkeeping waits for a batch's PUBLISH acknowledgement at most this long (a hung Redis must not hold the ticks back). */
const PUBLISH_WAIT_MS = 100;

function settledWithin(work: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void work.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * The leader's feed handler for one term: reads the exchange feed (FeedClient: reconnects with
 * backoff, re-snapshots after a gap), validates each quote, drops those older than what it has, and for every
 * batch publishes one bus message to all replicas, then hands the batch to the bookkeeping (quote
 * cache, ticks and candles for Postgres). Nothing in here waits on another: a slow database never
 * delays a publish, and with the bookkeeping on its own thread neither does its CPU.
 */
export class FeedIngest implements FeedHandler {
  private readonly logger = new Logger(FeedIngest.name);
  private readonly client: FeedClient;
  private readonly encoder = new BusEncoder();
  private readonly books: Bookkeeping;
  /** Timestamp of each instrument's latest quote (only the time: holding the quotes would age them all into the old generation). */
  private readonly latest = new Map<number, number>();
  private seq = 0;
  private feedUp = false;
  private feedDownSince = performance.now();
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private readonly lastWarnAt = new Map<string, number>();
  private readonly metrics: FeedMetrics;
  /** Batches reach the bookkeeping in feed order, each once its publish is done (see onBatch). */
  private bookkeepingQueue: Promise<void> = Promise.resolve();

  constructor(private readonly o: FeedIngestOptions) {
    this.client = new FeedClient({ logger: this.logger, ...o.client });
    const metrics = (this.metrics = o.metrics ?? registryFeedMetrics);
    const events: BookkeepingEvents = {
      ticksCommitted: (count, oldest, committedAt) => {
        metrics.persistLag((committedAt - oldest) / 1000);
        o.observer?.ticksCommitted?.(count, oldest, committedAt);
      },
      ticksDropped: (count) => metrics.droppedTicks(count),
      tradesRecorded: (count) => metrics.trades(count),
      writeFailed: (target, message) => this.failed(target, message),
      fencedOut: (reason) => o.onDeposed(reason),
    };
    const settings = { epoch: o.epoch, tickFlushMs: o.tickFlushMs, candleFlushMs: o.candleFlushMs };
    const b = o.bookkeeping;
    this.books =
      b.thread === 'worker'
        ? new WorkerBookkeeping({ ...settings, connections: b.connections }, o.instruments, events)
        : new InlineBookkeeping({ ...settings, writer: b.writer, cache: b.cache, instruments: o.instruments, events });
  }

  /** Ticks not yet committed to Postgres. */
  get bufferedTicks(): number {
    return this.books.bufferedTicks;
  }

  get feedConnected(): boolean {
    return this.feedUp;
  }

  /** How long the feed has been down (0 while up; counted from the start of this term before the first snapshot). */
  get feedDownForMs(): number {
    return this.feedUp ? 0 : performance.now() - this.feedDownSince;
  }

  start(): void {
    this.client.on('snapshot', (quotes) => this.onBatch(quotes, true));
    this.client.on('quotes', (quotes) => this.onBatch(quotes, false));
    this.client.on('disconnected', (reason) => this.setFeedUp(false, reason));
    this.client.connect(this.o.target.host, this.o.target.port);
    this.books.start();
    this.timers.push(setInterval(() => this.publishStatus(), HEARTBEAT_MS));
    this.publishStatus();
  }

  /** Closes the feed and writes what is buffered. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.client.close();
    await this.bookkeepingQueue;
    await this.books.stop();
  }

  /**
   * The publish goes out first, on its own: what replicas (and traders' screens) wait for is the
   * bus message. The bookkeeping gets the batch once Redis has acknowledged it: its cache writes,
   * and the Postgres flushes it starts, would otherwise reach Redis and the cores while the
   * PUBLISH is still in flight (bench:ingest: PUBLISH round trip P90 5.8 -> 2.8 ms).
   */
  private onBatch(batch: readonly WireQuote[], snapshot: boolean): void {
    if (this.stopped) return;
    const receivedAt = performance.now();
    this.metrics.quotes(batch.length);
    if (snapshot) {
      // A snapshot is the whole state ("replace, do not merge"): an exchange restarted on another clock is not "out of order".
      this.latest.clear();
      this.setFeedUp(true, 'snapshot received');
    }
    const fresh: WireQuote[] = [];
    const late: WireQuote[] = [];
    for (const w of batch) {
      if (!this.o.instruments.getByToken(w.instrumentToken)) {
        this.metrics.rejected('unknown_instrument');
        continue;
      }
      if (w.lastPrice > 0 && w.volume > 0 && (w.lastPrice < w.lowerCircuit || w.lastPrice > w.upperCircuit)) {
        this.metrics.rejected('outside_circuit');
        continue;
      }
      const held = this.latest.get(w.instrumentToken);
      if (held !== undefined && w.timestamp < held) {
        // Older than what replicas already have: it still feeds the candles (a late print), but the quote stays.
        this.metrics.rejected('out_of_order');
        late.push(w);
        continue;
      }
      this.latest.set(w.instrumentToken, w.timestamp);
      fresh.push(w);
    }
    if (!fresh.length && !late.length) return;
    const published = fresh.length ? this.publish(fresh, receivedAt) : { message: null, done: null };
    const done = published.done && settledWithin(published.done, this.o.publishWaitMs ?? PUBLISH_WAIT_MS);
    const receivedAtEpoch = performance.timeOrigin + receivedAt;
    // A batch the bookkeeping could not take is counted and logged; the batches after it still go through.
    this.bookkeepingQueue = this.bookkeepingQueue
      .then(() => done)
      .then(() => this.books.record(fresh, late, receivedAtEpoch, published.message))
      .catch((err: Error) => this.failed('bookkeeping', err.message));
  }

  /** Publishes the batch: its bus message and the publish's end (both null when there is no bus). */
  private publish(quotes: WireQuote[], receivedAt: number): { message: string | null; done: Promise<void> | null } {
    const header = { epoch: this.o.epoch, seq: ++this.seq, publishedAt: Date.now() };
    const pubsub = this.o.pubsub;
    const message = pubsub && this.encoder.quotes(header, quotes);
    this.local({ kind: 'quotes', ...header, quotes }, message);
    return { message, done: pubsub && message ? this.send(pubsub, message, quotes, receivedAt) : null };
  }

  private async send(pubsub: Pick<PubSub, 'publish'>, message: string, quotes: WireQuote[], receivedAt: number): Promise<void> {
    try {
      await pubsub.publish(QUOTES_CHANNEL, message);
      const ackedAt = performance.now();
      this.metrics.publishLag((ackedAt - receivedAt) / 1000);
      const origin = performance.timeOrigin;
      this.o.observer?.published?.({ firstTimestamp: quotes[0].timestamp, quotes: quotes.length, receivedAt: origin + receivedAt, ackedAt: origin + ackedAt });
    } catch (err) {
      this.failed('publish', (err as Error).message);
    }
  }

  private publishStatus(): void {
    if (this.stopped) return;
    const downMs = this.feedUp ? 0 : performance.now() - this.feedDownSince;
    const header = { epoch: this.o.epoch, seq: ++this.seq, publishedAt: Date.now() };
    const encoded = this.encoder.status(header, this.feedUp, downMs);
    this.local({ kind: 'status', ...header, feedUp: this.feedUp, feedDownMs: Math.round(downMs) }, encoded);
    this.o.pubsub?.publish(QUOTES_CHANNEL, encoded).catch((err: Error) => this.failed('publish', err.message));
  }

  /**
   * This process's QuotesService gets the message on the next turn of the loop: after the PUBLISH
   * has been written to Redis (auto-pipelined commands go out on process.nextTick), and before the
   * in-memory bus of embedded mode delivers its copy (which is then skipped, undecoded, by seq).
   * `encoded` is its bus encoding when there is one (what crosses to another thread).
   */
  private local(message: BusMessage, encoded: string | null): void {
    const deliver = this.o.deliverLocally;
    if (deliver) setImmediate(() => deliver(message, encoded));
  }

  private setFeedUp(up: boolean, reason: string): void {
    if (up === this.feedUp) return;
    this.feedUp = up;
    if (!up) this.feedDownSince = performance.now();
    this.logger.log(`exchange feed ${up ? 'up' : 'down'} (${reason})`);
    this.o.onFeedState?.(up);
    this.publishStatus();
  }

  /** Failures repeat at the batch rate while Redis is down: count all, log one per target every 10 s. */
  private failed(target: FeedWriteTarget, message: string): void {
    this.metrics.writeFailure(target);
    const now = performance.now();
    if (now - (this.lastWarnAt.get(target) ?? Number.NEGATIVE_INFINITY) < 10_000) return;
    this.lastWarnAt.set(target, now);
    this.logger.warn(`market-data ${target} write failed: ${message}`);
  }
}
