import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { performance } from 'node:perf_hooks';
import { AppConfig } from '../../../common/config/app-config';
import type { WireQuote } from '../../../common/feed-protocol';
import { CACHE, PUBSUB, type Cache, type PubSub, type Unsubscribe } from '../../../common/redis/ports';
import { InstrumentsService } from '../../instruments';
import { BusDecoder, QUOTES_CHANNEL, type BusMessage } from '../bus/quote-bus';
import { marketMetrics } from '../market-data.metrics';
import { FEED_STATUS_CHANGED, QUOTES_UPDATED, type FeedStatusChangedEvent, type Quote, type QuotesUpdatedEvent } from '../market-data.events';
import { depthKey, fromCache, stockKey, toQuote, withStale } from './quote-mapping';

const STALENESS_CHECK_MS = 250;
const RESYNC_CHUNK = 500;

/**
 * The latest quote of every instrument, held on every replica (the leader included) and fed by
 * the leader's pub/sub batches; what the realtime gateway, risk and portfolio read. Emits
 * QUOTES_UPDATED per batch and FEED_STATUS_CHANGED when the feed goes stale or recovers.
 *
 * Stale means: no message from a leader for MARKET_STALE_AFTER_MS (no leader, or Redis down), or
 * the leader says its feed has been down that long. A quiet market is not stale: the leader's
 * heartbeat keeps coming. Durations use the monotonic clock, not the business clock (tests and
 * the demo move that one).
 */
