import Redis from 'ioredis';
import { Pool } from 'pg';
import { AppConfig } from '../../src/common/config/app-config';
import { createDataSource } from '../../src/common/database/data-source.factory';
import { FeedClient } from '../../src/common/feed-protocol';
import { RedisPubSub } from '../../src/common/redis/redis-adapters';
import type { Instrument } from '../../src/modules/instruments';
import { FeedIngest, type FeedHandler, type PublishedBatch } from '../../src/modules/market-data/feed/feed-ingest';
import { FeedThread } from '../../src/modules/market-data/feed/feed-thread';
import { RedisPipelineSink } from '../../src/modules/market-data/feed/quote-cache-writer';
import { MarketWriter } from '../../src/modules/market-data/storage/market-writer';
import { PartitionManager } from '../../src/modules/market-data/storage/partitions';
import { NaiveHandler, now, type Sample } from './naive';

export interface Pipeline {
  name: string;
  mode: 'ours' | 'naive';
  /** publish: acknowledged publish per quote batch; persist: ticks committed. Absolute times. */
  samples: { publish: Sample[]; persist: Sample[] };
  /** Ours measures persist lag from the handler's receipt (ms), not from the exchange's emit. */
  persistFromReceipt?: number[][];
  start(port: number): Promise<void>;
  backlog(): number;
  ticksWritten(): Promise<number>;
  failures(): number;
  stop(): Promise<void>;
}

const quiet = { log: () => undefined, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) };

/** Where the pipeline under test runs its parts: as the app does with Postgres and Redis (thread), or the earlier designs. */
const FEED_MODE = (process.env.BENCH_FEED ?? 'thread') as 'thread' | 'main' | 'inline';
const OURS_NAME = {
  thread: 'ours: feed handler on its own thread (batch PUBLISH, pipelined cache writes, UNNEST tick batches), bookkeeping on a thread beneath it',
  main: 'ours: feed handler on the main thread, bookkeeping on its own thread',
  inline: 'ours: feed handler and bookkeeping on the main thread',
};

/** The real pipeline: FeedThread (or FeedIngest, BENCH_FEED=main|inline) with the app's Redis and Postgres writers. */
export async function ours(db: string, redisUrl: string, prefix: string, instruments: Map<number, Instrument>): Promise<Pipeline> {
  const ds = createDataSource({ config: AppConfig.with({ DATABASE_URL: db, DATABASE_POOL_SIZE: '10' }) });
  await ds.initialize();
  // As the app connects (redisOptions): auto-pipelining on the command connection, a subscriber of its own.
  const cmd = new Redis(redisUrl, { enableAutoPipelining: true });
  const sub = new Redis(redisUrl);
  const writer = new MarketWriter(ds, new PartitionManager(ds), prefix);
  const samples = { publish: [] as Sample[], persist: [] as Sample[] };
  const persistFromReceipt: number[][] = [];
  let failures = 0;
  let ingest: FeedHandler | null = null;
  return {
    name: OURS_NAME[FEED_MODE],
    mode: 'ours',
    samples,
    persistFromReceipt,
    async start(port) {
      await writer.partitions.prepareAhead(Date.now());
      const settings = { target: { host: '127.0.0.1', port }, epoch: await writer.claim('bench'), tickFlushMs: 200, candleFlushMs: 5000 };
      const connections = { databaseUrl: db, redis: { url: redisUrl, options: { enableAutoPipelining: true } }, keyPrefix: prefix, cluster: prefix, logLevel: 'warn' };
      const hooks = {
        onDeposed: () => failures++,
        observer: {
          published: (b: PublishedBatch) => samples.publish.push([b.firstTimestamp, b.ackedAt, b.quotes]),
          ticksCommitted: (count: number, oldest: number, committedAt: number) => persistFromReceipt.push([committedAt - oldest, count]),
        },
      };
      ingest =
        FEED_MODE === 'thread'
          ? new FeedThread({ ...settings, instruments: [...instruments.values()], connections }, hooks)
          : new FeedIngest({
              ...settings,
              ...hooks,
              instruments: { getByToken: (t) => instruments.get(t) },
              pubsub: new RedisPubSub(cmd, sub, prefix),
              bookkeeping: FEED_MODE === 'inline' ? { thread: 'inline', writer, cache: new RedisPipelineSink(cmd, prefix) } : { thread: 'worker', connections },
              client: { logger: quiet },
            });
      ingest.start();
    },
    backlog: () => ingest?.bufferedTicks ?? 0,
    ticksWritten: async () => Number((await ds.query(`SELECT count(*) AS n FROM market_ticks`))[0].n),
    failures: () => failures,
    async stop() {
      await ingest?.stop();
      await ds.query(`TRUNCATE market_ticks, market_candles`);
      await ds.destroy();
      cmd.disconnect();
      sub.disconnect();
    },
  };
}

export async function naive(db: string, redisUrl: string, prefix: string, instruments: Map<number, Instrument>): Promise<Pipeline> {
  const pool = new Pool({ connectionString: db, max: 10 });
  const redis = new Redis(redisUrl);
  const samples = { publish: [] as Sample[], persist: [] as Sample[] };
  const handler = new NaiveHandler(redis, pool, prefix, instruments, samples);
  const client = new FeedClient({ logger: quiet });
  return {
    name: 'naive: per quote SET + SET + PUBLISH price:<symbol>, one INSERT per tick',
    mode: 'naive',
    samples,
    async start(port) {
      client.on('quotes', (q) => handler.onQuotes(q));
      client.connect('127.0.0.1', port);
    },
    backlog: () => handler.pendingInserts,
    ticksWritten: async () => Number((await pool.query(`SELECT count(*) AS n FROM market_ticks`)).rows[0].n),
    failures: () => handler.failures,
    async stop() {
      await client.close();
      await pool.query(`TRUNCATE market_ticks`);
      await pool.end();
      redis.disconnect();
    },
  };
}

export { now };
