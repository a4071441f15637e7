/**
 * The leader's feed thread (see FeedThread): reads the exchange feed, validates, publishes each
 * batch on the bus, and runs the bookkeeping on a thread of its own beneath it. Nothing else
 * lives in this isolate, so the app's garbage collections and request handling never stand
 * between a feed batch and its PUBLISH.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Instrument } from '../../instruments';
import { FeedIngest } from './feed-ingest';
import { FeedMetricsCollector } from './feed-metrics';
import type { FeedThreadInit, FromFeedThread, ToFeedThread } from './feed-thread';
import { connectThreadRedis } from './market-thread';

/** How often counts, the feed's state and the tick backlog go to the main thread. */
const REPORT_MS = 250;

function main(port: NonNullable<typeof parentPort>, init: FeedThreadInit): void {
  const send = (m: FromFeedThread) => port.postMessage(m);
  const c = init.connections;
  // Each PUBLISH goes out when it is issued, not at the next setImmediate with the rest of the
  // socket read's batches (bench:ingest: publish P50 1.96-2.0 -> 1.78 ms, P99 8.0-9.9 -> 7.6-7.8 ms).
  // A handful of publishes per exchange tick: the extra writes cost nothing that shows.
  const redis = connectThreadRedis(c.redis, 'mstock-market-feed', { enableAutoPipelining: false });
  const instruments = new Map<number, Instrument>(init.instruments.map((i) => [i.instrumentToken, i]));
  const metrics = new FeedMetricsCollector();
  const ingest = new FeedIngest({
    target: init.target,
    epoch: init.epoch,
    instruments: { getByToken: (token) => instruments.get(token) },
    pubsub: { publish: async (channel, message) => void (await redis.publish(c.keyPrefix + channel, message)) },
    bookkeeping: { thread: 'worker', connections: c },
    tickFlushMs: init.tickFlushMs,
    candleFlushMs: init.candleFlushMs,
    metrics,
    // The leader's own QuotesService (risk's last prices) hears the feed even while Redis is down.
    deliverLocally: init.deliverLocally ? (message, encoded) => send({ type: 'bus', message: encoded ?? message }) : undefined,
    onFeedState: () => report(),
    onDeposed: (reason) => send({ type: 'deposed', reason }),
    observer: init.observe
      ? {
          published: (batch) => send({ type: 'published', batch }),
          ticksCommitted: (count, oldest, committedAt) => send({ type: 'ticksCommitted', count, oldest, committedAt }),
        }
      : undefined,
  });
  const report = () => send({ type: 'report', metrics: metrics.take(), feedUp: ingest.feedConnected, bufferedTicks: ingest.bufferedTicks });
  const timer = setInterval(report, REPORT_MS);
  port.on('message', (m: ToFeedThread) => {
    if (m.type !== 'stop') return;
    clearInterval(timer);
    void ingest
      .stop()
      .finally(() => redis.quit().catch(() => undefined))
      .finally(() => {
        report();
        send({ type: 'stopped' });
      });
  });
  ingest.start();
}

if (parentPort) main(parentPort, workerData as FeedThreadInit);
