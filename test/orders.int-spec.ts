import request from 'supertest';
import { DataSource } from 'typeorm';
import { metricsRegistry } from '../src/common/observability/metrics';
import { FundsService } from '../src/modules/accounts/funds.service';
import { OrderPlacementService, PLACEMENTS_IN_FLIGHT } from '../src/modules/orders/order-placement.service';
import { COMMIT_WITHOUT_WAL_WAIT } from '../src/modules/orders/order-store';
import { eventually } from './support/realtime';
import { productionTestConfig, startTestApp, TestApp } from './support/test-app';
import { counterparty, funded, getOrder, placeOrder, settle, token, Trader } from './support/trading';

/** Orders on real Postgres + Redis, against the in-process simulator (no synthetic liquidity). */
describe('Orders: placement, fills, cancel, money (real Postgres)', () => {
  let t: TestApp;
  let db: DataSource;
  let funds: FundsService;
  let INFY: number;

  beforeAll(async () => {
    t = await startTestApp(productionTestConfig({ MARKET_HOURS: 'always-open', ORDER_RATE_LIMIT_PER_SECOND: '1000' }));
    db = t.app.get(DataSource);
    funds = t.app.get(FundsService);
    INFY = token(t, 'INFY');
  });
  afterAll(() => t?.close());

  const counts = async (userId: string) => {
    const [r] = await db.query(
      `SELECT (SELECT count(*) FROM orders WHERE user_id = $1) AS orders, (SELECT count(*) FROM ledger_entries WHERE user_id = $1) AS ledger,
              (SELECT count(*) FROM outbox o JOIN orders x ON x.id::text = o.aggregate_id WHERE x.user_id = $1) AS outbox`,
      [userId],
    );
    return { orders: Number(r.orders), ledger: Number(r.ledger), outbox: Number(r.outbox) };
  };

  it('places a CNC buy, fills it in two parts at the resting price, and settles the money exactly', async () => {
    const trader = await funded(t, 100_000);
    const placed = await placeOrder(t, trader, { tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 10, price: 1120.5 }).expect(200);
    const orderId = placed.body.data.order_id;
    expect(orderId).toMatch(/^\d+$/);
    await settle(t);
    expect(await getOrder(t, trader, orderId)).toMatchObject({ status: 'OPEN', pending_quantity: 10 });
    expect(await funds.get(trader.user.userId)).toMatchObject({ blocked: 1_120_500, available: 10_000_000 - 1_120_500 });

    // Aggressive sells trade at our resting price (price-time priority).
    counterparty(t, { instrumentToken: INFY, side: 'SELL', orderType: 'LIMIT', quantity: 4, price: 111900 });
    await settle(t);
    expect(await getOrder(t, trader, orderId)).toMatchObject({ status: 'OPEN', filled_quantity: 4, pending_quantity: 6, average_price: 1120.5 });
    counterparty(t, { instrumentToken: INFY, side: 'SELL', orderType: 'LIMIT', quantity: 6, price: 112050 });
    await settle(t);
    expect(await getOrder(t, trader, orderId)).toMatchObject({ status: 'COMPLETE', filled_quantity: 10, pending_quantity: 0 });

    expect(await funds.get(trader.user.userId)).toMatchObject({ balance: 10_000_000 - 1_120_500, blocked: 0, available: 10_000_000 - 1_120_500 });
    expect((await funds.verifyLedger(trader.user.userId)).balanced).toBe(true);
    const trades = (await request(t.url).get(`/api/v1/orders/${orderId}/trades`).set(trader.auth).expect(200)).body.data;
    expect(trades.map((x: { quantity: number }) => x.quantity)).toEqual([4, 6]);
    const [holding] = await db.query('SELECT quantity, t1_quantity, average_price FROM holdings WHERE user_id = $1', [trader.user.userId]);
    expect(holding).toMatchObject({ quantity: 0, t1_quantity: 10, average_price: '112050' });
    const history = (await request(t.url).get(`/api/v1/orders/${orderId}/history`).set(trader.auth).expect(200)).body.data;
    expect(history.map((h: { status: string }) => h.status)).toEqual(['PUT ORDER REQ RECEIVED', 'OPEN PENDING', 'OPEN', 'OPEN', 'COMPLETE']);
  });

  it('cancels an open order and releases exactly its margin, once', async () => {
    const trader = await funded(t, 50_000);
    const { order_id } = (await placeOrder(t, trader, { tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 20, price: 1100 }).expect(200)).body.data;
    await settle(t);
    counterparty(t, { instrumentToken: INFY, side: 'SELL', orderType: 'LIMIT', quantity: 5, price: 110000 });
    await settle(t);
    const cancelled = await request(t.url).delete(`/api/v1/orders/${order_id}`).set(trader.auth).expect(200);
    expect(cancelled.body.data.status).toBe('CANCEL PENDING');
    await settle(t);
    expect(await getOrder(t, trader, order_id)).toMatchObject({ status: 'CANCELLED', filled_quantity: 5, cancelled_quantity: 15 });
    expect(await funds.get(trader.user.userId)).toMatchObject({ balance: 5_000_000 - 550_000, blocked: 0, available: 5_000_000 - 550_000 });
    // A second cancel is refused and moves no money.
    const again = await request(t.url).delete(`/api/v1/orders/${order_id}`).set(trader.auth).expect(400);
    expect(again.body).toMatchObject({ error_type: 'OrderException', message: expect.stringMatching(/CANCELLED and cannot be cancelled/) });
    expect((await funds.verifyLedger(trader.user.userId)).balanced).toBe(true);
  });

  it('refuses an order beyond available funds with a MarginException and writes nothing', async () => {
    const trader = await funded(t, 1_000);
    const before = await counts(trader.user.userId);
    const res = await placeOrder(t, trader, { tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 1, price: 1120 }).expect(400);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'MarginException', message: 'Insufficient funds. Required margin is 1120.00 but available margin is 1000.00.' });
    expect(await counts(trader.user.userId)).toEqual(before);
    expect(await funds.get(trader.user.userId)).toMatchObject({ available: 100_000, blocked: 0 });
  });

  describe('bad input: a clear 400 per rule, nothing stored', () => {
    it.each([
      ['missing quantity', { quantity: undefined }, 'InputException', /quantity/],
      ['zero quantity', { quantity: 0 }, 'InputException', /quantity/],
      ['negative quantity', { quantity: -5 }, 'InputException', /quantity/],
      ['fractional quantity', { quantity: 1.5 }, 'InputException', /quantity must be a whole number/],
      ['price off the tick', { price: 1120.05 }, 'OrderException', /not a multiple of the tick size 0.10/],
      ['price outside the circuit', { price: 2000 }, 'OrderException', /outside the circuit band/],
      ['unknown symbol', { tradingsymbol: 'NOSUCHCO' }, 'OrderException', /Unknown instrument NSE:NOSUCHCO/],
      ['bad product', { product: 'NRML' }, 'InputException', /product must be CNC or MIS/],
      ['AMO with IOC', { variety: 'amo', validity: 'IOC' }, 'OrderException', /After-market orders cannot be IOC/],
      ['market order with a price', { order_type: 'MARKET' }, 'OrderException', /MARKET orders take no price/],
      ['unknown field', { leverage: 10 }, 'InputException', /leverage should not exist/],
      ['three decimals', { price: 1120.123 }, 'InputException', /price must be rupees/],
    ])('%s', async (_label, override, type, message) => {
      const trader = await funded(t, 100_000);
      const before = await counts(trader.user.userId);
      const body = { tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 10, price: 1120, ...override };
      const res = await placeOrder(t, trader, body).expect(400);
      expect(res.body).toMatchObject({ status: 'error', error_type: type });
      expect(res.body.message).toMatch(message);
      expect(await counts(trader.user.userId)).toEqual(before);
    });
  });

  it('refuses to modify a completed order and hides other users orders behind 404', async () => {
    const trader = await funded(t, 100_000);
    const other = await funded(t, 100_000);
    counterparty(t, { instrumentToken: INFY, side: 'SELL', orderType: 'LIMIT', quantity: 2, price: 112000 });
    await settle(t, 50);
    const { order_id } = (await placeOrder(t, trader, { tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 2, price: 1120 }).expect(200)).body.data;
    await settle(t);
    expect((await getOrder(t, trader, order_id)).status).toBe('COMPLETE');
    const modify = await request(t.url).patch(`/api/v1/orders/${order_id}`).set(trader.auth).send({ price: 1121 }).expect(400);
    expect(modify.body.message).toMatch(/COMPLETE and cannot be modified/);
    for (const req of [
      request(t.url).get(`/api/v1/orders/${order_id}`),
      request(t.url).delete(`/api/v1/orders/${order_id}`),
      request(t.url).get(`/api/v1/orders/${order_id}/trades`),
    ]) {
      const res = await req.set(other.auth).expect(404);
      expect(res.body.message).toBe(`Order ${order_id} not found`);
    }
  });

  it('modifies an open order: more margin when the price rises, released margin when it falls', async () => {
    const trader = await funded(t, 100_000);
    const { order_id } = (await placeOrder(t, trader, { tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 10, price: 1000 }).expect(200)).body.data;
    await settle(t);
    await request(t.url).patch(`/api/v1/orders/${order_id}`).set(trader.auth).send({ price: 1010, quantity: 12 }).expect(200);
    expect((await funds.get(trader.user.userId)).blocked).toBe(1_212_000);
    await settle(t);
    expect(await getOrder(t, trader, order_id)).toMatchObject({ status: 'OPEN', price: 1010, quantity: 12 });
    await request(t.url).patch(`/api/v1/orders/${order_id}`).set(trader.auth).send({ quantity: 5 }).expect(200);
    await settle(t);
    expect(await getOrder(t, trader, order_id)).toMatchObject({ status: 'OPEN', quantity: 5 });
    expect(await funds.get(trader.user.userId)).toMatchObject({ blocked: 505_000, available: 10_000_000 - 505_000 });
    expect((await funds.verifyLedger(trader.user.userId)).balanced).toBe(true);
  });

  it('sells holdings (CNC) only up to the free quantity and credits the proceeds', async () => {
    const trader = await funded(t, 100_000);
    counterparty(t, { instrumentToken: INFY, side: 'SELL', orderType: 'LIMIT', quantity: 5, price: 112000 });
    await settle(t, 50);
    await placeOrder(t, trader, { tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 5, price: 1120 }).expect(200);
    await settle(t);
    const tooMany = await placeOrder(t, trader, { tradingsymbol: 'INFY', transaction_type: 'SELL', order_type: 'LIMIT', quantity: 6, price: 1130 }).expect(400);
    expect(tooMany.body.message).toMatch(/Insufficient holdings: 5 shares can be sold, 6 were asked/);
    const { order_id } = (await placeOrder(t, trader, { tradingsymbol: 'INFY', transaction_type: 'SELL', order_type: 'LIMIT', quantity: 5, price: 1130 }).expect(200)).body.data;
    await settle(t);
    // The 5 shares are blocked by the open sell: a second sell finds none free.
    await placeOrder(t, trader, { tradingsymbol: 'INFY', transaction_type: 'SELL', order_type: 'LIMIT', quantity: 1, price: 1130 }).expect(400);
    counterparty(t, { instrumentToken: INFY, side: 'BUY', orderType: 'LIMIT', quantity: 5, price: 113000 });
    await settle(t);
    expect((await getOrder(t, trader, order_id)).status).toBe('COMPLETE');
    expect((await funds.get(trader.user.userId)).balance).toBe(10_000_000 - 560_000 + 565_000);
    const [h] = await db.query('SELECT quantity + t1_quantity AS held, blocked_quantity FROM holdings WHERE user_id = $1', [trader.user.userId]);
    expect(h).toEqual({ held: 0, blocked_quantity: 0 });
  });

  it('200 concurrent orders on one account: available never negative, blocked = sum of open requirements', async () => {
    const trader = await funded(t, 150_000);
    // Each order needs 1 × ₹1,000.00; funds cover 150 of the 200.
    const results = await Promise.all(
      Array.from({ length: 200 }, () => placeOrder(t, trader, { tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 1, price: 1000 })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(150);
    expect(results.filter((r) => r.status === 400 && r.body.error_type === 'MarginException')).toHaveLength(50);
    const f = await funds.get(trader.user.userId);
    const [{ sum }] = await db.query(`SELECT COALESCE(sum(margin_blocked), 0) AS sum FROM orders WHERE user_id = $1`, [trader.user.userId]);
    expect(f).toMatchObject({ available: 0, blocked: 15_000_000 });
    expect(Number(sum)).toBe(f.blocked);
    expect((await funds.verifyLedger(trader.user.userId)).balanced).toBe(true);
  });

  describe('group commit: orders of different users that arrive together share one statement', () => {
    const BUY = { tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 1, price: 1000 };
    const traders = async (n: number, rupees: number) => {
      const made: Trader[] = [];
      for (let i = 0; i < n; i++) made.push(await funded(t, rupees));
      return made;
    };
    const groupSizes = async () => {
      // Registered at the first placement of the process.
      const values = ((await metricsRegistry.getSingleMetric('order_placement_group_size')?.get())?.values ?? []) as { metricName?: string; value: number }[];
      const value = (suffix: string) => values.find((v) => v.metricName === `order_placement_group_size_${suffix}`)?.value ?? 0;
      return { statements: value('count'), orders: value('sum') };
    };

    /**
     * Fills every placement slot with an order waiting on a row lock held here, so the orders
     * sent next queue up (and go out as one statement when `release` lets the blockers through).
     */
    async function holdPlacementSlots() {
      const placements = t.app.get(OrderPlacementService);
      const blockers = await traders(PLACEMENTS_IN_FLIGHT, 10_000);
      const lock = db.createQueryRunner();
      await lock.connect();
      await lock.startTransaction();
      await lock.query('SELECT 1 FROM accounts WHERE user_id = ANY($1::uuid[]) FOR UPDATE', [blockers.map((b) => b.user.userId)]);
      const blocked = blockers.map((b) => placeOrder(t, b, BUY).then((r) => r.status));
      await eventually(() => expect(placements.load.inFlight).toBe(PLACEMENTS_IN_FLIGHT), 10_000);
      return {
        waitForQueue: (n: number) => eventually(() => expect(placements.load.waiting).toBe(n), 10_000),
        release: async () => {
          await lock.commitTransaction();
          await lock.release();
          expect(await Promise.all(blocked)).toEqual(blockers.map(() => 200));
        },
      };
    }

    it('each order succeeds or fails on its own margin, with exact money and one order per success', async () => {
      const rich = await traders(12, 5_000);
      const poor = await traders(3, 500);
      const before = await groupSizes();
      const slots = await holdPlacementSlots();
      // .then() sends the request now (supertest sends on first subscription).
      const pending = [...rich, ...poor].map((trader) => placeOrder(t, trader, BUY).then((r) => r));
      await slots.waitForQueue(rich.length + poor.length);
      await slots.release();
      const results = await Promise.all(pending);

      const after = await groupSizes();
      // The blockers went out alone; the fifteen waiting orders as one statement.
      expect({ statements: after.statements - before.statements, orders: after.orders - before.orders }).toEqual({
        statements: PLACEMENTS_IN_FLIGHT + 1,
        orders: PLACEMENTS_IN_FLIGHT + 15,
      });
      expect(results.slice(0, rich.length).map((r) => r.status)).toEqual(rich.map(() => 200));
      for (const r of results.slice(rich.length)) {
        expect(r.status).toBe(400);
        expect(r.body).toMatchObject({ error_type: 'MarginException', message: 'Insufficient funds. Required margin is 1000.00 but available margin is 500.00.' });
      }
      for (const [i, trader] of rich.entries()) {
        expect(await counts(trader.user.userId)).toEqual({ orders: 1, ledger: 2, outbox: 1 });
        expect(await funds.get(trader.user.userId)).toMatchObject({ balance: 500_000, blocked: 100_000, available: 400_000 });
        const orderId = results[i].body.data.order_id;
        expect(await getOrder(t, trader, orderId)).toMatchObject({ quantity: 1, price: 1000, tradingsymbol: 'INFY' });
        // The ledger row of the block names this user's own order (ids are handed out inside the group).
        const blocks = await db.query(`SELECT ref_id, blocked_delta::int FROM ledger_entries WHERE user_id = $1 AND kind = 'MARGIN_BLOCK'`, [trader.user.userId]);
        expect(blocks).toEqual([{ ref_id: orderId, blocked_delta: 100_000 }]);
      }
      for (const trader of poor) {
        expect(await counts(trader.user.userId)).toEqual({ orders: 0, ledger: 1, outbox: 0 });
        expect(await funds.get(trader.user.userId)).toMatchObject({ balance: 50_000, blocked: 0, available: 50_000 });
      }
    });

    it('a replayed Idempotency-Key in a group fails its statement; the group is re-run one by one and only the replay is one', async () => {
      const repeater = await funded(t, 5_000);
      const first = await placeOrder(t, repeater, BUY, { 'Idempotency-Key': 'group-replay-0001' }).expect(200);
      const others = await traders(5, 5_000);
      const before = await groupSizes();
      const slots = await holdPlacementSlots();
      const pending = [
        placeOrder(t, repeater, BUY, { 'Idempotency-Key': 'group-replay-0001' }).then((r) => r),
        ...others.map((trader, i) => placeOrder(t, trader, BUY, { 'Idempotency-Key': `group-fresh-000${i}` }).then((r) => r)),
      ];
      await slots.waitForQueue(6);
      await slots.release();
      const [replay, ...fresh] = await Promise.all(pending);

      const after = await groupSizes();
      // The group of six was refused (the replay's record exists) and each of the six ran again alone.
      expect({ statements: after.statements - before.statements, orders: after.orders - before.orders }).toEqual({
        statements: PLACEMENTS_IN_FLIGHT + 1 + 6,
        orders: PLACEMENTS_IN_FLIGHT + 6 + 6,
      });
      expect(replay.status).toBe(200);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.data.order_id).toBe(first.body.data.order_id);
      expect(await counts(repeater.user.userId)).toEqual({ orders: 1, ledger: 2, outbox: 1 });
      for (const [i, trader] of others.entries()) {
        expect(fresh[i].status).toBe(200);
        expect(fresh[i].headers['idempotent-replayed']).toBeUndefined();
        expect(await counts(trader.user.userId)).toEqual({ orders: 1, ledger: 2, outbox: 1 });
        expect(await funds.get(trader.user.userId)).toMatchObject({ blocked: 100_000, available: 400_000 });
      }
    });
  });

  it('keeps what the way to OPEN writes out of every index, so those updates stay heap-only', async () => {
    // An index on any of these (a key or its predicate) makes every order pay a new entry in each
    // index of the table twice, at the lease and at the acknowledgement.
    const written: Record<string, string[]> = {
      orders: ['status', 'updated_at', 'exchange_order_id', 'exchange_timestamp'],
      outbox: ['available_at', 'attempts', 'last_error'],
    };
    const indexes: { tbl: string; def: string }[] = await db.query(
      `SELECT c.relname AS tbl, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relname = ANY($1)`,
      [Object.keys(written)],
    );
    expect(indexes.length).toBeGreaterThanOrEqual(5);
    for (const { tbl, def } of indexes) {
      for (const column of written[tbl]) expect({ def, uses: new RegExp(`\\b${column}\\b`).test(def) }).toEqual({ def, uses: false });
    }
    const options: { relname: string; reloptions: string[] }[] = await db.query(`SELECT relname, reloptions FROM pg_class WHERE relname = ANY($1)`, [Object.keys(written)]);
    for (const { relname, reloptions } of options) expect({ relname, reloptions }).toEqual({ relname, reloptions: ['fillfactor=70'] });

    // `live` follows the status: the reconciler and the EOD scan find live orders by it.
    const trader = await funded(t, 10_000);
    const placed = await placeOrder(t, trader, { tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 1, price: 900 }).expect(200);
    const id = placed.body.data.order_id;
    const live = async () => (await db.query('SELECT live FROM orders WHERE id = $1', [id]))[0].live;
    await settle(t);
    expect(await getOrder(t, trader, id)).toMatchObject({ status: 'OPEN' });
    expect(await live()).toBe(true);
    await request(t.url).delete(`/api/v1/orders/${id}`).set(trader.auth).expect(200);
    await settle(t);
    expect(await getOrder(t, trader, id)).toMatchObject({ status: 'CANCELLED' });
    expect(await live()).toBe(false);
  });

  it('gives each append-only history one index, its (owner, id) primary key, which every read of it uses', async () => {
    const indexes: { tbl: string; def: string; primary: boolean }[] = await db.query(
      `SELECT c.relname AS tbl, pg_get_indexdef(i.indexrelid) AS def, i.indisprimary AS primary
       FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relname IN ('order_events', 'ledger_entries') ORDER BY 1`,
    );
    expect(indexes).toEqual([
      { tbl: 'ledger_entries', def: expect.stringMatching(/UNIQUE INDEX ledger_entries_pkey .*\(user_id, id\)$/), primary: true },
      { tbl: 'order_events', def: expect.stringMatching(/UNIQUE INDEX order_events_pkey .*\(order_id, id\)$/), primary: true },
    ]);
  });

  it('places an order without row-locking its user or its instrument, rows every order of theirs shares', async () => {
    // A foreign key's check locks the parent row it finds: xmax set, a WAL record, and a MultiXact
    // when others hold it too, as they do the instrument row of a busy symbol. (The account and
    // the order carry their updater's xid as a locker anyway: they are updated FOR UPDATE.)
    const trader = await funded(t, 10_000);
    const xmaxes = async () =>
      (
        await db.query(
          `SELECT (SELECT xmax::text FROM users WHERE id = $1) AS users, (SELECT xmax::text FROM instruments WHERE instrument_token = $2) AS instruments`,
          [trader.user.userId, INFY],
        )
      )[0];
    const before = await xmaxes();
    const placed = await placeOrder(t, trader, { tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 1, price: 900 }).expect(200);
    await settle(t);
    expect(await getOrder(t, trader, placed.body.data.order_id)).toMatchObject({ status: 'OPEN' });
    expect(await xmaxes()).toEqual(before);
    const events = await db.query('SELECT status FROM order_events WHERE order_id = $1 ORDER BY id', [placed.body.data.order_id]);
    expect(events.map((e: { status: string }) => e.status)).toEqual(['PUT ORDER REQ RECEIVED', 'OPEN PENDING', 'OPEN']);
  });

  it('keeps orders, accounts and the instruments orders name: what the history refers to is never deleted', async () => {
    const trader = await funded(t, 10_000);
    const placed = await placeOrder(t, trader, { tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 1, price: 900 }).expect(200);
    await expect(db.query('DELETE FROM orders WHERE id = $1', [placed.body.data.order_id])).rejects.toThrow(/orders rows are kept/);
    await expect(db.query('DELETE FROM accounts WHERE user_id = $1', [trader.user.userId])).rejects.toThrow(/accounts rows are kept/);
    await expect(db.query('DELETE FROM instruments WHERE instrument_token = $1', [INFY])).rejects.toThrow(/has orders: retire it/);
    expect(await db.query('SELECT 1 FROM orders WHERE id = $1', [placed.body.data.order_id])).toHaveLength(1);
  });

  it("commits the dispatcher's bookkeeping without waiting for the WAL flush (a later synchronous commit makes it durable)", async () => {
    // One session: a backend reports its WAL statistics lazily, unless told to at the next commit.
    const session = db.createQueryRunner();
    await session.connect();
    const walSyncs = async () => {
      await session.query('SELECT pg_stat_force_next_flush()');
      return Number((await session.query('SELECT wal_sync FROM pg_stat_wal'))[0].wal_sync);
    };
    await session.query('CREATE TABLE IF NOT EXISTS commit_probe (id int PRIMARY KEY, n int NOT NULL)');
    await session.query('INSERT INTO commit_probe VALUES (1, 0) ON CONFLICT (id) DO NOTHING');
    const syncsFor = async (sql: string) => {
      const before = await walSyncs();
      for (let i = 0; i < 40; i++) await session.query(sql);
      return (await walSyncs()) - before;
    };
    try {
      // pg_stat_wal counts every flush in the cluster: other suites' commits can only add to a count,
      // so the comparison is retried and passes on the first quiet window.
      let measured = { synchronous: 0, withoutWait: 0 };
      for (let attempt = 0; attempt < 5; attempt++) {
        measured = {
          synchronous: await syncsFor('UPDATE commit_probe SET n = n + 1 WHERE id = 1'),
          withoutWait: await syncsFor(`UPDATE commit_probe SET n = n + 1 FROM ${COMMIT_WITHOUT_WAL_WAIT} WHERE id = 1`),
        };
        if (measured.synchronous >= 40 && measured.withoutWait <= 5) break;
      }
      expect(measured.synchronous).toBeGreaterThanOrEqual(40);
      expect(measured.withoutWait).toBeLessThanOrEqual(5);
      expect((await session.query('SELECT n FROM commit_probe WHERE id = 1'))[0].n).toBeGreaterThanOrEqual(80);
    } finally {
      await session.query('DROP TABLE commit_probe');
      await session.release();
    }

    // …and the dispatcher's own statements (the lease, the dispatched mark) carry it: a deferred
    // trigger on outbox records the setting each updating transaction commits with.
    await db.query('CREATE TABLE commit_mode_probe (n bigint GENERATED ALWAYS AS IDENTITY, outbox_id bigint NOT NULL, mode text NOT NULL)');
    await db.query(`CREATE FUNCTION probe_commit_mode() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO commit_mode_probe (outbox_id, mode) VALUES (NEW.id, current_setting('synchronous_commit')); RETURN NULL; END $$`);
    await db.query(`CREATE CONSTRAINT TRIGGER probe_commit_mode AFTER UPDATE ON outbox DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION probe_commit_mode()`);
    try {
      const trader = await funded(t, 10_000);
      const placed = await placeOrder(t, trader, { tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 1, price: 900 }).expect(200);
      await settle(t);
      const [{ id: outboxId }] = await db.query('SELECT id FROM outbox WHERE aggregate_id = $1', [placed.body.data.order_id]);
      await db.query('UPDATE outbox SET last_error = last_error WHERE id = $1', [outboxId]); // an ordinary commit, for contrast
      const modes = await db.query('SELECT mode FROM commit_mode_probe WHERE outbox_id = $1 ORDER BY n', [outboxId]);
      expect(modes.map((r: { mode: string }) => r.mode)).toEqual(['off', 'off', 'on']);
    } finally {
      await db.query('DROP TRIGGER probe_commit_mode ON outbox');
      await db.query('DROP FUNCTION probe_commit_mode()');
      await db.query('DROP TABLE commit_mode_probe');
    }
  });
});

