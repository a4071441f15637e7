import type { WireQuote } from '../../../common/feed-protocol';
import { MemoryMarketSource } from '../../../common/feed-protocol/testing/memory-market-source';
import { makeBatch } from '../../../common/feed-protocol/testing/quote-factory';
import type { PubSub } from '../../../common/redis/ports';
import { FeedServer } from '../../exchange-sim/feed/feed-server';
import type { Instrument } from '../../instruments';
import type { MarketWriter } from '../storage/market-writer';
import { eventually } from '../testing/eventually';
import { FeedIngest } from './feed-ingest';
import type { CacheEntry, CacheSink } from './quote-cache-writer';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** A bus whose acknowledgements of quote batches the test hands out (status heartbeats go through). */
class HeldPubSub implements PubSub {
  readonly pending: (() => void)[] = [];
  async publish(_channel: string, message: string): Promise<void> {
    if (message.startsWith('Q1|')) return new Promise((resolve) => this.pending.push(resolve));
  }
  async subscribe(): Promise<() => Promise<void>> {
    return async () => undefined;
  }
}

describe('FeedIngest', () => {
  const source = new MemoryMarketSource(makeBatch(20, 7));
  const server = new FeedServer(source, { port: 0, heartbeatMs: 200, logger: quiet });
  let port: number;
  const instrument = (token: number) => ({ instrumentToken: token, tradingsymbol: `S${token}`, exchange: 'NSE' }) as Instrument;
  let ingest: FeedIngest | undefined;

  beforeAll(async () => (port = await server.start()));
  afterEach(async () => ingest?.stop());
  afterAll(async () => server.stop());

  async function start(bus: PubSub, publishWaitMs: number): Promise<number[][]> {
    const written: number[][] = [];
    const cache: CacheSink = {
      write: async (entries: readonly CacheEntry[]) => void written.push(entries.map((e) => Number(e.stockKey.split(':S').pop()))),
      touch: async () => [],
    };
    const writer = { writeTicks: async () => undefined, writeCandles: async () => undefined } as unknown as MarketWriter;
    ingest = new FeedIngest({
      target: { host: '127.0.0.1', port },
      epoch: 1,
      instruments: { getByToken: instrument },
      pubsub: bus,
      bookkeeping: { thread: 'inline', writer, cache },
      tickFlushMs: 200,
      candleFlushMs: 5000,
      publishWaitMs,
      onDeposed: () => undefined,
      client: { logger: quiet },
    });
    ingest.start();
    return written;
  }

  it('hands a batch to the bookkeeping only once its publish is acknowledged, batches in feed order', async () => {
    const bus = new HeldPubSub();
    const written = await start(bus, 10_000);
    await eventually('the snapshot publish', () => bus.pending.length === 1);
    const moved: WireQuote[] = makeBatch(3, 9).map((q, i) => ({ ...q, instrumentToken: i + 1, timestamp: Date.now() + 1_000 }));
    source.emit(moved);
    await eventually('the batch publish', () => bus.pending.length === 2);

    // Well past the cache's flush period: nothing reached the cache while both publishes were in flight.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(written).toEqual([]);

    bus.pending[0]();
    await eventually('the snapshot in the cache', () => written.length === 1);
    expect(written[0]).toHaveLength(20);
    bus.pending[1]();
    await eventually('the batch in the cache', () => written.length === 2);
    expect(written[1].sort()).toEqual([1, 2, 3]);
  }, 20_000);

  it('does not let a publish that never completes hold the bookkeeping back', async () => {
    const bus = new HeldPubSub();
    const written = await start(bus, 50);
    await eventually('the snapshot publish', () => bus.pending.length === 1);
    await eventually('the snapshot in the cache without an acknowledgement', () => written.length === 1);
    expect(written[0]).toHaveLength(20);
  }, 20_000);
});
