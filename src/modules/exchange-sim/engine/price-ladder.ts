import type { Order } from './order';

/**
 * One side of a book (or of a stop book) as a ladder of price levels.
 *
 * Prices are bounded by the circuit band and sit on the tick grid, so a level is
 * addressed by `(price - lowerCircuit) / tickSize`. Level totals are dense typed arrays
 * (off the JS heap); the FIFO of orders at a level (time priority, intrusive) is kept
 * only for non-empty levels, in maps: dense pointer arrays for ~5,000 instruments were
 * ~500 MB the garbage collector had to trace on every major collection, for a few
 * dozen live levels per side. A bitmap of non-empty levels lets the best-level search
 * skip 32 empty ticks per step with `Math.clz32`.
 *
 * `ascending` = the best level is the lowest index (asks, buy stops); otherwise the
 * highest (bids, sell stops).
 */
export class PriceLadder {
  /** First (oldest) and last order of each non-empty level. */
  private readonly heads = new Map<number, Order>();
  private readonly tails = new Map<number, Order>();
  /** Sum of `visible` over the level's orders. Float64 because totals may exceed 2^31. */
  readonly qty: Float64Array;
  readonly count: Int32Array;
  private readonly bits: Int32Array;
  private readonly words: number;
  /** Best non-empty level index, -1 when the side is empty. */
  best = -1;
  /** Number of orders on the side. */
  size = 0;

  constructor(
    readonly levels: number,
    readonly ascending: boolean,
  ) {
    this.qty = new Float64Array(levels);
    this.count = new Int32Array(levels);
    this.words = (levels + 31) >>> 5;
    this.bits = new Int32Array(this.words);
  }

  /** The order with time priority at level `idx`, or null when the level is empty. */
  first(idx: number): Order | null {
    return this.heads.get(idx) ?? null;
  }

  /** Links `o` at the back of level `idx` (newest time priority). */
  append(o: Order, idx: number): void {
    o.level = idx;
    o.next = null;
    const t = this.tails.get(idx) ?? null;
    o.prev = t;
    if (t === null) {
      this.heads.set(idx, o);
      this.bits[idx >>> 5] |= 1 << (idx & 31);
      const b = this.best;
      if (b < 0 || (this.ascending ? idx < b : idx > b)) this.best = idx;
    } else {
      t.next = o;
    }
    this.tails.set(idx, o);
    this.qty[idx] += o.visible;
    this.count[idx]++;
    this.size++;
  }

  /** Unlinks `o` from its level; the caller owns the order afterwards. */
  remove(o: Order): void {
    const idx = o.level;
    const p = o.prev;
    const n = o.next;
    if (p !== null) p.next = n;
    else if (n !== null) this.heads.set(idx, n);
    else this.heads.delete(idx);
    if (n !== null) n.prev = p;
    else if (p !== null) this.tails.set(idx, p);
    else this.tails.delete(idx);
    o.prev = null;
    o.next = null;
    this.qty[idx] -= o.visible;
    this.size--;
    if (--this.count[idx] === 0) {
      this.qty[idx] = 0;
      this.bits[idx >>> 5] &= ~(1 << (idx & 31));
      if (idx === this.best) this.best = this.ascending ? this.nextUp(idx + 1) : this.nextDown(idx - 1);
    }
  }

  /**
   * Sends `o` to the back of its own level (new time priority) without touching
   * the level totals; used when a disclosed order shows its next slice.
   */
  requeue(o: Order): void {
    const idx = o.level;
    const t = this.tails.get(idx) as Order;
    if (t === o) return;
    const p = o.prev;
    const n = o.next as Order;
    if (p === null) this.heads.set(idx, n);
    else p.next = n;
    n.prev = p;
    o.prev = t;
    o.next = null;
    t.next = o;
    this.tails.set(idx, o);
  }

  /** Lowest non-empty level >= from, or -1. */
  nextUp(from: number): number {
    if (from >= this.levels) return -1;
    if (from < 0) from = 0;
    const bits = this.bits;
    let w = from >>> 5;
    let word = bits[w] & (-1 << (from & 31));
    while (word === 0) {
      if (++w >= this.words) return -1;
      word = bits[w];
    }
    return (w << 5) + 31 - Math.clz32(word & -word);
  }

  /** Highest non-empty level <= from, or -1. */
  nextDown(from: number): number {
    if (from < 0) return -1;
    if (from >= this.levels) from = this.levels - 1;
    const bits = this.bits;
    let w = from >>> 5;
    const s = from & 31;
    let word = s === 31 ? bits[w] : bits[w] & ((1 << (s + 1)) - 1);
    while (word === 0) {
      if (--w < 0) return -1;
      word = bits[w];
    }
    return (w << 5) + 31 - Math.clz32(word);
  }

  /** The level after `idx` in priority order (worse price), or -1. */
  after(idx: number): number {
    return this.ascending ? this.nextUp(idx + 1) : this.nextDown(idx - 1);
  }
}
