import type { OrderType, Product, TransactionType, Validity, Variety } from '../risk/order-intent';
import { OrderStatus } from './order-status';

/** An order as the orders module holds it; money in paise. */
export interface Order {
  id: string;
  userId: string;
  variety: Variety;
  parentOrderId: string | null;
  status: OrderStatus;
  statusMessage: string | null;
  instrumentToken: number;
  exchange: string;
  tradingsymbol: string;
  transactionType: TransactionType;
  orderType: OrderType;
  product: Product;
  validity: Validity;
  quantity: number;
  disclosedQuantity: number;
  price: number;
  triggerPrice: number;
  /** The limit actually sent: the price, or the market-protection price for MARKET/SL-M. */
  exchangePrice: number;
  filledQuantity: number;
  cancelledQuantity: number;
  filledValue: number;
  averagePrice: number;
  marginBlocked: number;
  holdingsBlocked: number;
  version: number;
  /** Iceberg plan, on the first leg only: total quantity over all legs, and how many legs. */
  icebergTotal: number | null;
  icebergLegs: number | null;
  /** A modify or cancel sent to the exchange and not yet answered. */
  pendingAmendment: PendingAmendment | null;
  exchangeOrderId: string | null;
  tag: string | null;
  placedBy: string;
  placedAt: Date;
  exchangeTimestamp: Date | null;
  updatedAt: Date;
}

export interface PendingAmendment {
  kind: 'modify' | 'cancel';
  /** Status to return to if the exchange refuses. */
  previousStatus: string;
  quantity?: number;
  price?: number;
  triggerPrice?: number;
  exchangePrice?: number;
  disclosedQuantity?: number;
  /** Extra margin blocked for the modify (>0) or to release once it is done (<0). */
  marginDelta?: number;
}

export const ORDER_COLUMNS = `id, user_id, variety, parent_order_id, status, status_message, instrument_token, exchange, tradingsymbol,
  transaction_type, order_type, product, validity, quantity, disclosed_quantity, price, trigger_price, exchange_price,
  filled_quantity, cancelled_quantity, filled_value, average_price, margin_blocked, holdings_blocked, version, pending_amendment,
  iceberg_total, iceberg_legs,
  exchange_order_id, tag, placed_by, placed_at, exchange_timestamp, updated_at`;

/** Order fields that JSON turns into strings. */
const ORDER_DATES = new Set<string>(['placedAt', 'exchangeTimestamp', 'updatedAt'] satisfies (keyof Order)[]);

/** Orders sent as JSON (e.g. to other replicas), read back with their dates. */
export function ordersFromJson(json: string): Order[] {
  return JSON.parse(json, (key: string, value: unknown) => (ORDER_DATES.has(key) && typeof value === 'string' ? new Date(value) : value)) as Order[];
}

export function toOrder(r: Record<string, unknown>): Order {
  return {
    id: String(r.id),
    userId: r.user_id as string,
    variety: r.variety as Variety,
    parentOrderId: r.parent_order_id === null ? null : String(r.parent_order_id),
    status: r.status as OrderStatus,
    statusMessage: (r.status_message as string) ?? null,
    instrumentToken: Number(r.instrument_token),
    exchange: r.exchange as string,
    tradingsymbol: r.tradingsymbol as string,
    transactionType: r.transaction_type as TransactionType,
    orderType: r.order_type as OrderType,
    product: r.product as Product,
    validity: r.validity as Validity,
    quantity: Number(r.quantity),
    disclosedQuantity: Number(r.disclosed_quantity),
    price: Number(r.price),
    triggerPrice: Number(r.trigger_price),
    exchangePrice: Number(r.exchange_price),
    filledQuantity: Number(r.filled_quantity),
    cancelledQuantity: Number(r.cancelled_quantity),
    filledValue: Number(r.filled_value),
    averagePrice: Number(r.average_price),
    marginBlocked: Number(r.margin_blocked),
    holdingsBlocked: Number(r.holdings_blocked),
    version: Number(r.version),
    pendingAmendment: (r.pending_amendment as PendingAmendment) ?? null,
    icebergTotal: r.iceberg_total === null || r.iceberg_total === undefined ? null : Number(r.iceberg_total),
    icebergLegs: r.iceberg_legs === null || r.iceberg_legs === undefined ? null : Number(r.iceberg_legs),
    exchangeOrderId: (r.exchange_order_id as string) ?? null,
    tag: (r.tag as string) ?? null,
    placedBy: r.placed_by as string,
    placedAt: new Date(r.placed_at as string),
    exchangeTimestamp: r.exchange_timestamp ? new Date(r.exchange_timestamp as string) : null,
    updatedAt: new Date(r.updated_at as string),
  };
}

export const pendingQuantity = (o: Pick<Order, 'quantity' | 'filledQuantity' | 'cancelledQuantity'>) => o.quantity - o.filledQuantity - o.cancelledQuantity;

/** ClOrdID of an order's version: `<id>` for the new order, `<id>.<v>` for each amendment. The id is recoverable from any of them. */
export const clOrdIdFor = (orderId: string, version: number) => (version <= 1 ? orderId : `${orderId}.${version}`);
export const orderIdFromClOrdId = (clOrdId: string) => clOrdId.split('.')[0];

/** Emitted in process after every committed change; realtime and notifications listen. */
export const ORDER_UPDATED = 'order.updated';
export interface OrderUpdatedEvent {
  order: Order;
}
