import type { Quote } from '../../src/modules/market-data/market-data.events';

export interface UniverseItem {
  token: number;
  exchange: 'NSE' | 'BSE';
  symbol: string;
  prevClose: number;
  lower: number;
  upper: number;
}

/** Deterministic PRNG (mulberry32): the same seed gives both designs the same market. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Synthetic market: `ratePerSecond` quote updates spread round-robin over the universe, emitted
 * as batches every `batchMs` (the cadence of market-data's QUOTES_UPDATED). Each quote is stamped
 * with the batch's publish time, so a client's (receive − exchange_timestamp) is publish → receive.
 */
export class QuoteGenerator {
  private readonly prices: number[];
  private readonly volumes: number[];
  private readonly random: () => number;
  private cursor = 0;
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private emit: ((quotes: Quote[], publishedAt: number) => void) | null = null;
  /** Quotes emitted before the current run (pause/resume). */
  private before = 0;
  emitted = 0;

  constructor(
    private readonly universe: UniverseItem[],
    private readonly ratePerSecond: number,
    private readonly batchMs: number,
    seed = 7,
  ) {
    this.random = prng(seed);
    this.prices = universe.map((u) => u.prevClose);
    this.volumes = universe.map(() => 0);
  }

  start(emit: (quotes: Quote[], publishedAt: number) => void): void {
    this.emit = emit;
    this.resume();
  }

  /** Starts again after stop(), without a burst for the paused time. */
  resume(): void {
    if (this.timer || !this.emit) return;
    const emit = this.emit;
    this.before = this.emitted;
    this.startedAt = Date.now();
    // Catch up by elapsed time, so timer drift under load does not lower the offered rate.
    this.timer = setInterval(() => {
      const due = Math.floor(((Date.now() - this.startedAt) * this.ratePerSecond) / 1000) - (this.emitted - this.before);
      if (due <= 0) return;
      const now = Date.now();
      const quotes: Quote[] = new Array(due);
      for (let i = 0; i < due; i++) quotes[i] = this.next(now);
      this.emitted += due;
      emit(quotes, now);
    }, this.batchMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private next(now: number): Quote {
    const i = this.cursor;
    this.cursor = (this.cursor + 1) % this.universe.length;
    const u = this.universe[i];
    const step = Math.max(5, Math.round(u.prevClose * 0.0005 / 5) * 5);
    const moved = this.prices[i] + (this.random() < 0.5 ? -step : step);
    const price = Math.min(u.upper, Math.max(u.lower, moved));
    this.prices[i] = price;
    const qty = 1 + Math.floor(this.random() * 500);
    this.volumes[i] += qty;
    const level = (n: number, side: 1 | -1) => ({ price: price - side * step * (n + 1), quantity: 100 * (n + 1), orders: n + 1 });
    return {
      instrumentToken: u.token, exchange: u.exchange, tradingsymbol: u.symbol, lastPrice: price, lastQuantity: qty, lastTradeTime: now,
      volume: this.volumes[i], averagePrice: price, open: u.prevClose, high: Math.max(price, u.prevClose), low: Math.min(price, u.prevClose),
      close: u.prevClose, change: price - u.prevClose, changePercent: Math.round(((price - u.prevClose) * 10_000) / u.prevClose) / 100,
      lowerCircuit: u.lower, upperCircuit: u.upper, totalBuyQuantity: 5000, totalSellQuantity: 4000,
      bids: [0, 1, 2, 3, 4].map((n) => level(n, 1)), asks: [0, 1, 2, 3, 4].map((n) => level(n, -1)), timestamp: now, stale: false,
    };
  }
}
