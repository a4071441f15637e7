import { KiteTicker } from 'kiteconnect';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { SessionService } from '../src/modules/auth/session.service';
import { emitOrderUpdated, eventually, orderFor, publishQuotes, quoteFor, sleep, tokenOf } from './support/realtime';
import { productionTestConfig, startTestApp, TestApp } from './support/test-app';
import { funded } from './support/trading';

type KiteTick = { instrument_token: number; mode: string; last_price: number; depth?: { buy: object[]; sell: object[] } };
const API_KEY = 'kitetickerkey001';

/** The official kiteconnect KiteTicker, its root pointed at us, against real Postgres + Redis sessions. */
describe('Kite-compatible binary ticker', () => {
  let t: TestApp;
  let userId: string;
  let accessToken: string;
  let tickerUrl: string;

  beforeAll(async () => {
    t = await startTestApp(productionTestConfig({ MARKET_HOURS: 'always-open' }));
    const trader = await funded(t, 0);
    userId = trader.user.userId;
    const [{ client_id }] = await t.app.get(DataSource).query('SELECT client_id FROM users WHERE id = $1', [userId]);
    accessToken = (await t.app.get(SessionService).startKiteSession(userId, client_id, API_KEY)).accessToken;
    tickerUrl = `${t.url.replace('http', 'ws')}/ws/kite`;
  });
  afterAll(() => t?.close());

  it('serves KiteTicker: subscribe, modes, binary ticks for subscribed tokens only, order postbacks, heartbeats', async () => {
    const [infy, tcs, sbin] = ['NSE:INFY', 'NSE:TCS', 'NSE:SBIN'].map((k) => tokenOf(t, k));
    publishQuotes(t, [quoteFor(t, 'NSE:INFY', 150_000)]);

    // reconnect: false, or KiteTicker calls process.exit() once it gives up reconnecting.
    // `root` is a documented KiteTicker option that its .d.ts leaves out; a variable skips the excess-property check.
    const params = { api_key: API_KEY, access_token: accessToken, root: tickerUrl, reconnect: false };
    const ticker = new KiteTicker(params);
    const ticks: KiteTick[] = [];
    const orders: Record<string, unknown>[] = [];
    const heartbeats: number[] = [];
    ticker.on('ticks', (batch: KiteTick[]) => ticks.push(...batch));
    ticker.on('order_update', (o: Record<string, unknown>) => orders.push(o));
    ticker.on('message', (data: ArrayBuffer) => data.byteLength === 1 && heartbeats.push(Date.now()));
    await new Promise<void>((resolve) => {
      ticker.on('connect', () => resolve());
      ticker.connect();
    });
    try {
      ticker.subscribe([infy, tcs]);
      ticker.setMode(ticker.modeFull, [infy]);
      ticker.setMode(ticker.modeLTP, [tcs]);
      // The latest tick comes right after subscribing, as on Kite.
      await eventually(() => expect(ticks).toContainEqual(expect.objectContaining({ instrument_token: infy, mode: 'full', last_price: 1500 })));

      publishQuotes(t, [quoteFor(t, 'NSE:INFY', 150_105), quoteFor(t, 'NSE:TCS', 300_010), quoteFor(t, 'NSE:SBIN', 70_000)]);
      await eventually(() => {
        expect(ticks).toContainEqual(expect.objectContaining({ instrument_token: infy, mode: 'full', last_price: 1501.05 }));
        expect(ticks).toContainEqual({ tradable: true, instrument_token: tcs, mode: 'ltp', last_price: 3000.1 });
      });
      const full = ticks.find((x) => x.last_price === 1501.05)!;
      expect(full.depth!.buy[0]).toEqual({ price: 1501, quantity: 100, orders: 1 });
      expect(full.depth!.sell[0]).toEqual({ price: 1501.1, quantity: 100, orders: 1 });
      expect(ticks.some((x) => x.instrument_token === sbin)).toBe(false);

      ticker.unsubscribe([tcs]);
      await sleep(100);
      publishQuotes(t, [quoteFor(t, 'NSE:TCS', 300_500), quoteFor(t, 'NSE:INFY', 150_200)]);
      await eventually(() => expect(ticks.map((x) => x.last_price)).toContain(1502));
      await sleep(150);
      expect(ticks.map((x) => x.last_price)).not.toContain(3005);

      const order = orderFor(userId, 'MS1', { status: 'COMPLETE', filledQuantity: 10, averagePrice: 145_000 });
      emitOrderUpdated(t, order);
      await eventually(() => expect(orders).toContainEqual(expect.objectContaining({ order_id: order.id, status: 'COMPLETE', average_price: 1450, unfilled_quantity: 0 })));

      await eventually(() => expect(heartbeats.length).toBeGreaterThan(0), 2500);
    } finally {
      ticker.disconnect();
    }
  });

  it('refuses a wrong access token with HTTP 403 before the upgrade', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${tickerUrl}?api_key=${API_KEY}&access_token=wrong`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(403);
  });

  it('answers bad messages with Kite error texts and keeps the connection', async () => {
    const ws = new WebSocket(`${tickerUrl}?api_key=${API_KEY}&access_token=${accessToken}`);
    const texts: { type: string; data: string }[] = [];
    const binary: Buffer[] = [];
    ws.on('message', (data, isBinary) => (isBinary ? binary.push(data as Buffer) : texts.push(JSON.parse(data.toString()))));
    await new Promise((resolve) => ws.once('open', resolve));
    try {
      ws.send('not json');
      ws.send(JSON.stringify({ a: 'subscribe', v: [99_999_999] }));
      ws.send(JSON.stringify({ a: 'mode', v: ['everything', [1]] }));
      ws.send(JSON.stringify({ a: 'subscribe', v: new Array(4000).fill(1) }));
      await eventually(() => expect(texts.map((m) => m.type)).toEqual(['error', 'error', 'error', 'error']));
      expect(texts[1].data).toMatch(/Unknown instrument token\(s\): 99999999/);
      expect(texts[3].data).toMatch(/at most 3000 instruments/);

      ws.send(JSON.stringify({ a: 'subscribe', v: [tokenOf(t, 'NSE:ITC')] }));
      await sleep(100);
      publishQuotes(t, [quoteFor(t, 'NSE:ITC', 45_005)]);
      await eventually(() => expect(binary.some((b) => b.length === 2 + 2 + 44 && b.readInt32BE(4 + 4) === 45_005)).toBe(true));
      expect(ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      ws.terminate();
    }
  });
});