@Injectable()
export class QuotesService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(QuotesService.name);
  private readonly decoder = new BusDecoder();
  private readonly staleAfterMs: number;
  private quotes = new Map<number, Quote>();
  private isStale = true;
  private staleSince = Date.now();
  private lastMessageAt = Number.NEGATIVE_INFINITY;
  private leaderFeedUp = false;
  private leaderFeedDownMs = 0;
  private epoch = 0;
  private seq = 0;
  private unsubscribe: Unsubscribe | null = null;
  private timer: NodeJS.Timeout | null = null;
  private resyncing: Promise<void> | null = null;

  constructor(
    config: AppConfig,
    private readonly instruments: InstrumentsService,
    private readonly events: EventEmitter2,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    @Inject(CACHE) private readonly cache: Cache,
  ) {
    this.staleAfterMs = config.marketData.staleAfterMs;
  }

  async onApplicationBootstrap(): Promise<void> {
    marketMetrics.setStaleSource(() => (this.isStale ? this.quotes.size : 0));
    try {
      this.unsubscribe = await this.pubsub.subscribe(QUOTES_CHANNEL, (message) => this.onMessage(message));
    } catch (err) {
      // Redis down at boot: quotes are served stale from Postgres until it is back (ioredis resubscribes).
      this.logger.warn(`market-data bus not subscribed: ${(err as Error).message}`);
    }
    this.timer = setInterval(() => this.checkStaleness(), STALENESS_CHECK_MS);
    this.timer.unref();
    void this.resync();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.unsubscribe?.().catch(() => undefined);
    this.unsubscribe = null;
  }

  get(instrumentToken: number): Quote | undefined {
    return this.quotes.get(instrumentToken);
  }

  getMany(instrumentTokens: readonly number[]): Quote[] {
    const out: Quote[] = [];
    for (const t of instrumentTokens) {
      const q = this.quotes.get(t);
      if (q) out.push(q);
    }
    return out;
  }

  /** The last traded price in paise, or undefined before any quote (callers fall back to the previous close). */
  lastPrice(instrumentToken: number): number | undefined {
    const p = this.quotes.get(instrumentToken)?.lastPrice;
    return p ? p : undefined;
  }

  get stale(): boolean {
    return this.isStale;
  }

  get size(): number {
    return this.quotes.size;
  }

  /** One bus message from Redis (or the in-memory bus). Skips, undecoded, what this replica already has. */
  onMessage(text: string): void {
    const h = this.decoder.peek(text);
    if (h && h.epoch === this.epoch && h.seq <= this.seq) return;
    const m = this.decoder.decode(text);
    if (m !== null) this.deliver(m);
  }

  /**
   * A leader's message, decoded. The leader hands its own messages here directly as it publishes
   * them (no decode of what it just encoded); their copies from the bus are then skipped by seq.
   */
  deliver(m: BusMessage): void {
    const newTerm = m.epoch !== this.epoch;
    if (!newTerm && m.seq <= this.seq) return; // a duplicate or an old message
    const missed = !newTerm && m.seq !== this.seq + 1;
    this.epoch = m.epoch;
    this.seq = m.seq;
    this.lastMessageAt = performance.now();
    if (m.kind === 'status') {
      this.leaderFeedUp = m.feedUp;
      this.leaderFeedDownMs = m.feedDownMs;
    } else {
      this.leaderFeedUp = true;
      this.leaderFeedDownMs = 0;
      this.apply(m.quotes, m.publishedAt, newTerm);
    }
    this.checkStaleness();
    if (missed) {
      marketMetrics.busGaps.inc();
      void this.resync();
    }
  }

  private apply(wire: readonly WireQuote[], publishedAt: number, newTerm: boolean): void {
    const updated: Quote[] = [];
    for (const w of wire) {
      const held = this.quotes.get(w.instrumentToken);
      // Within one leader term quotes only move forward; a new term may run on another clock.
      if (held && !newTerm && w.timestamp < held.timestamp) continue;
      const instrument = this.instruments.getByToken(w.instrumentToken);
      if (!instrument) continue;
      const q = toQuote(w, instrument, this.isStale);
      this.quotes.set(q.instrumentToken, q);
      updated.push(q);
    }
    marketMetrics.broadcastLag.observe(Math.max(0, Date.now() - publishedAt) / 1000);
    if (updated.length) this.events.emit(QUOTES_UPDATED, { quotes: updated, publishedAt } satisfies QuotesUpdatedEvent);
  }

  private checkStaleness(): void {
    const silentMs = performance.now() - this.lastMessageAt;
    const stale = silentMs > this.staleAfterMs || (!this.leaderFeedUp && this.leaderFeedDownMs + silentMs >= this.staleAfterMs);
    if (stale === this.isStale) return;
    this.isStale = stale;
    this.staleSince = Date.now();
    const next = new Map<number, Quote>();
    for (const [token, q] of this.quotes) next.set(token, withStale(q, stale));
    this.quotes = next;
    this.logger.log(stale ? `market data stale: no live feed for ${this.staleAfterMs} ms` : 'market data live again');
    this.events.emit(FEED_STATUS_CHANGED, { stale, since: this.staleSince } satisfies FeedStatusChangedEvent);
  }

  /**
   * Fills the held state from the quote cache: on start (a replica joining a running cluster
   * hears only changes) and after a missed bus message. Never replaces a newer held quote.
   */
  private resync(): Promise<void> {
    this.resyncing ??= this.readCache().finally(() => (this.resyncing = null));
    return this.resyncing;
  }

  private async readCache(): Promise<void> {
    const instruments = this.instruments.all().filter((i) => i.tradable);
    const updated: Quote[] = [];
    try {
      for (let i = 0; i < instruments.length; i += RESYNC_CHUNK) {
        const chunk = instruments.slice(i, i + RESYNC_CHUNK);
        const values = await this.cache.getMany([...chunk.map(stockKey), ...chunk.map(depthKey)]);
        chunk.forEach((instrument, j) => {
          const stock = values[j];
          if (!stock) return;
          const q = fromCache(stock, values[chunk.length + j], this.isStale);
          const held = this.quotes.get(q.instrumentToken);
          if (held && held.timestamp >= q.timestamp) return;
          this.quotes.set(instrument.instrumentToken, q);
          updated.push(q);
        });
      }
    } catch (err) {
      this.logger.warn(`quote resync from the cache failed: ${(err as Error).message}`);
    }
    if (updated.length) this.events.emit(QUOTES_UPDATED, { quotes: updated, publishedAt: Date.now() } satisfies QuotesUpdatedEvent);
  }
}
