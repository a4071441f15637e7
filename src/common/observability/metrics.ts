import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus registry and the metrics that src/common owns. Feature modules
 * create their own metrics against `metricsRegistry`. Module-level on purpose: prom-client
 * metrics are process-wide, and several Nest apps in one test process must not re-register.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, eventLoopMonitoringPrecision: 10 });

export const httpDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request latency by route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
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
