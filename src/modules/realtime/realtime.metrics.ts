import { Counter, Gauge } from 'prom-client';
import { histogramOnFirstUse, latencyBuckets, metricsRegistry } from '../../common/observability/metrics';

/**
 * Realtime metrics. Module-level (prom-client metrics are process-wide); gauges read their
 * values at scrape time from every live realtime instance in the process (tests run two apps in one).
 */
export interface RealtimeGaugeSource {
  connections(): { socketio: number; kite: number };
  subscriptions(): number;
}

const sources = new Set<RealtimeGaugeSource>();

export function registerGaugeSource(source: RealtimeGaugeSource): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

new Gauge({
  name: 'realtime_connected_sockets',
  help: 'Authenticated realtime connections on this replica, by protocol',
  labelNames: ['protocol'] as const,
  registers: [metricsRegistry],
  collect() {
    let socketio = 0;
    let kite = 0;
    for (const s of sources) {
      const c = s.connections();
      socketio += c.socketio;
      kite += c.kite;
    }
    this.set({ protocol: 'socketio' }, socketio);
    this.set({ protocol: 'kite' }, kite);
  },
});

new Gauge({
  name: 'realtime_subscriptions',
  help: 'Instrument subscriptions held by connections on this replica',
  registers: [metricsRegistry],
  collect() {
    let n = 0;
    for (const s of sources) n += s.subscriptions();
    this.set(n);
  },
});

/** rate() of this is frames/s. */
export const framesSent = new Counter({
  name: 'realtime_frames_total',
  help: 'WebSocket messages written to realtime connections, by kind',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});

export const tickDeliveries = new Counter({
  name: 'realtime_tick_deliveries_total',
  help: 'Instrument updates delivered (one frame carries several)',
  registers: [metricsRegistry],
});

export const slowConsumersDropped = new Counter({
  name: 'realtime_slow_consumers_dropped_total',
  help: 'Connections closed for a send buffer over its limit',
  registers: [metricsRegistry],
});

export const messagesRejected = new Counter({
  name: 'realtime_messages_rejected_total',
  help: 'Client messages refused, by reason',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

export const handshakesRefused = new Counter({
  name: 'realtime_handshakes_refused_total',
  help: 'Connections refused before connect, by reason',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

/** From the batch's publish time (the leader's clock) to the end of the flush that carried it out. */
export const broadcastLatency = histogramOnFirstUse({
  name: 'realtime_broadcast_latency_seconds',
  help: 'Tick batch published → last frame carrying it emitted on this replica',
  buckets: latencyBuckets,
});
