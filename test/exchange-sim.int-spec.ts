import request from 'supertest';
import { ManualClock } from '../src/common/clock/clock';
import { istDateTime } from '../src/common/clock/ist';
import { InstrumentsService } from '../src/modules/instruments';
import { ExchangeSimulator } from '../src/modules/exchange-sim/simulator/exchange-simulator';
import { MARKET_DATA_SOURCE, VENUE, type ExecutionReport, type MarketDataSource, type QuoteSnapshot, type Venue, type VenueMessage } from '../src/modules/exchange-sim/venue.types';
import { productionTestConfig, startTestApp, type TestApp } from './support/test-app';

/** Thursday 26 Nov 2026, 10:00 IST: continuous trading on the NSE calendar. */
const TRADING_MORNING = istDateTime('2026-11-26', 10);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Exchange simulator in the app (real Postgres and Redis, synthetic liquidity on)', () => {
  let t: TestApp;
  let venue: Venue;
  let marketData: MarketDataSource;

  beforeAll(async () => {
    const config = productionTestConfig({ SIM_LIQUIDITY: 'true', MARKET_HOURS: 'exchange', SIM_SEED: '11' });
    t = await startTestApp(config, new ManualClock(TRADING_MORNING));
    venue = t.app.get<Venue>(VENUE);
    marketData = t.app.get<MarketDataSource>(MARKET_DATA_SOURCE);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('is one simulator behind both ports, listing every tradable instrument of the master', () => {
    expect(venue).toBe(marketData);
    expect(venue).toBeInstanceOf(ExchangeSimulator);
    const tradable = t.app.get(InstrumentsService).all().filter((i) => i.tradable).length;
    expect(tradable).toBeGreaterThan(4_000);
    expect((venue as ExchangeSimulator).instrumentCount).toBe(tradable);
    expect(venue.ready).toBe(true);
  });

  it('reports the exchange ready', async () => {
    const ready = await request(t.url).get('/health/ready').expect(200);
    expect(ready.body.info).toMatchObject({ exchange: { status: 'up' }, instruments: { status: 'up' } });
  });

  it('answers the market status in IST, publicly', async () => {
    const res = await request(t.url).get('/api/v1/market/status').expect(200);
    expect(res.body).toEqual({
      status: 'success',
      data: {
        phase: 'CONTINUOUS',
        session: 'CONTINUOUS',
        order_entry_open: true,
        date: '2026-11-26',
        exchange_time: '2026-11-26T10:00:00.000+05:30',
        time_zone: 'Asia/Kolkata',
        always_open: false,
      },
    });
  });

  it('moves the quotes of thousands of instruments within two seconds', async () => {
    const changed = new Set<number>();
    const batches: QuoteSnapshot[][] = [];
    const stop = marketData.onQuotes((batch) => {
      batches.push(batch);
      for (const q of batch) changed.add(q.instrumentToken);
    });
    await sleep(2_000);
    stop();
    // Visiting every instrument once a second, 2 s cover each at least once.
    expect(changed.size).toBeGreaterThan(4_000);
    expect(batches.length).toBeGreaterThanOrEqual(2); // every 100 ms; far fewer when this shared machine is starved
    const traded = marketData.snapshots().filter((q) => q.volume > 0 && q.bids[0].quantity > 0 && q.asks[0].quantity > 0);
    expect(traded.length).toBeGreaterThan(4_000);
    // Its CPU cost is measured by bench:ingest and bench:fanout, not asserted here.
  });

  it('fills a member order against the synthetic liquidity, and reports it to that member only', async () => {
    const [quote] = marketData.snapshots().filter((q) => q.asks[0].quantity >= 1);
    const messages: VenueMessage[] = [];
    const others: VenueMessage[] = [];
    const stopMine = venue.onMessage('INT-TEST', (m) => messages.push(m));
    const stopOthers = venue.onMessage('SOMEONE-ELSE', (m) => others.push(m));
    venue.submit({
      memberId: 'INT-TEST',
      clOrdId: 'IT-1',
      clientAccount: 'CL1',
      instrumentToken: quote.instrumentToken,
      side: 'BUY',
      orderType: 'MARKET',
      validity: 'DAY',
      quantity: 1,
    });
    await sleep(50);
    stopMine();
    stopOthers();
    const executions = messages as ExecutionReport[];
    expect(executions.map((m) => m.execType)).toEqual(['NEW', 'FILL']);
    expect(executions[1]).toMatchObject({ cumQuantity: 1, leavesQuantity: 0, tradeId: expect.any(String) });
    expect(others).toEqual([]);
    expect(venue.status('INT-TEST', 'IT-1')).toMatchObject({ orderStatus: 'FILLED' });
  });

  it('closes at 15:30 IST and stops the synthetic flow', async () => {
    t.clock.set(istDateTime('2026-11-26', 15, 45));
    await sleep(1_300); // the driver checks the clock every second
    const res = await request(t.url).get('/api/v1/market/status').expect(200);
    expect(res.body.data).toMatchObject({ phase: 'POST_CLOSE', session: 'CLOSED', order_entry_open: false });
    expect((venue as ExchangeSimulator).session).toBe('CLOSED');
    expect((venue as ExchangeSimulator).liveOrderCount).toBe(0); // every DAY order expired
    const quiet: QuoteSnapshot[][] = [];
    marketData.onQuotes((b) => quiet.push(b));
    await sleep(500);
    expect(quiet).toEqual([]);
  });
});

describe('Exchange simulator disabled', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(productionTestConfig({ SIM_ENABLED: 'false', MARKET_HOURS: 'exchange' }), new ManualClock(istDateTime('2026-11-28', 11)));
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('starts nothing and registers no readiness check, but still tells the market phase', async () => {
    expect(t.app.get<Venue>(VENUE).ready).toBe(false);
    // Whether the app is ready then depends on its exchange link (another venue), not on us.
    const ready = await request(t.url).get('/health/ready');
    expect(ready.body.details).toMatchObject({ database: { status: 'up' } });
    expect(ready.body.details.exchange).toBeUndefined();
    const res = await request(t.url).get('/api/v1/market/status').expect(200);
    expect(res.body.data).toMatchObject({ phase: 'CLOSED', session: 'CLOSED', date: '2026-11-28' }); // a Saturday
  });
});
