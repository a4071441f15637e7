import { MAX_LEVELS, type InstrumentBook } from './book';
import { KIND_OF, Kind, Loc, type Order } from './order';
import {
  RejectCode,
  SessionState,
  type InstrumentSpec,
  type ModifyOrderCommand,
  type PlaceOrderCommand,
} from './types';

/**
 * Exchange-style static checks. Each returns the first failing reason or null; the
 * order of checks is part of the contract (tests pin the reason code).
 */

const isPosInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;

export function checkSpec(s: InstrumentSpec): RejectCode | null {
  if (!Number.isSafeInteger(s.instrumentId)) return RejectCode.INVALID_INSTRUMENT_SPEC;
  if (!isPosInt(s.tickSize) || !isPosInt(s.lotSize) || !isPosInt(s.freezeQty)) return RejectCode.INVALID_INSTRUMENT_SPEC;
  if (!isPosInt(s.lowerCircuit) || !isPosInt(s.upperCircuit) || s.upperCircuit < s.lowerCircuit) {
    return RejectCode.INVALID_INSTRUMENT_SPEC;
  }
  // The ladder index must be exact, so the band edges sit on the tick grid.
  if (s.lowerCircuit % s.tickSize !== 0 || s.upperCircuit % s.tickSize !== 0) return RejectCode.INVALID_INSTRUMENT_SPEC;
  if ((s.upperCircuit - s.lowerCircuit) / s.tickSize + 1 > MAX_LEVELS) return RejectCode.INVALID_INSTRUMENT_SPEC;
  const r = s.referencePrice;
  if (!isPosInt(r) || r % s.tickSize !== 0 || r < s.lowerCircuit || r > s.upperCircuit) {
    return RejectCode.INVALID_INSTRUMENT_SPEC;
  }
  return null;
}

export function checkQty(book: InstrumentBook, qty: number): RejectCode | null {
  if (!isPosInt(qty)) return RejectCode.INVALID_QTY;
  if (qty % book.spec.lotSize !== 0) return RejectCode.QTY_NOT_MULTIPLE_OF_LOT;
  if (qty > book.spec.freezeQty) return RejectCode.QTY_ABOVE_FREEZE;
  return null;
}

export function checkPrice(book: InstrumentBook, price: number | undefined): RejectCode | null {
  if (!isPosInt(price)) return RejectCode.INVALID_PRICE;
  if (price % book.tick !== 0) return RejectCode.PRICE_NOT_MULTIPLE_OF_TICK;
  if (price < book.lower || price > book.spec.upperCircuit) return RejectCode.PRICE_OUTSIDE_CIRCUIT;
  return null;
}

export function checkTrigger(
  book: InstrumentBook,
  kind: Kind,
  isBuy: boolean,
  trigger: number | undefined,
  price: number,
): RejectCode | null {
  if (!isPosInt(trigger)) return RejectCode.INVALID_TRIGGER_PRICE;
  if (trigger % book.tick !== 0) return RejectCode.TRIGGER_NOT_MULTIPLE_OF_TICK;
  if (trigger < book.lower || trigger > book.spec.upperCircuit) return RejectCode.TRIGGER_OUTSIDE_CIRCUIT;
  // A buy stop-limit fires on a rise, so its limit must be at or above the trigger (mirror for sells).
  if (kind === Kind.SL && (isBuy ? trigger > price : trigger < price)) return RejectCode.INVALID_TRIGGER_PRICE;
  return null;
}

/**
 * NSE: disclosed quantity >= 10% of the order quantity, a lot multiple, not above the
 * quantity, and only on orders that can rest (not IOC, not market).
 */
export function checkDisclosed(
  book: InstrumentBook,
  kind: Kind,
  ioc: boolean,
  qty: number,
  disclosed: number | undefined,
): RejectCode | null {
  if (disclosed === undefined || disclosed === 0) return null;
  if (!isPosInt(disclosed) || disclosed > qty || disclosed * 10 < qty) return RejectCode.DISCLOSED_QTY_INVALID;
  if (disclosed % book.spec.lotSize !== 0) return RejectCode.DISCLOSED_QTY_INVALID;
  if (ioc || kind === Kind.MARKET || kind === Kind.SLM) return RejectCode.DISCLOSED_QTY_INVALID;
  return null;
}

