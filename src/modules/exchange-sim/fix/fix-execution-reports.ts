import {
  FIX_CXL_REJ_RESPONSE_TO,
  FIX_EXEC_TYPE,
  FIX_ORD_STATUS,
  FIX_ORD_TYPE,
  FIX_SIDE,
  FIX_TIME_IN_FORCE,
  SECURITY_ID_SOURCE_EXCHANGE_SYMBOL,
} from '../../../common/fix/fix-codes';
import { fixUtcTimestamp, paiseToFixPrice } from '../../../common/fix/fix-values';
import type { CancelReject, ExecutionReport, VenueMessage } from '../venue.types';
import type { StatusQuery } from './fix-order-requests';

export const MsgTypes = {
  ExecutionReport: '8',
  OrderCancelReject: '9',
  BusinessMessageReject: 'j',
  Reject: '3',
} as const;

export interface FixMessage {
  msgType: string;
  body: Record<string, unknown>;
}

/**
 * OrdRejReason(103) for the engine's reject codes. FIX 4.4 has no price-band or tick reasons
 * (those came in 5.0), so those are 99 Other; the engine code always leads Text ("CODE: …").
 */
const ORD_REJ_REASON: Record<string, number> = {
  UNKNOWN_INSTRUMENT: 1,
  MARKET_CLOSED: 2,
  NOT_ALLOWED_IN_SESSION: 2,
  INSTRUMENT_SUSPENDED: 2,
  QTY_ABOVE_FREEZE: 3,
  UNKNOWN_ORDER: 5,
  DUPLICATE_ORDER_ID: 6,
  DUPLICATE_CLORDID: 6,
  INVALID_QTY: 13,
  QTY_NOT_MULTIPLE_OF_LOT: 13,
  DISCLOSED_QTY_INVALID: 13,
  MODIFY_QTY_NOT_ABOVE_FILLED: 13,
};
export const ORD_REJ_OTHER = 99;

/** CxlRejReason(102): 0 too late (order closed), 1 unknown order, 6 duplicate ClOrdID, 99 other. */
const CXL_REJ_REASON: Record<string, number> = { TOO_LATE: 0, UNKNOWN_ORDER: 1, DUPLICATE_ORDER_ID: 6, DUPLICATE_CLORDID: 6 };

/** Symbol(55) is required inside Instrument by most engines; '[N/A]' is FIX's "no symbol". */
export const NO_SYMBOL = '[N/A]';

function reasonText(code: string | undefined, text: string | undefined): string | undefined {
  if (code && text) return text.startsWith(code) ? text : `${code}: ${text}`;
  return code ?? text;
}

function price(paise: number | undefined): string | undefined {
  return paise === undefined ? undefined : paiseToFixPrice(paise);
}

export function executionReport(er: ExecutionReport, symbol: string): FixMessage {
  const rejected = er.execType === 'REJECTED';
  const fill = er.execType === 'FILL' || er.execType === 'PARTIAL_FILL';
  return {
    msgType: MsgTypes.ExecutionReport,
    body: {
      OrderID: er.exchangeOrderId || 'NONE',
      // FIX 4.4 has no TradeID(1003) on ExecutionReport (strict 4.4 engines reject it as
      // undefined for the message), so the exchange trade id travels as SecondaryExecID.
      SecondaryExecID: fill ? er.tradeId : undefined,
      ClOrdID: er.clOrdId,
      OrigClOrdID: er.origClOrdId,
      ExecID: er.execId,
      ExecType: FIX_EXEC_TYPE[er.execType],
      OrdStatus: FIX_ORD_STATUS[er.orderStatus],
      OrdRejReason: rejected ? (ORD_REJ_REASON[er.reasonCode ?? ''] ?? ORD_REJ_OTHER) : undefined,
      Instrument: { Symbol: symbol, SecurityID: String(er.instrumentToken), SecurityIDSource: SECURITY_ID_SOURCE_EXCHANGE_SYMBOL },
      Side: FIX_SIDE[er.side],
      OrderQtyData: { OrderQty: er.quantity },
      OrdType: FIX_ORD_TYPE[er.orderType],
      Price: price(er.price),
      StopPx: price(er.triggerPrice),
      TimeInForce: FIX_TIME_IN_FORCE[er.validity],
      LastQty: fill ? er.lastQuantity : undefined,
      LastPx: fill ? price(er.lastPrice) : undefined,
      LeavesQty: er.leavesQuantity,
      CumQty: er.cumQuantity,
      AvgPx: paiseToFixPrice(er.averagePrice),
      TransactTime: fixUtcTimestamp(er.transactTime),
      Text: reasonText(er.reasonCode, er.text),
    },
  };
}

export function orderCancelReject(cr: CancelReject): FixMessage {
  return {
    msgType: MsgTypes.OrderCancelReject,
    body: {
      OrderID: cr.exchangeOrderId || 'NONE',
      ClOrdID: cr.clOrdId,
      OrigClOrdID: cr.origClOrdId,
      // Required; an order the venue does not know has no status, and Rejected is the usual stand-in.
      OrdStatus: cr.orderStatus ? FIX_ORD_STATUS[cr.orderStatus] : FIX_ORD_STATUS.REJECTED,
      TransactTime: fixUtcTimestamp(cr.transactTime),
      CxlRejResponseTo: FIX_CXL_REJ_RESPONSE_TO[cr.responseTo],
      CxlRejReason: CXL_REJ_REASON[cr.reasonCode] ?? 99,
      Text: reasonText(cr.reasonCode, cr.text),
    },
  };
}

export function venueMessageToFix(message: VenueMessage, symbolOf: (token: number) => string): FixMessage {
  return message.kind === 'execution' ? executionReport(message, symbolOf(message.instrumentToken)) : orderCancelReject(message);
}

/** OrderStatusRequest for an order the venue does not know: ExecType=I, OrdStatus=8. */
export function unknownOrderStatus(query: StatusQuery, now: number): FixMessage {
  return {
    msgType: MsgTypes.ExecutionReport,
    body: {
      OrderID: 'NONE',
      ClOrdID: query.clOrdId,
      ExecID: '0', // FIX 4.4: ExecID may be 0 on an Order Status report
      ExecType: FIX_EXEC_TYPE.ORDER_STATUS,
      OrdStatus: FIX_ORD_STATUS.REJECTED,
      OrdRejReason: ORD_REJ_REASON.UNKNOWN_ORDER,
      Instrument: {
        Symbol: query.symbol ?? NO_SYMBOL,
        SecurityID: query.securityId,
        SecurityIDSource: query.securityId ? SECURITY_ID_SOURCE_EXCHANGE_SYMBOL : undefined,
      },
      Side: query.side,
      LeavesQty: 0,
      CumQty: 0,
      AvgPx: '0.00',
      TransactTime: fixUtcTimestamp(now),
      Text: 'Unknown order',
    },
  };
}

export function sessionReject(refSeqNum: number, refMsgType: string, tag: number, reason: number, text: string): FixMessage {
  return {
    msgType: MsgTypes.Reject,
    body: { RefSeqNum: refSeqNum, RefTagID: tag, RefMsgType: refMsgType, SessionRejectReason: reason, Text: text },
  };
}

export function businessReject(refSeqNum: number, refMsgType: string, refId: string | undefined, reason: number, text: string): FixMessage {
  return {
    msgType: MsgTypes.BusinessMessageReject,
    body: { RefSeqNum: refSeqNum, RefMsgType: refMsgType, BusinessRejectRefID: refId, BusinessRejectReason: reason, Text: text },
  };
}
