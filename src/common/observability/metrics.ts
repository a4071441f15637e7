import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus registry and the metrics that src/common owns. Feature modules
 * create their own metrics against `metricsRegistry`. Module-level on purpose: prom-client
 * metrics are process-wide, and several Nest apps in one test process must not re-register.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, eventLoopMonitoringPrecision: 10, gcDurationBuckets: [0.001, 0.01, 0.1, 1] });
// prom-client's defaults minus the series nobody graphs (per-V8-space heap, the event loop's
// min/mean/p50/p90, handle and resource counts, fd limit, virtual memory): a scrape should stay small enough
// for simple tools to read in one piece (curl hands stdout 8 KB at a time).
const unusedDefaults = [
  ...['total', 'used', 'available'].map((kind) => `nodejs_heap_space_size_${kind}_bytes`),
  ...['min', 'max', 'mean', 'stddev', 'p50', 'p90'].map((stat) => `nodejs_eventloop_lag_${stat}_seconds`),
  ...['handles', 'requests', 'resources'].flatMap((kind) => [`nodejs_active_${kind}`, `nodejs_active_${kind}_total`]),
  'nodejs_version_info',
  'nodejs_external_memory_bytes',
  'process_virtual_memory_bytes',
  'process_heap_bytes',
  'process_max_fds',
];
for (const name of unusedDefaults) metricsRegistry.removeSingleMetric(name);

/** Request and broadcast latency buckets: the 10/50/100 ms targets of DESIGN.md §8 are edges. */
export const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5];

/**
 * An unlabeled histogram that joins the scrape at its first observation, as labeled series do,
 * so a replica that never does the thing (no bus in embedded mode, no sockets yet) does not
 * print a page of empty buckets for it.
 */
export function histogramOnFirstUse(config: { name: string; help: string; buckets: number[] }): Histogram {
  const histogram = new Histogram({ ...config, registers: [] });
  const observe = histogram.observe.bind(histogram) as (...args: unknown[]) => void;
  histogram.observe = ((...args: unknown[]) => {
    metricsRegistry.registerMetric(histogram);
    histogram.observe = observe as Histogram['observe'];
    observe(...args);
  }) as Histogram['observe'];
  return histogram;
}

/** Health probes and metric scrapes: left out of request logs and of the latency histogram, where they would outnumber real traffic. */
export const isProbePath = (path: string): boolean => /^\/(health|metrics)(\/|\?|$)/.test(path);

/** Probe and scrape endpoints (isProbePath) are excluded by the caller. */
export const httpDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request latency by route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: latencyBuckets,
  registers: [metricsRegistry],
});

const redisDuration = new Histogram({
  name: 'redis_command_duration_seconds',
  help: 'Redis command latency as seen by the app',
  labelNames: ['command'] as const,
  buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25],
  registers: [metricsRegistry],
});

const cacheLookups = new Counter({
  name: 'cache_lookups_total',
  help: 'Cache reads by result; hit ratio = hit / (hit + miss)',
  labelNames: ['result'] as const,
  registers: [metricsRegistry],
});

export function observeRedis(command: string): () => void {
  return redisDuration.startTimer({ command });
}

export function recordCacheLookup(hit: boolean): void {
  cacheLookups.inc({ result: hit ? 'hit' : 'miss' });
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

let poolStats: () => PoolStats | null = () => null;

/** The database module tells us how to read its pool; the gauge reads it at scrape time. */
export function setPoolStatsSource(source: () => PoolStats | null): void {
  poolStats = source;
}

new Gauge({
  name: 'db_pool_connections',
  help: 'Postgres pool connections by state',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
  collect() {
    const s = poolStats();
    if (!s) return;
    this.set({ state: 'in_use' }, s.total - s.idle);
    this.set({ state: 'idle' }, s.idle);
    this.set({ state: 'waiting' }, s.waiting);
  },
});
