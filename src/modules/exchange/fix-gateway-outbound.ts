import { FIX_ORD_TYPE, FIX_SIDE, FIX_TIME_IN_FORCE, SECURITY_ID_SOURCE_EXCHANGE_SYMBOL } from '../../common/fix/fix-codes';
import { fixUtcTimestamp, paiseToFixPrice } from '../../common/fix/fix-values';
import type { OutboundCancel, OutboundOrder, OutboundReplace } from './exchange-gateway';
import type { OrderFacts } from './fix-gateway-facts';

/**
 * The broker's requests as FIX 4.4 message bodies (jspurefix objects). Prices go as exact
 * two-decimal rupee text and TransactTime as FIX text, so a stored body is plain JSON and a
 * resend carries byte-for-byte the same values (docs/fix.md, work-around 14).
 */

export const FixMsgType = {
  NewOrderSingle: 'D',
  OrderCancelRequest: 'F',
  OrderCancelReplaceRequest: 'G',
  OrderStatusRequest: 'H',
  ExecutionReport: '8',
  OrderCancelReject: '9',
  BusinessMessageReject: 'j',
  Reject: '3',
} as const;

export interface FixRequest {
  msgType: string;
  body: Record<string, unknown>;
}

/** FIX's "no symbol": we route by SecurityID (the instrument token) and have no names here. */
const NO_SYMBOL = '[N/A]';

/**
 * Used only when the gateway has no record of an order (placed before a restart and older than
 * the store's retention): the venue finds orders by ClOrdID, but the dictionary still requires
 * a Side. Logged by the caller; a strict venue may answer with a reject, never with a trade.
 */
export const UNKNOWN_ORDER_FACTS: OrderFacts = { instrumentToken: 0, side: 'BUY', orderType: 'LIMIT', validity: 'DAY', quantity: 0 };

function instrument(token: number): Record<string, unknown> {
  return token > 0
    ? { Symbol: NO_SYMBOL, SecurityID: String(token), SecurityIDSource: SECURITY_ID_SOURCE_EXCHANGE_SYMBOL }
    : { Symbol: NO_SYMBOL };
}

const price = (paise: number | undefined): string | undefined => (paise === undefined ? undefined : paiseToFixPrice(paise));

export function newOrderSingle(order: OutboundOrder, now: number): FixRequest {
  return {
    msgType: FixMsgType.NewOrderSingle,
    body: {
      ClOrdID: order.clOrdId,
      Account: order.clientAccount,
      Instrument: instrument(order.instrumentToken),
      Side: FIX_SIDE[order.side],
      TransactTime: fixUtcTimestamp(now),
      OrderQtyData: { OrderQty: order.quantity },
      OrdType: FIX_ORD_TYPE[order.orderType],
      Price: price(order.price),
      StopPx: price(order.triggerPrice),
      TimeInForce: FIX_TIME_IN_FORCE[order.validity],
      MaxFloor: order.disclosedQuantity,
    },
  };
}

/** OrderQty on a replace is the new total (absent in the request: unchanged, so the known total). */
export function cancelReplaceRequest(request: OutboundReplace, facts: OrderFacts, now: number): FixRequest {
  return {
    msgType: FixMsgType.OrderCancelReplaceRequest,
    body: {
      ClOrdID: request.clOrdId,
      OrigClOrdID: request.origClOrdId,
      Instrument: instrument(facts.instrumentToken),
      Side: FIX_SIDE[facts.side],
      TransactTime: fixUtcTimestamp(now),
      OrderQtyData: { OrderQty: request.quantity ?? facts.quantity },
      OrdType: FIX_ORD_TYPE[facts.orderType],
      Price: price(request.price),
      StopPx: price(request.triggerPrice),
      MaxFloor: request.disclosedQuantity,
    },
  };
}

export function cancelRequest(request: OutboundCancel, facts: OrderFacts, now: number): FixRequest {
  return {
    msgType: FixMsgType.OrderCancelRequest,
    body: {
      ClOrdID: request.clOrdId,
      OrigClOrdID: request.origClOrdId,
      Instrument: instrument(facts.instrumentToken),
      Side: FIX_SIDE[facts.side],
      TransactTime: fixUtcTimestamp(now),
      OrderQtyData: { OrderQty: facts.quantity },
    },
  };
}

export function orderStatusRequest(clOrdId: string, facts: OrderFacts): FixRequest {
  return {
    msgType: FixMsgType.OrderStatusRequest,
    body: { ClOrdID: clOrdId, Instrument: instrument(facts.instrumentToken), Side: FIX_SIDE[facts.side] },
  };
}

/** Reject (3) for an inbound message we cannot turn into a venue message (the session stays up). */
export function sessionReject(refSeqNum: number, refMsgType: string, tag: number, reason: number, text: string): FixRequest {
  return {
    msgType: FixMsgType.Reject,
    body: { RefSeqNum: refSeqNum, RefTagID: tag, RefMsgType: refMsgType, SessionRejectReason: reason, Text: text },
  };
}

/** BusinessMessageReject (j) for an application message type the initiator does not take. */
export function unsupportedMessage(refSeqNum: number, refMsgType: string): FixRequest {
  return {
    msgType: FixMsgType.BusinessMessageReject,
    body: { RefSeqNum: refSeqNum, RefMsgType: refMsgType, BusinessRejectReason: 3, Text: `MsgType ${refMsgType} is not supported by this initiator` },
  };
}
