/**
 * The leader's feed thread (see FeedThread): reads the exchange feed, validates, publishes each
 * batch on the bus, and runs the bookkeeping on a thread of its own beneath it. Nothing else
 * lives in this isolate, so the app's garbage collections and request handling never stand
 * between a feed batch and its PUBLISH.
 */
import Redis from 'ioredis';
import { parentPort, workerData } from 'node:worker_threads';
import type { Instrument } from '../../instruments';
import { FeedIngest } from './feed-ingest';
import { FeedMetricsCollector } from './feed-metrics';
import type { FeedThreadInit, FromFeedThread, ToFeedThread } from './feed-thread';

/** How often counts, the feed's state and the tick backlog go to the main thread. */
const REPORT_MS = 250;

function main(port: NonNullable<typeof parentPort>, init: FeedThreadInit): void {
  const send = (m: FromFeedThread) => port.postMessage(m);
  const c = init.connections;
  const redis = c.redis!.url ? new Redis(c.redis!.url, named(c.redis!.options)) : new Redis(named(c.redis!.options));
  // ioredis reconnects by itself; failed publishes are counted and logged by FeedIngest.
  redis.on('error', () => undefined);
  const instruments = new Map<number, Instrument>(init.instruments.map((i) => [i.instrumentToken, i]));
  const metrics = new FeedMetricsCollector();
  let feedUp: boolean | null = null;
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
  const report = () => {
    const up = ingest.feedConnected;
    send({ type: 'report', metrics: metrics.take(), feedUp: up === feedUp ? null : up, bufferedTicks: ingest.bufferedTicks });
    feedUp = up;
  };
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

function named(options: NonNullable<FeedThreadInit['connections']['redis']>['options']) {
  return { ...options, connectionName: 'mstock-market-feed' };
}

if (parentPort) main(parentPort, workerData as FeedThreadInit);
