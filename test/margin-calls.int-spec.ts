import request from 'supertest';
import { ManualClock } from '../src/common/clock/clock';
import { istDateTime } from '../src/common/clock/ist';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { MarginWatcher } from '../src/modules/portfolio/margin-watcher.service';
import { MARGIN_CALL, MarginCallEvent } from '../src/modules/portfolio/portfolio.events';
import { productionTestConfig, startTestApp, TestApp } from './support/test-app';
import { connectSdk, eventually, record } from './support/realtime';
import { counterparty, funded, getOrder, placeOrder, printTrade, settle, token } from './support/trading';

describe('Margin calls on intraday positions', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Calls at 10% of margin (a 2% price move at 20% MIS margin), square-off at 25% (5%).
    t = await startTestApp(
      productionTestConfig({ MARKET_HOURS: 'exchange', ORDER_RATE_LIMIT_PER_SECOND: '1000', MARGIN_CALL_PCT: '10', MARGIN_SQUAREOFF_PCT: '25' }),
      new ManualClock(istDateTime('2026-11-26', 10, 0)),
    );
  });
  afterAll(() => t?.close());

  it('warns once past the call share, and squares off through the order path past the hard limit', async () => {
    const SBIN = token(t, 'SBIN');
    const tick = (p: number) => Math.round(p / 5) * 5;
    const base = tick((await request(t.url).get('/api/v1/instruments/NSE/SBIN').expect(200)).body.data.prev_close * 100);
    const trader = await funded(t, 10_000);
    counterparty(t, { instrumentToken: SBIN, side: 'SELL', orderType: 'LIMIT', quantity: 10, price: base });
    await settle(t, 30);
    const buy = await placeOrder(t, trader, { tradingsymbol: 'SBIN', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 10, price: base / 100, product: 'MIS' }).expect(200);
    // The fill report can trail the acknowledgement by a loop turn or two on a busy machine.
    await eventually(async () => expect((await getOrder(t, trader, buy.body.data.order_id)).status).toBe('COMPLETE'), 10_000);
    const margin = 2 * base; // 20% of 10 × base

    const client = await connectSdk(t, trader.auth.Authorization.slice('Bearer '.length));
    const notices = record(client, 'margin_call');
    const watcher = t.app.get(MarginWatcher);
    // The watcher's own timer may make the call before the test does: collect the events either way.
    const calls: MarginCallEvent[] = [];
    t.app.get(EventEmitter2).on(MARGIN_CALL, (e: MarginCallEvent) => e.userId === trader.user.userId && calls.push(e));
    const warnAt = tick(base * 0.975); // loss ≈ 12.5% of margin
    await printTrade(t, SBIN, warnAt);
    await watcher.check();
    await eventually(() => expect(calls).toEqual([expect.objectContaining({ level: 'warning', loss: 10 * (base - warnAt), margin })]));
    await watcher.check();
    expect(calls).toHaveLength(1); // once per episode
    // The trader hears it on their socket, in rupees.
    await eventually(() => expect(notices).toEqual([expect.objectContaining({ level: 'warning', shortfall: (10 * (base - warnAt)) / 100, required: margin / 100 })]));

    await printTrade(t, SBIN, tick(base * 0.94)); // loss ≈ 30% of margin
    await watcher.check();
    await eventually(() => expect(calls.map((c) => c.level)).toEqual(['warning', 'square_off']));
    await eventually(async () => {
      const orders = (await request(t.url).get('/api/v1/orders').set(trader.auth).expect(200)).body.data;
      expect(orders[0]).toMatchObject({ tag: 'RISK_SQUAREOFF', transaction_type: 'SELL', order_type: 'MARKET', quantity: 10, product: 'MIS' });
    }, 10_000);
    await eventually(() => expect(notices.map((n) => n.level)).toEqual(['warning', 'square_off']));
    client.close();
  });
});
