import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource, EntityManager } from 'typeorm';
import { istParts } from '../../common/clock/ist';
import { DUPLICATE_CLORDID, type CancelReject, type ExecutionReport, type VenueMessage } from '../../common/exchange-protocol/venue.types';
import { isTransientDatabaseError } from '../../common/database/transient-error';
import { ratioOf, Rounding } from '../../common/money/money';
import { FundsService } from '../accounts/funds.service';
import { EXCHANGE_GATEWAY, ExchangeGateway } from '../exchange/exchange-gateway';
import { PortfolioLedger } from '../portfolio/portfolio-ledger';
import { Order, ORDER_UPDATED, orderIdFromClOrdId, OrderUpdatedEvent, pendingQuantity } from './order';
import { OrderFunds } from './order-funds';
import { isTerminal, OrderStatus, restingStatus } from './order-status';
import { OrderPatch, OrderStore } from './order-store';
import { OrderAmendments } from './order-amendment.service';
import { askExchange } from './exchange-status';

const S = OrderStatus;

/** At most this many acknowledgements go into one statement. */
const ACK_BATCH = 500;
/** Backoff while the database is unreachable: doubles from the first to the last. */
const MIN_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 10_000;

interface Queued {
  message: VenueMessage;
  applied: () => void;
  failed: (err: unknown) => void;
}

/** Messages not applied because the database failed transiently, and that failure. */
interface Held {
  items: Queued[];
  err: unknown;
}

type Acknowledgement = ExecutionReport & { execType: 'NEW' | 'TRIGGERED' };

const isAcknowledgement = (m: VenueMessage): m is Acknowledgement =>
  m.kind === 'execution' && (m.execType === 'NEW' || m.execType === 'TRIGGERED');

/** The exchange refused a request because its ClOrdID was used before: it is about no order of ours. */
const isDuplicateClOrdIdReject = (m: VenueMessage): boolean =>
  m.reasonCode === DUPLICATE_CLORDID && (m.kind === 'cancel_reject' || m.execType === 'REJECTED');

const orderIdOf = (m: VenueMessage) => orderIdFromClOrdId(m.kind === 'cancel_reject' ? m.origClOrdId : m.clOrdId);

/**
 * Applies what the exchange says to orders, in arrival order. Each message is one transaction
 * (order row locked): trade row, order counters, position/holding and funds move together; a
 * resent message changes nothing the second time. The most common message, the acknowledgement
 * of an order waiting for it, skips the transaction: acknowledgements queued one after another
 * (of different orders) are applied together in one statement.
 */
