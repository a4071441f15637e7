import { eventually } from '../testing/eventually';
import { WorkerBookkeeping } from './bookkeeping';
import type { BookkeepingEvents } from './bookkeeping-events';

describe('WorkerBookkeeping', () => {
  it('ends the term when its thread cannot start (no database): the leader must not go on without persistence', async () => {
    const reasons: string[] = [];
    const events: BookkeepingEvents = {
      ticksCommitted: () => undefined,
      ticksDropped: () => undefined,
      tradesRecorded: () => undefined,
      writeFailed: () => undefined,
      fencedOut: (reason) => reasons.push(reason),
    };
    const books = new WorkerBookkeeping(
      {
        epoch: 1,
        tickFlushMs: 200,
        candleFlushMs: 5000,
        // Port 1 on loopback: connection refused at once.
        connections: { databaseUrl: 'postgres://postgres@127.0.0.1:1/none', redis: null, keyPrefix: 'spec:', cluster: 'spec:', logLevel: 'silent' },
      },
      { getByToken: () => undefined },
      events,
    );
    try {
      await eventually('the thread to report', () => reasons.length > 0, 30_000);
      expect(reasons[0]).toMatch(/bookkeeping thread could not start/);
    } finally {
      await books.stop();
    }
    // Once the thread is gone, it does not come back with more reasons.
    expect(reasons.every((r) => /bookkeeping thread/.test(r))).toBe(true);
  }, 40_000);
});
