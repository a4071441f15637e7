import request from 'supertest';
import { DataSource } from 'typeorm';
import { ManualClock } from '../src/common/clock/clock';
import { istDateTime } from '../src/common/clock/ist';
import { FundsService } from '../src/modules/accounts/funds.service';
import { EodJobs } from '../src/modules/portfolio/eod-jobs.service';
import { productionTestConfig, startTestApp, TestApp } from './support/test-app';
import { counterparty, funded, getOrder, placeOrder, settle, token, Trader } from './support/trading';

/** Trading hours on a Thursday, IST: the NSE calendar is in force (not the demo clock). */
const TEN_AM = istDateTime('2026-11-26', 10, 0);

describe('Portfolio: positions, holdings, P&L, conversion, margin calls, EOD (real Postgres)', () => {
  let t: TestApp;
  let clock: ManualClock;
  let db: DataSource;
  let funds: FundsService;
  let SBIN: number;
  /** SBIN's previous close on the ₹0.05 tick, paise: every price below is relative to it. */
  let base: number;
  const tick = (p: number) => Math.round(p / 5) * 5;

  beforeAll(async () => {
    clock = new ManualClock(TEN_AM);
    // Margin calls only at a total loss here: the watcher's timer must not square off other tests' positions.
    t = await startTestApp(
      productionTestConfig({ MARKET_HOURS: 'exchange', ORDER_RATE_LIMIT_PER_SECOND: '1000', MARGIN_CALL_PCT: '100', MARGIN_SQUAREOFF_PCT: '100' }),
      clock,
    );
    db = t.app.get(DataSource);
    funds = t.app.get(FundsService);
    SBIN = token(t, 'SBIN');
    base = tick((await request(t.url).get('/api/v1/instruments/NSE/SBIN').expect(200)).body.data.prev_close * 100);
  });
  afterAll(() => t?.close());

  /** Our order against a resting counterparty order at `price`. */
  async function trade(trader: Trader, side: 'BUY' | 'SELL', quantity: number, price: number, product: 'MIS' | 'CNC' = 'MIS') {
    counterparty(t, { instrumentToken: SBIN, side: side === 'BUY' ? 'SELL' : 'BUY', orderType: 'LIMIT', quantity, price, clientAccount: `CP-${side}` });
    await settle(t, 30);
    const res = await placeOrder(t, trader, { tradingsymbol: 'SBIN', transaction_type: side, order_type: 'LIMIT', quantity, price: price / 100, product }).expect(200);
    await settle(t);
    const order = await getOrder(t, trader, res.body.data.order_id);
    expect(order.status).toBe('COMPLETE');
    return order;
  }

  const positions = async (trader: Trader) => (await request(t.url).get('/portfolio/positions').set(trader.auth).expect(200)).body.data;

  it('an MIS round trip realises P&L in cash and gives the margin back', async () => {
    const trader = await funded(t, 10_000);
    const buyAt = base;
    await trade(trader, 'BUY', 10, buyAt);
    const open = await funds.get(trader.user.userId);
    // 20% of 10 × price is held as position margin.
    expect(open.blocked).toBe(Math.ceil((10 * buyAt * 20) / 100));
    await trade(trader, 'SELL', 10, buyAt + 250);
    const after = await funds.get(trader.user.userId);
    expect(after).toMatchObject({ blocked: 0, balance: 1_000_000 + 2_500, available: 1_000_000 + 2_500 });
    const { day, net } = await positions(trader);
    expect(day).toHaveLength(1);
    expect(day[0]).toMatchObject({ tradingsymbol: 'SBIN', product: 'MIS', quantity: 0, realised: 25, pnl: 25, buy_quantity: 10, sell_quantity: 10 });
    expect(net).toHaveLength(1);
    expect((await funds.verifyLedger(trader.user.userId)).balanced).toBe(true);
  });

  it('flips long to short through partial fills, with the short margined', async () => {
    const trader = await funded(t, 10_000);
    await trade(trader, 'BUY', 5, base);
    await trade(trader, 'SELL', 8, base + 500); // closes 5 (+₹25), opens short 3 at base + ₹5
    const { day } = await positions(trader);
    expect(day[0]).toMatchObject({ quantity: -3, average_price: (base + 500) / 100, realised: 25 });
    const [p] = await db.query(`SELECT margin_blocked FROM positions WHERE user_id = $1`, [trader.user.userId]);
    expect(Number(p.margin_blocked)).toBeGreaterThan(0);
    expect((await funds.get(trader.user.userId)).blocked).toBe(Number(p.margin_blocked));
  });

  it('converts an MIS long to CNC (paying in full) and back', async () => {
    const trader = await funded(t, 10_000);
    await trade(trader, 'BUY', 4, base);
    const convert = (from: string, to: string) =>
      request(t.url)
        .put('/portfolio/positions')
        .set(trader.auth)
        .send({ exchange: 'NSE', tradingsymbol: 'SBIN', transaction_type: 'BUY', position_type: 'day', quantity: 4, old_product: from, new_product: to });
    await convert('MIS', 'CNC').expect(200);
    expect(await funds.get(trader.user.userId)).toMatchObject({ blocked: 0, balance: 1_000_000 - 4 * base });
    const holdings = (await request(t.url).get('/portfolio/holdings').set(trader.auth).expect(200)).body.data;
    expect(holdings[0]).toMatchObject({ tradingsymbol: 'SBIN', t1_quantity: 4, average_price: base / 100 });
    await convert('CNC', 'MIS').expect(200);
    expect(await funds.get(trader.user.userId)).toMatchObject({ balance: 1_000_000, blocked: Math.ceil((4 * base * 20) / 100) });
    const bad = await convert('CNC', 'MIS').expect(400);
    expect(bad.body.message).toMatch(/No unsettled CNC long/);
    expect((await funds.verifyLedger(trader.user.userId)).balanced).toBe(true);
  });

  it('never shows one user another user\'s positions or holdings', async () => {
    const a = await funded(t, 10_000);
    const b = await funded(t, 10_000);
    await trade(a, 'BUY', 1, base, 'CNC');
    expect((await positions(b)).net).toEqual([]);
    expect((await request(t.url).get('/portfolio/holdings').set(b.auth).expect(200)).body.data).toEqual([]);
    expect((await request(t.url).get('/portfolio/holdings').set(a.auth).expect(200)).body.data).toHaveLength(1);
  });

  it('pages and filters the trade book (newest first, IST dates)', async () => {
    const trader = await funded(t, 10_000);
    await trade(trader, 'BUY', 1, base);
    await trade(trader, 'BUY', 2, base);
    await trade(trader, 'SELL', 3, base);
    const page1 = (await request(t.url).get('/api/v1/trades?limit=2').set(trader.auth).expect(200)).body.data;
    expect(page1.map((x: { quantity: number }) => x.quantity)).toEqual([3, 2]);
    const page2 = (await request(t.url).get(`/api/v1/trades?limit=2&before=${page1[1].id}`).set(trader.auth).expect(200)).body.data;
    expect(page2.map((x: { quantity: number }) => x.quantity)).toEqual([1]);
    expect((await request(t.url).get('/api/v1/trades?tradingsymbol=INFY').set(trader.auth).expect(200)).body.data).toEqual([]);
    expect((await request(t.url).get('/api/v1/trades?from=2026-11-26&to=2026-11-26').set(trader.auth).expect(200)).body.data).toHaveLength(3);
    expect((await request(t.url).get('/api/v1/trades?from=2026-11-27').set(trader.auth).expect(200)).body.data).toEqual([]);
    await request(t.url).get('/api/v1/trades?from=2026-11-27&to=2026-11-26').set(trader.auth).expect(400);
    await request(t.url).get('/api/v1/trades?from=yesterday').set(trader.auth).expect(400);
  });

  it('EOD: squares off MIS at 15:20 IST and settles T+1 the next morning, each exactly once', async () => {
    const trader = await funded(t, 10_000);
    await trade(trader, 'BUY', 2, base);
    await trade(trader, 'BUY', 3, base, 'CNC');
    // No position, only a working MIS order: the square-off cancels it too.
    const waiting = await funded(t, 10_000);
    const resting = await placeOrder(t, waiting, { tradingsymbol: 'SBIN', transaction_type: 'BUY', order_type: 'LIMIT', product: 'MIS', quantity: 1, price: Math.round(base * 0.097) / 10 }).expect(200);
    await settle(t);
    const eod = t.app.get(EodJobs);
    clock.set(istDateTime('2026-11-26', 15, 21));
    counterparty(t, { instrumentToken: SBIN, side: 'BUY', orderType: 'LIMIT', quantity: 100, price: tick(base * 0.99), clientAccount: 'CP-EOD' });
    await settle(t, 30);
    expect(await eod.runDue()).toContain('mis_squareoff');
    expect(await eod.runDue()).toEqual([]); // the same day again: nothing
    await settle(t, 300);
    const orders = (await request(t.url).get('/api/v1/orders').set(trader.auth).expect(200)).body.data;
    expect(orders[0]).toMatchObject({ tag: 'EOD_SQUAREOFF', transaction_type: 'SELL', quantity: 2, status: 'COMPLETE' });
    expect(await getOrder(t, waiting, resting.body.data.order_id)).toMatchObject({ status: 'CANCELLED' });

    clock.set(istDateTime('2026-11-27', 8, 5));
    expect(await eod.runDue()).toEqual(['settlement']);
    expect(await eod.runDue()).toEqual([]);
    const [h] = await db.query('SELECT quantity, t1_quantity FROM holdings WHERE user_id = $1', [trader.user.userId]);
    expect(h).toEqual({ quantity: 3, t1_quantity: 0 });
    clock.set(TEN_AM);
  });
});
