import { marketMetrics } from '../market-data.metrics';
import type { BookkeepingWriteTarget } from './bookkeeping-events';

export type RejectReason = 'unknown_instrument' | 'outside_circuit' | 'out_of_order';
export type FeedWriteTarget = BookkeepingWriteTarget | 'publish' | 'bookkeeping';

/**
 * What the leader's feed handler counts. On the main thread the calls go straight into the
 * metrics registry; on the feed thread they are summed and posted (FeedMetricsBatch), because
 * /metrics is served from the main thread's registry.
 */
export interface FeedMetrics {
  quotes(n: number): void;
  rejected(reason: RejectReason, n?: number): void;
  publishLag(seconds: number): void;
  persistLag(seconds: number): void;
  droppedTicks(n: number): void;
  trades(n: number): void;
  writeFailure(target: FeedWriteTarget, n?: number): void;
}

export const registryFeedMetrics: FeedMetrics = {
  quotes: (n) => marketMetrics.feedQuotes.inc(n),
  rejected: (reason, n = 1) => marketMetrics.rejected.inc({ reason }, n),
  publishLag: (s) => marketMetrics.publishLag.observe(s),
  persistLag: (s) => marketMetrics.persistLag.observe(s),
  droppedTicks: (n) => marketMetrics.droppedTicks.inc(n),
  trades: (n) => marketMetrics.trades.inc(n),
  writeFailure: (target, n = 1) => marketMetrics.writeFailures.inc({ target }, n),
};

/** A period's worth of FeedMetrics calls, as one message. */
export interface FeedMetricsBatch {
  quotes: number;
  rejected: Partial<Record<RejectReason, number>>;
  publishLag: number[];
  persistLag: number[];
  droppedTicks: number;
  trades: number;
  writeFailures: Partial<Record<FeedWriteTarget, number>>;
}

const emptyBatch = (): FeedMetricsBatch => ({ quotes: 0, rejected: {}, publishLag: [], persistLag: [], droppedTicks: 0, trades: 0, writeFailures: {} });

/** Sums FeedMetrics calls until taken. */
export class FeedMetricsCollector implements FeedMetrics {
  private batch = emptyBatch();
  private calls = 0;

  quotes(n: number): void {
    this.count().quotes += n;
  }
  rejected(reason: RejectReason, n = 1): void {
    const b = this.count();
    b.rejected[reason] = (b.rejected[reason] ?? 0) + n;
  }
  publishLag(seconds: number): void {
    this.count().publishLag.push(seconds);
  }
  persistLag(seconds: number): void {
    this.count().persistLag.push(seconds);
  }
  droppedTicks(n: number): void {
    this.count().droppedTicks += n;
  }
  trades(n: number): void {
    this.count().trades += n;
  }
  writeFailure(target: FeedWriteTarget, n = 1): void {
    const b = this.count();
    b.writeFailures[target] = (b.writeFailures[target] ?? 0) + n;
  }

  /** What was counted since the last take (null when nothing was). */
  take(): FeedMetricsBatch | null {
    if (this.calls === 0) return null;
    const batch = this.batch;
    this.batch = emptyBatch();
    this.calls = 0;
    return batch;
  }

  private count(): FeedMetricsBatch {
    this.calls++;
    return this.batch;
  }
}

/** Replays a batch into another FeedMetrics (the registry's). */
export function applyFeedMetrics(batch: FeedMetricsBatch, to: FeedMetrics): void {
  if (batch.quotes) to.quotes(batch.quotes);
  for (const [reason, n] of Object.entries(batch.rejected) as [RejectReason, number][]) to.rejected(reason, n);
  for (const s of batch.publishLag) to.publishLag(s);
  for (const s of batch.persistLag) to.persistLag(s);
  if (batch.droppedTicks) to.droppedTicks(batch.droppedTicks);
  if (batch.trades) to.trades(batch.trades);
  for (const [target, n] of Object.entries(batch.writeFailures) as [FeedWriteTarget, number][]) to.writeFailure(target, n);
}
