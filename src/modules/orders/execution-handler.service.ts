import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, CLOCK } from '../../common/clock/clock';
import { istParts } from '../../common/clock/ist';
import type { CancelReject, ExecutionReport, VenueMessage } from '../../common/exchange-protocol/venue.types';
import { ratioOf, Rounding } from '../../common/money/money';
import { FundsService } from '../accounts/funds.service';
import { EXCHANGE_GATEWAY, ExchangeGateway } from '../exchange/exchange-gateway';
import { PortfolioLedger } from '../portfolio/portfolio-ledger';
import { Order, ORDER_UPDATED, orderIdFromClOrdId, OrderUpdatedEvent, pendingQuantity } from './order';
import { OrderFunds } from './order-funds';
import { isTerminal, OrderStatus, restingStatus } from './order-status';
import { OrderPatch, OrderStore } from './order-store';
import { OrderAmendments } from './order-amendment.service';

const S = OrderStatus;

/**
 * Applies what the exchange says to orders, one message at a time in arrival order. Each
 * message is one transaction (order row locked): trade row, order counters, position/holding
 * and funds move together; a resent message changes nothing the second time.
 */
@Injectable()
export class ExecutionHandler implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(ExecutionHandler.name);
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: OrderStore,
    private readonly orderFunds: OrderFunds,
    private readonly funds: FundsService,
    private readonly portfolio: PortfolioLedger,
    private readonly amendments: OrderAmendments,
    private readonly events: EventEmitter2,
    @Inject(EXCHANGE_GATEWAY) private readonly gateway: ExchangeGateway,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.gateway.onMessage((m) => this.enqueue(m));
  }

  /** Serialises handling so reports of one order apply in the order the exchange sent them. */
  enqueue(message: VenueMessage): Promise<void> {
    const run = this.queue.then(() => this.handle(message));
    this.queue = run.catch((err) => this.logger.error({ err, clOrdId: message.clOrdId }, 'execution report not applied'));
    return run;
  }

  /** Waits until every message received so far is applied (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Reports already received are applied before the database closes. */
  beforeApplicationShutdown(): Promise<void> {
    return this.idle();
  }

  async handle(message: VenueMessage): Promise<void> {
    const orderId = orderIdFromClOrdId(message.kind === 'cancel_reject' ? message.origClOrdId : message.clOrdId);
    // The most common message, an acknowledgement of a waiting order, takes one statement.
    if (message.kind === 'execution' && (message.execType === 'NEW' || message.execType === 'TRIGGERED')) {
      const acked = await this.store.acknowledge(orderId, {
        exchangeOrderId: message.exchangeOrderId,
        at: new Date(message.transactTime),
        triggered: message.execType === 'TRIGGERED',
      });
      if (acked) {
        this.events.emit(ORDER_UPDATED, { order: acked } satisfies OrderUpdatedEvent);
        return;
      }
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
