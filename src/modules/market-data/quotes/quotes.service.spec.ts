import { EventEmitter2 } from '@nestjs/event-emitter';
import { AppConfig } from '../../../common/config/app-config';
import { makeQuote } from '../../../common/feed-protocol/testing/quote-factory';
import { MemoryCache, MemoryKeyspace, MemoryPubSub } from '../../../common/redis/memory-adapters';
import type { InstrumentsService } from '../../instruments';
import { BusEncoder, type BusMessage } from '../bus/quote-bus';
import { FEED_STATUS_CHANGED, QUOTES_UPDATED, type FeedStatusChangedEvent, type QuotesUpdatedEvent } from '../market-data.events';
import { cacheValues, depthKey, stockKey } from './quote-mapping';
import { QuotesService } from './quotes.service';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const instrument = (token: number) => ({ instrumentToken: token, exchange: 'NSE', tradingsymbol: `SYM${token}`, tradable: true });

describe('QuotesService (a replica: bus in, quotes and events out)', () => {
  let service: QuotesService;
  let keyspace: MemoryKeyspace;
  const updates: QuotesUpdatedEvent[] = [];
  const statuses: FeedStatusChangedEvent[] = [];

  beforeEach(async () => {
    updates.length = 0;
    statuses.length = 0;
    keyspace = new MemoryKeyspace();
    const events = new EventEmitter2();
    events.on(QUOTES_UPDATED, (e: QuotesUpdatedEvent) => updates.push(e));
    events.on(FEED_STATUS_CHANGED, (e: FeedStatusChangedEvent) => statuses.push(e));
    const instruments = { getByToken: (t: number) => (t < 100 ? instrument(t) : undefined), all: () => [1, 2, 3].map(instrument) } as unknown as InstrumentsService;
    service = new QuotesService(AppConfig.with({ MARKET_STALE_AFTER_MS: '500' }), instruments, events, new MemoryPubSub(), new MemoryCache(keyspace));
    await service.onApplicationBootstrap();
  });

  afterEach(async () => {
    await service.onModuleDestroy();
    keyspace.close();
  });

  const quotes = (epoch: number, seq: number, ...q: ReturnType<typeof makeQuote>[]): BusMessage => ({ kind: 'quotes', epoch, seq, publishedAt: Date.now(), quotes: q });

  it('holds the latest quote per instrument with change from the previous close, and emits each batch', () => {
    service.deliver(quotes(1, 1, makeQuote(1, { lastPrice: 10_100, close: 10_000, high: 10_200, low: 9_900 }, 10_100)));
    expect(service.get(1)).toMatchObject({ tradingsymbol: 'SYM1', lastPrice: 10_100, change: 100, changePercent: 1, stale: false });
    expect(service.lastPrice(1)).toBe(10_100);
    expect(updates).toHaveLength(1);
    expect(service.get(999)).toBeUndefined();
  });

  it('decodes bus messages and skips, undecoded, those it already has', () => {
    const encoder = new BusEncoder();
    const m = encoder.quotes({ epoch: 1, seq: 1, publishedAt: 1 }, [makeQuote(2)]);
    service.onMessage(m);
    service.onMessage(m);
    expect(updates).toHaveLength(1);
    expect(service.get(2)?.instrumentToken).toBe(2);
  });

  it('moves quotes only forward within a leader term, but takes a new term as it comes', () => {
    service.deliver(quotes(1, 1, makeQuote(1, { timestamp: 2_000 })));
    service.deliver(quotes(1, 2, makeQuote(1, { timestamp: 1_000, lastQuantity: 99 })));
    expect(service.get(1)?.timestamp).toBe(2_000);
    service.deliver(quotes(2, 1, makeQuote(1, { timestamp: 1_500 })));
    expect(service.get(1)?.timestamp).toBe(1_500);
  });

  it('re-reads the cache after a missed message', async () => {
    const i = instrument(3) as never;
    const values = cacheValues(makeQuote(3, { timestamp: 9_999 }), i);
    const cache = new MemoryCache(keyspace);
    await cache.set(stockKey(i), values.stock, 2000);
    await cache.set(depthKey(i), values.depth, 1000);
    service.deliver(quotes(1, 1, makeQuote(1)));
    service.deliver(quotes(1, 3, makeQuote(2))); // seq 2 was lost
    await sleep(20);
    expect(service.get(3)).toMatchObject({ instrumentToken: 3, timestamp: 9_999 });
  });

  it('goes stale after MARKET_STALE_AFTER_MS without a leader, says so once, and recovers', async () => {
    service.deliver(quotes(1, 1, makeQuote(1)));
    expect(statuses).toEqual([{ stale: false, since: expect.any(Number) }]);
    await sleep(900);
    expect(statuses.map((s) => s.stale)).toEqual([false, true]);
    expect(service.stale).toBe(true);
    expect(service.get(1)?.stale).toBe(true);
    service.deliver({ kind: 'status', epoch: 1, seq: 2, publishedAt: Date.now(), feedUp: true, feedDownMs: 0 });
    expect(statuses.map((s) => s.stale)).toEqual([false, true, false]);
    expect(service.get(1)?.stale).toBe(false);
  });

  it("goes stale when the leader reports its feed down for that long, though the leader itself is alive", () => {
    service.deliver(quotes(1, 1, makeQuote(1)));
    service.deliver({ kind: 'status', epoch: 1, seq: 2, publishedAt: Date.now(), feedUp: false, feedDownMs: 200 });
    expect(service.stale).toBe(false);
    service.deliver({ kind: 'status', epoch: 1, seq: 3, publishedAt: Date.now(), feedUp: false, feedDownMs: 600 });
    expect(service.stale).toBe(true);
  });
});
