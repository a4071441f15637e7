import { eventually } from '../testing/eventually';
import { FeedThread } from './feed-thread';

describe('FeedThread', () => {
  it('ends the term when its bookkeeping cannot start (no database): the report crosses both threads', async () => {
    const reasons: string[] = [];
    const feed = new FeedThread(
      {
        // Port 1 on loopback: connection refused at once (the feed retries with backoff meanwhile).
        target: { host: '127.0.0.1', port: 1 },
        epoch: 1,
        instruments: [],
        tickFlushMs: 200,
        candleFlushMs: 5000,
        connections: {
          databaseUrl: 'postgres://postgres@127.0.0.1:1/none',
          redis: { url: 'redis://127.0.0.1:1', options: { lazyConnect: true, maxRetriesPerRequest: 0 } },
          keyPrefix: 'spec:',
          cluster: 'spec:',
          logLevel: 'silent',
        },
      },
      { onDeposed: (reason) => reasons.push(reason) },
    );
    feed.start();
    try {
      await eventually('the term to end', () => reasons.length > 0, 40_000);
      expect(reasons[0]).toMatch(/bookkeeping thread could not start/);
      expect(feed.feedConnected).toBe(false);
    } finally {
      await feed.stop();
    }
  }, 60_000);
});
