import { DUPLICATE_CLORDID, type CancelReject, type ExecType, type ExecutionReport } from '../../common/exchange-protocol/venue.types';
import {
  FIX_CXL_REJ_RESPONSE_TO,
  FIX_EXEC_TYPE,
  FIX_ORD_STATUS,
  FIX_ORD_TYPE,
  FIX_SIDE,
  FIX_TIME_IN_FORCE,
  fromFixCode,
  SessionReject,
} from '../../common/fix/fix-codes';
import { fixPriceToPaise, fixQtyToInt, parseFixUtcTimestamp, type Parsed } from '../../common/fix/fix-values';
import type { OrderFacts } from './fix-gateway-facts';

/** One tag's raw text (MsgView.getString), so prices never pass through a float. */
export type FixFields = (tag: number) => string | undefined;

export const Tag = {
  AvgPx: 6,
  ClOrdID: 11,
  CumQty: 14,
  ExecID: 17,
  LastPx: 31,
  LastQty: 32,
  OrderID: 37,
  OrderQty: 38,
  OrdStatus: 39,
  OrdType: 40,
  OrigClOrdID: 41,
  Price: 44,
  RefSeqNum: 45,
  SecurityID: 48,
  Side: 54,
  Text: 58,
  TimeInForce: 59,
  TransactTime: 60,
  StopPx: 99,
  CxlRejReason: 102,
  OrdRejReason: 103,
  ExecType: 150,
  LeavesQty: 151,
  BusinessRejectRefID: 379,
  BusinessRejectReason: 380,
  CxlRejResponseTo: 434,
  SecondaryExecID: 527,
} as const;

/** Why an inbound message could not become a venue message: answered with Reject (3). */
export interface FieldProblem {
  tag: number;
  reason: number;
  text: string;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; problem: FieldProblem };

class Problem extends Error {
  constructor(readonly problem: FieldProblem) {
    super(problem.text);
  }
}

function outcome<T>(build: () => T): Outcome<T> {
  try {
    return { ok: true, value: build() };
  } catch (err) {
    if (err instanceof Problem) return { ok: false, problem: err.problem };
    throw err;
  }
}

function fail(tag: number, reason: number, text: string): never {
  throw new Problem({ tag, reason, text });
}

function required(get: FixFields, tag: number, name: string): string {
  const v = get(tag);
  if (v === undefined || v === '') fail(tag, SessionReject.RequiredTagMissing, `${name} (${tag}) is required`);
  return v;
}

function checked<T>(parsed: Parsed<T>, tag: number, name: string): T {
  if (parsed.ok) return parsed.value;
  return fail(tag, parsed.reason === 'format' ? SessionReject.IncorrectDataFormat : SessionReject.ValueIsIncorrect, `${name} (${tag}) is not valid`);
}

function paise(get: FixFields, tag: number, name: string): number | undefined {
  const text = get(tag);
  if (text === undefined || text === '') return undefined;
  const value = checked(fixPriceToPaise(text), tag, name);
  if (value < 0) fail(tag, SessionReject.ValueIsIncorrect, `${name} (${tag}) must not be negative`);
  return value;
}

function qty(get: FixFields, tag: number, name: string): number | undefined {
  const text = get(tag);
  return text === undefined || text === '' ? undefined : checked(fixQtyToInt(text), tag, name);
}

function code<K extends string>(table: Readonly<Record<K, string>>, get: FixFields, tag: number, name: string): K | undefined {
  const text = get(tag);
  if (text === undefined) return undefined;
  return fromFixCode(table, text) ?? fail(tag, SessionReject.ValueIsIncorrect, `${name} (${tag}) '${text}' is not one this platform uses`);
}

/** The venue leads Text with its machine code ("PRICE_OUTSIDE_CIRCUIT: Price is outside …"). */
export function splitReason(text: string | undefined): { reasonCode?: string; text?: string } {
  if (text === undefined) return {};
  const m = /^([A-Z][A-Z0-9_]*): ([\s\S]*)$/.exec(text);
  return m ? { reasonCode: m[1], text: m[2] } : { text };
}

/** OrdRejReason (103) when Text carries no code, for the reports where it names the condition: 5 unknown order, 6 duplicate ClOrdID. */
const ORD_REJ_REASON: Partial<Record<ExecType, Record<string, string>>> = { ORDER_STATUS: { '5': 'UNKNOWN_ORDER' }, REJECTED: { '6': DUPLICATE_CLORDID } };

/**
 * ExecutionReport (8) → the venue contract. Fields FIX 4.4 lets a venue leave out (OrdType,
 * OrderQty on an Order Status for an order it does not know) come from what the gateway sent.
 */
