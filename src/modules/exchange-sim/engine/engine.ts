import { cancelQueuedMarkets, equilibrium, runAuction, type Equilibrium } from './auction';
import { InstrumentBook } from './book';
import { EngineCore } from './core';
import type { Journal } from './journal';
import { KIND_OF, Kind, Loc, type Order } from './order';
import { canonicalState, fnv1a64 } from './state-hash';
import {
  CancelReason,
  CommandType,
  NoopListener,
  RejectCode,
  SessionState,
  type AddInstrumentCommand,
  type CancelOrderCommand,
  type Command,
  type DepthSnapshot,
  type EngineListener,
  type ModifyOrderCommand,
  type OrderView,
  type PlaceOrderCommand,
  type SetSessionCommand,
  type SetSuspendedCommand,
} from './types';
import { checkModify, checkPlace, checkSpec } from './validation';

export interface EngineOptions {
  listener?: EngineListener;
  /** When set, every applied command is appended (shallow-copied) before it runs. */
  journal?: Journal;
}

/**
 * Single-threaded exchange core: commands in, events out, no clock and no I/O. The only
 * inputs are the commands, so replaying a journal reproduces the state exactly.
 */
export class MatchingEngine {
  private readonly core: EngineCore;
  private readonly books = new Map<number, InstrumentBook>();
  /** Sorted by instrument id so multi-book commands emit in a canonical order. */
  private readonly bookList: InstrumentBook[] = [];
  private readonly journal: Journal | null;
  private state: SessionState = SessionState.CLOSED;

  constructor(options: EngineOptions = {}) {
    this.core = new EngineCore(options.listener ?? new NoopListener());
    this.journal = options.journal ?? null;
  }

  get session(): SessionState {
    return this.state;
  }

  setListener(listener: EngineListener): void {
    this.core.listener = listener;
  }

  apply(cmd: Command): void {
    if (this.journal !== null) this.journal.append(cmd);
    switch (cmd.type) {
      case CommandType.PLACE:
        return this.place(cmd);
      case CommandType.CANCEL:
        return this.cancel(cmd);
      case CommandType.MODIFY:
        return this.modify(cmd);
      case CommandType.SET_SESSION:
        return this.setSession(cmd);
      case CommandType.ADD_INSTRUMENT:
        return this.addInstrument(cmd);
      case CommandType.SET_SUSPENDED:
        return this.setSuspended(cmd);
      case CommandType.EXPIRE_DAY:
        return this.expireDay();
      default:
        this.core.listener.onRejected(0, 0, RejectCode.INVALID_ORDER, (cmd as { type: CommandType }).type);
    }
  }

  private addInstrument(cmd: AddInstrumentCommand): void {
    const reason = this.books.has(cmd.instrumentId) ? RejectCode.INSTRUMENT_EXISTS : checkSpec(cmd);
    if (reason !== null) return this.core.listener.onRejected(0, cmd.instrumentId, reason, cmd.type);
    const { type: _type, ...spec } = cmd;
    const book = new InstrumentBook(Object.freeze(spec));
    this.books.set(book.id, book);
    this.bookList.push(book);
    this.bookList.sort((a, b) => a.id - b.id);
  }

  private setSuspended(cmd: SetSuspendedCommand): void {
    const book = this.books.get(cmd.instrumentId);
    if (book === undefined) return this.core.listener.onRejected(0, cmd.instrumentId, RejectCode.UNKNOWN_INSTRUMENT, cmd.type);
    book.suspended = cmd.suspended === true;
  }

  private setSession(cmd: SetSessionCommand): void {
    const next = cmd.state;
    if (next !== SessionState.PRE_OPEN && next !== SessionState.CONTINUOUS && next !== SessionState.CLOSED) {
      return this.core.listener.onRejected(0, 0, RejectCode.INVALID_ORDER, cmd.type);
    }
    const from = this.state;
    if (from === SessionState.PRE_OPEN && next === SessionState.CONTINUOUS) {
      for (const book of this.bookList) {
        if (book.suspended) cancelQueuedMarkets(this.core, book);
        else runAuction(this.core, book);
      }
    }
    this.state = next;
    this.core.listener.onSessionChanged(next);
    for (const book of this.bookList) {
      // Auction prints can arm stop orders left over from a previous day.
      if (next === SessionState.CONTINUOUS) this.core.runStops(book);
      this.core.flush(book);
    }
  }

