import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource, EntityManager } from 'typeorm';
import type { CancelReject, ExecutionReport } from '../../common/exchange-protocol/venue.types';
import { DomainError, ErrorType } from '../../common/errors';
import { paiseToRupees } from '../../common/money/money';
import { FundsService } from '../accounts/funds.service';
import { AuthUser } from '../auth/auth.types';
import { InsufficientMarginError, OrderRejectedError } from '../risk/risk.errors';
import { RiskService } from '../risk/risk.service';
import { clOrdIdFor, Order, ORDER_UPDATED, OrderUpdatedEvent, PendingAmendment, pendingQuantity } from './order';
import { OrderFunds } from './order-funds';
import { isTerminal, OrderStatus, restingStatus } from './order-status';
import { OrderStore } from './order-store';
import { OutboxDispatcher } from './outbox-dispatcher.service';

const S = OrderStatus;

export interface ModifyInput {
  quantity?: number;
  price?: number;
  triggerPrice?: number;
  orderType?: Order['orderType'];
  validity?: Order['validity'];
  disclosedQuantity?: number;
}

class OrderBusyError extends DomainError {
  constructor(message: string) {
    super('ORDER.BUSY', message, ErrorType.Order, 409);
  }
}

/**
 * Modify and cancel, from the client's request to the exchange's answer. Orders not yet at the
 * exchange change in place; live ones go through MODIFY/CANCEL PENDING and the outbox, and
 * whatever extra margin a modify blocked is returned if the exchange refuses it.
 */
@Injectable()
export class OrderAmendments {
  private readonly logger = new Logger(OrderAmendments.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: OrderStore,
    private readonly risk: RiskService,
    private readonly funds: FundsService,
    private readonly orderFunds: OrderFunds,
    private readonly dispatcher: OutboxDispatcher,
    private readonly events: EventEmitter2,
  ) {}

  async modify(user: AuthUser, orderId: string, input: ModifyInput): Promise<Order> {
    await this.store.getOwned(user.userId, orderId);
    const order = await this.transact(async (m) => {
      const o = (await this.store.lock(m, orderId))!;
      this.assertAmendable(o, 'modified');
      const atExchange = o.status === S.Open || o.status === S.TriggerPending;
      if (atExchange && ((input.orderType && input.orderType !== o.orderType) || (input.validity && input.validity !== o.validity))) {
        throw new OrderRejectedError('ORDER.NOT_AMENDABLE', 'Order type and validity cannot change once the order is at the exchange; cancel and place a new one');
      }
      const next = {
        quantity: input.quantity ?? o.quantity,
        price: input.price ?? o.price,
        triggerPrice: input.triggerPrice ?? o.triggerPrice,
        orderType: input.orderType ?? o.orderType,
        validity: input.validity ?? o.validity,
        disclosedQuantity: input.disclosedQuantity ?? o.disclosedQuantity,
      };
      if (next.quantity <= o.filledQuantity) {
        throw new OrderRejectedError('ORDER.INVALID_QUANTITY', `Quantity must stay above the ${o.filledQuantity} already filled`);
      }
      const intent = this.risk.intentFor({ ...next, exchange: o.exchange as 'NSE' | 'BSE', tradingsymbol: o.tradingsymbol, transactionType: o.transactionType, product: o.product, variety: o.variety });
      const assessed = await this.risk.assess(intent, { checkHours: o.variety !== 'amo' });
      const remaining = next.quantity - o.filledQuantity;
      const required = o.product === 'CNC' && o.transactionType === 'SELL' ? 0 : Math.ceil((assessed.margin * remaining) / next.quantity);
      const marginDelta = required - o.marginBlocked;
      if (marginDelta > 0 && !(await this.funds.block(m, o.userId, marginDelta, { type: 'order', id: o.id }))) {
        const available = (await this.funds.get(o.userId, m)).available;
        throw new InsufficientMarginError(`Insufficient funds for the modification. Needs ${paiseToRupees(marginDelta).toFixed(2)} more; available ${paiseToRupees(available).toFixed(2)}.`);
      }
      // CNC sells hold shares instead: adjust the block by the quantity change.
      const holdingDelta = o.product === 'CNC' && o.transactionType === 'SELL' ? remaining - o.holdingsBlocked : 0;
      if (holdingDelta !== 0) await this.adjustHoldings(m, o, holdingDelta);
      const values = { ...next, exchangePrice: assessed.exchangePrice, holdingsBlocked: o.holdingsBlocked + holdingDelta };
      if (!atExchange) {
        // Not at the exchange yet: the outbox will send this version.
        if (marginDelta < 0) await this.funds.release(m, o.userId, -marginDelta, { type: 'order', id: o.id });
        return this.store.apply(m, o, { ...values, marginBlocked: required }, { message: 'Modified before reaching the exchange' });
      }
      const version = o.version + 1;
      const pending: PendingAmendment = { kind: 'modify', previousStatus: o.status, ...values, marginDelta };
      await this.store.enqueue(m, 'exchange.replace', o.id, {
        clOrdId: clOrdIdFor(o.id, version),
        origClOrdId: clOrdIdFor(o.id, o.version),
        quantity: next.quantity,
        price: next.orderType === 'LIMIT' || next.orderType === 'SL' ? next.price : assessed.exchangePrice,
        triggerPrice: next.triggerPrice || undefined,
      });
      return this.store.apply(m, o, { status: S.ModifyPending, version, pendingAmendment: pending, marginBlocked: o.marginBlocked + Math.max(0, marginDelta) });
    });
    this.dispatcher.kick();
    return order;
  }

