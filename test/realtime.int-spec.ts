import { createHmac } from 'node:crypto';
import request from 'supertest';
import { metricsRegistry } from '../src/common/observability/metrics';
import { InstrumentsService } from '../src/modules/instruments';
import type { OrderUpdate, RealtimeError, SubscribeAck, Tick } from '../src/sdk';
import { logIn } from './factories/users';
import { FEED_STATUS_CHANGED } from '../src/modules/market-data/market-data.events';
import type { FeedStatus, MarketStatus } from '../src/sdk';
import { connectSdk, emitEvent, emitOrderUpdated, eventually, orderFor, publishQuotes, quoteFor, rawConnect, record, sleep, tokenOf } from './support/realtime';
import { connectRawSocketIo } from './support/realtime-raw';
import { productionTestConfig, startTestApp, TestApp } from './support/test-app';
import { funded, Trader } from './support/trading';

const JWT_SECRET = 'realtime-test-secret-long-enough-for-hs256-000000';
const MAX_SUBSCRIPTIONS = 600;

function signJwt(payload: object, secret = JWT_SECRET): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
const bearer = (trader: Trader) => trader.auth.Authorization.slice('Bearer '.length);
const flat = (frames: Tick[][]) => frames.flat();

/** One app on real Postgres + Redis; market data arrives as the QUOTES_UPDATED events market-data emits. */
describe('Realtime gateway: handshake, subscriptions, pushes, abuse (socket.io)', () => {
  let t: TestApp;
  let alice: Trader;
  let bob: Trader;
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    t = await startTestApp(
      productionTestConfig({
        JWT_SECRET,
        MARKET_HOURS: 'always-open',
        ORDER_RATE_LIMIT_PER_SECOND: '1000',
        CORS_ORIGINS: 'https://terminal.example',
        REALTIME_MAX_SUBSCRIPTIONS: String(MAX_SUBSCRIPTIONS),
        REALTIME_SEND_BUFFER_LIMIT_BYTES: '65536',
      }),
    );
    [alice, bob] = await Promise.all([funded(t, 100_000), funded(t, 0)]);
  });
  afterEach(() => closers.splice(0).forEach((close) => close()));
  afterAll(() => t?.close());

  const sdk = async (trader: Trader) => {
    const client = await connectSdk(t, bearer(trader));
    closers.push(() => client.close());
    return client;
  };
  const raw = async (token: string) => {
    const r = await rawConnect(t, { token });
    if (r.outcome !== 'connected') throw new Error(`refused: ${r.message}`);
    closers.push(() => r.socket.close());
    return r.socket;
  };

  it('refuses handshakes without a token, with a forged, expired or logged-out one, an unknown protocol or a foreign Origin', async () => {
    const token = bearer(alice);
    const expired = signJwt({ ...claims(token), exp: Math.floor(Date.now() / 1000) - 10 });
    const forged = signJwt(claims(token), 'another-secret-that-is-also-long-enough-000');
    const loggedOut = (await logIn(t, alice.user)).access_token;
    await request(t.url).post('/api/v1/auth/logout').set('Authorization', `Bearer ${loggedOut}`).expect(200);

    for (const auth of [{}, { token: 'not-a-token' }, { token: forged }, { token: expired }, { token: loggedOut }, { token: 'abcd1234abcd1234:nope' }]) {
      expect(await rawConnect(t, auth)).toMatchObject({ outcome: 'refused', data: { code: 'AUTH' } });
    }
    expect(await rawConnect(t, { token, v: 99 })).toMatchObject({ outcome: 'refused', data: { code: 'PROTOCOL' } });
    expect(await rawConnect(t, { token }, { Origin: 'https://evil.example' })).toMatchObject({ outcome: 'refused' });

    for (const origin of ['https://terminal.example', undefined]) {
      const ok = await rawConnect(t, { token }, origin ? { Origin: origin } : {});
      expect(ok.outcome).toBe('connected');
      if (ok.outcome === 'connected') ok.socket.close();
    }
  });

  it('acknowledges a subscription with a snapshot, then sends only watched instruments, latest price per frame', async () => {
    publishQuotes(t, [quoteFor(t, 'NSE:INFY', 150_000)]);
    const client = await sdk(alice);
    const ticks = record(client, 'tick');
    const tcs = tokenOf(t, 'NSE:TCS');
    const ack = (await client.subscribe(['NSE:INFY', tcs], 'quote')) as SubscribeAck;
    expect(ack).toMatchObject({ ok: true, rejected: [], subscriptions: 2 });
    expect(ack.accepted.map((a) => a.key)).toEqual(['NSE:INFY', 'NSE:TCS']);
    expect(ack.snapshot).toContainEqual(expect.objectContaining({ instrument_token: tokenOf(t, 'NSE:INFY'), mode: 'quote', last_price: 1500 }));

    // (The simulator's own market data may tick too: the prices below are ours alone.)
    const sbin = tokenOf(t, 'NSE:SBIN');
    publishQuotes(t, [quoteFor(t, 'NSE:INFY', 150_100), quoteFor(t, 'NSE:TCS', 300_050), quoteFor(t, 'NSE:SBIN', 70_000)]);
    publishQuotes(t, [quoteFor(t, 'NSE:INFY', 150_200)]);
    const frameWith = (price: number) => ticks.find((frame) => frame.some((x) => x.last_price === price));
    await eventually(() => expect(frameWith(1502)).toBeDefined());
    expect(frameWith(1502)).toBe(frameWith(3000.5)); // both batches left in one frame
    expect(frameWith(1501)).toBeUndefined(); // conflated: the newer INFY price won

    expect(await client.unsubscribe([tcs])).toEqual({ ok: true, removed: [tcs], subscriptions: 1 });
    publishQuotes(t, [quoteFor(t, 'NSE:TCS', 300_100), quoteFor(t, 'NSE:INFY', 150_300)]);
    await eventually(() => expect(frameWith(1503)).toBeDefined());
    await sleep(150);
    expect(frameWith(3001)).toBeUndefined();
    expect(flat(ticks).some((x) => x.instrument_token === sbin)).toBe(false);
  });

  it('sends depth with full mode and switches an instrument to ltp in place', async () => {
    const client = await sdk(alice);
    const depth = record(client, 'depth');
    const ticks = record(client, 'tick');
    await client.subscribe(['NSE:RELIANCE'], 'full');
    publishQuotes(t, [quoteFor(t, 'NSE:RELIANCE', 250_000)]);
    await eventually(() => expect(depth).toHaveLength(1));
    expect(depth[0][0].buy).toHaveLength(5);
    expect(depth[0][0].buy[0]).toEqual({ price: 2499.95, quantity: 100, orders: 1 });
    expect(ticks[0][0]).toMatchObject({ mode: 'full', last_price: 2500, ohlc: expect.any(Object) });

    await client.subscribe(['NSE:RELIANCE'], 'ltp');
    publishQuotes(t, [quoteFor(t, 'NSE:RELIANCE', 250_100)]);
    await eventually(() => expect(ticks).toHaveLength(2));
    expect(ticks[1][0]).toEqual({ instrument_token: tokenOf(t, 'NSE:RELIANCE'), mode: 'ltp', last_price: 2501, exchange_timestamp: expect.any(Number) });
    expect(depth).toHaveLength(1);
  });

  it('pushes order updates to the owner only', async () => {
    const [mine, theirs] = await Promise.all([sdk(alice), sdk(bob)]);
    const aliceOrders = record(mine, 'order_update');
    const bobOrders = record(theirs, 'order_update');
    const placed = await request(t.url)
      .post('/api/v1/orders')
      .set(alice.auth)
      .send({ exchange: 'NSE', product: 'CNC', validity: 'DAY', tradingsymbol: 'INFY', transaction_type: 'BUY', order_type: 'LIMIT', quantity: 1, price: 1000 })
      .expect(200);
    const orderId = placed.body.data.order_id as string;
    await eventually(() => expect(aliceOrders.map((o: OrderUpdate) => o.status)).toContain('OPEN'));
    expect(aliceOrders.every((o: OrderUpdate) => o.order_id === orderId && o.tradingsymbol === 'INFY' && o.price === 1000)).toBe(true);
    await sleep(200);
    expect(bobOrders).toEqual([]);
  });

  it('answers malformed, oversized and unknown requests with error events and keeps serving the socket', async () => {
    const socket = await raw(bearer(alice));
    const errors: RealtimeError[] = [];
    const ticks: Tick[][] = [];
    socket.on('error', (e: RealtimeError) => errors.push(e));
    socket.on('tick', (x: Tick[]) => ticks.push(x));
    const ask = (event: string, payload: unknown) => socket.timeout(2000).emitWithAck(event, payload);

    expect(await ask('subscribe', 'NSE:INFY')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await ask('subscribe', { instruments: 'NSE:INFY' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await ask('subscribe', { instruments: ['NSE:INFY'], mode: 'everything' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await ask('subscribe', { instruments: new Array(5000).fill(408065) })).toMatchObject({ ok: false, error: { code: 'TOO_MANY_INSTRUMENTS' } });
    const partial = await ask('subscribe', { instruments: ['NSE:NOPE', 'NSE:WIPRO', { $gt: '' }, 99999999] });
    expect(partial).toMatchObject({ ok: true, accepted: [{ key: 'NSE:WIPRO' }], subscriptions: 1 });
    expect(partial.rejected).toEqual([
      { ref: { $gt: '' }, reason: 'INVALID' },
      { ref: 'NSE:NOPE', reason: 'UNKNOWN_INSTRUMENT' },
      { ref: 99999999, reason: 'UNKNOWN_INSTRUMENT' },
    ]);
    socket.emit('subscribe' as never);
    socket.emit('drop_database' as never, { please: true } as never);
    await eventually(() =>
      expect(errors.map((e) => e.code).sort()).toEqual(
        ['BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST', 'TOO_MANY_INSTRUMENTS', 'BAD_REQUEST', 'UNKNOWN_INSTRUMENT', 'BAD_REQUEST', 'UNKNOWN_EVENT'].sort(),
      ),
    );
    expect(errors.find((e) => e.code === 'UNKNOWN_INSTRUMENT')?.refs).toEqual(['NSE:NOPE', 99999999]);

    publishQuotes(t, [quoteFor(t, 'NSE:WIPRO', 31_005)]);
    await eventually(() => expect(ticks.flat().map((x) => x.last_price)).toContain(310.05));
    expect(socket.connected).toBe(true);
  });

  it('caps subscriptions per connection and message rate per connection', async () => {
    const socket = await raw(bearer(bob));
    const tokens = t.app.get(InstrumentsService).all('NSE').slice(0, MAX_SUBSCRIPTIONS + 50).map((i) => i.instrumentToken);
    const first = await socket.timeout(5000).emitWithAck('subscribe', { instruments: tokens.slice(0, 400), mode: 'ltp' });
    expect(first).toMatchObject({ ok: true, subscriptions: 400 });
    const second = await socket.timeout(5000).emitWithAck('subscribe', { instruments: tokens.slice(400), mode: 'ltp' });
    expect(second.accepted).toHaveLength(MAX_SUBSCRIPTIONS - 400);
    expect(second.rejected.filter((r: { reason: string }) => r.reason === 'SUBSCRIPTION_LIMIT')).toHaveLength(50);
    expect(second.subscriptions).toBe(MAX_SUBSCRIPTIONS);

    const errors: RealtimeError[] = [];
    socket.on('error', (e: RealtimeError) => errors.push(e));
    const burst = await Promise.all(Array.from({ length: 60 }, () => socket.timeout(2000).emitWithAck('unsubscribe', { instruments: [] })));
    const limited = burst.filter((r) => r.ok === false && r.error.code === 'RATE_LIMITED').length;
    expect(limited).toBeGreaterThanOrEqual(60 - 41); // burst of 2 × 20 msg/s, plus what refilled meanwhile
    await eventually(() => expect(errors.filter((e) => e.code === 'RATE_LIMITED')).toHaveLength(1));
    await sleep(1000);
    expect(await socket.timeout(2000).emitWithAck('unsubscribe', { instruments: [tokens[0]] })).toMatchObject({ ok: true, removed: [tokens[0]] });
    expect(socket.connected).toBe(true);
  });

  it('drops a consumer that stops reading, instead of buffering for it', async () => {
    const dropped = async () => (await metricsRegistry.getSingleMetric('realtime_slow_consumers_dropped_total')!.get()).values[0]?.value ?? 0;
    const before = await dropped();
    const instruments = t.app.get(InstrumentsService).all('NSE').slice(0, 500);
    const stalled = await connectRawSocketIo(t.url, bearer(bob));
    closers.push(() => stalled.close());
    await stalled.request('subscribe', { instruments: instruments.map((i) => i.instrumentToken), mode: 'full' });
    const healthy = await sdk(alice);
    await healthy.subscribe(['NSE:ITC'], 'ltp');
    const healthyTicks = record(healthy, 'tick');

    stalled.stopReading();
    const quotes = instruments.map((i) => quoteFor(t, `NSE:${i.tradingsymbol}`, i.prevClose));
    await eventually(
      async () => {
        publishQuotes(t, quotes.map((q) => ({ ...q, lastPrice: q.lastPrice + 5, timestamp: Date.now() })));
        expect(await dropped()).toBe(before + 1);
      },
      15_000,
      100,
    );
    publishQuotes(t, [quoteFor(t, 'NSE:ITC', 45_025)]);
    await eventually(() => expect(healthyTicks.flat().map((x) => x.last_price)).toContain(450.25));
    expect(healthy.connected).toBe(true);
  });

  it('tells a new connection the market phase, and every connection when the feed goes stale and recovers', async () => {
    const statuses: MarketStatus[] = [];
    const client = await connectSdk(t, bearer(alice), {}, (c) => c.on('market_status', (m) => statuses.push(m)));
    closers.push(() => client.close());
    await eventually(() => expect(statuses).toEqual([{ phase: 'CONTINUOUS', at: expect.any(Number) }]));
    await eventually(() => expect(client.stale).toBe(false)); // connected and (re)subscribed
    const feed: FeedStatus[] = [];
    const stale = record(client, 'stale');
    client.on('feed_status', (f) => feed.push(f));
    emitEvent(t, FEED_STATUS_CHANGED, { stale: true, since: 1_700_000_000_000 });
    await eventually(() => expect(feed).toEqual([{ stale: true, since: 1_700_000_000_000 }]));
    expect(client.stale).toBe(true);
    emitEvent(t, FEED_STATUS_CHANGED, { stale: false, since: 1_700_000_005_000 });
    await eventually(() => expect(feed).toHaveLength(2));
    expect(client.stale).toBe(false);
    expect(stale).toEqual([true, false]);
  });

  it('exposes its metrics', async () => {
    const text = (await request(t.url).get('/metrics').expect(200)).text;
    for (const name of ['realtime_connected_sockets', 'realtime_subscriptions', 'realtime_frames_total', 'realtime_broadcast_latency_seconds_bucket']) {
      expect(text).toContain(name);
    }
  });
});


/** No REDIS_URL: socket.io's in-process adapter and the in-memory pub/sub carry the same pushes. */
describe('Realtime gateway without Redis (one process)', () => {
  let t: TestApp;
  let trader: Trader;

  beforeAll(async () => {
    t = await startTestApp(productionTestConfig({ REDIS_URL: '', MARKET_HOURS: 'always-open' }));
    trader = await funded(t, 0);
  });
  afterAll(() => t?.close());

  it('pushes order updates and closes the socket on logout', async () => {
    const client = await connectSdk(t, bearer(trader));
    try {
      const orders = record(client, 'order_update');
      const closed = record(client, 'closed');
      emitOrderUpdated(t, orderFor(trader.user.userId, 'MS1', { status: 'CANCELLED' }));
      await eventually(() => expect(orders.map((o) => o.status)).toEqual(['CANCELLED']));
      await request(t.url).post('/api/v1/auth/logout').set(trader.auth).expect(200);
      await eventually(() => expect(closed).toEqual(['io server disconnect']), 1000);
    } finally {
      client.close();
    }
  });
});
