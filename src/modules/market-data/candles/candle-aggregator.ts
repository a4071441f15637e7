import { bucketStart, DAY, TIMEFRAMES, type Timeframe } from './candle-buckets';

/** What the feed says about one instrument at one moment (prices paise, volume cumulative for the day). */
export interface QuoteState {
  instrumentToken: number;
  lastTradeTime: number;
  lastPrice: number;
  /** Shares traded today so far, as the exchange counts them. */
  volume: number;
  /** The exchange's own statistics of the trading day (0 before the first trade). */
  open: number;
  high: number;
  low: number;
}

/**
 * A change to one candle since the previous drain. The store merges it into the stored row:
 * intraday — open kept if the row exists, high/low widened, close replaced only when volume > 0,
 * volume added; day — taken as the exchange's absolute day statistics (see CandleAggregator).
 */
export interface CandleDelta {
  instrumentToken: number;
  timeframe: Timeframe;
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export type TradeKind = 'baseline' | 'none' | 'trade' | 'late';

interface Last {
  time: number;
  volume: number;
}

const INTRADAY = TIMEFRAMES.filter((tf) => tf !== DAY);

/**
 * Builds candles from the quote stream in memory; the store receives the changes in batches.
 *
 * Volume: the feed carries the day's cumulative volume, so a candle's volume is the difference
 * between consecutive cumulative volumes (a drop means the exchange started a new day). Several
 * trades between two feed updates are one step; their prices in between are not seen — the
 * exchange's own day high/low make the day candle exact anyway.
 *
 * Day candles are not summed from steps: they are the exchange's day statistics (open, high, low,
 * volume) with the last price as close, so they stay exact across a leader failover or a feed
 * reconnect, where steps in between are lost.
 *
 * A late tick (trade time before the latest seen for the instrument, e.g. replayed out of order)
 * widens its own candles' high/low; its volume is already in the later cumulative figure, and it
 * must not become the close.
 */
export class CandleAggregator {
  private readonly last = new Map<number, Last>();
  private pending = new Map<string, CandleDelta>();
  private latest = 0;

  /** Feeds one quote; returns what it was for the tick store. */
  onQuote(q: QuoteState): TradeKind {
    const last = this.last.get(q.instrumentToken);
    if (last === undefined) {
      // First sight (a snapshot after connect or failover): the volume so far belongs to candles
      // this process never saw; only the day candle can be stated exactly.
      this.last.set(q.instrumentToken, { time: q.lastTradeTime, volume: q.volume });
      if (q.volume > 0 && q.lastTradeTime > 0) this.day(q);
      return 'baseline';
    }
    if (q.volume === last.volume && q.lastTradeTime === last.time) return 'none';
    if (q.volume === 0 || q.lastTradeTime === 0 || q.lastPrice === 0) {
      // A new day before its first trade: reset the baseline.
      last.volume = q.volume;
      last.time = q.lastTradeTime;
      return 'none';
    }
    if (q.lastTradeTime < last.time) {
      for (const tf of INTRADAY) this.widen(q, tf);
      return 'late';
    }
    if (q.lastTradeTime > this.latest) this.latest = q.lastTradeTime;
    const step = q.volume >= last.volume ? q.volume - last.volume : q.volume;
    last.volume = q.volume;
    last.time = q.lastTradeTime;
    for (const tf of INTRADAY) this.step(q, tf, step);
    this.day(q);
    return 'trade';
  }

  /** The changes since the previous call, one per candle; then starts collecting afresh. */
  drain(): CandleDelta[] {
    const out = [...this.pending.values()];
    this.pending = new Map();
    return out;
  }

  /**
   * Only the changes to candles that have ended by `watermark` (exchange time): a closed candle
   * changes no more (bar a late print), so it is written once, promptly; open ones can wait.
   */
  drainClosed(watermark: number): CandleDelta[] {
    const out: CandleDelta[] = [];
    for (const [key, d] of this.pending) {
      if (d.start + d.timeframe * 60_000 <= watermark) {
        out.push(d);
        this.pending.delete(key);
      }
    }
    return out;
  }

  /** The latest trade time seen on any instrument: how far the exchange's clock has got. */
  get watermark(): number {
    return this.latest;
  }

  /** Puts drained changes back (a failed write), merged under anything collected since. */
  restore(deltas: readonly CandleDelta[]): void {
    const newer = this.pending;
    this.pending = new Map();
    for (const d of deltas) this.pending.set(keyOf(d.instrumentToken, d.timeframe, d.start), { ...d });
    for (const [key, d] of newer) {
      const old = this.pending.get(key);
      if (old === undefined || d.timeframe === DAY) this.pending.set(key, d);
      else this.pending.set(key, { ...old, high: Math.max(old.high, d.high), low: Math.min(old.low, d.low), close: d.volume > 0 ? d.close : old.close, volume: old.volume + d.volume });
    }
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Forgets every instrument's baseline (a new leader term starts from the next snapshot). */
  reset(): void {
    this.last.clear();
    this.pending.clear();
  }

  private step(q: QuoteState, tf: Timeframe, volume: number): void {
    const start = bucketStart(q.lastTradeTime, tf);
    const key = keyOf(q.instrumentToken, tf, start);
    const d = this.pending.get(key);
    const p = q.lastPrice;
    if (d === undefined) {
      this.pending.set(key, { instrumentToken: q.instrumentToken, timeframe: tf, start, open: p, high: p, low: p, close: p, volume });
      return;
    }
    if (p > d.high) d.high = p;
    if (p < d.low) d.low = p;
    d.close = p;
    d.volume += volume;
  }

  private widen(q: QuoteState, tf: Timeframe): void {
    const start = bucketStart(q.lastTradeTime, tf);
    const key = keyOf(q.instrumentToken, tf, start);
    const d = this.pending.get(key);
    const p = q.lastPrice;
    // A row of its own with volume 0: the store widens high/low and keeps the stored close.
    if (d === undefined) this.pending.set(key, { instrumentToken: q.instrumentToken, timeframe: tf, start, open: p, high: p, low: p, close: p, volume: 0 });
    else {
      if (p > d.high) d.high = p;
      if (p < d.low) d.low = p;
    }
  }

  private day(q: QuoteState): void {
    const start = bucketStart(q.lastTradeTime, DAY);
    // Day statistics can lag the last print by one feed update; never let the candle break high >= close >= low.
    const high = Math.max(q.high || q.lastPrice, q.lastPrice);
    const low = Math.min(q.low || q.lastPrice, q.lastPrice);
    const open = Math.min(Math.max(q.open || q.lastPrice, low), high);
    this.pending.set(keyOf(q.instrumentToken, DAY, start), { instrumentToken: q.instrumentToken, timeframe: DAY, start, open, high, low, close: q.lastPrice, volume: q.volume });
  }
}

function keyOf(token: number, tf: Timeframe, start: number): string {
  return `${token}:${tf}:${start}`;
}
