import type { DataSource, QueryRunner } from 'typeorm';
import type { CandleDelta } from '../candles/candle-aggregator';
import { PartitionManager } from './partitions';

export interface TickRow {
  /** Trade time, epoch ms. */
  time: number;
  instrumentToken: number;
  lastPrice: number;
  lastQuantity: number;
  /** Cumulative day volume after the trade. */
  volume: number;
  averagePrice: number;
}

export interface HistoryCandle {
  instrumentToken: number;
  /** IST midnight of the session, epoch ms. */
  day: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  synthetic: boolean;
}

/** A write refused because another replica has become the feed leader since this one claimed its term. */
export class FencedOutError extends Error {}

/**
 * Market-data writes. Each is one transaction: the leader's term is checked against
 * market_feed_leader first (fencing: a deposed leader that still believes it leads — a long GC
 * pause, a partition from Redis — is refused here), then one multi-row statement from arrays
 * (UNNEST; COPY is not reachable through TypeORM's driver, and one statement of thousands of rows
 * costs about the same). `synchronous_commit = off` for these transactions only: a crash may lose
 * the last few hundred milliseconds of ticks, which the exchange can replay; money never goes
 * through here.
 */
export class MarketWriter {
  constructor(
    private readonly db: DataSource,
    readonly partitions: PartitionManager,
    /** The cluster this leader belongs to (its Redis key prefix): one term row per cluster. */
    readonly cluster: string,
  ) {}

  /** Starts a new leader term; returns its epoch (higher than any before in this cluster). */
  async claim(holder: string): Promise<number> {
    const rows: { epoch: string }[] = await this.db.query(
      `INSERT INTO market_feed_leader AS l (cluster, epoch, holder) VALUES ($1, 1, $2)
       ON CONFLICT (cluster) DO UPDATE SET epoch = l.epoch + 1, holder = excluded.holder, claimed_at = now(), renewed_at = now()
       RETURNING epoch`,
      [this.cluster, holder],
    );
    return Number(rows[0].epoch);
  }

  async writeTicks(epoch: number, ticks: readonly TickRow[]): Promise<void> {
    if (ticks.length === 0) return;
    await this.partitions.ensure('market_ticks', ticks.map((t) => t.time));
    const cols = { ms: [] as number[], token: [] as number[], price: [] as number[], qty: [] as number[], vol: [] as number[], avg: [] as number[] };
    for (const t of ticks) {
      cols.ms.push(t.time);
      cols.token.push(t.instrumentToken);
      cols.price.push(t.lastPrice);
      cols.qty.push(t.lastQuantity);
      cols.vol.push(t.volume);
      cols.avg.push(t.averagePrice);
    }
    await this.fenced(epoch, (r) =>
      r.query(
        `INSERT INTO market_ticks (ts, instrument_token, last_price, last_quantity, volume, average_price)
         SELECT to_timestamp(u.ms / 1000.0), u.token, u.price, u.qty, u.vol, u.avg
           FROM unnest($1::float8[], $2::int[], $3::int8[], $4::int[], $5::int8[], $6::int8[]) AS u(ms, token, price, qty, vol, avg)`,
        [cols.ms, cols.token, cols.price, cols.qty, cols.vol, cols.avg],
      ),
    );
  }