  async cancel(user: AuthUser, orderId: string): Promise<Order> {
    await this.store.getOwned(user.userId, orderId);
    const order = await this.transact(async (m) => {
      const o = (await this.store.lock(m, orderId))!;
      this.assertAmendable(o, 'cancelled');
      if (o.status === S.Received || o.status === S.AmoReceived) {
        await this.orderFunds.releaseRest(m, o);
        return this.store.apply(m, o, { status: S.Cancelled, statusMessage: 'Cancelled by the user', cancelledQuantity: pendingQuantity(o), marginBlocked: 0, holdingsBlocked: 0 });
      }
      const version = o.version + 1;
      await this.store.enqueue(m, 'exchange.cancel', o.id, { clOrdId: clOrdIdFor(o.id, version), origClOrdId: clOrdIdFor(o.id, o.version) });
      return this.store.apply(m, o, { status: S.CancelPending, version, pendingAmendment: { kind: 'cancel', previousStatus: o.status } });
    });
    this.dispatcher.kick();
    return order;
  }

  /** Every open order of the user; answers the ids it asked to cancel. */
  async cancelAll(user: AuthUser): Promise<string[]> {
    const open = await this.store.list(user.userId, { status: 'PENDING' });
    const ids: string[] = [];
    for (const o of open) {
      try {
        await this.cancel(user, o.id);
        ids.push(o.id);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
      }
    }
    return ids;
  }

  /** The exchange confirmed a modify. */
  async replaced(m: EntityManager, o: Order, r: ExecutionReport): Promise<Order | null> {
    const p = o.pendingAmendment;
    if (!p || p.kind !== 'modify') return null;
    const release = Math.min(o.marginBlocked, Math.max(0, -(p.marginDelta ?? 0)));
    if (release > 0) await this.funds.release(m, o.userId, release, { type: 'order', id: o.id });
    const status = isTerminal(o.status) ? o.status : o.filledQuantity > 0 ? S.Open : restingStatus(o.orderType, p.previousStatus === S.Open);
    return this.store.apply(
      m,
      o,
      {
        status,
        quantity: p.quantity!,
        price: p.price!,
        triggerPrice: p.triggerPrice!,
        exchangePrice: p.exchangePrice!,
        disclosedQuantity: p.disclosedQuantity!,
        marginBlocked: o.marginBlocked - release,
        pendingAmendment: null,
        exchangeTimestamp: new Date(r.transactTime),
      },
      { message: 'Modified' },
    );
  }

