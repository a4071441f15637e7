import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { prepared, runPrepared } from '../../common/database/prepared-statement';
import { EXCHANGE_GATEWAY, ExchangeGateway, ExchangeUnavailableError } from '../exchange/exchange-gateway';
import { clOrdIdFor, Order, ORDER_UPDATED, OrderUpdatedEvent, pendingQuantity } from './order';
import { OrderStatus } from './order-status';
import { COMMIT_WITHOUT_WAL_WAIT, OrderStore, type OutboxIntent } from './order-store';
import { OrderFunds } from './order-funds';

const POLL_MS = 500;
/**
 * A pass starts this long after the kick that wakes the dispatcher, so orders accepted meanwhile
 * go out in the same statements: at a steady 500 orders/s a pass per order meant a lease, a mark
 * and an acknowledgement statement per order. The exchange sees each order up to this much later;
 * its acceptance (the client's answer) does not wait for it.
 */
const GATHER_MS = 5;
const LEASE_SECONDS = 30;
const BATCH = 100;

// One statement marks the whole pass, not one per row.
const MARK_DISPATCHED = prepared(
  'outbox.mark-dispatched',
  `UPDATE outbox SET dispatched_at = now(), last_error = CASE WHEN id = ANY($2::bigint[]) THEN 'skipped: order no longer live' END
   FROM ${COMMIT_WITHOUT_WAL_WAIT} WHERE id = ANY($1::bigint[])`,
);
/** A new order the exchange could not take within this many attempts is rejected and its margin released. */
const MAX_SUBMIT_ATTEMPTS = 8;

/**
 * Sends committed intents to the exchange. Rows are leased (not locked across the network call),
 * so a crash mid-send leaves them to be retried by any replica after the lease; a retry reuses
 * the same ClOrdID, so the exchange can never take one order twice.
 */
@Injectable()
export class OutboxDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxDispatcher.name);
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: OrderStore,
    private readonly funds: OrderFunds,
    private readonly events: EventEmitter2,
    @Inject(EXCHANGE_GATEWAY) private readonly gateway: ExchangeGateway,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 10));
  }

  /** A pass is leasing or sending: its rows are out of the due set (their lease) but not yet at the exchange. */
  get passInFlight(): boolean {
    return this.running;
  }

  /** Runs a dispatch pass soon; overlapping kicks coalesce into one more pass. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    setTimeout(() => {
      this.drain()
        .catch((err) => this.logger.error({ err }, 'outbox pass failed'))
        .finally(() => {
          this.running = false;
          if (this.again && !this.stopped) {
            this.again = false;
            this.kick();
          }
        });
    }, GATHER_MS);
  }

  /**
   * One pass per leased batch: a statement to lease it and mark its new orders as being sent,
   * the sends themselves (in id order), one to mark the batch dispatched. The statements are per
   * batch, not per row, so the hand-over keeps up with acceptance.
   */
  private async drain(): Promise<void> {
    for (;;) {
      const leased = await this.store.leaseForDispatch(BATCH, LEASE_SECONDS);
      if (leased.length === 0 || this.stopped) return;
      const done: string[] = [];
      const skipped: string[] = [];
      for (const { intent, sending } of leased) {
        const outcome = await this.dispatch(intent, sending);
        if (outcome === 'sent') done.push(intent.id);
        else if (outcome === 'skipped') skipped.push(intent.id);
      }
      await runPrepared(this.dataSource, MARK_DISPATCHED, [[...done, ...skipped], skipped]);
      if (leased.length < BATCH) return;
    }
  }

  /** 'sent' and 'skipped' rows are marked done by the caller; 'retry' rows keep their lease/backoff. */
  private async dispatch(row: OutboxIntent, sending: Order | null): Promise<'sent' | 'skipped' | 'retry' | 'closed'> {
    try {
      return (await this.send(row, sending)) ? 'sent' : 'skipped';
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const transient = err instanceof ExchangeUnavailableError;
      if (row.topic === 'exchange.submit' && (!transient || row.attempts >= MAX_SUBMIT_ATTEMPTS)) {
        await this.rejectUnsent(row.aggregate_id, `Not sent to the exchange: ${message}`);
        await this.dataSource.query('UPDATE outbox SET dispatched_at = now(), last_error = $2 WHERE id = $1', [row.id, message]);
        return 'closed';
      }
      const backoffSeconds = Math.min(30, 2 ** Math.min(row.attempts, 5) / 4);
      await this.dataSource.query(`UPDATE outbox SET available_at = now() + ($2 || ' seconds')::interval, last_error = $3 WHERE id = $1`, [
        row.id,
        String(backoffSeconds),
        message,
      ]);
      return 'retry';
    }
  }

  /**
   * `sending` is a submit's order as the lease marked it; null when the order moved on meanwhile
   * (e.g. cancelled before it was sent): then this returns false.
   */
  private async send(row: OutboxIntent, sending: Order | null): Promise<boolean> {
    if (row.topic === 'exchange.submit') {
      if (!sending) return false;
      this.emit(sending);
      await this.gateway.submit(toVenueOrder(sending));
      return true;
    }
    const p = row.payload as { clOrdId: string; origClOrdId: string; quantity?: number; price?: number; triggerPrice?: number };
    if (row.topic === 'exchange.cancel') await this.gateway.cancel({ clOrdId: p.clOrdId, origClOrdId: p.origClOrdId });
    else await this.gateway.replace(p);
    return true;
  }

  /** The exchange never got it: the order is rejected and everything it blocked comes back, once. */
  private async rejectUnsent(orderId: string, message: string): Promise<void> {
    const order = await this.dataSource.transaction(async (m) => {
      const o = await this.store.lock(m, orderId);
      if (!o || (o.status !== OrderStatus.Received && o.status !== OrderStatus.OpenPending)) return null;
      await this.funds.releaseRest(m, o);
      return this.store.apply(m, o, { status: OrderStatus.Rejected, statusMessage: message, cancelledQuantity: o.quantity - o.filledQuantity, marginBlocked: 0, holdingsBlocked: 0 });
    });
    if (order) this.emit(order);
  }

  private emit(order: Order): void {
    this.events.emit(ORDER_UPDATED, { order } satisfies OrderUpdatedEvent);
  }
}

/**
 * How the broker's order looks at the exchange: a MARKET order goes as a limit at its
 * market-protection price, IOC (the unfilled rest is cancelled, as for a market order); an
 * SL-M as a stop-limit at its protection price. Either way it cannot cost more than was blocked.
 */
export function toVenueOrder(o: Order) {
  const market = o.orderType === 'MARKET';
  const stopMarket = o.orderType === 'SL-M';
  return {
    clOrdId: clOrdIdFor(o.id, o.version),
    clientAccount: o.placedBy,
    instrumentToken: o.instrumentToken,
    side: o.transactionType,
    orderType: market ? ('LIMIT' as const) : stopMarket ? ('SL' as const) : o.orderType,
    validity: market ? ('IOC' as const) : o.validity,
    quantity: pendingQuantity(o) + o.filledQuantity,
    price: o.orderType === 'LIMIT' || o.orderType === 'SL' ? o.price : o.exchangePrice,
    triggerPrice: o.triggerPrice || undefined,
    disclosedQuantity: o.disclosedQuantity || undefined,
  };
}
