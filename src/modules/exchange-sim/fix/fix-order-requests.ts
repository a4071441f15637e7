import {
  FIX_ORD_TYPE,
  FIX_SIDE,
  FIX_TIME_IN_FORCE,
  fromFixCode,
  SECURITY_ID_SOURCE_EXCHANGE_SYMBOL,
  SessionReject,
} from '../../../common/fix/fix-codes';
import { fixPriceToPaise, fixQtyToInt, type Parsed } from '../../../common/fix/fix-values';
import type { CancelOrderRequest, NewOrderRequest, ReplaceOrderRequest } from '../venue.types';

/** Reads one tag's raw text (MsgView.getString), so decimals never pass through a float. */
export type FixFields = (tag: number) => string | undefined;

/** Why a message could not become a venue request: answered with a session-level Reject (3). */
export interface FieldProblem {
  tag: number;
  reason: number;
  text: string;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; problem: FieldProblem };

export const Tag = {
  Account: 1,
  ClOrdID: 11,
  OrderQty: 38,
  OrdType: 40,
  OrigClOrdID: 41,
  Price: 44,
  SecurityID: 48,
  Side: 54,
  Symbol: 55,
  TimeInForce: 59,
  StopPx: 99,
  MaxFloor: 111,
  SecurityIDSource: 22,
} as const;

/** The instrument as the member named it: SecurityID(48) is our instrument token under
 * SecurityIDSource(22)=8; Symbol(55) is informational and echoed back on reports. */
export interface InstrumentRef {
  instrumentToken: number;
  symbol?: string;
}

export interface ParsedNewOrder extends InstrumentRef {
  request: NewOrderRequest;
}

class Problem extends Error {
  constructor(readonly problem: FieldProblem) {
    super(problem.text);
  }
}

function fail(tag: number, reason: number, text: string): never {
  throw new Problem({ tag, reason, text });
}

function outcome<T>(build: () => T): Outcome<T> {
  try {
    return { ok: true, value: build() };
  } catch (err) {
    if (err instanceof Problem) return { ok: false, problem: err.problem };
    throw err;
  }
}

function required(get: FixFields, tag: number, name: string): string {
  const v = get(tag);
  if (v === undefined || v === '') fail(tag, SessionReject.RequiredTagMissing, `${name} (${tag}) is required`);
  return v;
}

function checked<T>(parsed: Parsed<T>, tag: number, name: string, what: string): T {
  if (parsed.ok) return parsed.value;
  if (parsed.reason === 'format') fail(tag, SessionReject.IncorrectDataFormat, `${name} (${tag}) is not ${what}`);
  return fail(tag, SessionReject.ValueIsIncorrect, `${name} (${tag}) must be ${what}`);
}

function price(get: FixFields, tag: number, name: string, needed: boolean): number | undefined {
  const text = needed ? required(get, tag, name) : get(tag);
  if (text === undefined) return undefined;
  const paise = checked(fixPriceToPaise(text), tag, name, 'a rupee price with at most 2 decimal places');
  if (paise <= 0) fail(tag, SessionReject.ValueIsIncorrect, `${name} (${tag}) must be positive`);
  return paise;
}

function qty(get: FixFields, tag: number, name: string, needed: boolean): number | undefined {
  const text = needed ? required(get, tag, name) : get(tag);
  if (text === undefined) return undefined;
  return checked(fixQtyToInt(text), tag, name, 'a whole number of shares');
}

function enumValue<K extends string>(table: Readonly<Record<K, string>>, code: string, tag: number, name: string): K {
  const key = fromFixCode(table, code);
  if (key === undefined) {
    fail(tag, SessionReject.ValueIsIncorrect, `${name} (${tag}) '${code}' is not supported (${Object.values(table).join('/')})`);
  }
  return key;
}