  private place(cmd: PlaceOrderCommand): void {
    const core = this.core;
    const book = this.books.get(cmd.instrumentId);
    const reason = checkPlace(this.state, this.core.orders, cmd, book);
    if (reason !== null || book === undefined) {
      return core.listener.onRejected(cmd.orderId, cmd.instrumentId, reason ?? RejectCode.UNKNOWN_INSTRUMENT, cmd.type);
    }
    const kind = KIND_OF[cmd.orderType];
    const isBuy = cmd.side === 'BUY';
    const o = core.pool.acquire();
    o.id = cmd.orderId;
    o.clientId = cmd.clientId;
    o.isBuy = isBuy;
    o.kind = kind;
    o.ioc = cmd.validity === 'IOC';
    o.price = kind === Kind.LIMIT || kind === Kind.SL ? (cmd.price as number) : isBuy ? book.spec.upperCircuit : book.lower;
    o.trigger = kind === Kind.SL || kind === Kind.SLM ? (cmd.triggerPrice as number) : 0;
    o.qty = cmd.qty;
    o.filled = 0;
    o.disclosed = cmd.disclosedQty ?? 0;
    o.seq = ++core.seq;
    o.book = book;
    core.listener.onAccepted(o.id, book.id);
    if (this.state === SessionState.PRE_OPEN) {
      if (kind === Kind.MARKET) {
        o.loc = Loc.MARKET_QUEUE;
        (isBuy ? book.marketBuys : book.marketSells).push(o);
        core.orders.set(o.id, o);
      } else {
        core.rest(book, o);
      }
    } else if (kind === Kind.SL || kind === Kind.SLM) {
      if (EngineCore.triggered(book, o)) core.activate(book, o, false);
      else core.parkStop(book, o, false);
    } else {
      core.enter(book, o, false);
    }
    if (this.state === SessionState.CONTINUOUS && (book.buyStops !== null || book.sellStops !== null)) core.runStops(book);
    core.flush(book);
  }

  private cancel(cmd: CancelOrderCommand): void {
    const core = this.core;
    const o = core.orders.get(cmd.orderId);
    if (this.state === SessionState.CLOSED || o === undefined) {
      const reason = o === undefined ? RejectCode.UNKNOWN_ORDER : RejectCode.MARKET_CLOSED;
      return core.listener.onRejected(cmd.orderId, o?.book?.id ?? 0, reason, cmd.type);
    }
    const book = o.book as InstrumentBook;
    this.drop(book, o, CancelReason.USER);
    core.flush(book);
  }

  private drop(book: InstrumentBook, o: Order, reason: CancelReason): void {
    const left = o.qty - o.filled;
    book.unlink(o);
    this.core.listener.onCancelled(o.id, book.id, left, reason);
    this.core.retire(o, true);
  }