describe('Iceberg orders', () => {
  it('places the legs one after another, each when the previous one completes', async () => {
    const t = await startTestApp(productionTestConfig({ MARKET_HOURS: 'always-open', ORDER_RATE_LIMIT_PER_SECOND: '1000' }));
    try {
      const INFY = token(t, 'INFY');
      const trader = await funded(t, 100_000);
      // 10 shares in 3 legs: 4, 4, 2.
      const first = await placeOrder(t, trader, { tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 10, price: 1100, variety: 'iceberg', iceberg_legs: 3 }).expect(200);
      await settle(t);
      const leg1 = await getOrder(t, trader, first.body.data.order_id);
      expect(leg1).toMatchObject({ variety: 'iceberg', quantity: 4, status: 'OPEN', meta: { iceberg: { legs: 3, total_quantity: 10 } } });
      expect((await t.app.get(FundsService).get(trader.user.userId)).blocked).toBe(440_000);
      for (const expected of [4, 4, 2]) {
        counterparty(t, { instrumentToken: INFY, side: 'SELL', orderType: 'LIMIT', quantity: expected, price: 110000 });
        await settle(t, 200);
      }
      const orders = (await request(t.url).get('/api/v1/orders').set(trader.auth).expect(200)).body.data;
      expect(orders.map((o: { quantity: number; status: string }) => [o.quantity, o.status])).toEqual([
        [2, 'COMPLETE'],
        [4, 'COMPLETE'],
        [4, 'COMPLETE'],
      ]);
      expect(orders.slice(0, 2).every((o: { parent_order_id: string }) => o.parent_order_id === first.body.data.order_id)).toBe(true);
      expect(await t.app.get(FundsService).get(trader.user.userId)).toMatchObject({ blocked: 0, balance: 10_000_000 - 1_100_000 });
    } finally {
      await t.close();
    }
  });
});
