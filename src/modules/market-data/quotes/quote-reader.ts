import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from '../../../common/clock/clock';
import { AppConfig } from '../../../common/config/app-config';
import { ServiceUnavailableError } from '../../../common/errors';
import { CACHE, type Cache } from '../../../common/redis/ports';
import type { Instrument } from '../../instruments';
import { bucketStart, DAY } from '../candles/candle-buckets';
import type { Quote } from '../market-data.events';
import { MarketReads, type LastKnown } from '../storage/market-reads';
import { depthKey, EMPTY_DEPTH, fromCache, percentChange, stockKey } from './quote-mapping';
import { QuotesService } from './quotes.service';

/** A cache read slower than this is treated as Redis being down. */
const CACHE_TIMEOUT_MS = 1000;

/**
 * Quotes for the REST API: from the cache (`stock:` + `depth:`), which the leader keeps fresh;
 * an instrument missing there comes from this replica's memory; with the cache unreachable, from
 * what Postgres last stored (latest day candle and tick) — always marked stale, with empty depth.
 */
@Injectable()
export class QuoteReader {
  private readonly logger = new Logger(QuoteReader.name);
  private lastWarnAt = 0;
  private readonly embedded: boolean;

  constructor(
    config: AppConfig,
    @Inject(CACHE) private readonly cache: Cache,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly quotes: QuotesService,
    private readonly reads: MarketReads,
  ) {
    this.embedded = config.redis.embedded;
  }

  async read(instruments: readonly Instrument[]): Promise<Map<number, Quote>> {
    if (this.embedded) return this.fromMemory(instruments);
    let values: (string | null)[];
    try {
      values = await withTimeout(this.cache.getMany([...instruments.map(stockKey), ...instruments.map(depthKey)]), CACHE_TIMEOUT_MS);
    } catch (err) {
      this.warn(`quote cache unreachable, serving last known quotes from Postgres: ${(err as Error).message}`);
      return this.fromDatabase(instruments);
    }
    const out = new Map<number, Quote>();
    const missing: Instrument[] = [];
    instruments.forEach((instrument, i) => {
      const stock = values[i];
      const held = stock ? fromCache(stock, values[instruments.length + i], this.quotes.stale) : this.quotes.get(instrument.instrumentToken);
      if (held) out.set(instrument.instrumentToken, held);
      else missing.push(instrument);
    });
    if (missing.length) for (const [token, q] of await this.fromDatabase(missing)) out.set(token, q);
    return out;
  }

  /** Embedded mode: one process, whose memory is the cache (nothing is serialised into the in-memory keyspace). */
  private async fromMemory(instruments: readonly Instrument[]): Promise<Map<number, Quote>> {
    const out = new Map<number, Quote>();
    const missing: Instrument[] = [];
    for (const i of instruments) {
      const q = this.quotes.get(i.instrumentToken);
      if (q) out.set(i.instrumentToken, q);
      else missing.push(i);
    }
    if (missing.length) for (const [token, q] of await this.fromDatabase(missing)) out.set(token, q);
    return out;
  }

  private async fromDatabase(instruments: readonly Instrument[]): Promise<Map<number, Quote>> {
    let rows: LastKnown[];
    try {
      rows = await this.reads.lastKnown(instruments.map((i) => i.instrumentToken), this.clock.now());
    } catch (err) {
      throw new ServiceUnavailableError(`quotes unavailable: ${(err as Error).message}`, 'MARKET.QUOTES_UNAVAILABLE');
    }
    const known = new Map(rows.map((r) => [r.instrumentToken, r]));
    const today = bucketStart(this.clock.now(), DAY);
    return new Map(instruments.map((i) => [i.instrumentToken, lastKnownQuote(i, known.get(i.instrumentToken), today)]));
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarnAt < 10_000) return;
    this.lastWarnAt = now;
    this.logger.warn(message);
  }
}

/** Before any stored trade, Kite's convention: the previous close is the last price. */
function lastKnownQuote(i: Instrument, known: LastKnown | undefined, today: number): Quote {
  const tick = known?.tick ?? null;
  const day = known?.day && known.day.start === today ? known.day : null;
  const lastPrice = tick?.lastPrice ?? known?.day?.close ?? i.prevClose;
  const change = lastPrice - i.prevClose;
  return {
    instrumentToken: i.instrumentToken,
    exchange: i.exchange,
    tradingsymbol: i.tradingsymbol,
    lastPrice,
    lastQuantity: tick?.lastQuantity ?? 0,
    lastTradeTime: tick?.time ?? 0,
    volume: day?.volume ?? 0,
    averagePrice: tick?.averagePrice ?? 0,
    open: day?.open ?? 0,
    high: day?.high ?? 0,
    low: day?.low ?? 0,
    close: i.prevClose,
    change,
    changePercent: percentChange(change, i.prevClose),
    lowerCircuit: i.lowerCircuit,
    upperCircuit: i.upperCircuit,
    totalBuyQuantity: 0,
    totalSellQuantity: 0,
    bids: [...EMPTY_DEPTH],
    asks: [...EMPTY_DEPTH],
    timestamp: tick?.time ?? known?.day?.start ?? 0,
    stale: true,
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}
