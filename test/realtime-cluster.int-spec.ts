import request from 'supertest';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { SessionService } from '../src/modules/auth/session.service';
import { MARGIN_CALL, MarginCallEvent } from '../src/modules/portfolio/portfolio.events';
import { ALERT_TRIGGERED } from '../src/modules/realtime';
import { ordersFromJson } from '../src/modules/orders/order';
import { RealtimeGateway } from '../src/modules/realtime/gateway/realtime.gateway';
import { WatchRegistry } from '../src/modules/realtime/watch-registry';
import { RealtimeClient } from '../src/sdk';
import { logIn } from './factories/users';
import {
  connectSdk,
  emitEvent,
  emitOrderUpdated,
  eventually,
  orderFor,
  portOf,
  publishQuotes,
  quoteFor,
  record,
  sleep,
  startAppOnPort,
} from './support/realtime';
import { productionTestConfig, startTestApp, TestApp } from './support/test-app';
import { funded, Trader } from './support/trading';

const bearer = (trader: Trader) => trader.auth.Authorization.slice('Bearer '.length);

/** Two replicas of the app on one Postgres and one Redis (the same key prefix), as in production. */
describe('Realtime across replicas (two app instances, real Redis adapter)', () => {
  const config = productionTestConfig({
    JWT_SECRET: 'cluster-test-secret-long-enough-for-hs256-00000000',
    MARKET_HOURS: 'always-open',
    ORDER_RATE_LIMIT_PER_SECOND: '1000',
  });
  let a: TestApp;
  let b: TestApp;
  let alice: Trader;
  let bob: Trader;
  let aliceClientId: string;
  const clients: RealtimeClient[] = [];

  beforeAll(async () => {
    a = await startTestApp(config); // first, alone: it creates and migrates the shared database
    b = await startTestApp(config);
    [alice, bob] = await Promise.all([funded(a, 100_000), funded(a, 0)]);
    [{ client_id: aliceClientId }] = await a.app.get(DataSource).query('SELECT client_id FROM users WHERE id = $1', [alice.user.userId]);
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(() => Promise.all([a?.close(), b?.close()]));

  const on = async (t: TestApp, token: string, options = {}) => {
    const c = await connectSdk(t, token, options);
    clients.push(c);
    return c;
  };

  /** A Kite ticker connection (raw ws): its text messages. */
  async function kiteOn(t: TestApp, apiKey: string, accessToken: string) {
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/ws/kite?api_key=${apiKey}&access_token=${accessToken}`);
    const texts: { type: string; data: Record<string, unknown> }[] = [];
    ws.on('message', (data, isBinary) => {
      if (!isBinary) texts.push(JSON.parse(data.toString()));
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return { ws, texts };
  }

  it("delivers an order update produced on A to the owner's sockets on B (socket.io and Kite ticker), to no one else", async () => {
    const [aliceOnB, aliceOnA, bobOnB] = await Promise.all([on(b, bearer(alice)), on(a, bearer(alice)), on(b, bearer(bob))]);
    const seenB = record(aliceOnB, 'order_update');
    const seenA = record(aliceOnA, 'order_update');
    const seenBob = record(bobOnB, 'order_update');
    const kite = await a.app.get(SessionService).startKiteSession(alice.user.userId, aliceClientId, 'clusterkey000001');
    const ticker = await kiteOn(b, 'clusterkey000001', kite.accessToken);
    try {
      const order = orderFor(alice.user.userId, aliceClientId, { status: 'COMPLETE', filledQuantity: 10, averagePrice: 144_950, filledValue: 1_449_500 });
      emitOrderUpdated(a, order);
      await eventually(() => expect(seenB).toHaveLength(1));
      expect(seenB[0]).toMatchObject({ order_id: order.id, status: 'COMPLETE', filled_quantity: 10, average_price: 1449.5, placed_by: aliceClientId });
      await eventually(() => expect(seenA).toHaveLength(1));
      await eventually(() => expect(ticker.texts).toContainEqual({ type: 'order', data: expect.objectContaining({ order_id: order.id, status: 'COMPLETE' }) }));
      // Alerts and margin calls take the same road.
      const alerts = record(aliceOnB, 'alert');
      const calls = record(aliceOnB, 'margin_call');
      const bobAlerts = record(bobOnB, 'alert');
      emitEvent(a, ALERT_TRIGGERED, { userId: alice.user.userId, alert: { alert_id: 'a1', message: 'INFY crossed 1450', triggered_at: 1 } });
      emitEvent(a, MARGIN_CALL, { userId: alice.user.userId, loss: 400_000, margin: 500_000, level: 'warning', at: 2 } satisfies MarginCallEvent);
      await eventually(() => expect(alerts).toEqual([{ alert_id: 'a1', message: 'INFY crossed 1450', triggered_at: 1 }]));
      await eventually(() => expect(calls).toEqual([expect.objectContaining({ level: 'warning', required: 5000, shortfall: 4000 })]));
      await sleep(200);
      expect(seenBob).toEqual([]);
      expect(bobAlerts).toEqual([]);
      expect(seenB).toHaveLength(1);
    } finally {
      ticker.ws.terminate();
    }
  });

  it('sends an order update across only when another replica holds a connection of its user', async () => {
    const crossed: string[] = [];
    b.app.get(RealtimeGateway).server.on('order:updates', (json) => crossed.push(...ordersFromJson(json).map((o) => o.id)));
    await eventually(() => expect(a.app.get(WatchRegistry).synced).toBe(true));
    const aliceOnB = await on(b, bearer(alice));
    const seen = record(aliceOnB, 'order_update');
    await eventually(() => expect(a.app.get(WatchRegistry).watchedElsewhere(bob.user.userId)).toBe(false)); // bob's sockets of earlier tests are closed
    const unwatched = orderFor(bob.user.userId, 'ZZ0001', { id: '900000001' });
    const watched = orderFor(alice.user.userId, aliceClientId, { id: '900000002' });
    emitOrderUpdated(a, unwatched);
    emitOrderUpdated(a, watched);
    await eventually(() => expect(seen.map((o) => o.order_id)).toEqual([watched.id]));
    expect(crossed).toEqual([watched.id]);
  });

  it("closes a logged-out session's sockets on every replica within 1 s, and only that session's", async () => {
    const second = (await logIn(a, alice.user)).access_token;
    const [s1OnA, s1OnB, s2OnB] = await Promise.all([on(a, bearer(alice)), on(b, bearer(alice)), on(b, second)]);
    const closedAt: number[] = [];
    for (const c of [s1OnA, s1OnB]) c.on('closed', () => closedAt.push(Date.now()));
    const s2Closed = record(s2OnB, 'closed');

    const start = Date.now();
    await request(a.url).post('/api/v1/auth/logout').set(alice.auth).expect(200);
    await eventually(() => expect(closedAt).toHaveLength(2), 1000, 10);
    expect(Math.max(...closedAt) - start).toBeLessThan(1000);
    expect(s1OnA.connected || s1OnB.connected).toBe(false);
    await sleep(200);
    expect(s2OnB.connected).toBe(true);
    expect(s2Closed).toEqual([]);
    alice = { ...alice, auth: { Authorization: `Bearer ${second}` } };
  });

  it('after A restarts, the SDK reconnects by itself, resubscribes, and recovers the order update it missed', async () => {
    const port = portOf(a);
    const client = await on(a, bearer(alice), { reconnectDelayMs: 200, reconnectDelayMaxMs: 1000 });
    await client.subscribe(['NSE:HDFCBANK'], 'quote');
    const ticks = record(client, 'tick');
    const orders = record(client, 'order_update');
    const stale = record(client, 'stale');
    const resubscribed = record(client, 'resubscribed');

    const disconnected = new Promise((resolve) => client.on('disconnected', resolve));
    await a.close();
    await disconnected;
    expect(client.stale).toBe(true);

    // Meanwhile, on B: an order the client cannot hear about (it is connected nowhere).
    const placed = await request(b.url)
      .post('/api/v1/orders')
      .set(alice.auth)
      .send({ exchange: 'NSE', product: 'CNC', validity: 'DAY', tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 2, price: 1000 })
      .expect(200);
    await sleep(300);

    a = await startAppOnPort(config, port);
    await eventually(() => expect(resubscribed).toHaveLength(1), 10_000, 50);
    expect(resubscribed[0]).toEqual([expect.objectContaining({ ok: true, accepted: [expect.objectContaining({ key: 'NSE:HDFCBANK' })] })]);
    await eventually(() => expect(orders.map((o) => o.order_id)).toContain(placed.body.data.order_id), 5000);
    expect(stale).toEqual([true, false]);

    publishQuotes(a, [quoteFor(a, 'NSE:HDFCBANK', 171_035)]);
    await eventually(() => expect(ticks.flat().map((x) => x.last_price)).toContain(1710.35));
  });
});
