/**
 * Public vocabulary of the matching engine: commands in, events out.
 *
 * Enumerations are `const` objects plus a union type instead of TS `enum`s so that a
 * command can be written with plain string literals (`side: 'BUY'`) and a journal parsed
 * from JSON type-checks without casts.
 */

export const Side = { BUY: 'BUY', SELL: 'SELL' } as const;
export type Side = (typeof Side)[keyof typeof Side];

export const OrderType = { LIMIT: 'LIMIT', MARKET: 'MARKET', SL: 'SL', SLM: 'SL-M' } as const;
export type OrderType = (typeof OrderType)[keyof typeof OrderType];

export const Validity = { DAY: 'DAY', IOC: 'IOC' } as const;
export type Validity = (typeof Validity)[keyof typeof Validity];

export const SessionState = { PRE_OPEN: 'PRE_OPEN', CONTINUOUS: 'CONTINUOUS', CLOSED: 'CLOSED' } as const;
export type SessionState = (typeof SessionState)[keyof typeof SessionState];

export const CommandType = {
  ADD_INSTRUMENT: 'ADD_INSTRUMENT',
  SET_SUSPENDED: 'SET_SUSPENDED',
  SET_SESSION: 'SET_SESSION',
  PLACE: 'PLACE',
  MODIFY: 'MODIFY',
  CANCEL: 'CANCEL',
  EXPIRE_DAY: 'EXPIRE_DAY',
} as const;
export type CommandType = (typeof CommandType)[keyof typeof CommandType];

export const RejectCode = {
  MARKET_CLOSED: 'MARKET_CLOSED',
  UNKNOWN_INSTRUMENT: 'UNKNOWN_INSTRUMENT',
  INSTRUMENT_SUSPENDED: 'INSTRUMENT_SUSPENDED',
  INSTRUMENT_EXISTS: 'INSTRUMENT_EXISTS',
  INVALID_INSTRUMENT_SPEC: 'INVALID_INSTRUMENT_SPEC',
  DUPLICATE_ORDER_ID: 'DUPLICATE_ORDER_ID',
  UNKNOWN_ORDER: 'UNKNOWN_ORDER',
  INVALID_ORDER: 'INVALID_ORDER',
  INVALID_QTY: 'INVALID_QTY',
  QTY_NOT_MULTIPLE_OF_LOT: 'QTY_NOT_MULTIPLE_OF_LOT',
  QTY_ABOVE_FREEZE: 'QTY_ABOVE_FREEZE',
  INVALID_PRICE: 'INVALID_PRICE',
  PRICE_NOT_MULTIPLE_OF_TICK: 'PRICE_NOT_MULTIPLE_OF_TICK',
  PRICE_OUTSIDE_CIRCUIT: 'PRICE_OUTSIDE_CIRCUIT',
  INVALID_TRIGGER_PRICE: 'INVALID_TRIGGER_PRICE',
  TRIGGER_NOT_MULTIPLE_OF_TICK: 'TRIGGER_NOT_MULTIPLE_OF_TICK',
  TRIGGER_OUTSIDE_CIRCUIT: 'TRIGGER_OUTSIDE_CIRCUIT',
  DISCLOSED_QTY_INVALID: 'DISCLOSED_QTY_INVALID',
  NOT_ALLOWED_IN_SESSION: 'NOT_ALLOWED_IN_SESSION',
  MODIFY_QTY_NOT_ABOVE_FILLED: 'MODIFY_QTY_NOT_ABOVE_FILLED',
  ORDER_NOT_MODIFIABLE: 'ORDER_NOT_MODIFIABLE',
} as const;
export type RejectCode = (typeof RejectCode)[keyof typeof RejectCode];

export const CancelReason = {
  USER: 'USER',
  /** Unfilled remainder of an IOC order, or of a MARKET / SL-M order (always IOC-like). */
  IOC_REMAINDER: 'IOC_REMAINDER',
  SELF_TRADE: 'SELF_TRADE',
  DAY_EXPIRY: 'DAY_EXPIRY',
} as const;
export type CancelReason = (typeof CancelReason)[keyof typeof CancelReason];

/** Static reference data of one instrument. All prices in integer paise. */
export interface InstrumentSpec {
  instrumentId: number;
  tickSize: number;
  lowerCircuit: number;
  upperCircuit: number;
  freezeQty: number;
  lotSize: number;
  /** Previous close; the call auction's last tie-breaker and the fallback auction price. */
  referencePrice: number;
  suspended?: boolean;
}

export interface AddInstrumentCommand extends InstrumentSpec {
  type: 'ADD_INSTRUMENT';
}

export interface SetSuspendedCommand {
  type: 'SET_SUSPENDED';
  instrumentId: number;
  suspended: boolean;
}

