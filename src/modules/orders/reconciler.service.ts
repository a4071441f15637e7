import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ExecutionReport } from '../../common/exchange-protocol/venue.types';
import { EXCHANGE_GATEWAY, ExchangeGateway } from '../exchange/exchange-gateway';
import { clOrdIdFor, ORDER_COLUMNS, Order, pendingQuantity, toOrder } from './order';
import { OrderStatus } from './order-status';
import { ExecutionHandler } from './execution-handler.service';

/** Sent, but the exchange's answer may not have been applied: these are the orders to ask about. */
const UNCERTAIN = [OrderStatus.OpenPending, OrderStatus.ModifyPending, OrderStatus.CancelPending, OrderStatus.Open, OrderStatus.TriggerPending];

/**
 * On start and after every reconnect, asks the exchange about every order in an uncertain state
 * (OrderStatusRequest), so nothing stays pending forever. Every answer, including "unknown", goes
 * through the execution handler like any other report (one code path, one lock per order).
 */
@Injectable()
export class Reconciler implements OnModuleInit {
  private readonly logger = new Logger(Reconciler.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly handler: ExecutionHandler,
    @Inject(EXCHANGE_GATEWAY) private readonly gateway: ExchangeGateway,
  ) {}

  onModuleInit(): void {
    this.gateway.onConnected(() => {
      this.run().catch((err) => this.logger.error({ err }, 'reconciliation failed'));
    });
  }

  async run(): Promise<{ checked: number; unknown: number }> {
    const rows = await this.dataSource.query(`SELECT ${ORDER_COLUMNS} FROM orders WHERE live AND status = ANY($1) ORDER BY id`, [UNCERTAIN]);
    let unknown = 0;
    for (const order of rows.map(toOrder)) {
      const clOrdId = clOrdIdFor(order.id, order.version);
      const answer = await this.gateway.requestStatus(clOrdId);
      if (answer === 'requested') continue; // the answer arrives as an ORDER_STATUS report
      if (!answer) unknown += 1;
      await this.handler.enqueue(answer ? { ...answer, clOrdId, execType: 'ORDER_STATUS' as const } : unknownReport(order, clOrdId));
    }
    if (rows.length) this.logger.log(`reconciled ${rows.length} orders with the exchange (${unknown} unknown there)`);
    return { checked: rows.length, unknown };
  }
}

/** What a FIX venue answers for an order it does not know (ExecType I, OrdStatus Rejected), built locally. */
function unknownReport(o: Order, clOrdId: string): ExecutionReport {
  return {
    kind: 'execution',
    memberId: '',
    clOrdId,
    exchangeOrderId: o.exchangeOrderId ?? '',
    execId: `reconcile-${o.id}-${o.version}`,
    execType: 'ORDER_STATUS',
    orderStatus: 'REJECTED',
    instrumentToken: o.instrumentToken,
    side: o.transactionType,
    orderType: o.orderType,
    validity: o.validity,
    quantity: o.quantity,
    cumQuantity: o.filledQuantity,
    leavesQuantity: pendingQuantity(o),
    averagePrice: o.averagePrice,
    reasonCode: 'UNKNOWN_ORDER',
    text: 'Unknown order',
    transactTime: Date.now(),
  };
}
