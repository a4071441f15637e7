import type { InstrumentBook } from './book';
import { OrderType, Side, Validity, type OrderLocation, type OrderView } from './types';

/**
 * Internal order kind; numbers keep the hot path free of string compares. Plain (not
 * `const`) enums because ts-jest / ts-node transpile file by file and cannot inline.
 */
export enum Kind {
  LIMIT = 0,
  MARKET = 1,
  SL = 2,
  SLM = 3,
}

/** Where the order is linked; doubles as "is this order live". */
export enum Loc {
  NONE = 0,
  BOOK = 1,
  STOP = 2,
  /** Pre-open market orders wait in a FIFO outside the price ladder. */
  MARKET_QUEUE = 3,
}

export const KIND_OF: Readonly<Record<string, Kind>> = { LIMIT: Kind.LIMIT, MARKET: Kind.MARKET, SL: Kind.SL, 'SL-M': Kind.SLM };

const KIND_NAMES: readonly OrderType[] = [OrderType.LIMIT, OrderType.MARKET, OrderType.SL, OrderType.SLM];
const LOC_NAMES: readonly (OrderLocation | null)[] = [null, 'BOOK', 'STOP_BOOK', 'PRE_OPEN_MARKET'];

/**
 * A live order. Instances are recycled through `OrderPool`, so every field is
 * initialised in the constructor to keep one hidden class for the whole process.
 * `prev`/`next` make it a node of an intrusive FIFO (price level, stop level or
 * pre-open market queue) so unlinking on cancel is O(1) without a side index.
 */
export class Order {
  id = 0;
  clientId = 0;
  isBuy = false;
  kind: Kind = Kind.LIMIT;
  ioc = false;
  /** Limit price in paise (market orders: the circuit limit used as protection). */
  price = 0;
  trigger = 0;
  qty = 0;
  filled = 0;
  /** Displayed slice still open; equals qty - filled unless disclosed. */
  visible = 0;
  disclosed = 0;
  seq = 0;
  /** Ladder index of the level the order is linked in (price or trigger). */
  level = -1;
  loc: Loc = Loc.NONE;
  book: InstrumentBook | null = null;
  prev: Order | null = null;
  next: Order | null = null;

  /** Quantity a disclosed order should show after (re)entering a level. */
  slice(): number {
    const left = this.qty - this.filled;
    return this.disclosed > 0 && this.disclosed < left ? this.disclosed : left;
  }

  view(): OrderView {
    return {
      orderId: this.id,
      instrumentId: this.book === null ? 0 : this.book.spec.instrumentId,
      clientId: this.clientId,
      side: this.isBuy ? Side.BUY : Side.SELL,
      orderType: KIND_NAMES[this.kind],
      validity: this.ioc ? Validity.IOC : Validity.DAY,
      price: this.price,
      triggerPrice: this.trigger,
      qty: this.qty,
      filled: this.filled,
      visible: this.visible,
      disclosedQty: this.disclosed,
      seq: this.seq,
      location: LOC_NAMES[this.loc] ?? 'BOOK',
    };
  }
}

/** Free list so that a stable book does not churn the GC. */
export class OrderPool {
  private readonly free: Order[] = [];

  acquire(): Order {
    const o = this.free.pop();
    return o === undefined ? new Order() : o;
  }

  release(o: Order): void {
    o.book = null;
    o.prev = null;
    o.next = null;
    o.loc = Loc.NONE;
    o.level = -1;
    this.free.push(o);
  }
}
