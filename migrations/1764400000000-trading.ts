import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Orders and what hangs off them: their event history, trades, idempotency records, the
 * outbox for exchange submissions, and the holdings/positions that fills move.
 */
export class Trading1764400000000 implements MigrationInterface {
  name = 'Trading1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE order_id_seq START 260000000000001`);
    await q.query(`
      CREATE TABLE orders (
        id bigint PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id),
        variety text NOT NULL CHECK (variety IN ('regular', 'amo', 'iceberg')),
        parent_order_id bigint REFERENCES orders(id),
        status text NOT NULL,
        status_message text,
        instrument_token integer NOT NULL REFERENCES instruments(instrument_token),
        exchange text NOT NULL,
        tradingsymbol text NOT NULL,
        transaction_type text NOT NULL CHECK (transaction_type IN ('BUY', 'SELL')),
        order_type text NOT NULL CHECK (order_type IN ('MARKET', 'LIMIT', 'SL', 'SL-M')),
        product text NOT NULL CHECK (product IN ('CNC', 'MIS')),
        validity text NOT NULL CHECK (validity IN ('DAY', 'IOC')),
        quantity integer NOT NULL CHECK (quantity > 0),
        disclosed_quantity integer NOT NULL DEFAULT 0 CHECK (disclosed_quantity >= 0),
        price bigint NOT NULL DEFAULT 0 CHECK (price >= 0),
        trigger_price bigint NOT NULL DEFAULT 0 CHECK (trigger_price >= 0),
        exchange_price bigint NOT NULL DEFAULT 0,
        filled_quantity integer NOT NULL DEFAULT 0,
        cancelled_quantity integer NOT NULL DEFAULT 0,
        filled_value bigint NOT NULL DEFAULT 0,
        average_price bigint NOT NULL DEFAULT 0,
        margin_blocked bigint NOT NULL DEFAULT 0 CHECK (margin_blocked >= 0),
        holdings_blocked integer NOT NULL DEFAULT 0 CHECK (holdings_blocked >= 0),
        version integer NOT NULL DEFAULT 1,
        pending_amendment jsonb,
        exchange_order_id text,
        tag text,
        placed_by text NOT NULL,
        placed_at timestamptz NOT NULL DEFAULT now(),
        exchange_timestamp timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT orders_fill_bounds CHECK (filled_quantity >= 0 AND cancelled_quantity >= 0 AND filled_quantity + cancelled_quantity <= quantity)
      )`);
    await q.query(`CREATE INDEX orders_user_idx ON orders (user_id, placed_at DESC)`);
    await q.query(`CREATE INDEX orders_live_idx ON orders (status) WHERE status NOT IN ('COMPLETE', 'CANCELLED', 'REJECTED')`);
    await q.query(`
      CREATE TABLE order_events (
        id bigserial PRIMARY KEY,
        order_id bigint NOT NULL REFERENCES orders(id),
        at timestamptz NOT NULL DEFAULT now(),
        status text NOT NULL,
        message text,
        detail jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX order_events_order_idx ON order_events (order_id, id)`);
    await q.query(`
      CREATE TABLE trades (
        id bigserial PRIMARY KEY,
        exchange_trade_id text NOT NULL,
        order_id bigint NOT NULL REFERENCES orders(id),
        user_id uuid NOT NULL REFERENCES users(id),
        instrument_token integer NOT NULL,
        exchange text NOT NULL,
        tradingsymbol text NOT NULL,
        transaction_type text NOT NULL CHECK (transaction_type IN ('BUY', 'SELL')),
        product text NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0),
        price bigint NOT NULL CHECK (price > 0),
        exchange_order_id text,
        fill_timestamp timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT trades_exchange_trade_key UNIQUE (exchange_trade_id, transaction_type)
      )`);
    await q.query(`CREATE INDEX trades_user_idx ON trades (user_id, fill_timestamp DESC)`);
    await q.query(`CREATE INDEX trades_order_idx ON trades (order_id)`);
    await q.query(`
      CREATE TABLE idempotency_keys (
        user_id uuid NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`);
    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        aggregate_id text NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        available_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        dispatched_at timestamptz,
        last_error text
      )`);
    await q.query(`CREATE INDEX outbox_pending_idx ON outbox (available_at) WHERE dispatched_at IS NULL`);
    await q.query(`
      CREATE TABLE holdings (
        user_id uuid NOT NULL REFERENCES users(id),
        instrument_token integer NOT NULL REFERENCES instruments(instrument_token),
        quantity integer NOT NULL DEFAULT 0 CHECK (quantity >= 0),
        t1_quantity integer NOT NULL DEFAULT 0 CHECK (t1_quantity >= 0),
        blocked_quantity integer NOT NULL DEFAULT 0 CHECK (blocked_quantity >= 0),
        cost_value bigint NOT NULL DEFAULT 0,
        average_price bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, instrument_token),
        CONSTRAINT holdings_blocked_within CHECK (blocked_quantity <= quantity + t1_quantity)
      )`);
    await q.query(`
      CREATE TABLE positions (
        user_id uuid NOT NULL REFERENCES users(id),
        instrument_token integer NOT NULL REFERENCES instruments(instrument_token),
        product text NOT NULL CHECK (product IN ('CNC', 'MIS')),
        trade_date date NOT NULL,
        buy_quantity integer NOT NULL DEFAULT 0,
        buy_value bigint NOT NULL DEFAULT 0,
        sell_quantity integer NOT NULL DEFAULT 0,
        sell_value bigint NOT NULL DEFAULT 0,
        net_quantity integer NOT NULL DEFAULT 0,
        open_value bigint NOT NULL DEFAULT 0,
        average_price bigint NOT NULL DEFAULT 0,
        realised_pnl bigint NOT NULL DEFAULT 0,
        margin_blocked bigint NOT NULL DEFAULT 0 CHECK (margin_blocked >= 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, instrument_token, product, trade_date)
      )`);
    await q.query(`
      CREATE TABLE risk_settings (
        id smallint PRIMARY KEY CHECK (id = 1),
        mis_margin_pct numeric(5, 2) NOT NULL DEFAULT 20 CHECK (mis_margin_pct > 0 AND mis_margin_pct <= 100),
        market_protection_pct numeric(5, 2) NOT NULL DEFAULT 5 CHECK (market_protection_pct > 0 AND market_protection_pct <= 20),
        kill_switch boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('INSERT INTO risk_settings (id) VALUES (1)');
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['risk_settings', 'positions', 'holdings', 'outbox', 'idempotency_keys', 'trades', 'order_events', 'orders']) await q.query(`DROP TABLE IF EXISTS ${t}`);
    await q.query('DROP SEQUENCE IF EXISTS order_id_seq');
  }
}
