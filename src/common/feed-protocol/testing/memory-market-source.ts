import type { MarketDataSource, QuoteSnapshot } from '../../exchange-protocol/venue.types';

/**
 * A MarketDataSource held in memory — the simulator's side reduced to what a feed needs: the
 * latest quote per instrument, updated before each emitted batch reaches the listeners.
 */
export class MemoryMarketSource implements MarketDataSource {
  private readonly latest = new Map<number, QuoteSnapshot>();
  private readonly listeners = new Set<(batch: QuoteSnapshot[]) => void>();

  constructor(initial: Iterable<QuoteSnapshot> = []) {
    for (const q of initial) this.latest.set(q.instrumentToken, q);
  }

  emit(batch: QuoteSnapshot[]): void {
    for (const q of batch) this.latest.set(q.instrumentToken, q);
    for (const l of this.listeners) l(batch);
  }

  onQuotes(listener: (batch: QuoteSnapshot[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(token: number): QuoteSnapshot | undefined {
    return this.latest.get(token);
  }

  snapshots(): QuoteSnapshot[] {
    return [...this.latest.values()];
  }
}
