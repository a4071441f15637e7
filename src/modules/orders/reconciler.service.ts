import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { EXCHANGE_GATEWAY, ExchangeGateway } from '../exchange/exchange-gateway';
import { clOrdIdFor, ORDER_COLUMNS, ORDER_UPDATED, OrderUpdatedEvent, pendingQuantity, toOrder } from './order';
import { OrderFunds } from './order-funds';
import { OrderStatus } from './order-status';
import { OrderStore } from './order-store';
import { ExecutionHandler } from './execution-handler.service';

/** Sent, but the exchange's answer was never applied: these are the orders to ask about. */
const UNCERTAIN = [OrderStatus.OpenPending, OrderStatus.ModifyPending, OrderStatus.CancelPending, OrderStatus.Open, OrderStatus.TriggerPending];

/**
 * On start and after every reconnect, asks the exchange about every order in an uncertain state
 * (OrderStatusRequest), so nothing stays pending forever. An order the exchange has never heard of
 * was lost on the way: it is rejected and its margin released.
 */
@Injectable()
export class Reconciler implements OnModuleInit {
  private readonly logger = new Logger(Reconciler.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: OrderStore,
    private readonly orderFunds: OrderFunds,
    private readonly handler: ExecutionHandler,
    private readonly events: EventEmitter2,
    @Inject(EXCHANGE_GATEWAY) private readonly gateway: ExchangeGateway,
  ) {}

  onModuleInit(): void {
    this.gateway.onConnected(() => {
      this.run().catch((err) => this.logger.error({ err }, 'reconciliation failed'));
    });
  }

  async run(): Promise<{ checked: number; lost: number }> {
    const rows = await this.dataSource.query(`SELECT ${ORDER_COLUMNS} FROM orders WHERE status = ANY($1) ORDER BY id`, [UNCERTAIN]);
    let lost = 0;
    for (const order of rows.map(toOrder)) {
      const answer = await this.gateway.requestStatus(clOrdIdFor(order.id, order.version));
      if (answer === 'requested') continue; // the answer arrives as an ORDER_STATUS report
      if (answer) {
        await this.handler.enqueue({ ...answer, clOrdId: clOrdIdFor(order.id, order.version), execType: 'ORDER_STATUS' as const });
        continue;
      }
      const unsent = await this.dataSource.query(`SELECT 1 FROM outbox WHERE aggregate_id = $1 AND dispatched_at IS NULL`, [order.id]);
      if (unsent.length) continue; // not sent yet: the outbox will send it
      lost += (await this.markLost(order.id)) ? 1 : 0;
    }
    if (rows.length) this.logger.log(`reconciled ${rows.length} orders with the exchange (${lost} unknown there)`);
    return { checked: rows.length, lost };
  }

  private async markLost(orderId: string): Promise<boolean> {
    const order = await this.dataSource.transaction(async (m) => {
      const o = await this.store.lock(m, orderId);
      if (!o || !UNCERTAIN.includes(o.status as (typeof UNCERTAIN)[number])) return null;
      await this.orderFunds.releaseRest(m, o);
      const status = o.filledQuantity > 0 ? OrderStatus.Cancelled : OrderStatus.Rejected;
      return this.store.apply(m, o, {
        status,
        statusMessage: 'The exchange has no record of this order; its margin has been released',
        cancelledQuantity: o.cancelledQuantity + pendingQuantity(o),
        marginBlocked: 0,
        holdingsBlocked: 0,
        pendingAmendment: null,
      });
    });
    if (order) this.events.emit(ORDER_UPDATED, { order } satisfies OrderUpdatedEvent);
    return order !== null;
  }
}
