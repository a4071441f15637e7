import type { InstrumentBook } from './book';
import { Kind, Loc, OrderPool, type Order } from './order';
import { CancelReason, Side, type EngineListener } from './types';

/**
 * Continuous-session matching and the state it mutates (live orders, sequence counters).
 *
 * Hot-path rules: no closures, no per-trade objects, listener called with primitives,
 * orders recycled through the pool. An incoming order that fills completely never
 * touches the id map.
 */
export class EngineCore {
  /** Live orders: resting, in a stop book or in a pre-open market queue. */
  readonly orders = new Map<number, Order>();
  readonly pool = new OrderPool();
  /** Time-priority counter; every (re)entry into a queue takes the next value. */
  seq = 0;
  tradeSeq = 0;

  constructor(public listener: EngineListener) {}

  /**
   * Matches an active order (LIMIT or MARKET with protection price) as aggressor, then
   * rests the remainder or cancels it (IOC / market / self-trade). `live` says whether
   * the order is already in the id map (modify and stop activation re-enter live orders).
   */
  enter(book: InstrumentBook, o: Order, live: boolean): void {
    const idx = (o.price - book.lower) / book.tick;
    const selfTrade = this.match(book, o, idx);
    const left = o.qty - o.filled;
    if (left === 0) {
      this.retire(o, live);
      return;
    }
    if (selfTrade) {
      this.listener.onCancelled(o.id, book.id, left, CancelReason.SELF_TRADE);
      this.retire(o, live);
      return;
    }
    if (o.ioc || o.kind === Kind.MARKET) {
      this.listener.onCancelled(o.id, book.id, left, CancelReason.IOC_REMAINDER);
      this.retire(o, live);
      return;
    }
    o.visible = o.disclosed > 0 && o.disclosed < left ? o.disclosed : left;
    o.loc = Loc.BOOK;
    (o.isBuy ? book.bids : book.asks).append(o, idx);
    book.dirty = true;
    if (!live) this.orders.set(o.id, o);
  }

  /** Rests without matching (pre-open, or re-insertion that must not trade). */
  rest(book: InstrumentBook, o: Order): void {
    o.visible = o.slice();
    o.loc = Loc.BOOK;
    book.side(o.isBuy).append(o, book.index(o.price));
    book.dirty = true;
    this.orders.set(o.id, o);
  }

  retire(o: Order, live: boolean): void {
    if (live) this.orders.delete(o.id);
    this.pool.release(o);
  }

  /**
   * Walks the opposite side from its best level while it crosses `limit` (ladder index).
   * Trades print at the resting order's price. Returns true when it stopped because the
   * next resting order belongs to the same client (self-trade prevention).
   */
  private match(book: InstrumentBook, o: Order, limit: number): boolean {
    const isBuy = o.isBuy;
    const opp = isBuy ? book.asks : book.bids;
    const aggressor = isBuy ? Side.BUY : Side.SELL;
    const listener = this.listener;
    const levelQty = opp.qty;
    const cid = o.clientId;
    let left = o.qty - o.filled;
    while (left > 0) {
      const idx = opp.best;
      if (idx < 0 || (isBuy ? idx > limit : idx < limit)) break;
      const price = book.lower + idx * book.tick;
      let r = opp.first(idx) as Order;
      for (;;) {
        if (r.clientId === cid) return true;
        const q = left < r.visible ? left : r.visible;
        left -= q;
        o.filled += q;
        r.visible -= q;
        r.filled += q;
        levelQty[idx] -= q;
        book.ltp = price;
        book.volume += q;
        book.dirty = true;
        const tid = ++this.tradeSeq;
        if (isBuy) listener.onTrade(book.id, o.id, r.id, price, q, aggressor, tid);
        else listener.onTrade(book.id, r.id, o.id, price, q, aggressor, tid);
        if (r.visible !== 0) break; // aggressor exhausted
        if (r.filled === r.qty) {
          opp.remove(r);
          this.orders.delete(r.id);
          this.pool.release(r);
        } else {
          // NSE: the next disclosed slice is a fresh entry at the back of the level.
          const rl = r.qty - r.filled;
          r.visible = r.disclosed < rl ? r.disclosed : rl;
          levelQty[idx] += r.visible;
          r.seq = ++this.seq;
          opp.requeue(r);
        }
        if (left === 0) break;
        const h = opp.first(idx);
        if (h === null) break;
        r = h;
      }
    }
    return false;
  }

  /**
   * Activates every stop order whose trigger LTP has crossed, one at a time, because
   * each activation can trade and move LTP again. Within a side the lowest (buy) /
   * highest (sell) trigger goes first, FIFO within a trigger; between the two sides
   * the earlier-placed head goes first.
   */
  runStops(book: InstrumentBook): void {
    for (;;) {
      const ltp = book.ltp;
      if (ltp === 0) return;
      const li = (ltp - book.lower) / book.tick;
      const bs = book.buyStops;
      const ss = book.sellStops;
      let c: Order | null = null;
      if (bs !== null && bs.best >= 0 && bs.best <= li) c = bs.first(bs.best);
      if (ss !== null && ss.best >= 0 && ss.best >= li) {
        const s = ss.first(ss.best) as Order;
        if (c === null || s.seq < c.seq) c = s;
      }
      if (c === null) return;
      book.unlink(c);
      this.activate(book, c, true);
    }
  }

  /** Turns a (triggered) stop into its active form with a new time priority and enters it. */
  activate(book: InstrumentBook, o: Order, live: boolean): void {
    this.listener.onTriggered(o.id, book.id, book.ltp);
    if (o.kind === Kind.SLM) {
      o.kind = Kind.MARKET;
      o.price = o.isBuy ? book.spec.upperCircuit : book.lower;
    } else {
      o.kind = Kind.LIMIT;
    }
    o.seq = ++this.seq;
    this.enter(book, o, live);
  }

  /** True when the stop condition already holds at the current LTP. */
  static triggered(book: InstrumentBook, o: Order): boolean {
    const ltp = book.ltp;
    return ltp !== 0 && (o.isBuy ? ltp >= o.trigger : ltp <= o.trigger);
  }

  parkStop(book: InstrumentBook, o: Order, live: boolean): void {
    o.visible = o.qty - o.filled;
    o.loc = Loc.STOP;
    book.stopSide(o.isBuy).append(o, book.index(o.trigger));
    if (!live) this.orders.set(o.id, o);
  }

  flush(book: InstrumentBook): void {
    if (book.dirty) {
      book.dirty = false;
      this.listener.onDepthChanged(book.id);
    }
  }
}
