import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Market data: raw ticks and OHLCV candles (time-partitioned), the feed leader's fencing row,
 * the record of history backfills, and watchlists.
 *
 * Ticks and candles are range-partitioned on `ts` (Postgres native partitioning; partitions are
 * IST days for ticks and IST months for candles, created ahead of need by the app, see
 * src/modules/market-data/storage/partitions.ts). When the TimescaleDB extension is installed and
 * preloaded, they become hypertables with compression instead; it is detected, never required
 * (PGlite and the plain Postgres used in development have no TimescaleDB).
 *
 * Prices are integer paise. No foreign key to instruments on ticks and candles: at thousands of
 * rows a second the per-row check costs more than it protects (the feed handler only writes
 * tokens it resolved against the master).
 */
export class MarketData1764500000000 implements MigrationInterface {
  name = 'MarketData1764500000000';

  async up(q: QueryRunner): Promise<void> {
    const timescale = await useTimescale(q);
    const partitioned = timescale ? '' : ' PARTITION BY RANGE (ts)';
    await q.query(`
      CREATE TABLE market_ticks (
        ts timestamptz NOT NULL,
        instrument_token integer NOT NULL,
        last_price bigint NOT NULL CHECK (last_price > 0),
        last_quantity integer NOT NULL CHECK (last_quantity >= 0),
        volume bigint NOT NULL CHECK (volume >= 0),
        average_price bigint NOT NULL CHECK (average_price >= 0)
      )${partitioned}`);
    await q.query(`CREATE INDEX market_ticks_token_ts_idx ON market_ticks (instrument_token, ts)`);
    // timeframe: candle length in minutes; 1440 is the IST trading day.
    await q.query(`
      CREATE TABLE market_candles (
        instrument_token integer NOT NULL,
        timeframe smallint NOT NULL CHECK (timeframe IN (1, 5, 15, 60, 1440)),
        ts timestamptz NOT NULL,
        open bigint NOT NULL,
        high bigint NOT NULL,
        low bigint NOT NULL,
        close bigint NOT NULL,
        volume bigint NOT NULL CHECK (volume >= 0),
        synthetic boolean NOT NULL DEFAULT false,
        PRIMARY KEY (instrument_token, timeframe, ts),
        CONSTRAINT market_candles_ohlc CHECK (0 < low AND low <= open AND open <= high AND low <= close AND close <= high)
      )${partitioned}`);
    if (timescale) {
      await q.query(`SELECT create_hypertable('market_ticks', 'ts', chunk_time_interval => INTERVAL '1 day')`);
      await q.query(`SELECT create_hypertable('market_candles', 'ts', chunk_time_interval => INTERVAL '30 days')`);
      await q.query(`ALTER TABLE market_ticks SET (timescaledb.compress, timescaledb.compress_segmentby = 'instrument_token', timescaledb.compress_orderby = 'ts')`);
      await q.query(`ALTER TABLE market_candles SET (timescaledb.compress, timescaledb.compress_segmentby = 'instrument_token, timeframe', timescaledb.compress_orderby = 'ts')`);
      await q.query(`SELECT add_compression_policy('market_ticks', INTERVAL '2 days')`);
      await q.query(`SELECT add_compression_policy('market_candles', INTERVAL '60 days')`);
    }

    // One row per cluster (Redis key prefix): the feed leader's term. Every market-data write
    // checks its term here in the same transaction, so a deposed leader cannot write.
    await q.query(`
      CREATE TABLE market_feed_leader (
        cluster text PRIMARY KEY,
        epoch bigint NOT NULL CHECK (epoch > 0),
        holder text NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        renewed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE market_history_backfills (
        instrument_token integer PRIMARY KEY,
        source text NOT NULL CHECK (source IN ('reference-csv', 'synthetic')),
        first_day date NOT NULL,
        last_day date NOT NULL,
        candles integer NOT NULL CHECK (candles >= 0),
        loaded_at timestamptz NOT NULL DEFAULT now(),
        CHECK (first_day <= last_day)
      )`);

    await q.query(`
      CREATE TABLE watchlists (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 40),
        instrument_tokens integer[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT watchlists_user_name_key UNIQUE (user_id, name),
        CONSTRAINT watchlists_max_instruments CHECK (cardinality(instrument_tokens) <= 50)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE watchlists`);
    await q.query(`DROP TABLE market_history_backfills`);
    await q.query(`DROP TABLE market_feed_leader`);
    await q.query(`DROP TABLE market_candles`);
    await q.query(`DROP TABLE market_ticks`);
  }
}

/** TimescaleDB only when installed and preloaded (CREATE EXTENSION fails otherwise). */
async function useTimescale(q: QueryRunner): Promise<boolean> {
  const [row] = await q.query(`
    SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') AS available,
           coalesce(current_setting('shared_preload_libraries', true), '') LIKE '%timescaledb%' AS preloaded`);
  if (!row?.available || !row?.preloaded) return false;
  await q.query(`CREATE EXTENSION IF NOT EXISTS timescaledb`);
  return true;
}
