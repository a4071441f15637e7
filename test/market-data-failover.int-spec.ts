import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import type { Venue } from '../src/common/exchange-protocol/venue.types';
import { VENUE } from '../src/modules/exchange-sim/venue.types';
import { InstrumentsService } from '../src/modules/instruments';
import { QUOTES_UPDATED, QuotesService, type QuotesUpdatedEvent } from '../src/modules/market-data';
import { FeedLeaderService } from '../src/modules/market-data/feed/feed-leader.service';
import { eventually } from '../src/modules/market-data/testing/eventually';
import { productionTestConfig, startTestApp, type TestApp } from './support/test-app';

/**
 * Two replicas of one deployment (same Redis key prefix, same database): exactly one runs the feed
 * handler; both receive every batch; when the leader stops, the other takes over within seconds.
 */
describe('Market data leader failover (two app instances, real Redis and Postgres)', () => {
  let a: TestApp;
  let b: TestApp;
  let closed: TestApp | null = null;

  beforeAll(async () => {
    // The same database and Redis key prefix for both, as replicas of one deployment. Synthetic
    // liquidity stays off: trades are sent to the leader's exchange directly, so every quote the test
    // waits for is one it caused (and booting builds no order books, which in one test process would
    // stall the other replica's event loop; replicas are separate processes in production).
    const env = { MARKET_LEADER_TTL_MS: '3000', MARKET_STALE_AFTER_MS: '20000', MARKET_HOURS: 'always-open' } as const;
    const config = productionTestConfig(env);
    a = await startTestApp(config);
    b = await startTestApp(productionTestConfig({ ...env, DATABASE_URL: config.database.url, REDIS_KEY_PREFIX: config.redis.keyPrefix }));
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled([a, b].filter((t) => t && t !== closed).map((t) => t.close()));
  });

  const leads = (t: TestApp) => t.app.get(FeedLeaderService).isLeader;

  /** Resolves with the next QUOTES_UPDATED batch on `t` (rejects after `timeoutMs`). */
  function nextBatch(t: TestApp, timeoutMs = 15_000): Promise<QuotesUpdatedEvent> {
    const events = t.app.get(EventEmitter2);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        events.off(QUOTES_UPDATED, on);
        reject(new Error(`no quotes on this replica for ${timeoutMs} ms`));
      }, timeoutMs);
      const on = (e: QuotesUpdatedEvent) => {
        clearTimeout(timer);
        events.off(QUOTES_UPDATED, on);
        resolve(e);
      };
      events.on(QUOTES_UPDATED, on);
    });
  }

  let trades = 0;
  /** Two other exchange members trade 3 INFY at the reference price on `t`'s own simulator. */
  function trade(t: TestApp): number {
    const infy = t.app.get(InstrumentsService).getBySymbol('NSE', 'INFY')!;
    const order = { instrumentToken: infy.instrumentToken, orderType: 'LIMIT', validity: 'DAY', quantity: 3, price: infy.prevClose } as const;
    const venue = t.app.get<Venue>(VENUE);
    const id = ++trades;
    venue.submit({ ...order, memberId: 'MEMBER-A', clOrdId: `s-${id}`, clientAccount: 'SELLER', side: 'SELL' });
    venue.submit({ ...order, memberId: 'MEMBER-B', clOrdId: `b-${id}`, clientAccount: 'BUYER', side: 'BUY' });
    return infy.instrumentToken;
  }
  const epochOf = async (t: TestApp) => (await t.app.get(DataSource).query(`SELECT epoch::int AS epoch FROM market_feed_leader WHERE cluster = $1`, [t.config.redis.keyPrefix]))[0].epoch as number;
  const epoch = () => epochOf(leader);
  let leader: TestApp;
  let follower: TestApp;

  it('elects exactly one leader, and both replicas hear its batches', async () => {
    await eventually('exactly one leader', () => leads(a) !== leads(b));
    [leader, follower] = leads(a) ? [a, b] : [b, a];
    const batches = Promise.all([nextBatch(leader), nextBatch(follower)]);
    const token = trade(leader);
    for (const batch of await batches) expect(batch.quotes.map((q) => q.instrumentToken)).toContain(token);
    await eventually('the trade on the follower', () => follower.app.get(QuotesService).get(token)?.volume === 3);
  });

  it('hands over to the other replica within seconds when the leader stops, and quotes keep flowing', async () => {
    const termBefore = await epoch();
    const ticks = async () => (await follower.app.get(DataSource).query(`SELECT count(*)::int AS n FROM market_ticks`))[0].n as number;
    const stoppedAt = Date.now();
    closed = leader;
    await leader.close();
    const ticksAtHandover = await ticks();
    await eventually('the follower to lead', () => leads(follower), 10_000);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    // The new term is fenced above the old one in Postgres: the old leader could no longer write.
    expect(await epochOf(follower)).toBeGreaterThan(termBefore);
    // The new leader reads its own exchange (no trades there yet), then a trade on it flows through.
    const infy = follower.app.get(InstrumentsService).getBySymbol('NSE', 'INFY')!.instrumentToken;
    await eventually('quotes of the new term', () => follower.app.get(QuotesService).get(infy)?.volume === 0);
    const next = nextBatch(follower);
    trade(follower);
    expect((await next).quotes.map((q) => q.instrumentToken)).toContain(infy);
    await eventually('the trade after the handover', () => follower.app.get(QuotesService).get(infy)?.volume === 3);
    expect(follower.app.get(QuotesService).stale).toBe(false);
    await eventually('ticks written by the new leader', async () => (await ticks()) > ticksAtHandover);
  });
});
