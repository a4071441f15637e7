import { MAX_LEVELS, type InstrumentBook } from './book';
import { Kind } from './order';
import { RejectCode, type InstrumentSpec } from './types';

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
