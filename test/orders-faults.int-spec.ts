import { KiteConnect } from 'kiteconnect';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ManualClock } from '../src/common/clock/clock';
import { istDateTime } from '../src/common/clock/ist';
import { FundsService } from '../src/modules/accounts/funds.service';
import { ExchangeSimulator } from '../src/modules/exchange-sim/simulator/exchange-simulator';
import { MarketSessionDriver } from '../src/modules/exchange-sim/simulator/market-session-driver';
import { EXCHANGE_GATEWAY } from '../src/modules/exchange/exchange-gateway';
import { InProcessGateway } from '../src/modules/exchange/in-process-gateway';
import { OrdersJanitor } from '../src/modules/orders/orders-janitor.service';
import { OutboxDispatcher } from '../src/modules/orders/outbox-dispatcher.service';
import type { VenueMessage } from '../src/common/exchange-protocol/venue.types';
import { eventually } from './support/realtime';
import { freshCode } from './factories/users';
import { productionTestConfig, startTestApp, TestApp } from './support/test-app';
import { counterparty, funded, getOrder, placeOrder, settle, token } from './support/trading';

const BUY = { tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 1, price: 1000 };

describe('Orders: idempotency, exchange faults, reconciliation, Kite client', () => {
  let t: TestApp;
  let db: DataSource;
  let funds: FundsService;

  beforeAll(async () => {
    t = await startTestApp(productionTestConfig({ MARKET_HOURS: 'always-open', ORDER_RATE_LIMIT_PER_SECOND: '1000' }));
    db = t.app.get(DataSource);
    funds = t.app.get(FundsService);
  });
  afterAll(() => t?.close());

  const orderCount = async (userId: string) => Number((await db.query('SELECT count(*) AS n FROM orders WHERE user_id = $1', [userId]))[0].n);

  describe('Idempotency-Key', () => {
    it('replays the first answer for the same key and body, with Idempotent-Replayed', async () => {
      const trader = await funded(t, 10_000);
      const first = await placeOrder(t, trader, BUY, { 'Idempotency-Key': 'click-0001-abc' }).expect(200);
      const second = await placeOrder(t, trader, BUY, { 'Idempotency-Key': 'click-0001-abc' }).expect(200);
      expect(second.body.data).toEqual(first.body.data);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(await orderCount(trader.user.userId)).toBe(1);
      expect((await funds.get(trader.user.userId)).blocked).toBe(100_000);
    });

    it('answers 422 for the same key with a different body', async () => {
      const trader = await funded(t, 10_000);
      await placeOrder(t, trader, BUY, { 'Idempotency-Key': 'key-different-1' }).expect(200);
      const res = await placeOrder(t, trader, { ...BUY, quantity: 2 }, { 'Idempotency-Key': 'key-different-1' }).expect(422);
      expect(res.body).toMatchObject({ status: 'error', error_type: 'InputException', message: expect.stringMatching(/different request/) });
      expect(await orderCount(trader.user.userId)).toBe(1);
    });

    it('turns a burst of parallel duplicates into exactly one order (the rest replay or get 409)', async () => {
      const trader = await funded(t, 10_000);
      const results = await Promise.all(Array.from({ length: 10 }, () => placeOrder(t, trader, BUY, { 'Idempotency-Key': 'double-click-xyz' })));
      const ok = results.filter((r) => r.status === 200);
      expect(ok.length).toBeGreaterThanOrEqual(1);
      expect(new Set(ok.map((r) => r.body.data.order_id)).size).toBe(1);
      expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
      expect(await orderCount(trader.user.userId)).toBe(1);
      expect((await funds.get(trader.user.userId)).blocked).toBe(100_000);
    });

    it('forgets keys after 24 hours', async () => {
      const trader = await funded(t, 10_000);
      await placeOrder(t, trader, BUY, { 'Idempotency-Key': 'old-key-000001' }).expect(200);
      await db.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'old-key-000001'`);
      expect((await t.app.get(OrdersJanitor).sweep()).keys).toBeGreaterThanOrEqual(1);
      // The same key now places a new order.
      const again = await placeOrder(t, trader, BUY, { 'Idempotency-Key': 'old-key-000001' }).expect(200);
      expect(again.headers['idempotent-replayed']).toBeUndefined();
      expect(await orderCount(trader.user.userId)).toBe(2);
    });

    it('keeps keys per user and rejects malformed keys', async () => {
      const a = await funded(t, 10_000);
      const b = await funded(t, 10_000);
      const ra = await placeOrder(t, a, BUY, { 'Idempotency-Key': 'shared-key-123' }).expect(200);
      const rb = await placeOrder(t, b, BUY, { 'Idempotency-Key': 'shared-key-123' }).expect(200);
      expect(rb.body.data.order_id).not.toBe(ra.body.data.order_id);
      await placeOrder(t, a, BUY, { 'Idempotency-Key': 'bad key!' }).expect(400);
    });
  });

  describe('exchange faults', () => {
    it('rejects new orders with a NetworkException while the exchange is down, and accepts again after', async () => {
      const trader = await funded(t, 10_000);
      const sim = t.app.get(ExchangeSimulator);
      sim.stop();
      try {
        const res = await placeOrder(t, trader, BUY).expect(503);
        expect(res.body).toMatchObject({ status: 'error', error_type: 'NetworkException', message: expect.stringMatching(/exchange link is down/) });
        expect(await orderCount(trader.user.userId)).toBe(0);
        expect((await funds.get(trader.user.userId)).blocked).toBe(0);
      } finally {
        sim.start();
      }
      await placeOrder(t, trader, BUY).expect(200);
    });

    it('releases the margin when the exchange rejects an order', async () => {
      const trader = await funded(t, 10_000);
      const sim = t.app.get(ExchangeSimulator);
      const driver = t.app.get(MarketSessionDriver);
      // The exchange halts the session on its side while the broker still takes orders: the exchange refuses.
      // Its calendar driver would set the session back within a second (always-open mode), so it pauses too.
      driver.stop();
      sim.setSession('CLOSED');
      try {
        const { order_id } = (await placeOrder(t, trader, BUY).expect(200)).body.data;
        await settle(t);
        const order = await getOrder(t, trader, order_id);
        expect(order.status).toBe('REJECTED');
        expect(order.status_message).toMatch(/closed/i);
        expect(await funds.get(trader.user.userId)).toMatchObject({ blocked: 0, available: 1_000_000 });
        expect((await funds.verifyLedger(trader.user.userId)).balanced).toBe(true);
      } finally {
        sim.setSession('CONTINUOUS');
        driver.start();
      }
    });

    it('leaves nothing half-written when the database fails mid-statement', async () => {
      const trader = await funded(t, 10_000);
      await db.query(`CREATE OR REPLACE FUNCTION fail_outbox() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full (simulated)'; END $$`);
      await db.query(`CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION fail_outbox()`);
      try {
        const res = await placeOrder(t, trader, BUY);
        expect(res.status).toBe(500);
        expect(res.body).toMatchObject({ status: 'error', message: 'Internal error; it has been logged' });
        expect(res.text).not.toMatch(/disk full/);
      } finally {
        await db.query('DROP TRIGGER fail_outbox ON outbox');
      }
      expect(await orderCount(trader.user.userId)).toBe(0);
      expect(await funds.get(trader.user.userId)).toMatchObject({ blocked: 0, available: 1_000_000 });
      expect(Number((await db.query(`SELECT count(*) AS n FROM ledger_entries WHERE user_id = $1 AND kind = 'MARGIN_BLOCK'`, [trader.user.userId]))[0].n)).toBe(0);
    });

    it('keeps an order working when a retried send meets the first one at the exchange (duplicate ClOrdID), and learns its state', async () => {
      const trader = await funded(t, 10_000);
      const { order_id } = (await placeOrder(t, trader, BUY).expect(200)).body.data;
      await settle(t);
      expect((await getOrder(t, trader, order_id)).status).toBe('OPEN');
      const seen: VenueMessage[] = [];
      t.app.get<InProcessGateway>(EXCHANGE_GATEWAY).onMessage((m) => void seen.push(m));
      // Postgres lost its last asynchronous commits (the acknowledgement and the mark of the send):
      // the order is back to waiting for the exchange, and its outbox row is due again.
      await db.query(`UPDATE orders SET status = 'OPEN PENDING' WHERE id = $1`, [order_id]);
      await db.query(`UPDATE outbox SET dispatched_at = NULL, available_at = now() WHERE aggregate_id = $1`, [order_id]);
      t.app.get(OutboxDispatcher).kick();
      await eventually(async () => expect((await getOrder(t, trader, order_id)).status).toBe('OPEN'));
      await settle(t);
      expect(seen.map((m) => m.reasonCode)).toContain('DUPLICATE_CLORDID');
      expect(await getOrder(t, trader, order_id)).toMatchObject({ status: 'OPEN', pending_quantity: 1 });
      expect(await funds.get(trader.user.userId)).toMatchObject({ blocked: 100_000 });
      const statuses = (await db.query('SELECT status FROM order_events WHERE order_id = $1', [order_id])).map((r: { status: string }) => r.status);
      expect(statuses).not.toContain('REJECTED');
    });

    it('holds execution reports while the database is unreachable and applies them after, in order (a fill is never dropped)', async () => {
      const trader = await funded(t, 10_000);
      // Above the other tests' resting buys, so the sells below trade with this order only.
      const { order_id } = (await placeOrder(t, trader, { ...BUY, quantity: 2, price: 1010 }).expect(200)).body.data;
      await settle(t);
      await db.query(`CREATE SEQUENCE trade_insert_attempts`);
      await db.query(`CREATE OR REPLACE FUNCTION lose_connection() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF nextval('trade_insert_attempts') <= 2 THEN RAISE EXCEPTION 'connection lost (simulated)' USING ERRCODE = '08006'; END IF; RETURN NEW; END $$`);
      await db.query(`CREATE TRIGGER lose_connection BEFORE INSERT ON trades FOR EACH ROW EXECUTE FUNCTION lose_connection()`);
      try {
        const INFY = token(t, 'INFY');
        counterparty(t, { instrumentToken: INFY, side: 'SELL', orderType: 'LIMIT', quantity: 1, price: 100_900 });
        counterparty(t, { instrumentToken: INFY, side: 'SELL', orderType: 'LIMIT', quantity: 1, price: 101_000 });
        await eventually(async () => expect(await getOrder(t, trader, order_id)).toMatchObject({ status: 'COMPLETE', filled_quantity: 2 }), 5000);
        // Two failed attempts at the first fill, then each fill once.
        expect(Number((await db.query(`SELECT last_value FROM trade_insert_attempts`))[0].last_value)).toBe(4);
      } finally {
        await db.query('DROP TRIGGER lose_connection ON trades');
        await db.query('DROP SEQUENCE trade_insert_attempts');
      }
      await settle(t);
      const trades = await db.query(`SELECT quantity FROM trades WHERE order_id = $1`, [order_id]);
      expect(trades.map((r: { quantity: number }) => Number(r.quantity))).toEqual([1, 1]);
      expect((await getOrder(t, trader, order_id)).average_price).toBe(1010);
      expect(await funds.get(trader.user.userId)).toMatchObject({ blocked: 0 });
      expect((await funds.verifyLedger(trader.user.userId)).balanced).toBe(true);
    });

    it('answers 503 with Retry-After when the database drops the connection mid-placement, and a retry with the same key places it once', async () => {
      const trader = await funded(t, 10_000);
      await db.query(`CREATE OR REPLACE FUNCTION lose_connection() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'connection lost (simulated)' USING ERRCODE = '08006'; END $$`);
      await db.query(`CREATE TRIGGER lose_connection BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION lose_connection()`);
      let res: request.Response;
      try {
        res = await placeOrder(t, trader, BUY, { 'Idempotency-Key': 'outage-retry-1' });
      } finally {
        await db.query('DROP TRIGGER lose_connection ON outbox');
      }
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body).toMatchObject({ status: 'error', error_type: 'NetworkException', code: 'SERVICE.DATABASE_UNAVAILABLE' });
      expect(await orderCount(trader.user.userId)).toBe(0);
      expect((await funds.get(trader.user.userId)).blocked).toBe(0);
      await placeOrder(t, trader, BUY, { 'Idempotency-Key': 'outage-retry-1' }).expect(200);
      expect(await orderCount(trader.user.userId)).toBe(1);
      expect((await funds.get(trader.user.userId)).blocked).toBe(100_000);
    });

    it('reconciles after the link comes back: reports missed while it was down are recovered by status requests', async () => {
      const trader = await funded(t, 10_000);
      const { order_id } = (await placeOrder(t, trader, BUY).expect(200)).body.data;
      await settle(t);
      expect((await getOrder(t, trader, order_id)).status).toBe('OPEN');
      const gateway = t.app.get<InProcessGateway>(EXCHANGE_GATEWAY);
      const sim = t.app.get(ExchangeSimulator);
      gateway.stop(); // link down: what the exchange says now never reaches us
      sim.expireDayOrders();
      await settle(t);
      expect((await getOrder(t, trader, order_id)).status).toBe('OPEN');
      gateway.start(); // reconnect → reconciliation asks about every uncertain order
      await new Promise((r) => setTimeout(r, 300));
      await settle(t);
      expect(await getOrder(t, trader, order_id)).toMatchObject({ status: 'CANCELLED', cancelled_quantity: 1 });
      expect(await funds.get(trader.user.userId)).toMatchObject({ blocked: 0, available: 1_000_000 });
      expect((await funds.verifyLedger(trader.user.userId)).balanced).toBe(true);
    });
  });

  it('rejects and releases an order the exchange has no record of (lost while the link was down)', async () => {
    const trader = await funded(t, 10_000);
    const { order_id } = (await placeOrder(t, trader, BUY).expect(200)).body.data;
    await settle(t);
    const gateway = t.app.get<InProcessGateway>(EXCHANGE_GATEWAY);
    const sim = t.app.get(ExchangeSimulator);
    gateway.stop();
    sim.expireDayOrders(); // expired while we were not listening…
    await new Promise((r) => setTimeout(r, 50));
    sim.startTradingDay('2026-11-27'); // …and a new day: the exchange forgets closed orders
    gateway.start();
    await new Promise((r) => setTimeout(r, 300));
    await settle(t);
    expect(await getOrder(t, trader, order_id)).toMatchObject({ status: 'REJECTED', status_message: expect.stringMatching(/no record/) });
    expect(await funds.get(trader.user.userId)).toMatchObject({ blocked: 0, available: 1_000_000 });
  });

  it('works with the official kiteconnect client: place, list, cancel', async () => {
    const trader = await funded(t, 10_000);
    const created = await request(t.url).post('/api/v1/apps').set(trader.auth).send({ name: 'algo', redirect_url: 'https://algo.example/cb' }).expect(201);
    const app = created.body.data;
    const login = await request(t.url)
      .post('/connect/login')
      .type('form')
      .send({ api_key: app.api_key, email: trader.user.email, password: trader.user.password, totp: freshCode(t, trader.user.secret) })
      .expect(302);
    const requestToken = new URL(login.headers.location).searchParams.get('request_token')!;
    const kc = new KiteConnect({ api_key: app.api_key, root: t.url });
    await kc.generateSession(requestToken, app.api_secret);
    const placed = await kc.placeOrder('regular', {
      exchange: 'NSE',
      tradingsymbol: 'INFY',
      transaction_type: 'BUY',
      quantity: 2,
      product: 'CNC',
      order_type: 'LIMIT',
      price: 999.9,
    });
    expect(placed.order_id).toMatch(/^\d+$/);
    await settle(t);
    const orders = await kc.getOrders();
    expect(orders.find((o) => o.order_id === placed.order_id)).toMatchObject({ status: 'OPEN', price: 999.9, quantity: 2 });
    await kc.cancelOrder('regular', placed.order_id);
    await settle(t);
    const history = await kc.getOrderHistory(placed.order_id);
    expect(history.at(-1)).toMatchObject({ status: 'CANCELLED' });
    const margins = await kc.getMargins('equity');
    expect(margins).toMatchObject({ enabled: true, net: 10_000 });
  });
});

describe('Orders outside market hours (NSE calendar, IST)', () => {
  it('refuses regular orders when closed and takes an AMO, blocking its margin', async () => {
    const clock = new ManualClock(istDateTime('2026-11-26', 20, 0));
    const t = await startTestApp(productionTestConfig({ MARKET_HOURS: 'exchange', ORDER_RATE_LIMIT_PER_SECOND: '1000' }), clock);
    try {
      const trader = await funded(t, 10_000);
      const closed = await placeOrder(t, trader, BUY).expect(400);
      expect(closed.body).toMatchObject({ error_type: 'OrderException', message: expect.stringMatching(/market is closed/) });
      const amo = await placeOrder(t, trader, { ...BUY, variety: 'amo' }).expect(200);
      expect(await getOrder(t, trader, amo.body.data.order_id)).toMatchObject({ status: 'AMO REQ RECEIVED', variety: 'amo' });
      expect((await t.app.get(FundsService).get(trader.user.userId)).blocked).toBe(100_000);
    } finally {
      await t.close();
    }
  });
});

