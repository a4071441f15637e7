import type { InstrumentBook } from './book';
import type { EngineCore } from './core';
import { Kind, Loc, type Order } from './order';
import { CancelReason } from './types';

export interface Equilibrium {
  /** 0 when nothing crosses. */
  price: number;
  /** Executable volume at `price`. */
  qty: number;
  /** |demand - supply| at `price`. */
  imbalance: number;
}

interface Curve {
  demand: number;
  supply: number;
}

/**
 * Call-auction equilibrium price (NSE pre-open style).
 *
 * Candidates are the distinct limit prices in the book. For each, demand = market buys +
 * limit buys at or above it, supply = market sells + limit sells at or below it, and the
 * executable volume is min(demand, supply). Choose the maximum volume; ties go to the
 * minimum imbalance, then to the price closest to the reference (previous close). If two
 * prices are equally close on either side of the reference, the reference price itself
 * is used (NSE's rule) provided it executes the same volume; otherwise the lower one.
 * With no limit prices at all but market orders on both sides, the reference price is used.
 * Quantities are total open quantities: disclosed orders take part with their hidden part.
 */
export function equilibrium(book: InstrumentBook): Equilibrium {
  const buyAt = new Map<number, number>();
  const sellAt = new Map<number, number>();
  collect(book.bids.best, book, true, buyAt);
  collect(book.asks.best, book, false, sellAt);
  const mb = book.marketBuys.qty;
  const ms = book.marketSells.qty;
  const ref = book.spec.referencePrice;
  const candidates = [...new Set([...buyAt.keys(), ...sellAt.keys()])].sort((a, b) => a - b);
  if (candidates.length === 0) {
    const q = Math.min(mb, ms);
    return q > 0 ? { price: ref, qty: q, imbalance: Math.abs(mb - ms) } : { price: 0, qty: 0, imbalance: 0 };
  }
  // Demand is a suffix sum over ascending prices, supply a prefix sum: one pass each.
  const n = candidates.length;
  const demand = new Float64Array(n);
  const supply = new Float64Array(n);
  let acc = mb;
  for (let i = n - 1; i >= 0; i--) demand[i] = acc += buyAt.get(candidates[i]) ?? 0;
  acc = ms;
  for (let i = 0; i < n; i++) supply[i] = acc += sellAt.get(candidates[i]) ?? 0;
  let best: Equilibrium = { price: 0, qty: 0, imbalance: 0 };
  let tiedOtherSide = 0;
  for (let i = 0; i < n; i++) {
    const qty = Math.min(demand[i], supply[i]);
    if (qty === 0) continue;
    const cand: Equilibrium = { price: candidates[i], qty, imbalance: Math.abs(demand[i] - supply[i]) };
    const cmp = compare(cand, best, ref);
    if (cmp < 0) {
      best = cand;
      tiedOtherSide = 0;
    } else if (cmp === 0) {
      // Same volume, imbalance and distance: this price mirrors best across the reference.
      tiedOtherSide = cand.price;
    }
  }
  if (best.qty > 0 && tiedOtherSide !== 0) {
    const { demand: d, supply: s } = curveAt(ref, mb, ms, buyAt, sellAt);
    if (Math.min(d, s) === best.qty) return { price: ref, qty: best.qty, imbalance: Math.abs(d - s) };
  }
  return best;
}

function curveAt(p: number, mb: number, ms: number, buyAt: Map<number, number>, sellAt: Map<number, number>): Curve {
  let demand = mb;
  let supply = ms;
  for (const [bp, q] of buyAt) if (bp >= p) demand += q;
  for (const [sp, q] of sellAt) if (sp <= p) supply += q;
  return { demand, supply };
}

/** Negative when a beats b. Candidates are visited in ascending price, so equal keeps the lower. */
function compare(a: Equilibrium, b: Equilibrium, ref: number): number {
  if (b.qty === 0) return -1;
  if (a.qty !== b.qty) return b.qty - a.qty;
  if (a.imbalance !== b.imbalance) return a.imbalance - b.imbalance;
  return Math.abs(a.price - ref) - Math.abs(b.price - ref);
}

