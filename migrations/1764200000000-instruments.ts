import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The instrument master (NSE and BSE cash equities) and the version of the reference data it
 * was loaded from. Prices are integer paise; the database refuses an instrument whose band or
 * tick could not be traded.
 */
export class Instruments1764200000000 implements MigrationInterface {
  name = 'Instruments1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE instruments (
        instrument_token integer PRIMARY KEY,
        exchange_token integer NOT NULL CHECK (exchange_token > 0),
        tradingsymbol text NOT NULL CHECK (tradingsymbol ~ '^[A-Z0-9&-]{1,30}$'),
        name text NOT NULL,
        isin text NOT NULL CHECK (isin ~ '^[A-Z]{2}[A-Z0-9]{9}[0-9]$'),
        exchange text NOT NULL CHECK (exchange IN ('NSE', 'BSE')),
        segment text NOT NULL CHECK (segment IN ('NSE', 'BSE')),
        series text NOT NULL,
        instrument_type text NOT NULL DEFAULT 'EQ' CHECK (instrument_type = 'EQ'),
        tick_size bigint NOT NULL CHECK (tick_size > 0),
        lot_size integer NOT NULL CHECK (lot_size > 0),
        freeze_qty integer NOT NULL,
        prev_close bigint NOT NULL CHECK (prev_close > 0),
        circuit_band_pct smallint NOT NULL CHECK (circuit_band_pct IN (2, 5, 10, 20)),
        lower_circuit bigint NOT NULL,
        upper_circuit bigint NOT NULL,
        face_value bigint NOT NULL CHECK (face_value > 0),
        price_is_synthetic boolean NOT NULL DEFAULT false,
        tradable boolean NOT NULL DEFAULT true,
        suspended boolean NOT NULL DEFAULT false,
        week52_high bigint,
        week52_low bigint,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT instruments_exchange_symbol_key UNIQUE (exchange, tradingsymbol),
        CONSTRAINT instruments_exchange_token_key UNIQUE (exchange, exchange_token),
        CONSTRAINT instruments_circuit_order CHECK (0 < lower_circuit AND lower_circuit < upper_circuit),
        CONSTRAINT instruments_circuit_around_close CHECK (lower_circuit <= prev_close AND prev_close <= upper_circuit),
        CONSTRAINT instruments_circuit_on_tick CHECK (lower_circuit % tick_size = 0 AND upper_circuit % tick_size = 0),
        CONSTRAINT instruments_freeze_qty_lots CHECK (freeze_qty >= lot_size AND freeze_qty % lot_size = 0),
        CONSTRAINT instruments_week52_range CHECK (week52_low IS NULL OR week52_high IS NULL OR week52_low <= week52_high)
      )`);
    await q.query(`CREATE INDEX instruments_isin_idx ON instruments (isin)`);
    await q.query(`
      CREATE TABLE reference_data_versions (
        dataset text PRIMARY KEY,
        checksum text NOT NULL,
        row_count integer NOT NULL CHECK (row_count >= 0),
        loaded_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reference_data_versions`);
    await q.query(`DROP TABLE instruments`);
  }
}
