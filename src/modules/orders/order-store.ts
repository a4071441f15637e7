import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { prepared, runPrepared } from '../../common/database/prepared-statement';
import { NotFoundError } from '../../common/errors';
import { ORDER_COLUMNS, Order, PendingAmendment, toOrder } from './order';
import { canTransition, OrderStatus } from './order-status';

export type OrderPatch = Partial<{
  status: OrderStatus;
  statusMessage: string | null;
  quantity: number;
  price: number;
  triggerPrice: number;
  exchangePrice: number;
  orderType: string;
  validity: string;
  disclosedQuantity: number;
  filledQuantity: number;
  cancelledQuantity: number;
  filledValue: number;
  averagePrice: number;
  marginBlocked: number;
  holdingsBlocked: number;
  version: number;
  pendingAmendment: PendingAmendment | null;
  exchangeOrderId: string;
  exchangeTimestamp: Date;
}>;

const COLUMN: Record<keyof OrderPatch, string> = {
  status: 'status',
  statusMessage: 'status_message',
  quantity: 'quantity',
  price: 'price',
  triggerPrice: 'trigger_price',
  exchangePrice: 'exchange_price',
  orderType: 'order_type',
  validity: 'validity',
  disclosedQuantity: 'disclosed_quantity',
  filledQuantity: 'filled_quantity',
  cancelledQuantity: 'cancelled_quantity',
  filledValue: 'filled_value',
  averagePrice: 'average_price',
  marginBlocked: 'margin_blocked',
  holdingsBlocked: 'holdings_blocked',
  version: 'version',
  pendingAmendment: 'pending_amendment',
  exchangeOrderId: 'exchange_order_id',
  exchangeTimestamp: 'exchange_timestamp',
};

export class IllegalTransitionError extends Error {}

const QUALIFIED_ORDER_COLUMNS = ORDER_COLUMNS.replace(/(\w+)/g, 'o.$1');

/** A committed intent for the exchange (the outbox row). */
export interface OutboxIntent {
  id: string;
  topic: 'exchange.submit' | 'exchange.cancel' | 'exchange.replace';
  aggregate_id: string;
  payload: Record<string, unknown>;
  attempts: number;
}

/**
 * A FROM item that lets the statement's own transaction commit without waiting for its WAL to
 * reach the disk (synchronous_commit off for that transaction only). For the dispatcher's
 * bookkeeping, which a Postgres crash may undo: a lost lease or mark sends the order again under
 * the same ClOrdID, the exchange refuses the duplicate, and the order's state is asked for. WAL is
 * sequential, so any later synchronous commit (the acknowledgement, a fill) makes it durable too.
 */
export const COMMIT_WITHOUT_WAL_WAIT = `(SELECT set_config('synchronous_commit', 'off', true)) AS commit_async`;

// Rows are locked in id order, so two batches (or a batch and a single-order transaction) that
// share orders queue behind each other instead of deadlocking.
const LEASE_FOR_DISPATCH = prepared(
  'outbox.lease-and-mark-sending',
  `WITH due AS (
     SELECT id FROM outbox WHERE dispatched_at IS NULL AND available_at <= now() ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
   ), leased AS (
     UPDATE outbox x SET available_at = now() + make_interval(secs => $2), attempts = x.attempts + 1
     FROM due WHERE x.id = due.id RETURNING x.id, x.topic, x.aggregate_id, x.payload, x.attempts
   ), cur AS (
     SELECT id, status FROM orders WHERE id = ANY (SELECT aggregate_id::bigint FROM leased WHERE topic = 'exchange.submit') ORDER BY id FOR UPDATE
   ), upd AS (
     UPDATE orders o SET status = 'OPEN PENDING', updated_at = now() FROM cur
     WHERE o.id = cur.id AND cur.status IN ('PUT ORDER REQ RECEIVED', 'OPEN PENDING')
     RETURNING ${QUALIFIED_ORDER_COLUMNS}, cur.status AS previous_status
   ), ev AS (
     INSERT INTO order_events (order_id, status) SELECT id, 'OPEN PENDING' FROM upd WHERE previous_status <> 'OPEN PENDING'
   )
   SELECT l.id::text AS outbox_id, l.topic AS outbox_topic, l.aggregate_id AS outbox_aggregate_id, l.payload AS outbox_payload,
          l.attempts AS outbox_attempts, upd.*
     FROM ${COMMIT_WITHOUT_WAL_WAIT} CROSS JOIN leased l LEFT JOIN upd ON l.topic = 'exchange.submit' AND upd.id::text = l.aggregate_id
    ORDER BY l.id`,
);