function collect(start: number, book: InstrumentBook, isBuy: boolean, into: Map<number, number>): void {
  const side = book.side(isBuy);
  for (let i = start; i >= 0; i = side.after(i)) {
    let q = 0;
    for (let o = side.first(i); o !== null; o = o.next) q += o.qty - o.filled;
    into.set(book.price(i), q);
  }
}

/**
 * Uncrosses the book at the equilibrium price: buys and sells are paired in priority
 * order (market orders first, then price-time) and every trade prints at that single
 * price with no aggressor. Unmatched pre-open market orders then become limit orders
 * at the equilibrium price (reference price if none), keeping their time priority.
 * Because the price maximises volume, the remaining book is not crossed.
 */
export function runAuction(core: EngineCore, book: InstrumentBook): Equilibrium {
  const eq = equilibrium(book);
  core.listener.onAuction(book.id, eq.price, eq.qty);
  if (eq.qty > 0) {
    const pIdx = book.index(eq.price);
    let left = eq.qty;
    while (left > 0) {
      const b = book.marketBuys.head ?? (book.bids.best >= pIdx ? book.bids.first(book.bids.best) : null);
      const s = book.marketSells.head ?? (book.asks.best >= 0 && book.asks.best <= pIdx ? book.asks.first(book.asks.best) : null);
      if (b === null || s === null) break; // unreachable by construction of eq.qty
      const q = Math.min(left, b.qty - b.filled, s.qty - s.filled);
      left -= q;
      fill(core, book, b, q);
      fill(core, book, s, q);
      book.volume += q;
      core.listener.onTrade(book.id, b.id, s.id, eq.price, q, null, ++core.tradeSeq);
    }
    book.ltp = eq.price;
    book.dirty = true;
  }
  const convert = eq.qty > 0 ? eq.price : book.spec.referencePrice;
  convertMarkets(core, book, true, convert);
  convertMarkets(core, book, false, convert);
  return eq;
}

function fill(core: EngineCore, book: InstrumentBook, o: Order, q: number): void {
  const done = o.filled + q === o.qty;
  if (o.loc === Loc.MARKET_QUEUE) {
    const queue = o.isBuy ? book.marketBuys : book.marketSells;
    queue.qty -= q;
    o.filled += q;
    if (done) queue.remove(o);
  } else {
    const side = book.side(o.isBuy);
    o.filled += q;
    if (done) {
      side.remove(o);
    } else {
      // An auction fill may eat into a disclosed order's hidden part; keep the display consistent.
      const left = o.qty - o.filled;
      if (o.visible > left) {
        side.qty[o.level] -= o.visible - left;
        o.visible = left;
      }
    }
  }
  if (done) {
    o.loc = Loc.NONE;
    core.retire(o, true);
  }
}

function convertMarkets(core: EngineCore, book: InstrumentBook, isBuy: boolean, price: number): void {
  const queue = isBuy ? book.marketBuys : book.marketSells;
  for (let o = queue.head; o !== null; o = queue.head) {
    queue.remove(o);
    o.kind = Kind.LIMIT;
    o.price = price;
    o.seq = ++core.seq;
    core.rest(book, o);
  }
}

/**
 * A suspended instrument skips the auction; its queued market orders cannot rest as
 * market orders in the continuous session, so they go the way of any unfilled market order.
 */
export function cancelQueuedMarkets(core: EngineCore, book: InstrumentBook): void {
  for (const queue of [book.marketBuys, book.marketSells]) {
    for (let o = queue.head; o !== null; o = queue.head) {
      const left = o.qty - o.filled;
      book.unlink(o);
      core.listener.onCancelled(o.id, book.id, left, CancelReason.IOC_REMAINDER);
      core.retire(o, true);
    }
  }
}