/** Static checks of a new order, in the order the exchange applies them. */
export function checkPlace(
  session: SessionState,
  live: ReadonlyMap<number, Order>,
  cmd: PlaceOrderCommand,
  book: InstrumentBook | undefined,
): RejectCode | null {
  if (session === SessionState.CLOSED) return RejectCode.MARKET_CLOSED;
  if (book === undefined) return RejectCode.UNKNOWN_INSTRUMENT;
  if (!Number.isSafeInteger(cmd.orderId) || cmd.orderId <= 0) return RejectCode.INVALID_ORDER;
  if (live.has(cmd.orderId)) return RejectCode.DUPLICATE_ORDER_ID;
  if (book.suspended) return RejectCode.INSTRUMENT_SUSPENDED;
  const kind = KIND_OF[cmd.orderType];
  if (kind === undefined || (cmd.side !== 'BUY' && cmd.side !== 'SELL')) return RejectCode.INVALID_ORDER;
  if ((cmd.validity !== 'DAY' && cmd.validity !== 'IOC') || !Number.isSafeInteger(cmd.clientId)) {
    return RejectCode.INVALID_ORDER;
  }
  const ioc = cmd.validity === 'IOC';
  // NSE pre-open takes plain limit and market orders only.
  if (session === SessionState.PRE_OPEN && (kind >= Kind.SL || ioc || (cmd.disclosedQty ?? 0) > 0)) {
    return RejectCode.NOT_ALLOWED_IN_SESSION;
  }
  const isBuy = cmd.side === 'BUY';
  const r = checkQty(book, cmd.qty);
  if (r !== null) return r;
  if (kind === Kind.LIMIT || kind === Kind.SL) {
    const p = checkPrice(book, cmd.price);
    if (p !== null) return p;
  }
  if (kind === Kind.SL || kind === Kind.SLM) {
    const t = checkTrigger(book, kind, isBuy, cmd.triggerPrice, cmd.price ?? 0);
    if (t !== null) return t;
  }
  return checkDisclosed(book, kind, ioc, cmd.qty, cmd.disclosedQty);
}

/** Absent fields of the modify keep their current value, so they are checked as such. */
export function checkModify(
  session: SessionState,
  cmd: ModifyOrderCommand,
  o: Order,
  book: InstrumentBook,
): RejectCode | null {
  if (session === SessionState.CLOSED) return RejectCode.MARKET_CLOSED;
  if (book.suspended) return RejectCode.INSTRUMENT_SUSPENDED;
  const qty = cmd.qty ?? o.qty;
  const q = checkQty(book, qty);
  if (q !== null) return q;
  if (qty <= o.filled) return RejectCode.MODIFY_QTY_NOT_ABOVE_FILLED;
  const priced = o.kind === Kind.LIMIT || o.kind === Kind.SL;
  if (cmd.price !== undefined) {
    if (!priced) {
      if (cmd.price !== 0 && cmd.price !== o.price) return RejectCode.ORDER_NOT_MODIFIABLE;
    } else {
      const p = checkPrice(book, cmd.price);
      if (p !== null) return p;
    }
  }
  if (o.loc === Loc.STOP) {
    const t = checkTrigger(book, o.kind, o.isBuy, cmd.triggerPrice ?? o.trigger, priced ? (cmd.price ?? o.price) : 0);
    if (t !== null) return t;
  } else if (cmd.triggerPrice !== undefined && cmd.triggerPrice !== o.trigger) {
    return RejectCode.ORDER_NOT_MODIFIABLE;
  }
  const disclosed = cmd.disclosedQty ?? o.disclosed;
  if (session === SessionState.PRE_OPEN && disclosed > 0 && disclosed !== o.disclosed) {
    return RejectCode.NOT_ALLOWED_IN_SESSION;
  }
  return checkDisclosed(book, o.kind, o.ioc, qty, disclosed);
}
