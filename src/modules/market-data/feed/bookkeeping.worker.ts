/**
 * The market-data bookkeeping thread (see WorkerBookkeeping): candles, ticks and the quote cache
 * for the leader's current term, on connections of its own. Started by the feed handler thread.
 */
import { Logger } from '@nestjs/common';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { AppConfig } from '../../../common/config/app-config';
import { createDataSource } from '../../../common/database/data-source.factory';
import type { Instrument } from '../../instruments';
import { BusDecoder } from '../bus/quote-bus';
import { MarketWriter } from '../storage/market-writer';
import { PartitionManager } from '../storage/partitions';
import { InlineBookkeeping, type FromBookkeeping, type ToBookkeeping, type WorkerInit } from './bookkeeping';
import type { BookkeepingEvents } from './bookkeeping-events';
import { connectThreadRedis } from './market-thread';
import { RedisPipelineSink } from './quote-cache-writer';

const BOOKKEEPING_NICE = 10;

async function main(port: NonNullable<typeof parentPort>, init: WorkerInit): Promise<void> {
  lowerThreadPriority();
  const c = init.connections;
  const send = (m: FromBookkeeping) => port.postMessage(m);
  const forward =
    (event: keyof BookkeepingEvents) =>
    (...args: unknown[]) =>
      send({ event, args });
  const events: BookkeepingEvents = {
    ticksCommitted: forward('ticksCommitted'),
    ticksDropped: forward('ticksDropped'),
    tradesRecorded: forward('tradesRecorded'),
    writeFailed: forward('writeFailed'),
    fencedOut: forward('fencedOut'),
  };
  // Two connections: a tick batch and a candle chunk may be in flight together.
  const db = createDataSource({ config: AppConfig.with({ DATABASE_URL: c.databaseUrl, DATABASE_POOL_SIZE: '2', LOG_LEVEL: c.logLevel }) });
  await db.initialize();
  const redis = c.redis && connectThreadRedis(c.redis, 'mstock-market-cache');
  const instruments = new Map<number, Instrument>();
  const books = new InlineBookkeeping({
    ...init,
    writer: new MarketWriter(db, new PartitionManager(db), c.cluster),
    cache: redis && new RedisPipelineSink(redis, c.keyPrefix),
    instruments: { getByToken: (token) => instruments.get(token) },
    events,
  });
  books.start();
  const decoder = new BusDecoder();
  const quotesOf = (text: string | null) => {
    const m = text === null ? null : decoder.decode(text);
    return m?.kind === 'quotes' ? m.quotes : [];
  };
  port.on('message', (m: ToBookkeeping) => {
    if (m.type === 'stop') {
      void books
        .stop()
        .finally(() => Promise.allSettled([db.destroy(), redis?.quit()]))
        .finally(() => send({ event: 'stopped' }));
      return;
    }
    for (const i of m.instruments) instruments.set(i.instrumentToken, i);
    books.record(quotesOf(m.fresh), quotesOf(m.late), m.receivedAt);
  });
}

/**
 * On Linux, setpriority(PRIO_PROCESS, 0) applies to the calling thread only: this thread yields
 * the CPU to the feed handler's when the cores are busy, so the publish path does not queue behind
 * a candle flush. Elsewhere it would renice the process, so it is left alone.
 */
function lowerThreadPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(0, BOOKKEEPING_NICE);
  } catch {
    // not permitted (some sandboxes): same priority as the feed handler, nothing else changes
  }
}

if (parentPort) {
  const port = parentPort;
  main(port, workerData as WorkerInit).catch((err: Error) => {
    new Logger('MarketBookkeeping').error(`bookkeeping thread could not start: ${err.message}`);
    port.postMessage({ event: 'fencedOut', args: [`market-data bookkeeping thread could not start: ${err.message}`] } satisfies FromBookkeeping);
  });
}
