import { toIstIso } from '../../common/clock/ist';
import { paiseToRupees } from '../../common/money/money';
import { Order, pendingQuantity } from './order';

export type TimeFormat = 'kite' | 'iso';

/** Kite prints exchange time as "YYYY-MM-DD HH:mm:ss" in IST; the JSON API uses ISO 8601 with +05:30. */
export function formatTime(at: Date | null, format: TimeFormat): string | null {
  if (!at) return null;
  const iso = toIstIso(at.getTime());
  return format === 'iso' ? iso : iso.slice(0, 19).replace('T', ' ');
}

/** The order in Kite Connect's shape (rupees at the edge). */
export function orderView(o: Order, format: TimeFormat) {
  return {
    order_id: o.id,
    parent_order_id: o.parentOrderId,
    exchange_order_id: o.exchangeOrderId,
    placed_by: o.placedBy,
    variety: o.variety,
    status: o.status,
    status_message: o.statusMessage,
    status_message_raw: o.statusMessage,
    tradingsymbol: o.tradingsymbol,
    exchange: o.exchange,
    instrument_token: o.instrumentToken,
    transaction_type: o.transactionType,
    order_type: o.orderType,
    product: o.product,
    validity: o.validity,
    price: paiseToRupees(o.price),
    trigger_price: paiseToRupees(o.triggerPrice),
    quantity: o.quantity,
    disclosed_quantity: o.disclosedQuantity,
    average_price: paiseToRupees(o.averagePrice),
    filled_quantity: o.filledQuantity,
    pending_quantity: pendingQuantity(o),
    cancelled_quantity: o.cancelledQuantity,
    market_protection: o.orderType === 'MARKET' || o.orderType === 'SL-M' ? -1 : 0,
    order_timestamp: formatTime(o.placedAt, format),
    exchange_timestamp: formatTime(o.exchangeTimestamp, format),
    exchange_update_timestamp: formatTime(o.exchangeTimestamp, format),
    tag: o.tag,
    guid: null,
    meta: o.icebergTotal ? { iceberg: { legs: o.icebergLegs, total_quantity: o.icebergTotal, leg_quantity: Math.ceil(o.icebergTotal / (o.icebergLegs ?? 1)) } } : {},
  };
}

export function tradeView(t: Record<string, unknown>, format: TimeFormat) {
  return {
    trade_id: t.exchange_trade_id,
    order_id: t.order_id,
    exchange_order_id: t.exchange_order_id,
    tradingsymbol: t.tradingsymbol,
    exchange: t.exchange,
    instrument_token: Number(t.instrument_token),
    transaction_type: t.transaction_type,
    product: t.product,
    quantity: Number(t.quantity),
    average_price: paiseToRupees(Number(t.price)),
    fill_timestamp: formatTime(new Date(t.fill_timestamp as string), format),
    exchange_timestamp: formatTime(new Date(t.fill_timestamp as string), format),
    order_timestamp: formatTime(new Date(t.fill_timestamp as string), format),
  };
}
