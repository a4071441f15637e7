import Redis from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { istParts } from '../src/common/clock/ist';
import { InstrumentsService } from '../src/modules/instruments';
import { QuotesService } from '../src/modules/market-data';
import { funded, type Trader } from './support/trading';
import { eventually } from '../src/modules/market-data/testing/eventually';
import { TEST_REDIS_URL } from './support/services';
import { productionTestConfig, startTestApp, type TestApp } from './support/test-app';

const KITE_QUOTE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const KITE_CANDLE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0530$/;

describe('Market data pipeline (synthetic liquidity on, real Postgres and Redis)', () => {
  let t: TestApp;
  let trader: Trader;
  let redis: Redis;
  let prefix: string;
  let infy: number;
  const get = (path: string) => request(t.url).get(path).set(trader.auth);

  beforeAll(async () => {
    // A quarter of the default tick rate: this suite shares two cores with another jest worker, and
    // nothing it asserts depends on the rate (bench:ingest measures the full rate).
    const config = productionTestConfig({ SIM_LIQUIDITY: 'true', SIM_TICKS_PER_SECOND: '0.25', MARKET_HOURS: 'always-open', MARKET_STALE_AFTER_MS: '20000' });
    t = await startTestApp(config);
    prefix = config.redis.keyPrefix;
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    trader = await funded(t, 0);
    infy = t.app.get(InstrumentsService).getBySymbol('NSE', 'INFY')!.instrumentToken;
  }, 120_000);

  afterAll(async () => {
    redis?.disconnect();
    await t?.close();
  });

  it('keeps stock:{symbol} (2 s) and depth:{symbol} (1 s) in Redis with exactly those TTLs', async () => {
    const stock = await eventually('INFY in the cache', () => redis.get(`${prefix}stock:NSE:INFY`).then((v) => v ?? undefined));
    expect(JSON.parse(stock)).toMatchObject({ instrumentToken: infy, exchange: 'NSE', tradingsymbol: 'INFY' });
    // Sampled until both keys were seen a few times: whenever they exist, their TTLs are the spec's.
    // (On a starved machine a key may lapse for a moment: the leader rewrites each one every ~0.6 s,
    // and a long event-loop stall delays that; tests share this machine's two cores.)
    const seen = { stock: 0, depth: 0 };
    const deadline = Date.now() + 20_000;
    while ((seen.stock < 3 || seen.depth < 3) && Date.now() < deadline) {
      const [stockTtl, depthTtl] = await Promise.all([redis.pttl(`${prefix}stock:NSE:INFY`), redis.pttl(`${prefix}depth:NSE:INFY`)]);
      if (stockTtl !== -2) {
        seen.stock++;
        expect(stockTtl).toBeGreaterThan(0);
        expect(stockTtl).toBeLessThanOrEqual(2000);
      }
      if (depthTtl !== -2) {
        seen.depth++;
        expect(depthTtl).toBeGreaterThan(0);
        expect(depthTtl).toBeLessThanOrEqual(1000);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(Math.min(seen.stock, seen.depth)).toBeGreaterThanOrEqual(1);
    const depth = JSON.parse((await eventually('depth of INFY', () => redis.get(`${prefix}depth:NSE:INFY`).then((v) => v ?? undefined))));
    expect(depth.bids).toHaveLength(5);
    expect(depth.asks).toHaveLength(5);
  });

  it('answers GET /quote in Kite shape from the cache, keyed as asked, leaving unknown instruments out', async () => {
    const res = await get(`/quote?i=NSE:INFY&i=${infy}&i=NSE:NOSUCHSTOCK`).expect(200);
    expect(Object.keys(res.body.data).sort()).toEqual([String(infy), 'NSE:INFY']);
    const q = res.body.data['NSE:INFY'];
    expect(res.body.data[String(infy)]).toEqual(q);
    expect(q).toMatchObject({ instrument_token: infy, oi: 0, stale: false });
    expect(q.timestamp).toMatch(KITE_QUOTE_TIME);
    expect(q.last_price).toBeGreaterThan(0);
    expect(q.depth.buy).toHaveLength(5);
    expect(q.depth.sell).toHaveLength(5);
    expect(q.ohlc.close).toBeGreaterThan(0);
    expect(q.lower_circuit_limit).toBeLessThan(q.upper_circuit_limit);
    // net_change is last price minus previous close, in rupees with two decimals at most.
    expect(Math.round((q.last_price - q.ohlc.close) * 100)).toBe(Math.round(q.net_change * 100));
    // The same figures the replica holds in memory (the cache is written from the same quote).
    const held = t.app.get(QuotesService).get(infy)!;
    expect(held.lowerCircuit / 100).toBe(q.lower_circuit_limit);
  });

  it('answers /quote/ltp and /quote/ohlc', async () => {
    const ltp = await get('/quote/ltp?i=NSE:RELIANCE').expect(200);
    expect(ltp.body.data['NSE:RELIANCE']).toEqual({ instrument_token: expect.any(Number), last_price: expect.any(Number), stale: false });
    const ohlc = await get('/quote/ohlc?i=NSE:RELIANCE&i=BSE:RELIANCE').expect(200);
    expect(Object.keys(ohlc.body.data).sort()).toEqual(['BSE:RELIANCE', 'NSE:RELIANCE']);
    expect(ohlc.body.data['NSE:RELIANCE'].ohlc).toEqual({ open: expect.any(Number), high: expect.any(Number), low: expect.any(Number), close: expect.any(Number) });
  });

  it('persists ticks and candles and serves them through the historical API', async () => {
    await eventually('INFY ticks in Postgres', async () => {
      const [row] = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM market_ticks WHERE instrument_token = $1`, [infy]);
      return row.n > 0 || undefined;
    }, 30_000);
    const today = istParts(Date.now()).date;
    const minutes = await eventually('INFY minute candles', async () => {
      const res = await get(`/instruments/historical/${infy}/minute?from=${today}&to=${today}`).expect(200);
      return res.body.data.candles.length > 0 ? res.body.data.candles : undefined;
    }, 30_000);
    const [ts, open, high, low, close, volume] = minutes[minutes.length - 1];
    expect(ts).toMatch(KITE_CANDLE_TIME);
    expect(low).toBeLessThanOrEqual(Math.min(open, close));
    expect(high).toBeGreaterThanOrEqual(Math.max(open, close));
    expect(volume).toBeGreaterThanOrEqual(0);
    // Open candles (today's) are written every MARKET_CANDLE_FLUSH_MS; closed ones within a second.
    const day = await eventually('the open day candle', async () => {
      const res = await get(`/instruments/historical/${infy}/day?from=${today}&to=${today}&oi=1`).expect(200);
      return res.body.data.candles.length > 0 ? res : undefined;
    }, 30_000);
    expect(day.body.data.candles).toEqual([[`${today}T00:00:00+0530`, expect.any(Number), expect.any(Number), expect.any(Number), expect.any(Number), expect.any(Number), 0]]);
    const three = await get(`/instruments/historical/${infy}/3minute?from=${today}&to=${today}`).expect(200);
    expect(three.body.data.candles.length).toBeGreaterThan(0);
  });

  it('has the real year of daily candles for INFY and RELIANCE from the reference CSV', async () => {
    const reliance = t.app.get(InstrumentsService).getBySymbol('NSE', 'RELIANCE')!.instrumentToken;
    const res = await get(`/instruments/historical/${reliance}/day?from=2025-08-22&to=2026-08-21`).expect(200);
    expect(res.body.data.synthetic).toBeUndefined();
    expect(res.body.data.candles).toHaveLength(247);
    // First row of resources/reference-data/nifty50_daily_ohlcv.csv.
    expect(res.body.data.candles[0]).toEqual(['2025-08-22T00:00:00+0530', 1420, 1423.4, 1407.9, 1409.2, 5818868]);
    const last = await get(`/instruments/historical/${infy}/day?from=2026-08-21&to=2026-08-21`).expect(200);
    expect(last.body.data.candles).toHaveLength(1);
  });

  it('generates flagged synthetic daily history on first request for other instruments, ending at the reference close', async () => {
    const hdfc = t.app.get(InstrumentsService).getBySymbol('NSE', 'HDFCBANK')!;
    const res = await get(`/instruments/historical/${hdfc.instrumentToken}/day?from=2025-08-01&to=2026-08-31`).expect(200);
    expect(res.body.data.synthetic).toBe(true);
    expect(res.body.data.candles).toHaveLength(247);
    expect(res.body.data.candles[246][4]).toBe(hdfc.prevClose / 100);
    const again = await get(`/instruments/historical/${hdfc.instrumentToken}/day?from=2025-08-01&to=2026-08-31`).expect(200);
    expect(again.body.data.candles).toEqual(res.body.data.candles);
  });

  it.each([
    ['an unknown interval', '/instruments/historical/{infy}/2minute?from=2026-08-01&to=2026-08-02'],
    ['from after to', '/instruments/historical/{infy}/day?from=2026-08-02&to=2026-08-01'],
    ['a range past the interval limit', '/instruments/historical/{infy}/minute?from=2026-01-01&to=2026-08-01'],
    ['a garbage token', '/instruments/historical/abc/day?from=2026-08-01&to=2026-08-02'],
    ['an unknown token', '/instruments/historical/1/day?from=2026-08-01&to=2026-08-02'],
    ['a malformed date', '/instruments/historical/{infy}/day?from=2026-13-01&to=2026-08-02'],
    ['continuous data for an equity', '/instruments/historical/{infy}/day?from=2026-08-01&to=2026-08-02&continuous=1'],
    ['no instrument', '/quote'],
    ['only unknown instruments', '/quote?i=NSE:NOPE&i=XYZ:INFY'],
    ['an unsupported UDF resolution', '/udf/history?symbol=NSE:INFY&resolution=7&from=1&to=2'],
  ])('rejects %s with a 400 InputException', async (_what, path) => {
    const res = await get(path.replace('{infy}', String(infy))).expect(400);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'InputException' });
  });

  it('caps instruments per request as Kite does (500 full, 1,000 ltp)', async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `i=NSE:X${i}`).join('&');
    expect((await get(`/quote?${many(501)}&i=NSE:INFY`).expect(400)).body.error_type).toBe('InputException');
    const ok = await get(`/quote/ltp?${many(999)}&i=NSE:INFY`).expect(200);
    expect(Object.keys(ok.body.data)).toEqual(['NSE:INFY']);
  });

  it('serves the TradingView UDF datafeed', async () => {
    expect((await request(t.url).get('/udf/config').expect(200)).body.supported_resolutions).toContain('1D');
    expect((await request(t.url).get('/udf/symbols?symbol=NSE:INFY').expect(200)).body).toMatchObject({ ticker: 'NSE:INFY', pricescale: 100, timezone: 'Asia/Kolkata' });
    expect((await request(t.url).get('/udf/symbols?symbol=NSE:NOPE').expect(200)).body).toEqual({ s: 'error', errmsg: 'unknown_symbol' });
    const search = await request(t.url).get('/udf/search?query=INF&limit=5').expect(200);
    expect(search.body[0]).toMatchObject({ symbol: 'INFY', full_name: 'NSE:INFY', type: 'stock' });
    const from = Date.UTC(2026, 7, 17) / 1000;
    const to = Date.UTC(2026, 7, 22) / 1000;
    const bars = await request(t.url).get(`/udf/history?symbol=NSE:INFY&resolution=1D&from=${from}&to=${to}`).expect(200);
    expect(bars.body.s).toBe('ok');
    // Daily bars at 00:00 UTC of the session date, as UDF expects: 17..21 Aug 2026.
    expect(bars.body.t).toEqual([17, 18, 19, 20, 21].map((d) => Date.UTC(2026, 7, d) / 1000));
    expect(bars.body.o).toHaveLength(5);
    const none = await request(t.url).get(`/udf/history?symbol=NSE:INFY&resolution=60&from=${from}&to=${to}`).expect(200);
    expect(none.body).toEqual({ s: 'no_data' });
    expect(Number((await request(t.url).get('/udf/time').expect(200)).text)).toBeGreaterThan(1_700_000_000);
  });

  it('reports itself ready (the leader has its feed) and exports the pipeline metrics', async () => {
    const ready = await request(t.url).get('/health/ready');
    expect(ready.body.details.market_feed).toEqual({ status: 'up' });
    const metrics = (await request(t.url).get('/metrics').expect(200)).text;
    // Counted on the feed thread, reported to this one: non-zero only if the reports arrive.
    expect(metrics).toMatch(/market_feed_quotes_total [1-9]\d*/);
    expect(metrics).toMatch(/market_publish_lag_seconds_count \d+/);
    expect(metrics).toMatch(/market_persist_lag_seconds_count \d+/);
    expect(metrics).toMatch(/market_stale_instruments 0/);
    expect(metrics).toMatch(/cache_lookups_total\{result="hit"\} \d+/);
  });

  describe('watchlists', () => {
    const api = (user: Trader) => ({
      get: (path: string) => request(t.url).get(`/api/v1/watchlists${path}`).set(user.auth),
      post: (path: string, body: object) => request(t.url).post(`/api/v1/watchlists${path}`).set(user.auth).send(body),
      patch: (path: string, body: object) => request(t.url).patch(`/api/v1/watchlists${path}`).set(user.auth).send(body),
      delete: (path: string) => request(t.url).delete(`/api/v1/watchlists${path}`).set(user.auth),
    });

    it('creates, reads, renames, reorders, adds, removes and deletes, per user', async () => {
      const w = api(trader);
      const created = (await w.post('', { name: ' Banks ', instruments: ['NSE:HDFCBANK', 'NSE:SBIN', 'NSE:SBIN'] }).expect(201)).body.data;
      expect(created).toMatchObject({ name: 'Banks', instruments: [{ exchange: 'NSE', tradingsymbol: 'HDFCBANK' }, { exchange: 'NSE', tradingsymbol: 'SBIN' }] });
      const id = created.id as string;
      expect((await w.get('').expect(200)).body.data.map((x: { id: string }) => x.id)).toContain(id);
      await w.post(`/${id}/instruments`, { instrument: 'BSE:INFY' }).expect(200);
      await w.post(`/${id}/instruments`, { instrument: String(infy) }).expect(200);
      await w.post(`/${id}/instruments`, { instrument: 'NSE:INFY' }).expect(200); // already there: unchanged
      const symbols = (await w.get(`/${id}`).expect(200)).body.data.instruments.map((i: { exchange: string; tradingsymbol: string }) => `${i.exchange}:${i.tradingsymbol}`);
      expect(symbols).toEqual(['NSE:HDFCBANK', 'NSE:SBIN', 'BSE:INFY', 'NSE:INFY']);
      await w.delete(`/${id}/instruments/NSE:SBIN`).expect(200);
      const renamed = (await w.patch(`/${id}`, { name: 'Financials', instruments: ['NSE:INFY', 'NSE:HDFCBANK'] }).expect(200)).body.data;
      expect(renamed.name).toBe('Financials');
      expect(renamed.instruments.map((i: { tradingsymbol: string }) => i.tradingsymbol)).toEqual(['INFY', 'HDFCBANK']);
      // The cached list (watchlist:{user}) was dropped on every change.
      expect((await w.get('').expect(200)).body.data.find((x: { id: string }) => x.id === id).name).toBe('Financials');
      await w.delete(`/${id}`).expect(200);
      await w.get(`/${id}`).expect(404);
    });

    it("answers 404 for another user's watchlist, whatever the verb", async () => {
      const owner = (await api(trader).post('', { name: 'Mine' }).expect(201)).body.data.id as string;
      const other = api(await funded(t, 0));
      for (const res of [other.get(`/${owner}`), other.patch(`/${owner}`, { name: 'x' }), other.post(`/${owner}/instruments`, { instrument: 'NSE:INFY' }), other.delete(`/${owner}`)]) {
        expect((await res.expect(404)).body).toMatchObject({ status: 'error', message: 'watchlist not found' });
      }
      expect((await other.get('').expect(200)).body.data).toEqual([]);
      await api(trader).get(`/${owner}`).expect(200);
      await api(trader).delete(`/${owner}`).expect(200);
    });

    it('holds at most 50 instruments, refuses unknown instruments and bad input', async () => {
      const w = api(trader);
      const fifty = t.app.get(InstrumentsService).all('NSE').filter((i) => i.tradable).slice(0, 51).map((i) => `NSE:${i.tradingsymbol}`);
      const id = (await w.post('', { name: 'Fifty', instruments: fifty.slice(0, 50) }).expect(201)).body.data.id as string;
      const full = await w.post(`/${id}/instruments`, { instrument: fifty[50] }).expect(400);
      expect(full.body).toMatchObject({ error_type: 'InputException', message: expect.stringMatching(/at most 50/) });
      expect((await w.post('', { name: 'Too many', instruments: fifty }).expect(400)).body.error_type).toBe('InputException');
      expect((await w.post('', { name: 'Unknown', instruments: ['NSE:NOSUCH'] }).expect(400)).body.message).toMatch(/unknown instrument/);
      expect((await w.post('', { name: '' }).expect(400)).body.error_type).toBe('InputException');
      expect((await w.post('', { name: 'x', extra: 1 }).expect(400)).body.error_type).toBe('InputException');
      await w.get('/not-a-uuid').expect(400);
      expect((await w.post('', { name: 'Fifty' }).expect(409)).body.message).toMatch(/already have/);
      await w.delete(`/${id}`).expect(200);
    });

    it('caps the number of watchlists per user', async () => {
      const w = api(await funded(t, 0));
      for (let i = 0; i < 10; i++) await w.post('', { name: `List ${i}` }).expect(201);
      expect((await w.post('', { name: 'One too many' }).expect(409)).body.message).toMatch(/at most 10/);
    });
  });
});
