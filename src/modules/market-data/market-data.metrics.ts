import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '../../common/observability/metrics';

/**
 * Market-data metrics. Module-level like common's (prom-client metrics are process-wide); the
 * cache hit ratio is common's cache_lookups_total, which the quote reads go through.
 */
const lagBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

let staleSource: () => number = () => 0;
let leaderSource: () => { leader: boolean; feedConnected: boolean } = () => ({ leader: false, feedConnected: false });

export const marketMetrics = {
  /** rate() of this is "ticks in per second" on the leader. */
  feedQuotes: new Counter({ name: 'market_feed_quotes_total', help: 'Quotes received from the exchange feed (leader)', registers: [metricsRegistry] }),
  trades: new Counter({ name: 'market_trades_total', help: 'Quote updates that carried a new trade (stored as ticks)', registers: [metricsRegistry] }),
  rejected: new Counter({
    name: 'market_feed_rejected_total',
    help: 'Feed quotes dropped by validation, by reason',
    labelNames: ['reason'] as const,
    registers: [metricsRegistry],
  }),
  publishLag: new Histogram({
    name: 'market_publish_lag_seconds',
    help: 'Feed batch received by the leader -> its pub/sub publish acknowledged by Redis',
    buckets: lagBuckets,
    registers: [metricsRegistry],
  }),
  persistLag: new Histogram({
    name: 'market_persist_lag_seconds',
    help: 'Tick received by the leader -> committed to Postgres (oldest tick of each batch)',
    buckets: lagBuckets,
    registers: [metricsRegistry],
  }),
  broadcastLag: new Histogram({
    name: 'market_bus_lag_seconds',
    help: 'Leader publish -> batch applied on this replica',
    buckets: lagBuckets,
    registers: [metricsRegistry],
  }),
  busGaps: new Counter({ name: 'market_bus_gaps_total', help: 'Missed pub/sub batches (followed by a resync from the cache)', registers: [metricsRegistry] }),
  writeFailures: new Counter({
    name: 'market_write_failures_total',
    help: 'Failed cache, publish or database writes of market data, by target',
    labelNames: ['target'] as const,
    registers: [metricsRegistry],
  }),
  droppedTicks: new Counter({ name: 'market_ticks_dropped_total', help: 'Ticks not persisted because the write buffer was full', registers: [metricsRegistry] }),
  setStaleSource(source: () => number): void {
    staleSource = source;
  },
  setLeaderSource(source: () => { leader: boolean; feedConnected: boolean }): void {
    leaderSource = source;
  },
};

new Gauge({
  name: 'market_stale_instruments',
  help: 'Instruments whose quote this replica currently serves as stale',
  registers: [metricsRegistry],
  collect() {
    this.set(staleSource());
  },
});

new Gauge({
  name: 'market_feed_leader',
  help: '1 on the replica that runs the feed handler; feed_connected says whether its feed link is up',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
  collect() {
    const s = leaderSource();
    this.set({ state: 'leader' }, s.leader ? 1 : 0);
    this.set({ state: 'feed_connected' }, s.feedConnected ? 1 : 0);
  },
});
