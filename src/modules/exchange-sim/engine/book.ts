import { Loc, type Order } from './order';
import { PriceLadder } from './price-ladder';
import type { DepthLevel, DepthSnapshot, InstrumentSpec } from './types';

/** Refuse specs whose band would need an absurd ladder (level totals cost ~25 bytes per level, both sides). */
export const MAX_LEVELS = 4_000_000;

/** A FIFO of pre-open market orders; they have no price, so they live outside the ladder. */
export class MarketQueue {
  head: Order | null = null;
  tail: Order | null = null;
  qty = 0;

  push(o: Order): void {
    o.prev = this.tail;
    o.next = null;
    if (this.tail === null) this.head = o;
    else this.tail.next = o;
    this.tail = o;
    this.qty += o.qty - o.filled;
  }

  remove(o: Order): void {
    if (o.prev === null) this.head = o.next;
    else o.prev.next = o.next;
    if (o.next === null) this.tail = o.prev;
    else o.next.prev = o.prev;
    o.prev = null;
    o.next = null;
    this.qty -= o.qty - o.filled;
  }
}

/**
 * All state of one instrument: the visible book, the stop book (untriggered SL / SL-M,
 * indexed by trigger price on the same grid) and the pre-open market queues.
 */
export class InstrumentBook {
  readonly id: number;
  readonly tick: number;
  readonly lower: number;
  readonly levels: number;
  readonly bids: PriceLadder;
  readonly asks: PriceLadder;
  /** Allocated on first use: most instruments never see a stop order. */
  buyStops: PriceLadder | null = null;
  sellStops: PriceLadder | null = null;
  readonly marketBuys = new MarketQueue();
  readonly marketSells = new MarketQueue();
  suspended: boolean;
  ltp = 0;
  volume = 0;
  /** Set by mutations, cleared when onDepthChanged has been sent. */
  dirty = false;

  constructor(readonly spec: Readonly<InstrumentSpec>) {
    this.id = spec.instrumentId;
    this.tick = spec.tickSize;
    this.lower = spec.lowerCircuit;
    this.levels = (spec.upperCircuit - spec.lowerCircuit) / spec.tickSize + 1;
    this.bids = new PriceLadder(this.levels, false);
    this.asks = new PriceLadder(this.levels, true);
    this.suspended = spec.suspended === true;
  }

  index(price: number): number {
    return (price - this.lower) / this.tick;
  }

  price(index: number): number {
    return this.lower + index * this.tick;
  }

  side(isBuy: boolean): PriceLadder {
    return isBuy ? this.bids : this.asks;
  }

  /** Buy stops fire from the lowest trigger up, sell stops from the highest down. */
  stopSide(isBuy: boolean): PriceLadder {
    if (isBuy) return this.buyStops ?? (this.buyStops = new PriceLadder(this.levels, true));
    return this.sellStops ?? (this.sellStops = new PriceLadder(this.levels, false));
  }

  /** Unlinks a live order from whichever structure holds it. */
  unlink(o: Order): void {
    switch (o.loc) {
      case Loc.BOOK:
        (o.isBuy ? this.bids : this.asks).remove(o);
        this.dirty = true;
        break;
      case Loc.STOP:
        this.stopSide(o.isBuy).remove(o);
        break;
      case Loc.MARKET_QUEUE:
        (o.isBuy ? this.marketBuys : this.marketSells).remove(o);
        break;
      default:
        break;
    }
    o.loc = Loc.NONE;
  }

  bestBid(): number {
    return this.bids.best < 0 ? 0 : this.price(this.bids.best);
  }

  bestAsk(): number {
    return this.asks.best < 0 ? 0 : this.price(this.asks.best);
  }

  depth(levels: number): DepthSnapshot {
    return {
      instrumentId: this.id,
      bids: this.levelsOf(this.bids, levels),
      asks: this.levelsOf(this.asks, levels),
      ltp: this.ltp,
      volume: this.volume,
    };
  }

  private levelsOf(side: PriceLadder, max: number): DepthLevel[] {
    const out: DepthLevel[] = [];
    for (let i = side.best; i >= 0 && out.length < max; i = side.after(i)) {
      out.push({ price: this.price(i), qty: side.qty[i], orders: side.count[i] });
    }
    return out;
  }

  /** Orders of a ladder in priority order; for snapshots, hashing and tests (allocates). */
  static ordersOf(side: PriceLadder | null): Order[] {
    const out: Order[] = [];
    if (side === null) return out;
    for (let i = side.best; i >= 0; i = side.after(i)) {
      for (let o = side.first(i); o !== null; o = o.next) out.push(o);
    }
    return out;
  }

  static ordersOfQueue(q: MarketQueue): Order[] {
    const out: Order[] = [];
    for (let o = q.head; o !== null; o = o.next) out.push(o);
    return out;
  }
}