@Injectable()
export class ExecutionHandler implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(ExecutionHandler.name);
  private readonly queue: Queued[] = [];
  private draining = false;
  private closing = false;
  private backoffMs = 0;
  private retryTimer?: NodeJS.Timeout;
  /** Settles when the last message enqueued so far has been handled. */
  private last: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: OrderStore,
    private readonly orderFunds: OrderFunds,
    private readonly funds: FundsService,
    private readonly portfolio: PortfolioLedger,
    private readonly amendments: OrderAmendments,
    private readonly events: EventEmitter2,
    @Inject(EXCHANGE_GATEWAY) private readonly gateway: ExchangeGateway,
  ) {}

  onModuleInit(): void {
    this.gateway.onMessage((m) => this.enqueue(m));
  }

  /** Serialises handling so reports of one order apply in the order the exchange sent them. */
  enqueue(message: VenueMessage): Promise<void> {
    const run = new Promise<void>((applied, failed) => this.queue.push({ message, applied, failed }));
    this.last = run.catch((err) => this.logger.error({ err, clOrdId: message.clOrdId }, 'execution report not applied'));
    if (!this.draining) {
      // After the current turn of the loop: a dispatch pass's sends queue their acknowledgements one
      // promise step apart, and they then go out as one statement instead of the first one alone.
      this.draining = true;
      setImmediate(() => void this.drain());
    }
    return run;
  }

  /** Waits until every message received so far is applied (tests, shutdown). */
  idle(): Promise<void> {
    return this.last;
  }

  /** Reports already received are applied before the database closes (one still held for an outage fails now). */
  beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      void this.drain();
    }
    return this.idle();
  }

  /**
   * Applies the queue in order. A message that meets a transient database failure (connection
   * lost, serialization failure) stops the queue: it and everything after it are applied again
   * after a backoff, still in the exchange's order, since the exchange will not send them again.
   */
  private async drain(): Promise<void> {
    this.retryTimer = undefined;
    let held: Held | null = null;
    try {
      while (this.queue.length > 0 && !held) {
        const acks = this.takeAcknowledgements();
        held = acks.length > 0 ? await this.applyAcknowledgements(acks) : await this.settle(this.queue.shift()!, (m) => this.handle(m));
        if (held && this.closing) {
          held.items.forEach((item) => item.failed(held!.err));
          held = null;
        }
      }
    } finally {
      if (held) {
        this.queue.unshift(...held.items);
        this.backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, this.backoffMs * 2));
        this.logger.warn(`execution reports held for ${this.backoffMs} ms (${this.queue.length} queued): ${(held.err as Error).message}`);
        this.retryTimer = setTimeout(() => void this.drain(), this.backoffMs);
      } else {
        this.backoffMs = 0;
        this.draining = false;
      }
    }
  }

  /** The acknowledgements at the head of the queue, up to the first other message or repeated order. */
  private takeAcknowledgements(): Queued[] {
    const orders = new Set<string>();
    let n = 0;
    while (n < this.queue.length && n < ACK_BATCH) {
      const m = this.queue[n].message;
      if (!isAcknowledgement(m) || orders.has(orderIdOf(m))) break;
      orders.add(orderIdOf(m));
      n++;
    }
    return this.queue.splice(0, n);
  }

  /** Held: the items from the first one that met a transient failure on (nothing of those applied). */
  private async applyAcknowledgements(items: Queued[]): Promise<Held | null> {
    let acked: Map<string, Order>;
    try {
      acked = new Map((await this.store.acknowledge(items.map((i) => acknowledgement(i.message as Acknowledgement)))).map((o) => [o.id, o]));
    } catch (err) {
      if (isTransientDatabaseError(err)) return { items, err };
      // The batch failed as a whole (nothing applied): each message on its own, so one bad one cannot hold back the rest.
      this.logger.warn(`batched acknowledgement failed, applying one by one: ${(err as Error).message}`);
      return this.settleEach(items, () => (m) => this.handle(m));
    }
    return this.settleEach(items, (item) => {
      const order = acked.get(orderIdOf(item.message));
      return order ? async () => void this.events.emit(ORDER_UPDATED, { order } satisfies OrderUpdatedEvent) : (m) => this.handleInTransaction(m);
    });
  }

  private async settleEach(items: Queued[], handlerFor: (item: Queued) => (m: VenueMessage) => Promise<void>): Promise<Held | null> {
    for (const [i, item] of items.entries()) {
      const held = await this.settle(item, handlerFor(item));
      if (held) return { items: items.slice(i), err: held.err };
    }
    return null;
  }

  private async settle(item: Queued, handle: (m: VenueMessage) => Promise<void>): Promise<Held | null> {
    try {
      await handle(item.message);
      item.applied();
    } catch (err) {
      if (isTransientDatabaseError(err)) return { items: [item], err };
      item.failed(err);
    }
    return null;
  }

  async handle(message: VenueMessage): Promise<void> {
    if (isAcknowledgement(message)) {
      const [acked] = await this.store.acknowledge([acknowledgement(message)]);
      if (acked) {
        this.events.emit(ORDER_UPDATED, { order: acked } satisfies OrderUpdatedEvent);
        return;
      }
    }
    await this.handleInTransaction(message);
  }

  /** The general path: the order row locked, the message applied by its kind. */
  private async handleInTransaction(message: VenueMessage): Promise<void> {
    const orderId = orderIdOf(message);
    if (isDuplicateClOrdIdReject(message)) {
      // A retried send (the first one reached the exchange, but its outcome was not recorded here):
      // this reject is about no order, so the order stays as it is and its state is asked for.
      void this.askAfterDuplicate(orderId).catch((err) => this.logger.error({ err, orderId }, 'status request after a duplicate ClOrdID failed'));
      return;
    }
    const updated = await this.dataSource.transaction(async (m) => {
      const order = await this.store.lock(m, orderId);
      if (!order) {
        this.logger.warn(`exchange message for unknown order ${orderId} (${message.kind})`);
        return null;
      }
      return message.kind === 'cancel_reject' ? this.cancelRejected(m, order, message) : this.execution(m, order, message);
    });
    if (updated) this.events.emit(ORDER_UPDATED, { order: updated } satisfies OrderUpdatedEvent);
  }

  /** Not awaited by the queue: the answer is queued behind whatever is being applied now. */
  private async askAfterDuplicate(orderId: string): Promise<void> {
    const order = await this.store.find(orderId);
    if (!order || isTerminal(order.status)) return;
    const report = await askExchange(this.gateway, order);
    if (report) await this.enqueue(report);
  }

  private async execution(m: EntityManager, order: Order, r: ExecutionReport): Promise<Order | null> {
    const at = new Date(r.transactTime);
    switch (r.execType) {
      case 'NEW':
      case 'TRIGGERED': {
        if (isTerminal(order.status) || order.status === S.ModifyPending || order.status === S.CancelPending) {
          return order.exchangeOrderId ? null : this.store.apply(m, order, { exchangeOrderId: r.exchangeOrderId, exchangeTimestamp: at });
        }
        const status = order.filledQuantity > 0 ? S.Open : restingStatus(order.orderType, r.execType === 'TRIGGERED');
        return this.store.apply(m, order, { status, exchangeOrderId: r.exchangeOrderId, exchangeTimestamp: at });
      }
      case 'PARTIAL_FILL':
      case 'FILL':
        return this.fill(m, order, r, at);
      case 'CANCELED':
      case 'EXPIRED':
        return this.close(m, order, S.Cancelled, r.text ?? (r.execType === 'EXPIRED' ? 'Order expired at the close' : 'Cancelled'), at);
      case 'REJECTED':
        return this.close(m, order, order.filledQuantity > 0 ? S.Cancelled : S.Rejected, r.text ?? 'Rejected by the exchange', at);
      case 'REPLACED':
        return this.amendments.replaced(m, order, r);
      case 'ORDER_STATUS':
        return this.amendments.reconcileStatus(m, order, r);
    }
  }

  private async fill(m: EntityManager, order: Order, r: ExecutionReport, at: Date): Promise<Order | null> {
    const quantity = r.lastQuantity ?? 0;
    const price = r.lastPrice ?? 0;
    if (!r.tradeId || quantity <= 0 || price <= 0) throw new Error(`fill report without trade id, quantity or price for order ${order.id}`);
    if (!(await this.store.recordTrade(m, { tradeId: r.tradeId, order, quantity, price, at }))) return null; // resent: already applied
    const share = OrderFunds.marginShare(order, quantity);
    const money = await this.portfolio.applyFill(m, {
      userId: order.userId,
      instrumentToken: order.instrumentToken,
      product: order.product,
      side: order.transactionType,
      quantity,
      price,
      tradeDate: istParts(r.transactTime).date,
      orderMarginShare: share,
    });
    await this.funds.settle(m, order.userId, { release: money.release, cash: money.cash, ref: { type: 'trade', id: r.tradeId } });
    const filledQuantity = order.filledQuantity + quantity;
    const filledValue = order.filledValue + quantity * price;
    const patch: OrderPatch = {
      filledQuantity,
      filledValue,
      averagePrice: ratioOf(filledValue, 1, filledQuantity, Rounding.HalfEven),
      marginBlocked: order.marginBlocked - share,
      holdingsBlocked: Math.max(0, order.holdingsBlocked - (order.product === 'CNC' && order.transactionType === 'SELL' ? quantity : 0)),
      exchangeTimestamp: at,
    };
    if (filledQuantity + order.cancelledQuantity >= order.quantity) patch.status = S.Complete;
    else if (order.status === S.OpenPending || order.status === S.TriggerPending) patch.status = S.Open;
    return this.store.apply(m, order, patch, { message: `Filled ${quantity} @ ${price / 100}`, detail: { tradeId: r.tradeId, quantity, price } });
  }

  /** Cancel, expiry or reject of the open remainder: it gives back exactly what it still holds. */
  private async close(m: EntityManager, order: Order, status: OrderStatus, message: string, at: Date): Promise<Order | null> {
    if (isTerminal(order.status)) return null;
    await this.orderFunds.releaseRest(m, order);
    return this.store.apply(m, order, {
      status,
      statusMessage: message,
      cancelledQuantity: order.cancelledQuantity + pendingQuantity(order),
      marginBlocked: 0,
      holdingsBlocked: 0,
      exchangeTimestamp: at,
    });
  }

  private cancelRejected(m: EntityManager, order: Order, c: CancelReject): Promise<Order | null> {
    return this.amendments.amendmentRejected(m, order, c);
  }
}

function acknowledgement(m: Acknowledgement) {
  return { orderId: orderIdOf(m), exchangeOrderId: m.exchangeOrderId, at: new Date(m.transactTime), triggered: m.execType === 'TRIGGERED' };
}
