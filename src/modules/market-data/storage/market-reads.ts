import type { DataSource } from 'typeorm';
import type { Timeframe } from '../candles/candle-buckets';

export interface CandleRow {
  /** Candle start, epoch ms. */
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  synthetic: boolean;
}

/** What Postgres last knew of an instrument: its latest day candle and (within tick retention) its latest tick. */
export interface LastKnown {
  instrumentToken: number;
  day: { start: number; open: number; high: number; low: number; close: number; volume: number } | null;
  tick: { time: number; lastPrice: number; lastQuantity: number; volume: number; averagePrice: number } | null;
}

const num = (v: string | number | null): number => (v === null ? 0 : Number(v));

/**
 * Market-data queries. Charts go to the read replica when DATABASE_READ_URL is set (TypeORM
 * replication: a 'slave' query runner); without replication TypeORM hands out the primary.
 */
export class MarketReads {
  constructor(private readonly db: DataSource) {}

  async candles(instrumentToken: number, timeframe: Timeframe, from: number, to: number, options: { primary?: boolean } = {}): Promise<CandleRow[]> {
    const runner = this.db.createQueryRunner(options.primary ? 'master' : 'slave');
    try {
      const rows: Record<string, string | number | boolean>[] = await runner.query(
        `SELECT (extract(epoch FROM ts) * 1000)::float8 AS start, open, high, low, close, volume, synthetic
           FROM market_candles
          WHERE instrument_token = $1 AND timeframe = $2 AND ts >= to_timestamp($3 / 1000.0) AND ts <= to_timestamp($4 / 1000.0)
          ORDER BY ts`,
        [instrumentToken, timeframe, from, to],
      );
      return rows.map((r) => ({
        start: Number(r.start),
        open: Number(r.open),
        high: Number(r.high),
        low: Number(r.low),
        close: Number(r.close),
        volume: Number(r.volume),
        synthetic: r.synthetic === true,
      }));
    } finally {
      await runner.release();
    }
  }

  /** Which of these instruments already have their daily history loaded. */
  async backfilled(instrumentTokens: readonly number[]): Promise<Set<number>> {
    if (instrumentTokens.length === 0) return new Set();
    const rows: { instrument_token: number }[] = await this.db.query(
      `SELECT instrument_token FROM market_history_backfills WHERE instrument_token = ANY($1::int[])`,
      [instrumentTokens],
    );
    return new Set(rows.map((r) => Number(r.instrument_token)));
  }

  /** The fallback when the quote cache is unreachable (primary: the replica may lag by the very seconds that matter). */
  async lastKnown(instrumentTokens: readonly number[], now: number): Promise<LastKnown[]> {
    if (instrumentTokens.length === 0) return [];
    const rows: Record<string, string | number | null>[] = await this.db.query(
      `SELECT i.token,
              (extract(epoch FROM d.ts) * 1000)::float8 AS day_start, d.open, d.high, d.low, d.close, d.volume AS day_volume,
              (extract(epoch FROM t.ts) * 1000)::float8 AS tick_time, t.last_price, t.last_quantity, t.volume AS tick_volume, t.average_price
         FROM unnest($1::int[]) AS i(token)
         LEFT JOIN LATERAL (
           SELECT ts, open, high, low, close, volume FROM market_candles
            WHERE instrument_token = i.token AND timeframe = 1440 ORDER BY ts DESC LIMIT 1) d ON true
         LEFT JOIN LATERAL (
           SELECT ts, last_price, last_quantity, volume, average_price FROM market_ticks
            WHERE instrument_token = i.token AND ts > to_timestamp($2 / 1000.0) - interval '3 days' ORDER BY ts DESC LIMIT 1) t ON true`,
      [instrumentTokens, now],
    );
    return rows.map((r) => ({
      instrumentToken: Number(r.token),
      day:
        r.day_start === null
          ? null
          : { start: num(r.day_start), open: num(r.open), high: num(r.high), low: num(r.low), close: num(r.close), volume: num(r.day_volume) },
      tick:
        r.tick_time === null
          ? null
          : { time: num(r.tick_time), lastPrice: num(r.last_price), lastQuantity: num(r.last_quantity), volume: num(r.tick_volume), averagePrice: num(r.average_price) },
    }));
  }
}