  /**
   * Merges candle changes (see CandleDelta): intraday rows keep their open, widen high/low, take
   * the new close only from a change that traded (volume > 0), and add volume; day rows take the
   * exchange's day statistics.
   */
  async writeCandles(epoch: number, deltas: readonly CandleDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    await this.partitions.ensure('market_candles', deltas.map((d) => d.start));
    const c = columns(deltas);
    await this.fenced(epoch, (r) =>
      r.query(
        `INSERT INTO market_candles AS c (instrument_token, timeframe, ts, open, high, low, close, volume)
         SELECT u.token, u.tf, to_timestamp(u.ms / 1000.0), u.o, u.h, u.l, u.c, u.v
           FROM unnest($1::int[], $2::int2[], $3::float8[], $4::int8[], $5::int8[], $6::int8[], $7::int8[], $8::int8[]) AS u(token, tf, ms, o, h, l, c, v)
         ON CONFLICT (instrument_token, timeframe, ts) DO UPDATE SET
           open = CASE WHEN c.timeframe = 1440 THEN excluded.open ELSE c.open END,
           high = GREATEST(c.high, excluded.high),
           low = LEAST(c.low, excluded.low),
           close = CASE WHEN c.timeframe = 1440 OR excluded.volume > 0 THEN excluded.close ELSE c.close END,
           volume = CASE WHEN c.timeframe = 1440 THEN GREATEST(c.volume, excluded.volume) ELSE c.volume + excluded.volume END,
           synthetic = false`,
        [c.token, c.tf, c.ms, c.o, c.h, c.l, c.c, c.v],
      ),
    );
  }

  /** Loads daily history (backfill): rows already present are kept; records the backfill. No fence: any replica may. */
  async writeHistory(candles: readonly HistoryCandle[], record: { instrumentToken: number; source: 'reference-csv' | 'synthetic' }[]): Promise<void> {
    if (candles.length === 0) return;
    await this.partitions.ensure('market_candles', candles.map((d) => d.day));
    const runner = this.db.createQueryRunner('master');
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`SET LOCAL synchronous_commit = off`);
      await runner.query(
        `INSERT INTO market_candles (instrument_token, timeframe, ts, open, high, low, close, volume, synthetic)
         SELECT u.token, 1440, to_timestamp(u.ms / 1000.0), u.o, u.h, u.l, u.c, u.v, u.s
           FROM unnest($1::int[], $2::float8[], $3::int8[], $4::int8[], $5::int8[], $6::int8[], $7::int8[], $8::bool[]) AS u(token, ms, o, h, l, c, v, s)
         ON CONFLICT DO NOTHING`,
        [
          candles.map((d) => d.instrumentToken),
          candles.map((d) => d.day),
          candles.map((d) => d.open),
          candles.map((d) => d.high),
          candles.map((d) => d.low),
          candles.map((d) => d.close),
          candles.map((d) => d.volume),
          candles.map((d) => d.synthetic),
        ],
      );
      await runner.query(
        `INSERT INTO market_history_backfills (instrument_token, source, first_day, last_day, candles)
         SELECT r.token, r.source, min(c.ts AT TIME ZONE 'Asia/Kolkata')::date, max(c.ts AT TIME ZONE 'Asia/Kolkata')::date, count(*)
           FROM unnest($1::int[], $2::text[]) AS r(token, source)
           JOIN market_candles c ON c.instrument_token = r.token AND c.timeframe = 1440
          GROUP BY r.token, r.source
         ON CONFLICT (instrument_token) DO NOTHING`,
        [record.map((r) => r.instrumentToken), record.map((r) => r.source)],
      );
      await runner.commitTransaction();
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  private async fenced(epoch: number, write: (runner: QueryRunner) => Promise<unknown>): Promise<void> {
    const runner = this.db.createQueryRunner('master');
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`SET LOCAL synchronous_commit = off`);
      const held = await runner.query(`UPDATE market_feed_leader SET renewed_at = now() WHERE cluster = $1 AND epoch = $2`, [this.cluster, epoch], true);
      if (!held.affected) throw new FencedOutError(`feed leader term ${epoch} is over: another replica leads now`);
      await write(runner);
      await runner.commitTransaction();
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }
}

function columns(deltas: readonly CandleDelta[]) {
  const c = { token: [] as number[], tf: [] as number[], ms: [] as number[], o: [] as number[], h: [] as number[], l: [] as number[], c: [] as number[], v: [] as number[] };
  for (const d of deltas) {
    c.token.push(d.instrumentToken);
    c.tf.push(d.timeframe);
    c.ms.push(d.start);
    c.o.push(d.open);
    c.h.push(d.high);
    c.l.push(d.low);
    c.c.push(d.close);
    c.v.push(d.volume);
  }
  return c;
}