  /** The exchange refused a modify or cancel: the order stays as it was; extra margin goes back. */
  async amendmentRejected(m: EntityManager, o: Order, c: CancelReject): Promise<Order | null> {
    const p = o.pendingAmendment;
    if (!p) return null;
    const release = p.kind === 'modify' ? Math.min(o.marginBlocked, Math.max(0, p.marginDelta ?? 0)) : 0;
    if (release > 0) await this.funds.release(m, o.userId, release, { type: 'order', id: o.id });
    const status = isTerminal(o.status) ? o.status : o.filledQuantity > 0 ? S.Open : (p.previousStatus as OrderStatus);
    const holdingsBack = p.kind === 'modify' && o.product === 'CNC' && o.transactionType === 'SELL' ? pendingQuantity(o) - o.holdingsBlocked : 0;
    if (holdingsBack !== 0) await this.adjustHoldings(m, o, holdingsBack);
    return this.store.apply(
      m,
      o,
      { status, marginBlocked: o.marginBlocked - release, holdingsBlocked: o.holdingsBlocked + holdingsBack, pendingAmendment: null, statusMessage: `${p.kind === 'modify' ? 'Modification' : 'Cancellation'} refused: ${c.text}` },
      { message: c.text },
    );
  }

  /** Answer to a status request (reconciliation): bring our record in line where it is safe to. */
  async reconcileStatus(m: EntityManager, o: Order, r: ExecutionReport): Promise<Order | null> {
    if (r.reasonCode === 'UNKNOWN_ORDER') return this.unknownAtExchange(m, o);
    if (r.cumQuantity !== o.filledQuantity) {
      this.logger.error(`order ${o.id}: exchange reports ${r.cumQuantity} filled, we have ${o.filledQuantity}; fills must be replayed`);
      return null;
    }
    if (isTerminal(o.status)) return null;
    if (r.orderStatus === 'CANCELED' || r.orderStatus === 'EXPIRED' || r.orderStatus === 'REJECTED') {
      await this.orderFunds.releaseRest(m, o);
      const status = r.orderStatus === 'REJECTED' && o.filledQuantity === 0 ? S.Rejected : S.Cancelled;
      return this.store.apply(m, o, { status, statusMessage: r.text ?? `Reconciled: ${r.orderStatus.toLowerCase()} at the exchange`, cancelledQuantity: pendingQuantity(o), marginBlocked: 0, holdingsBlocked: 0, pendingAmendment: null });
    }
    if (r.orderStatus === 'FILLED') return this.store.apply(m, o, { status: S.Complete, pendingAmendment: null });
    if (o.status === S.OpenPending) return this.store.apply(m, o, { status: o.filledQuantity > 0 ? S.Open : restingStatus(o.orderType, false), exchangeOrderId: r.exchangeOrderId });
    return null;
  }

  /**
   * The exchange has never heard of the order. Still waiting in the outbox: it will be sent, leave
   * it. Otherwise it was lost on the way: rejected (or cancelled, if partly filled), margin released.
   */
  private async unknownAtExchange(m: EntityManager, o: Order): Promise<Order | null> {
    if (isTerminal(o.status) || o.status === S.Received || o.status === S.AmoReceived) return null;
    const unsent = await m.query('SELECT 1 FROM outbox WHERE aggregate_id = $1 AND dispatched_at IS NULL LIMIT 1', [o.id]);
    if (unsent.length) return null;
    await this.orderFunds.releaseRest(m, o);
    return this.store.apply(m, o, {
      status: o.filledQuantity > 0 ? S.Cancelled : S.Rejected,
      statusMessage: 'The exchange has no record of this order; its margin has been released',
      cancelledQuantity: o.cancelledQuantity + pendingQuantity(o),
      marginBlocked: 0,
      holdingsBlocked: 0,
      pendingAmendment: null,
    });
  }

  private assertAmendable(o: Order, verb: string): void {
    if (isTerminal(o.status)) throw new OrderRejectedError('ORDER.NOT_AMENDABLE', `Order is ${o.status} and cannot be ${verb}`);
    if (o.status === S.ModifyPending || o.status === S.CancelPending || o.status === S.OpenPending) {
      throw new OrderBusyError(`Order is ${o.status}; try again when the exchange has answered`);
    }
  }

  private async adjustHoldings(m: EntityManager, o: Order, delta: number): Promise<void> {
    const ok = delta > 0 ? await this.orderFunds.blockHoldings(m, o, delta) : (await this.orderFunds.releaseHoldings(m, o, -delta), true);
    if (!ok) throw new InsufficientMarginError('Insufficient holdings for the larger quantity', 'MARGIN.INSUFFICIENT_HOLDINGS');
  }

  private async transact(work: (m: EntityManager) => Promise<Order>): Promise<Order> {
    const order = await this.dataSource.transaction(work);
    this.events.emit(ORDER_UPDATED, { order } satisfies OrderUpdatedEvent);
    return order;
  }
}
