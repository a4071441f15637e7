import { EventEmitter2 } from '@nestjs/event-emitter';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { Venue } from '../src/common/exchange-protocol/venue.types';
import { VENUE } from '../src/modules/exchange-sim/venue.types';
import { InstrumentsService, type Instrument } from '../src/modules/instruments';
import { FEED_STATUS_CHANGED, QuotesService, type FeedStatusChangedEvent } from '../src/modules/market-data';
import { EmbeddedFeed } from '../src/modules/market-data/feed/embedded-feed';
import { QuotesController } from '../src/modules/market-data/quotes/quotes.controller';
import { eventually } from '../src/modules/market-data/testing/eventually';
import { productionTestConfig, startTestApp, type TestApp } from './support/test-app';
import { funded } from './support/trading';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A Redis of this test's own, so that it can be killed without disturbing other suites. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await eventually('private redis-server', () => new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  }), 10_000);
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('Market data outages: Redis down (a private redis-server, killed mid-test), exchange feed down', () => {
  let t: TestApp;
  let redisPort: number;
  let redis: ChildProcess;
  let infy: Instrument;
  const statuses: FeedStatusChangedEvent[] = [];

  /** Two other exchange members trade `quantity` INFY at `price` paise. */
  function trade(price: number, quantity: number) {
    const venue = t.app.get<Venue>(VENUE);
    const base = { instrumentToken: infy.instrumentToken, orderType: 'LIMIT', validity: 'DAY', quantity, price } as const;
    const id = `${Date.now()}-${Math.random()}`;
    venue.submit({ ...base, memberId: 'MEMBER-A', clOrdId: `s-${id}`, clientAccount: 'SELLER', side: 'SELL' });
    venue.submit({ ...base, memberId: 'MEMBER-B', clOrdId: `b-${id}`, clientAccount: 'BUYER', side: 'BUY' });
  }

  const quoteNow = async () => (await t.app.get(QuotesController).full('NSE:INFY'))['NSE:INFY'];

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    t = await startTestApp(productionTestConfig({ LOG_LEVEL: 'warn', REDIS_URL: `redis://127.0.0.1:${redisPort}/0`, MARKET_STALE_AFTER_MS: '1500', MARKET_HOURS: 'always-open', MARKET_LEADER_TTL_MS: '2000' }));
    infy = t.app.get(InstrumentsService).getBySymbol('NSE', 'INFY')!;
    t.app.get(EventEmitter2).on(FEED_STATUS_CHANGED, (e: FeedStatusChangedEvent) => statuses.push(e));
  }, 120_000);

  afterAll(async () => {
    if (redis && redis.exitCode !== null) redis = await startRedis(redisPort); // let the app quit its connections cleanly
    await t?.close();
    if (redis) await stopRedis(redis);
  });

  it('serves live quotes while Redis is up', async () => {
    const trader = await funded(t, 0);
    trade(infy.prevClose, 10);
    await eventually('the trade in the quote', () => (t.app.get(QuotesService).get(infy.instrumentToken)?.volume ?? 0) >= 10);
    // The cache is written every 200 ms (conflated): poll until it has the trade.
    const quote = await eventually('the trade in the cache', async () => {
      const res = await request(t.url).get('/quote?i=NSE:INFY').set(trader.auth).expect(200);
      return res.body.data['NSE:INFY'].volume === 10 ? res.body.data['NSE:INFY'] : undefined;
    });
    expect(quote).toMatchObject({ stale: false, last_price: infy.prevClose / 100, volume: 10 });
  });

  it('answers from what Postgres last stored, marked stale, once Redis is gone; the leader keeps persisting', async () => {
    await stopRedis(redis);
    const price = infy.prevClose + 5 * infy.tickSize;
    trade(price, 7); // traded while Redis is down: only Postgres can know it
    await eventually('the new tick in Postgres', async () => {
      const rows = await t.app.get(DataSource).query(`SELECT last_price::int AS p FROM market_ticks WHERE instrument_token = $1 ORDER BY ts DESC, volume DESC LIMIT 1`, [infy.instrumentToken]);
      return rows[0]?.p === price || undefined;
    }, 30_000);
    await eventually('the day candle in Postgres', async () => {
      const rows = await t.app.get(DataSource).query(`SELECT volume::int AS v FROM market_candles WHERE instrument_token = $1 AND timeframe = 1440 ORDER BY ts DESC LIMIT 1`, [infy.instrumentToken]);
      return rows[0]?.v === 17 || undefined;
    }, 30_000);
    const q = await quoteNow();
    expect(q).toMatchObject({ stale: true, last_price: price / 100, volume: 17, instrument_token: infy.instrumentToken });
    expect(q.ohlc.close).toBe(infy.prevClose / 100);
    expect(q.depth.buy).toEqual(Array.from({ length: 5 }, () => ({ price: 0, quantity: 0, orders: 0 })));
    // The leader itself still reads the feed: its in-memory quotes (risk's last prices) stay live.
    // Followers, which hear the leader only through Redis, go stale (see the failover and feed tests).
    expect(t.app.get(QuotesService).get(infy.instrumentToken)).toMatchObject({ stale: false, lastPrice: price, volume: 17 });
  });

  it('recovers by itself when Redis is back: live quotes again', async () => {
    redis = await startRedis(redisPort);
    await eventually('live quotes', async () => (await quoteNow()).stale === false, 30_000);
  });

  it('flags quotes stale after MARKET_STALE_AFTER_MS without the exchange feed, tells the process, and recovers', async () => {
    const feed = t.app.get(EmbeddedFeed);
    const port = feed.port!;
    statuses.length = 0;
    await feed.stop(); // the leader's reconnects are refused until it is back
    await eventually('FEED_STATUS_CHANGED stale', () => statuses.some((s) => s.stale), 10_000);
    expect(t.app.get(QuotesService).stale).toBe(true);
    expect(t.app.get(QuotesService).get(infy.instrumentToken)?.stale).toBe(true);
    expect((await quoteNow()).stale).toBe(true);
    await feed.start(port);
    await eventually('FEED_STATUS_CHANGED live', () => statuses.at(-1)?.stale === false, 15_000);
    expect((await quoteNow()).stale).toBe(false);
  });
});
