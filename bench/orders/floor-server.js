'use strict';
/**
 * The floor for order acceptance (DESIGN §8): a bare Fastify + pg endpoint doing only the
 * minimum an order accept must do — conditional margin UPDATE, order INSERT, idempotency INSERT.
 * No auth, no validation library, no Redis, no framework beyond Fastify.
 *
 *   node bench/orders/floor-server.js <tx|cte>      (started by bench/orders/run.ts)
 * Env: DATABASE_URL, PORT, POOL_SIZE (default 20, the app's DATABASE_POOL_SIZE default).
 * Caller identity: the `x-bench-user` header (a small integer); the Bearer token the load
 * generator also sends is ignored.
 */
const { createHash } = require('node:crypto');
const { Pool } = require('pg');
const Fastify = require('fastify');

const variant = process.argv[2];
if (variant !== 'tx' && variant !== 'cte') {
  process.stderr.write('usage: floor-server.js <tx|cte>\n');
  process.exit(2);
}

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE || 20), application_name: `bench-floor-${variant}` });

/** Minimal tables of its own, in schema `floor_tx` / `floor_cte` of the bench database (idempotent). */
const SCHEMA = `
  CREATE SCHEMA IF NOT EXISTS floor_${variant};
  CREATE TABLE IF NOT EXISTS floor_${variant}.accounts (
    user_id bigint PRIMARY KEY,
    available bigint NOT NULL CHECK (available >= 0),
    blocked bigint NOT NULL DEFAULT 0 CHECK (blocked >= 0)
  );
  CREATE TABLE IF NOT EXISTS floor_${variant}.orders (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL,
    exchange text NOT NULL,
    tradingsymbol text NOT NULL,
    transaction_type text NOT NULL,
    order_type text NOT NULL,
    product text NOT NULL,
    validity text NOT NULL,
    quantity integer NOT NULL CHECK (quantity > 0),
    price bigint NOT NULL,
    margin_blocked bigint NOT NULL,
    status text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX IF NOT EXISTS orders_user_idx ON floor_${variant}.orders (user_id, id);
  CREATE TABLE IF NOT EXISTS floor_${variant}.idempotency_keys (
    user_id bigint NOT NULL,
    key text NOT NULL,
    request_hash text NOT NULL,
    response jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
  );`;

const CTE = `
  WITH gate AS (
    UPDATE floor_${variant}.accounts SET available = available - $2::bigint, blocked = blocked + $2::bigint
    WHERE user_id = $1 AND available >= $2::bigint RETURNING user_id
  ), ins AS (
    INSERT INTO floor_${variant}.orders (user_id, exchange, tradingsymbol, transaction_type, order_type, product, validity, quantity, price, margin_blocked, status)
    SELECT user_id, $3, $4, $5, $6, $7, $8, $9, $10, $2, 'OPEN' FROM gate RETURNING id
  ), idem AS (
    INSERT INTO floor_${variant}.idempotency_keys (user_id, key, request_hash, response)
    SELECT $1, $11, $12, jsonb_build_object('order_id', id::text) FROM ins
  )
  SELECT id::text AS id FROM ins`;

const UPDATE = `UPDATE floor_${variant}.accounts SET available = available - $2::bigint, blocked = blocked + $2::bigint
  WHERE user_id = $1 AND available >= $2::bigint RETURNING available`;
const INSERT_ORDER = `INSERT INTO floor_${variant}.orders (user_id, exchange, tradingsymbol, transaction_type, order_type, product, validity, quantity, price, margin_blocked, status)
  VALUES ($1, $3, $4, $5, $6, $7, $8, $9, $10, $2, 'OPEN') RETURNING id::text AS id`;
const INSERT_IDEM = `INSERT INTO floor_${variant}.idempotency_keys (user_id, key, request_hash, response) VALUES ($1, $2, $3, jsonb_build_object('order_id', $4::text))`;

async function placeCte(params) {
  const { rows } = await pool.query(CTE, params);
  return rows.length ? rows[0].id : null;
}

async function placeTx(params) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const gate = await client.query(UPDATE, [params[0], params[1]]);
    if (gate.rowCount === 0) {
      await client.query('ROLLBACK');
      return null;
    }
    const { rows } = await client.query(INSERT_ORDER, params.slice(0, 10));
    await client.query(INSERT_IDEM, [params[0], params[10], params[11], rows[0].id]);
    await client.query('COMMIT');
    return rows[0].id;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

const place = variant === 'cte' ? placeCte : placeTx;

async function main() {
  await pool.query(SCHEMA);
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });

  app.get('/health/ready', async () => ({ status: 'ok', variant }));

  /** Test setup: one account per bench user, with `available` paise. */
  app.post('/setup', async (req) => {
    const { users, available } = req.body;
    await pool.query(
      `INSERT INTO floor_${variant}.accounts (user_id, available) SELECT g, $2 FROM generate_series(0, $1 - 1) g
       ON CONFLICT (user_id) DO UPDATE SET available = EXCLUDED.available, blocked = 0`,
      [users, available],
    );
    return { ok: true };
  });

  app.post('/api/v1/orders', async (req, reply) => {
    const userId = Number(req.headers['x-bench-user']);
    const key = req.headers['idempotency-key'];
    const b = req.body;
    if (!Number.isInteger(userId) || typeof key !== 'string' || !b || typeof b.tradingsymbol !== 'string') {
      reply.code(400);
      return { status: 'error', message: 'bad request' };
    }
    const price = Math.round(Number(b.price) * 100);
    const quantity = Number(b.quantity);
    const margin = price * quantity;
    const hash = createHash('sha256').update(JSON.stringify(b)).digest('hex');
    const params = [userId, margin, b.exchange, b.tradingsymbol, b.transaction_type, b.order_type, b.product, b.validity ?? 'DAY', quantity, price, key, hash];
    const id = await place(params);
    if (id === null) {
      reply.code(400);
      return { status: 'error', message: 'Insufficient funds', error_type: 'MarginException' };
    }
    return { status: 'success', data: { order_id: id } };
  });

  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.stdout.write(`floor (${variant}) listening on ${process.env.PORT}\n`);

  const stop = async () => {
    await app.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`floor server failed: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
