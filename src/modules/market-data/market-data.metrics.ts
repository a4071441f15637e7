import { Counter, Gauge } from 'prom-client';
import { histogramOnFirstUse, metricsRegistry } from '../../common/observability/metrics';

/**
 * Market-data metrics. Module-level like common's (prom-client metrics are process-wide); the
 * cache hit ratio is common's cache_lookups_total, which the quote reads go through.
 */
const lagBuckets = [0.001, 0.005, 0.01, 0.025, 0.1, 1, 5];

let staleSource: () => number = () => 0;
let leaderSource: () => { leader: boolean; feedConnected: boolean } = () => ({ leader: false, feedConnected: false });

export const marketMetrics = {
  /** rate() of this is "ticks in per second" on the leader. */
  feedQuotes: new Counter({ name: 'market_feed_quotes_total', help: 'Quotes received from the exchange feed (leader)', registers: [metricsRegistry] }),
  trades: new Counter({ name: 'market_trades_total', help: 'Quotes carrying a new trade (stored as ticks)', registers: [metricsRegistry] }),
  rejected: new Counter({
    name: 'market_feed_rejected_total',
    help: 'Feed quotes dropped by validation, by reason',
    labelNames: ['reason'] as const,
    registers: [metricsRegistry],
  }),
  publishLag: histogramOnFirstUse({
    name: 'market_publish_lag_seconds',
    help: 'Feed batch received by the leader -> published on the bus',
    buckets: lagBuckets,
  }),
  persistLag: histogramOnFirstUse({
    name: 'market_persist_lag_seconds',
    help: 'Tick received by the leader -> committed to Postgres',
    buckets: lagBuckets,
  }),
  broadcastLag: histogramOnFirstUse({
    name: 'market_bus_lag_seconds',
    help: 'Leader publish -> batch applied on this replica',
    buckets: lagBuckets,
  }),
  busGaps: new Counter({ name: 'market_bus_gaps_total', help: 'Missed pub/sub batches (each followed by a resync)', registers: [metricsRegistry] }),
  writeFailures: new Counter({
    name: 'market_write_failures_total',
    help: 'Failed cache, publish or database writes of market data, by target',
    labelNames: ['target'] as const,
    registers: [metricsRegistry],
  }),
  droppedTicks: new Counter({ name: 'market_ticks_dropped_total', help: 'Ticks not persisted: write buffer full', registers: [metricsRegistry] }),
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
  help: 'Runs the feed handler (leader) and its feed link is up (feed_connected)',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
  collect() {
    const s = leaderSource();
    this.set({ state: 'leader' }, s.leader ? 1 : 0);
    this.set({ state: 'feed_connected' }, s.feedConnected ? 1 : 0);
  },
});
