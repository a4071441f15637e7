import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Instrument } from '../../instruments';
import { BusDecoder, type BusMessage } from '../bus/quote-bus';
import type { WorkerConnections } from './bookkeeping';
import type { FeedHandler, FeedIngestOptions, PublishedBatch } from './feed-ingest';
import { applyFeedMetrics, registryFeedMetrics, type FeedMetrics, type FeedMetricsBatch } from './feed-metrics';
import { MarketThread } from './market-thread';

export interface FeedThreadInit {
  target: { host: string; port: number };
  epoch: number;
  /** The instrument master at the start of the term (it is loaded once, at boot). */
  instruments: readonly Instrument[];
  /** Redis is required: the thread publishes on the bus. */
  connections: WorkerConnections & { redis: NonNullable<WorkerConnections['redis']> };
  tickFlushMs: number;
  candleFlushMs: number;
  /** Benchmarks: report each acknowledged publish and committed tick batch. */
  observe: boolean;
  /** Hand every bus message to this thread too (see FeedThread). */
  deliverLocally: boolean;
}

/** The feed thread publishes on the bus itself, so it runs only where there is a Redis to publish to. */
export const canRunFeedThread = (c: WorkerConnections): c is FeedThreadInit['connections'] => c.redis != null;

export type ToFeedThread = { type: 'stop' };
export type FromFeedThread =
  | { type: 'report'; metrics: FeedMetricsBatch | null; feedUp: boolean; bufferedTicks: number }
  | { type: 'deposed'; reason: string }
  /** A bus message for this process (encoded for the bus when it was; a status message may come as is). */
  | { type: 'bus'; message: string | BusMessage }
  | { type: 'published'; batch: PublishedBatch }
  | { type: 'ticksCommitted'; count: number; oldest: number; committedAt: number }
  | { type: 'stopped' };

const STOP_TIMEOUT_MS = 20_000;

/**
 * The leader's feed handler on a thread of its own (FeedIngest inside feed.worker.ts, its
 * bookkeeping on a thread beneath that). The main thread serves requests, fans ticks out to
 * sockets and collects the garbage of all that — measured at up to ~30 ms pauses — and none of it
 * now delays a PUBLISH. The thread reports counts, the feed's state and the tick backlog every
 * 250 ms, and hands this process's QuotesService every bus message directly (decoded here, as a
 * follower decodes them), so the leader's own quotes stay live while Redis is down.
 */
export class FeedThread implements FeedHandler {
  private thread: MarketThread<ToFeedThread, FromFeedThread> | null = null;
  private feedUp = false;
  private feedDownSince = performance.now();
  private buffered = 0;
  private readonly decoder = new BusDecoder();

  constructor(
    private readonly init: Omit<FeedThreadInit, 'observe' | 'deliverLocally'>,
    private readonly hooks: Pick<FeedIngestOptions, 'onDeposed' | 'observer'> & {
      metrics?: FeedMetrics;
      /** This process's QuotesService: it gets every message from the thread, Redis or not. */
      deliverLocally?: (message: BusMessage) => void;
    },
  ) {}

  get feedConnected(): boolean {
    return this.feedUp;
  }

  get feedDownForMs(): number {
    return this.feedUp ? 0 : performance.now() - this.feedDownSince;
  }

  get bufferedTicks(): number {
    return this.buffered;
  }

  start(): void {
    this.thread = new MarketThread({
      entry: join(__dirname, 'feed.worker'),
      workerData: { ...this.init, observe: Boolean(this.hooks.observer), deliverLocally: Boolean(this.hooks.deliverLocally) } satisfies FeedThreadInit,
      name: 'market-data feed thread',
      onMessage: (m) => this.onMessage(m),
      onDeath: (reason) => {
        this.setFeedUp(false);
        this.hooks.onDeposed(reason);
      },
      isStopped: (m) => m.type === 'stopped',
      stopTimeoutMs: STOP_TIMEOUT_MS,
    });
  }

  /** Closes the feed, writes what is buffered, and ends the thread. */
  async stop(): Promise<void> {
    await this.thread?.stop({ type: 'stop' });
    this.setFeedUp(false);
  }

  private onMessage(m: FromFeedThread): void {
    switch (m.type) {
      case 'report':
        if (m.metrics) applyFeedMetrics(m.metrics, this.hooks.metrics ?? registryFeedMetrics);
        this.setFeedUp(m.feedUp);
        this.buffered = m.bufferedTicks;
        return;
      case 'bus': {
        const message = typeof m.message === 'string' ? this.decoder.decode(m.message) : m.message;
        if (message) this.hooks.deliverLocally!(message);
        return;
      }
      case 'deposed':
        this.hooks.onDeposed(m.reason);
        return;
      case 'published':
        this.hooks.observer?.published?.(m.batch);
        return;
      case 'ticksCommitted':
        this.hooks.observer?.ticksCommitted?.(m.count, m.oldest, m.committedAt);
        return;
      case 'stopped':
        return;
    }
  }

  private setFeedUp(up: boolean): void {
    if (up === this.feedUp) return;
    this.feedUp = up;
    if (!up) this.feedDownSince = performance.now();
  }
}