export function parseExecutionReport(get: FixFields, memberId: string, facts: OrderFacts | undefined, now: number): Outcome<ExecutionReport> {
  return outcome(() => {
    const orderStatus = code(FIX_ORD_STATUS, get, Tag.OrdStatus, 'OrdStatus') ?? fail(Tag.OrdStatus, SessionReject.RequiredTagMissing, 'OrdStatus (39) is required');
    const execCode = required(get, Tag.ExecType, 'ExecType');
    // Trade (F) is one code for both; OrdStatus says whether the order is now complete.
    const execType: ExecType | undefined = execCode === FIX_EXEC_TYPE.FILL ? (orderStatus === 'FILLED' ? 'FILL' : 'PARTIAL_FILL') : fromFixCode(FIX_EXEC_TYPE, execCode);
    if (execType === undefined) fail(Tag.ExecType, SessionReject.ValueIsIncorrect, `ExecType (150) '${execCode}' is not one this platform uses`);
    const fill = execType === 'FILL' || execType === 'PARTIAL_FILL';
    const cumQuantity = qty(get, Tag.CumQty, 'CumQty') ?? fail(Tag.CumQty, SessionReject.RequiredTagMissing, 'CumQty (14) is required');
    const leavesQuantity = qty(get, Tag.LeavesQty, 'LeavesQty') ?? fail(Tag.LeavesQty, SessionReject.RequiredTagMissing, 'LeavesQty (151) is required');
    const tokenText = get(Tag.SecurityID);
    const token = tokenText !== undefined && /^\d{1,15}$/.test(tokenText) ? Number(tokenText) : undefined;
    const reason = splitReason(get(Tag.Text));
    const reasonFromCode = reason.reasonCode === undefined ? ORD_REJ_REASON[execType!]?.[get(Tag.OrdRejReason) ?? ''] : undefined;
    const execId = required(get, Tag.ExecID, 'ExecID');
    const report: ExecutionReport = {
      kind: 'execution',
      memberId,
      clOrdId: required(get, Tag.ClOrdID, 'ClOrdID'),
      origClOrdId: get(Tag.OrigClOrdID),
      exchangeOrderId: required(get, Tag.OrderID, 'OrderID'),
      execId,
      execType,
      orderStatus,
      instrumentToken: token ?? facts?.instrumentToken ?? 0,
      side: code(FIX_SIDE, get, Tag.Side, 'Side') ?? facts?.side ?? fail(Tag.Side, SessionReject.RequiredTagMissing, 'Side (54) is required'),
      orderType: code(FIX_ORD_TYPE, get, Tag.OrdType, 'OrdType') ?? facts?.orderType ?? 'LIMIT',
      validity: code(FIX_TIME_IN_FORCE, get, Tag.TimeInForce, 'TimeInForce') ?? 'DAY', // absent means Day in FIX
      quantity: qty(get, Tag.OrderQty, 'OrderQty') ?? facts?.quantity ?? cumQuantity + leavesQuantity,
      cumQuantity,
      leavesQuantity,
      averagePrice: paise(get, Tag.AvgPx, 'AvgPx') ?? fail(Tag.AvgPx, SessionReject.RequiredTagMissing, 'AvgPx (6) is required'),
      price: paise(get, Tag.Price, 'Price'),
      triggerPrice: paise(get, Tag.StopPx, 'StopPx'),
      transactTime: transactTime(get, now),
      ...(reasonFromCode ? { reasonCode: reasonFromCode, text: reason.text } : reason),
    };
    if (fill) {
      report.lastQuantity = qty(get, Tag.LastQty, 'LastQty') ?? fail(Tag.LastQty, SessionReject.RequiredTagMissing, 'LastQty (32) is required on a fill');
      report.lastPrice = paise(get, Tag.LastPx, 'LastPx') ?? fail(Tag.LastPx, SessionReject.RequiredTagMissing, 'LastPx (31) is required on a fill');
      // Our venue sends the exchange trade id as SecondaryExecID (4.4 has no TradeID on an
      // ExecutionReport). A venue that does not: ExecID is unique per fill and stable across
      // PossDup resends, so the broker's dedup on trade id still holds.
      report.tradeId = get(Tag.SecondaryExecID) ?? execId;
    }
    return report;
  });
}

/** CxlRejReason (102) when Text carries no code: 0 too late, 1 unknown order, 6 duplicate ClOrdID. */
const CXL_REJ_REASON: Record<string, string> = { '0': 'TOO_LATE', '1': 'UNKNOWN_ORDER', '6': DUPLICATE_CLORDID };

/** OrderCancelReject (9) → the venue contract. */
export function parseCancelReject(get: FixFields, memberId: string, now: number): Outcome<CancelReject> {
  return outcome(() => {
    const responseTo = code(FIX_CXL_REJ_RESPONSE_TO, get, Tag.CxlRejResponseTo, 'CxlRejResponseTo');
    if (!responseTo) fail(Tag.CxlRejResponseTo, SessionReject.RequiredTagMissing, 'CxlRejResponseTo (434) is required');
    const reason = splitReason(get(Tag.Text));
    const reasonCode = reason.reasonCode ?? CXL_REJ_REASON[get(Tag.CxlRejReason) ?? ''] ?? 'OTHER';
    const orderId = get(Tag.OrderID);
    const message: CancelReject = {
      kind: 'cancel_reject',
      memberId,
      clOrdId: required(get, Tag.ClOrdID, 'ClOrdID'),
      origClOrdId: required(get, Tag.OrigClOrdID, 'OrigClOrdID'),
      responseTo,
      reasonCode,
      text: reason.text ?? '',
      transactTime: transactTime(get, now),
    };
    if (orderId && orderId !== 'NONE') message.exchangeOrderId = orderId;
    // OrdStatus is required even when the venue has no such order; it then says Rejected as a stand-in.
    const status = code(FIX_ORD_STATUS, get, Tag.OrdStatus, 'OrdStatus');
    if (status && reasonCode !== 'UNKNOWN_ORDER') message.orderStatus = status;
    return message;
  });
}

function transactTime(get: FixFields, now: number): number {
  const text = get(Tag.TransactTime);
  if (text === undefined) return now; // optional on both messages in FIX 4.4
  return parseFixUtcTimestamp(text) ?? fail(Tag.TransactTime, SessionReject.IncorrectDataFormat, 'TransactTime (60) is not a UTCTimestamp');
}
