import { DUPLICATE_CLORDID } from '../venue.types';
import type { CancelReason, RejectCode } from '../engine';
import { formatQuantity, formatRupees } from './arithmetic';
import type { SimInstrument } from './sim-instrument';

/** Reason codes the venue adds to the engine's vocabulary (FIX-level conditions the engine cannot see). */
export const VenueReason = {
  DUPLICATE_CLORDID,
  UNKNOWN_ORDER: 'UNKNOWN_ORDER',
  TOO_LATE: 'TOO_LATE',
  VENUE_NOT_READY: 'VENUE_NOT_READY',
} as const;
export type VenueReason = (typeof VenueReason)[keyof typeof VenueReason];

export type ReasonCode = RejectCode | CancelReason | VenueReason;

export interface ReasonContext {
  instrument?: SimInstrument;
  instrumentToken?: number;
  clOrdId?: string;
  filled?: number;
}

const band = (i?: SimInstrument) => (i ? ` ${formatRupees(i.lowerCircuit)}–${formatRupees(i.upperCircuit)}` : '');
const tick = (i?: SimInstrument) => (i ? ` ${formatRupees(i.tickSize)}` : '');
const name = (c: ReasonContext) => (c.instrument ? `${c.instrument.exchange}:${c.instrument.tradingsymbol}` : 'The instrument');

/** One sentence per code, for the member's trader; the code is what programs read. Exhaustive by type. */
const TEXT: Record<ReasonCode, (c: ReasonContext) => string> = {
  MARKET_CLOSED: () => 'The market is closed',
  UNKNOWN_INSTRUMENT: (c) => `No tradable instrument with token ${c.instrumentToken ?? c.instrument?.instrumentToken ?? '?'}`,
  INSTRUMENT_SUSPENDED: (c) => `${name(c)} is suspended from trading`,
  INSTRUMENT_EXISTS: (c) => `${name(c)} is already listed`,
  INVALID_INSTRUMENT_SPEC: (c) => `${name(c)} has an invalid tick size, lot or circuit band`,
  DUPLICATE_ORDER_ID: () => 'The exchange order id is already in use',
  UNKNOWN_ORDER: (c) => (c.clOrdId ? `No open order with ClOrdID ${c.clOrdId}` : 'No such open order'),
  INVALID_ORDER: () => 'Invalid order: check side, order type, validity and client account',
  INVALID_QTY: () => 'Quantity must be a positive whole number',
  QTY_NOT_MULTIPLE_OF_LOT: (c) => `Quantity must be a multiple of the lot size${c.instrument ? ` ${c.instrument.lotSize}` : ''}`,
  QTY_ABOVE_FREEZE: (c) => `Quantity is above the freeze limit${c.instrument ? ` of ${formatQuantity(c.instrument.freezeQty)} shares` : ''}`,
  INVALID_PRICE: () => 'A positive limit price in paise is required',
  PRICE_NOT_MULTIPLE_OF_TICK: (c) => `Price must be a multiple of the tick size${tick(c.instrument)}`,
  PRICE_OUTSIDE_CIRCUIT: (c) => `Price is outside the circuit band${band(c.instrument)}`,
  INVALID_TRIGGER_PRICE: () => 'Trigger price is missing or on the wrong side of the limit price (buy: trigger ≤ price, sell: trigger ≥ price)',
  TRIGGER_NOT_MULTIPLE_OF_TICK: (c) => `Trigger price must be a multiple of the tick size${tick(c.instrument)}`,
  TRIGGER_OUTSIDE_CIRCUIT: (c) => `Trigger price is outside the circuit band${band(c.instrument)}`,
  DISCLOSED_QTY_INVALID: () =>
    'Disclosed quantity must be at least 10% of the quantity, at most the quantity and a lot multiple, and is not allowed on IOC or market orders',
  NOT_ALLOWED_IN_SESSION: () => 'Stop-loss, IOC and disclosed-quantity orders are not accepted in the pre-open session',
  MODIFY_QTY_NOT_ABOVE_FILLED: (c) => `The new quantity must be above the ${c.filled ?? 0} already filled`,
  ORDER_NOT_MODIFIABLE: () => 'Only the quantity of a market order can change, and the trigger price only of a pending stop-loss order',
  USER: () => 'Cancelled at the member’s request',
  IOC_REMAINDER: () => 'Unfilled quantity of an IOC or market order cancelled',
  SELF_TRADE: () => 'Cancelled to prevent a trade against the same client’s resting order',
  DAY_EXPIRY: () => 'DAY order expired at the close of the session',
  DUPLICATE_CLORDID: (c) => `ClOrdID ${c.clOrdId ?? '(empty)'} is already in use by this member`,
  TOO_LATE: () => 'The order is already closed (filled, cancelled, rejected or expired)',
  VENUE_NOT_READY: () => 'The exchange is not accepting orders yet',
};

export function reasonText(code: ReasonCode, context: ReasonContext = {}): string {
  return TEXT[code](context);
}

/** 09:08–09:15 IST: NSE's pre-open order matching and buffer, when no order may be entered or changed. */
export const PRE_OPEN_MATCH_TEXT = 'Order entry is closed during pre-open matching (09:08–09:15 IST)';