  private modify(cmd: ModifyOrderCommand): void {
    const core = this.core;
    const o = core.orders.get(cmd.orderId);
    const book = o?.book ?? undefined;
    const reason = o === undefined || book === undefined ? RejectCode.UNKNOWN_ORDER : checkModify(this.state, cmd, o, book);
    if (reason !== null || o === undefined || book === undefined) {
      return core.listener.onRejected(cmd.orderId, book?.id ?? 0, reason ?? RejectCode.UNKNOWN_ORDER, cmd.type);
    }
    const qty = cmd.qty ?? o.qty;
    const price = cmd.price === undefined || !(o.kind === Kind.LIMIT || o.kind === Kind.SL) ? o.price : cmd.price;
    const trigger = o.loc === Loc.STOP ? (cmd.triggerPrice ?? o.trigger) : o.trigger;
    const disclosed = cmd.disclosedQty ?? o.disclosed;
    const keep = price === o.price && trigger === o.trigger && disclosed === o.disclosed && qty <= o.qty;
    if (keep) {
      // Quantity down only: stays in place, the display shrinks if it no longer fits.
      if (o.loc === Loc.BOOK) {
        const left = qty - o.filled;
        if (o.visible > left) {
          book.side(o.isBuy).qty[o.level] -= o.visible - left;
          o.visible = left;
        }
        book.dirty = true;
      } else if (o.loc === Loc.MARKET_QUEUE) {
        (o.isBuy ? book.marketBuys : book.marketSells).qty -= o.qty - qty;
      }
      o.qty = qty;
      core.listener.onModified(o.id, book.id, o.price, qty, o.trigger, true);
      return core.flush(book);
    }
    const loc = o.loc;
    book.unlink(o);
    o.price = price;
    o.trigger = trigger;
    o.qty = qty;
    o.disclosed = disclosed;
    o.seq = ++core.seq;
    core.listener.onModified(o.id, book.id, price, qty, trigger, false);
    if (loc === Loc.STOP) {
      if (this.state === SessionState.CONTINUOUS && EngineCore.triggered(book, o)) core.activate(book, o, true);
      else core.parkStop(book, o, true);
    } else if (loc === Loc.MARKET_QUEUE) {
      o.loc = Loc.MARKET_QUEUE;
      (o.isBuy ? book.marketBuys : book.marketSells).push(o);
    } else if (this.state === SessionState.PRE_OPEN) {
      core.rest(book, o);
    } else {
      core.enter(book, o, true);
    }
    if (this.state === SessionState.CONTINUOUS && (book.buyStops !== null || book.sellStops !== null)) core.runStops(book);
    core.flush(book);
  }

  /** Cancels every resting order (all resting orders are DAY: IOC never rests). */
  private expireDay(): void {
    for (const book of this.bookList) {
      const all = [
        ...InstrumentBook.ordersOf(book.bids),
        ...InstrumentBook.ordersOf(book.asks),
        ...InstrumentBook.ordersOf(book.buyStops),
        ...InstrumentBook.ordersOf(book.sellStops),
        ...InstrumentBook.ordersOfQueue(book.marketBuys),
        ...InstrumentBook.ordersOfQueue(book.marketSells),
      ];
      for (const o of all) this.drop(book, o, CancelReason.DAY_EXPIRY);
      this.core.flush(book);
    }
  }

  // ---- queries (allocate; not for the hot path) ----

  depth(instrumentId: number, levels = 5): DepthSnapshot | undefined {
    return this.books.get(instrumentId)?.depth(levels);
  }

  bestBid(instrumentId: number): number {
    return this.books.get(instrumentId)?.bestBid() ?? 0;
  }

  bestAsk(instrumentId: number): number {
    return this.books.get(instrumentId)?.bestAsk() ?? 0;
  }

  /** Indicative pre-open price (what the auction would do now); NSE publishes this. */
  indicativeEquilibrium(instrumentId: number): Equilibrium | undefined {
    const book = this.books.get(instrumentId);
    return book === undefined ? undefined : equilibrium(book);
  }

  ltp(instrumentId: number): number {
    return this.books.get(instrumentId)?.ltp ?? 0;
  }

  volume(instrumentId: number): number {
    return this.books.get(instrumentId)?.volume ?? 0;
  }

  order(orderId: number): OrderView | undefined {
    return this.core.orders.get(orderId)?.view();
  }

  /** Resting orders of one side in priority order (bids: best first). */
  restingOrders(instrumentId: number, side: 'BUY' | 'SELL'): OrderView[] {
    const book = this.books.get(instrumentId);
    if (book === undefined) return [];
    return InstrumentBook.ordersOf(book.side(side === 'BUY')).map((o) => o.view());
  }

  stopOrders(instrumentId: number): OrderView[] {
    const book = this.books.get(instrumentId);
    if (book === undefined) return [];
    return [...InstrumentBook.ordersOf(book.buyStops), ...InstrumentBook.ordersOf(book.sellStops)].map((o) => o.view());
  }

  liveOrderCount(): number {
    return this.core.orders.size;
  }

  /** Canonical text of the whole state; equal strings <=> equal states. */
  canonicalState(): string {
    return canonicalState(this.state, this.core.seq, this.core.tradeSeq, this.core.orders.size, this.bookList);
  }

  /** 64-bit FNV-1a of `canonicalState()`, hex. */
  stateHash(): string {
    return fnv1a64(this.canonicalState());
  }
}
