import type Redis from 'ioredis';
import type { Pool } from 'pg';
import { performance } from 'node:perf_hooks';
import type { WireQuote } from '../../src/common/feed-protocol';
import type { Instrument } from '../../src/modules/instruments';

/** [batch timestamp (the key to its emit time), absolute time of the event, quotes it stands for] */
export type Sample = [ts: number, at: number, count: number];

export const now = () => performance.timeOrigin + performance.now();

/**
 * The seed's design, as the baseline: per quote, SET stock:, SET depth:, PUBLISH price:<symbol>
 * (one channel per symbol) with a JSON body, and one INSERT per tick, each on its own.
 */
export class NaiveHandler {
  private readonly last = new Map<number, number>();
  pendingInserts = 0;
  failures = 0;

  constructor(
    private readonly redis: Redis,
    private readonly pool: Pool,
    private readonly prefix: string,
    private readonly instruments: Map<number, Instrument>,
    private readonly samples: { publish: Sample[]; persist: Sample[] },
  ) {}

  onQuotes(quotes: readonly WireQuote[]): void {
    for (const q of quotes) {
      const i = this.instruments.get(q.instrumentToken);
      if (!i) continue;
      const symbol = `${i.exchange}:${i.tradingsymbol}`;
      const body = JSON.stringify({ ...q, tradingsymbol: i.tradingsymbol, exchange: i.exchange, change: q.lastPrice - q.close });
      Promise.all([
        this.redis.set(`${this.prefix}stock:${symbol}`, body, 'PX', 2000),
        this.redis.set(`${this.prefix}depth:${symbol}`, JSON.stringify({ bids: q.bids, asks: q.asks }), 'PX', 1000),
        this.redis.publish(`${this.prefix}price:${symbol}`, body),
      ]).then(
        () => this.samples.publish.push([q.timestamp, now(), 1]),
        () => this.failures++,
      );
      const before = this.last.get(q.instrumentToken) ?? 0;
      this.last.set(q.instrumentToken, q.volume);
      if (q.volume <= before) continue;
      this.pendingInserts++;
      this.pool
        .query(
          `INSERT INTO market_ticks (ts, instrument_token, last_price, last_quantity, volume, average_price) VALUES (to_timestamp($1 / 1000.0), $2, $3, $4, $5, $6)`,
          [q.lastTradeTime, q.instrumentToken, q.lastPrice, q.lastQuantity, q.volume, q.averagePrice],
        )
        .then(
          () => this.samples.persist.push([q.timestamp, now(), 1]),
          () => this.failures++,
        )
        .finally(() => this.pendingInserts--);
    }
  }
}
