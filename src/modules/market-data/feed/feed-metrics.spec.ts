import { applyFeedMetrics, FeedMetricsCollector, type FeedMetrics } from './feed-metrics';

describe('FeedMetricsCollector', () => {
  it('sums a period of calls into one batch and replays it into another FeedMetrics', () => {
    const c = new FeedMetricsCollector();
    expect(c.take()).toBeNull();
    c.quotes(500);
    c.quotes(250);
    c.rejected('out_of_order');
    c.rejected('out_of_order');
    c.rejected('unknown_instrument');
    c.publishLag(0.002);
    c.publishLag(0.004);
    c.persistLag(0.15);
    c.trades(700);
    c.writeFailure('cache');
    const batch = c.take()!;
    expect(c.take()).toBeNull();

    const calls: unknown[][] = [];
    const record = new Proxy({} as FeedMetrics, { get: (_t, name) => (...args: unknown[]) => calls.push([name, ...args]) });
    applyFeedMetrics(batch, record);
    expect(calls).toEqual([
      ['quotes', 750],
      ['rejected', 'out_of_order', 2],
      ['rejected', 'unknown_instrument', 1],
      ['publishLag', 0.002],
      ['publishLag', 0.004],
      ['persistLag', 0.15],
      ['trades', 700],
      ['writeFailure', 'cache', 1],
    ]);
  });
});