const ACKNOWLEDGE = prepared(
  'orders.acknowledge',
  `WITH ack AS (
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::boolean[]) AS a(id, exchange_order_id, at, triggered)
   ), cur AS (
     SELECT o.id, o.status, o.order_type, o.filled_quantity FROM orders o JOIN ack ON ack.id = o.id ORDER BY o.id FOR UPDATE OF o
   ), upd AS (
     UPDATE orders o SET
       status = CASE WHEN cur.filled_quantity > 0 OR ack.triggered OR cur.order_type NOT IN ('SL', 'SL-M') THEN 'OPEN' ELSE 'TRIGGER PENDING' END,
       exchange_order_id = ack.exchange_order_id, exchange_timestamp = ack.at, updated_at = now()
     FROM cur JOIN ack ON ack.id = cur.id
     WHERE o.id = cur.id AND cur.status IN ('OPEN PENDING', 'TRIGGER PENDING')
     RETURNING ${QUALIFIED_ORDER_COLUMNS}
   ), ev AS (
     INSERT INTO order_events (order_id, status) SELECT id, status FROM upd ORDER BY id
   ) SELECT * FROM upd`,
);

/** The orders module's tables. Other modules only read through it (OrdersService.store); writes stay in the module. */
@Injectable()
export class OrderStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Row-locks the order for the rest of the caller's transaction. */
  async lock(m: EntityManager, orderId: string): Promise<Order | null> {
    const [row] = await m.query(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1 FOR UPDATE`, [orderId]);
    return row ? toOrder(row) : null;
  }

  /** Users with a live order of the product (the end-of-day square-off cancels those). */
  async usersWithLiveOrders(product: 'MIS' | 'CNC'): Promise<string[]> {
    const rows: { user_id: string }[] = await this.dataSource.query('SELECT DISTINCT user_id FROM orders WHERE live AND product = $1', [product]);
    return rows.map((r) => r.user_id);
  }

  /** The order as last committed, without a lock. */
  async find(orderId: string): Promise<Order | null> {
    const [row] = await this.dataSource.query(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`, [orderId]);
    return row ? toOrder(row) : null;
  }

  /** Applies a patch (checking the status transition) and records the event; returns the new order. */
  async apply(m: EntityManager, order: Order, patch: OrderPatch, event?: { message?: string | null; detail?: Record<string, unknown> }): Promise<Order> {
    if (patch.status && patch.status !== order.status && !canTransition(order.status, patch.status)) {
      throw new IllegalTransitionError(`order ${order.id}: ${order.status} → ${patch.status} is not a legal transition`);
    }
    const keys = Object.keys(patch) as (keyof OrderPatch)[];
    const sets = keys.map((k, i) => `${COLUMN[k]} = $${i + 5}`);
    const withEvent = Boolean(event) || (patch.status !== undefined && patch.status !== order.status);
    // The event takes its order id from the updated row: no foreign key checks it (migration 1765000000000).
    const [row] = await m.query(
      `WITH upd AS (UPDATE orders SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING ${ORDER_COLUMNS}),
       ev AS (
         INSERT INTO order_events (order_id, status, message, detail)
         SELECT id, status, COALESCE($3::text, status_message), $4::jsonb FROM upd WHERE $2::boolean
       )
       SELECT * FROM upd`,
      [order.id, withEvent, event?.message ?? null, JSON.stringify(event?.detail ?? {}), ...keys.map((k) => patch[k])],
    );
    return toOrder(row);
  }

  /**
   * The dispatcher's hand-over, one statement per batch: leases up to `batch` due outbox rows for
   * `leaseSeconds` (not locked across the network call) and marks the new orders among them
   * RECEIVED → OPEN PENDING (row locks, updates and events together). Each intent comes with its
   * order when that order is to be sent now; an order that moved on (cancelled meanwhile) comes
   * without. OPEN PENDING again is a retried send: no new event.
   */
  async leaseForDispatch(batch: number, leaseSeconds: number): Promise<{ intent: OutboxIntent; sending: Order | null }[]> {
    const rows = await runPrepared<Record<string, unknown>>(this.dataSource, LEASE_FOR_DISPATCH, [batch, leaseSeconds]);
    return rows.map((r) => ({
      intent: {
        id: r.outbox_id as string,
        topic: r.outbox_topic as OutboxIntent['topic'],
        aggregate_id: r.outbox_aggregate_id as string,
        payload: r.outbox_payload as Record<string, unknown>,
        attempts: r.outbox_attempts as number,
      },
      sending: r.id === null ? null : toOrder(r),
    }));
  }

  /**
   * The exchange's acknowledgements (NEW, or TRIGGERED for a stop order) of orders waiting for
   * one, in one statement for a batch (at most one per order). Answers the orders acknowledged;
   * an order not among them is not waiting (the caller takes the general path for it).
   */
  async acknowledge(acks: { orderId: string; exchangeOrderId: string; at: Date; triggered: boolean }[]): Promise<Order[]> {
    const rows = await runPrepared(this.dataSource, ACKNOWLEDGE, [
      acks.map((a) => a.orderId),
      acks.map((a) => a.exchangeOrderId),
      acks.map((a) => a.at),
      acks.map((a) => a.triggered),
    ]);
    return rows.map(toOrder);
  }

  /** Never reveals another user's order: not found is the same answer as not yours. */
  async getOwned(userId: string, orderId: string): Promise<Order> {
    const [row] = await this.dataSource.query(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1 AND user_id = $2`, [orderId, userId]);
    if (!row) throw new NotFoundError(`Order ${orderId} not found`, 'ORDER.NOT_FOUND');
    return toOrder(row);
  }

  async list(userId: string, f: { status?: string; tradingsymbol?: string; limit?: number; before?: string }): Promise<Order[]> {
    const where = ['user_id = $1'];
    const params: unknown[] = [userId];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.status === 'PENDING') where.push('live');
    else if (f.status) add('status = ?', f.status);
    if (f.tradingsymbol) add('tradingsymbol = ?', f.tradingsymbol.toUpperCase());
    if (f.before) add('id < ?', f.before);
    params.push(f.limit ?? 500);
    const rows = await this.dataSource.query(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toOrder);
  }

  async history(orderId: string): Promise<{ at: Date; status: string; message: string | null }[]> {
    return this.dataSource.query('SELECT at, status, message FROM order_events WHERE order_id = $1 ORDER BY id', [orderId]);
  }

  /** The trade book, newest first; filters and keyset pagination (`before` a trade's row id). */
  async trades(
    userId: string,
    f: { orderId?: string; tradingsymbol?: string; from?: string; to?: string; limit?: number; before?: string } = {},
  ): Promise<Record<string, unknown>[]> {
    const where = ['user_id = $1'];
    const params: unknown[] = [userId];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.orderId) add('order_id = ?', f.orderId);
    if (f.tradingsymbol) add('tradingsymbol = ?', f.tradingsymbol.toUpperCase());
    // Dates are IST trading days.
    if (f.from) add(`fill_timestamp >= (?::date)::timestamp AT TIME ZONE 'Asia/Kolkata'`, f.from);
    if (f.to) add(`fill_timestamp < ((?::date) + 1)::timestamp AT TIME ZONE 'Asia/Kolkata'`, f.to);
    if (f.before) add('id < ?', f.before);
    params.push(f.limit ?? 500);
    return this.dataSource.query(
      `SELECT id::text AS id, exchange_trade_id, order_id::text AS order_id, exchange_order_id, instrument_token, exchange, tradingsymbol,
              transaction_type, product, quantity, price, fill_timestamp
       FROM trades WHERE ${where.join(' AND ')} ORDER BY trades.id DESC LIMIT $${params.length}`,
      params,
    );
  }

  /** Inserts a fill once: a repeated exchange trade id (a resent report) inserts nothing and returns false. */
  async recordTrade(
    m: EntityManager,
    t: { tradeId: string; order: Order; quantity: number; price: number; at: Date },
  ): Promise<boolean> {
    const rows = await m.query(
      `INSERT INTO trades (exchange_trade_id, order_id, user_id, instrument_token, exchange, tradingsymbol, transaction_type, product,
         quantity, price, exchange_order_id, fill_timestamp)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT ON CONSTRAINT trades_exchange_trade_key DO NOTHING RETURNING id`,
      [t.tradeId, t.order.id, t.order.userId, t.order.instrumentToken, t.order.exchange, t.order.tradingsymbol, t.order.transactionType,
        t.order.product, t.quantity, t.price, t.order.exchangeOrderId, t.at],
    );
    return rows.length === 1;
  }

  async enqueue(m: EntityManager, topic: 'exchange.submit' | 'exchange.cancel' | 'exchange.replace', orderId: string, payload: Record<string, unknown> = {}) {
    await m.query('INSERT INTO outbox (topic, aggregate_id, payload) VALUES ($1, $2, $3)', [topic, orderId, JSON.stringify(payload)]);
  }
}