/** PRE_OPEN -> CONTINUOUS runs the call auction on every instrument first. */
export interface SetSessionCommand {
  type: 'SET_SESSION';
  state: SessionState;
}

export interface PlaceOrderCommand {
  type: 'PLACE';
  orderId: number;
  instrumentId: number;
  clientId: number;
  side: Side;
  orderType: OrderType;
  validity: Validity;
  qty: number;
  /** Limit price for LIMIT and SL; ignored for MARKET and SL-M. */
  price?: number;
  /** Required for SL and SL-M. */
  triggerPrice?: number;
  /** 0 / absent = fully displayed. */
  disclosedQty?: number;
}

/** Absent fields keep their current value. `qty` is the new total quantity (incl. filled). */
export interface ModifyOrderCommand {
  type: 'MODIFY';
  orderId: number;
  price?: number;
  qty?: number;
  triggerPrice?: number;
  disclosedQty?: number;
}

export interface CancelOrderCommand {
  type: 'CANCEL';
  orderId: number;
}

/** End-of-day: cancels every resting DAY order (book, stop book and pre-open queues). */
export interface ExpireDayCommand {
  type: 'EXPIRE_DAY';
}

export type Command =
  | AddInstrumentCommand
  | SetSuspendedCommand
  | SetSessionCommand
  | PlaceOrderCommand
  | ModifyOrderCommand
  | CancelOrderCommand
  | ExpireDayCommand;

/**
 * Event sink. Methods take primitives so that the hot path allocates nothing; any
 * object a listener needs it builds itself. Events of one command are delivered
 * synchronously, in causal order, before `apply` returns.
 */
export interface EngineListener {
  onAccepted(orderId: number, instrumentId: number): void;
  /** `orderId` is 0 for instrument / session commands. */
  onRejected(orderId: number, instrumentId: number, reason: RejectCode, command: CommandType): void;
  /** `aggressor` is null for call-auction trades, which have no aggressor. */
  onTrade(
    instrumentId: number,
    buyOrderId: number,
    sellOrderId: number,
    price: number,
    qty: number,
    aggressor: Side | null,
    tradeId: number,
  ): void;
  /** `qty` is the quantity that was still open and is now cancelled. */
  onCancelled(orderId: number, instrumentId: number, qty: number, reason: CancelReason): void;
  onModified(
    orderId: number,
    instrumentId: number,
    price: number,
    qty: number,
    triggerPrice: number,
    keptPriority: boolean,
  ): void;
  /** A stop order became active because LTP crossed its trigger. */
  onTriggered(orderId: number, instrumentId: number, ltp: number): void;
  /** Equilibrium price of the call auction; qty 0 if nothing crossed. */
  onAuction(instrumentId: number, price: number, qty: number): void;
  onSessionChanged(state: SessionState): void;
  /** Once per command per instrument whose visible depth may have changed. */
  onDepthChanged(instrumentId: number): void;
}

/** Convenience base: override only what you need. */
export class NoopListener implements EngineListener {
  onAccepted(_orderId: number, _instrumentId: number): void {}
  onRejected(_orderId: number, _instrumentId: number, _reason: RejectCode, _command: CommandType): void {}
  onTrade(
    _instrumentId: number,
    _buyOrderId: number,
    _sellOrderId: number,
    _price: number,
    _qty: number,
    _aggressor: Side | null,
    _tradeId: number,
  ): void {}
  onCancelled(_orderId: number, _instrumentId: number, _qty: number, _reason: CancelReason): void {}
  onModified(
    _orderId: number,
    _instrumentId: number,
    _price: number,
    _qty: number,
    _triggerPrice: number,
    _keptPriority: boolean,
  ): void {}
  onTriggered(_orderId: number, _instrumentId: number, _ltp: number): void {}
  onAuction(_instrumentId: number, _price: number, _qty: number): void {}
  onSessionChanged(_state: SessionState): void {}
  onDepthChanged(_instrumentId: number): void {}
}

export interface DepthLevel {
  price: number;
  /** Visible quantity only (disclosed slices, not the hidden reserve). */
  qty: number;
  orders: number;
}

export interface DepthSnapshot {
  instrumentId: number;
  bids: DepthLevel[];
  asks: DepthLevel[];
  ltp: number;
  volume: number;
}

/** Where a live order currently sits. */
export type OrderLocation = 'BOOK' | 'STOP_BOOK' | 'PRE_OPEN_MARKET';

export interface OrderView {
  orderId: number;
  instrumentId: number;
  clientId: number;
  side: Side;
  orderType: OrderType;
  validity: Validity;
  /** Limit price; for MARKET orders the protection price (the circuit limit). */
  price: number;
  triggerPrice: number;
  qty: number;
  filled: number;
  /** Currently displayed quantity. */
  visible: number;
  disclosedQty: number;
  /** Time-priority sequence number: lower = earlier. */
  seq: number;
  location: OrderLocation;
}