export function instrumentOf(get: FixFields): InstrumentRef {
  const source = get(Tag.SecurityIDSource);
  if (source !== undefined && source !== SECURITY_ID_SOURCE_EXCHANGE_SYMBOL) {
    fail(Tag.SecurityIDSource, SessionReject.ValueIsIncorrect, `SecurityIDSource (22) must be 8 (exchange symbol: instrument token)`);
  }
  const id = required(get, Tag.SecurityID, 'SecurityID (instrument token)');
  if (!/^[1-9]\d{0,15}$/.test(id) || !Number.isSafeInteger(Number(id))) {
    fail(Tag.SecurityID, SessionReject.IncorrectDataFormat, `SecurityID (48) must be the numeric instrument token`);
  }
  return { instrumentToken: Number(id), symbol: get(Tag.Symbol) };
}

/** NewOrderSingle (D) → Venue.submit. Account defaults to the member's own (house) account. */
export function parseNewOrder(get: FixFields, memberId: string): Outcome<ParsedNewOrder> {
  return outcome(() => {
    const clOrdId = required(get, Tag.ClOrdID, 'ClOrdID');
    const side = enumValue(FIX_SIDE, required(get, Tag.Side, 'Side'), Tag.Side, 'Side');
    const orderType = enumValue(FIX_ORD_TYPE, required(get, Tag.OrdType, 'OrdType'), Tag.OrdType, 'OrdType');
    const tif = get(Tag.TimeInForce);
    const validity = tif === undefined ? 'DAY' : enumValue(FIX_TIME_IN_FORCE, tif, Tag.TimeInForce, 'TimeInForce');
    const instrument = instrumentOf(get);
    const quantity = qty(get, Tag.OrderQty, 'OrderQty', true) as number;
    const limit = orderType === 'LIMIT' || orderType === 'SL';
    const stop = orderType === 'SL' || orderType === 'SL-M';
    const request: NewOrderRequest = {
      memberId,
      clOrdId,
      clientAccount: get(Tag.Account) ?? memberId,
      instrumentToken: instrument.instrumentToken,
      side,
      orderType,
      validity,
      quantity,
      // A Price on a MARKET order, or a StopPx on a plain order, means nothing to the venue.
      price: limit ? price(get, Tag.Price, 'Price', true) : undefined,
      triggerPrice: stop ? price(get, Tag.StopPx, 'StopPx', true) : undefined,
      disclosedQuantity: qty(get, Tag.MaxFloor, 'MaxFloor', false),
    };
    return { ...instrument, request };
  });
}

/** OrderCancelRequest (F) → Venue.cancel. */
export function parseCancel(get: FixFields, memberId: string): Outcome<CancelOrderRequest> {
  return outcome(() => ({
    memberId,
    clOrdId: required(get, Tag.ClOrdID, 'ClOrdID'),
    origClOrdId: required(get, Tag.OrigClOrdID, 'OrigClOrdID'),
  }));
}

/** OrderCancelReplaceRequest (G) → Venue.replace: fields present are the new values. */
export function parseReplace(get: FixFields, memberId: string): Outcome<ReplaceOrderRequest & { symbol?: string }> {
  return outcome(() => ({
    memberId,
    clOrdId: required(get, Tag.ClOrdID, 'ClOrdID'),
    origClOrdId: required(get, Tag.OrigClOrdID, 'OrigClOrdID'),
    quantity: qty(get, Tag.OrderQty, 'OrderQty', false),
    price: price(get, Tag.Price, 'Price', false),
    triggerPrice: price(get, Tag.StopPx, 'StopPx', false),
    disclosedQuantity: qty(get, Tag.MaxFloor, 'MaxFloor', false),
    symbol: get(Tag.Symbol),
  }));
}

export interface StatusQuery {
  clOrdId: string;
  side?: string;
  symbol?: string;
  securityId?: string;
}

/** OrderStatusRequest (H): the fields echoed back when the order is unknown. */
export function parseStatusQuery(get: FixFields): Outcome<StatusQuery> {
  return outcome(() => ({
    clOrdId: required(get, Tag.ClOrdID, 'ClOrdID'),
    side: get(Tag.Side),
    symbol: get(Tag.Symbol),
    securityId: get(Tag.SecurityID),
  }));
}
