import type { DepthLevel as EngineDepthLevel, DepthSnapshot } from '../engine';
import type { DepthLevel, QuoteSnapshot } from '../venue.types';
import { divideHalfEven } from './arithmetic';
import type { SimInstrument } from './sim-instrument';

/** Kite's "full" quote carries five levels a side. */
export const DEPTH_LEVELS = 5;

/**
 * Live market data of one instrument. Updated on every trade, so plain mutable fields; a
 * snapshot object is only built when someone asks (a batch flush or a snapshot() call).
 */
export class InstrumentQuote {
  readonly token: number;
  /** Before the first trade of the day Kite shows the previous close as the last price. */
  lastPrice: number;
  lastQuantity = 0;
  lastTradeTime = 0;
  volume = 0;
  /** Σ price × quantity of the day's trades (paise), for the average traded price. */
  value = 0;
  open = 0;
  high = 0;
  low = 0;
  /** Open quantity of resting (not stop) orders, hidden disclosed reserve included. */
  totalBuyQuantity = 0;
  totalSellQuantity = 0;
  /** Queued for the next batch. */
  changed = false;
  /** The engine holds a book for it (books are created on first use, see ExchangeSimulator). */
  listed = false;
  /** The engine refused its spec: it cannot trade. */
  unavailable = false;

  constructor(
    readonly instrument: SimInstrument,
    /** On the tick grid and inside the band (see referencePriceOf). */
    readonly referencePrice: number,
  ) {
    this.token = instrument.instrumentToken;
    this.lastPrice = instrument.prevClose;
  }

  recordTrade(price: number, quantity: number, time: number): void {
    this.lastPrice = price;
    this.lastQuantity = quantity;
    this.lastTradeTime = time;
    this.volume += quantity;
    this.value += price * quantity;
    // The day's first print (continuous or the opening auction) is the open.
    if (this.open === 0) {
      this.open = price;
      this.high = price;
      this.low = price;
    } else if (price > this.high) {
      this.high = price;
    } else if (price < this.low) {
      this.low = price;
    }
  }

  addOpenQuantity(isBuy: boolean, delta: number): void {
    if (isBuy) this.totalBuyQuantity += delta;
    else this.totalSellQuantity += delta;
  }

  /** A new trading day: the day's statistics start again; the last price carries over. */
  resetDay(): void {
    this.lastQuantity = 0;
    this.volume = 0;
    this.value = 0;
    this.open = 0;
    this.high = 0;
    this.low = 0;
  }
}

/** All instruments' quotes plus the list of those changed since the last batch. */
export class QuoteBoard {
  private readonly quotes = new Map<number, InstrumentQuote>();
  private changed: InstrumentQuote[] = [];

  /** Undefined when the token is already on the board. */
  add(instrument: SimInstrument, referencePrice: number): InstrumentQuote | undefined {
    if (this.quotes.has(instrument.instrumentToken)) return undefined;
    const quote = new InstrumentQuote(instrument, referencePrice);
    this.quotes.set(quote.token, quote);
    return quote;
  }

  get(token: number): InstrumentQuote | undefined {
    return this.quotes.get(token);
  }

  all(): IterableIterator<InstrumentQuote> {
    return this.quotes.values();
  }

  get size(): number {
    return this.quotes.size;
  }

  markChanged(quote: InstrumentQuote): void {
    if (quote.changed) return;
    quote.changed = true;
    this.changed.push(quote);
  }

  /** The instruments changed since the previous call, each once, in order of first change. */
  takeChanged(): InstrumentQuote[] {
    const out = this.changed;
    this.changed = [];
    for (const q of out) q.changed = false;
    return out;
  }
}

const EMPTY_LEVEL: Readonly<DepthLevel> = Object.freeze({ price: 0, quantity: 0, orders: 0 });

function levels(from: readonly EngineDepthLevel[] | undefined): DepthLevel[] {
  const out: DepthLevel[] = [];
  for (let i = 0; i < DEPTH_LEVELS; i++) {
    const l = from?.[i];
    out.push(l === undefined ? { ...EMPTY_LEVEL } : { price: l.price, quantity: l.qty, orders: l.orders });
  }
  return out;
}

export function toSnapshot(q: InstrumentQuote, depth: DepthSnapshot | undefined, timestamp: number): QuoteSnapshot {
  const i = q.instrument;
  return {
    instrumentToken: q.token,
    timestamp,
    lastTradeTime: q.lastTradeTime,
    lastPrice: q.lastPrice,
    lastQuantity: q.lastQuantity,
    volume: q.volume,
    averagePrice: divideHalfEven(q.value, q.volume),
    open: q.open,
    high: q.high,
    low: q.low,
    close: i.prevClose,
    lowerCircuit: i.lowerCircuit,
    upperCircuit: i.upperCircuit,
    totalBuyQuantity: q.totalBuyQuantity,
    totalSellQuantity: q.totalSellQuantity,
    bids: levels(depth?.bids),
    asks: levels(depth?.asks),
  };
}
