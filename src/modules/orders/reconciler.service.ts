import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EXCHANGE_GATEWAY, ExchangeGateway } from '../exchange/exchange-gateway';
import { ORDER_COLUMNS, toOrder } from './order';
import { OrderStatus } from './order-status';
import { askExchange } from './exchange-status';
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
      const report = await askExchange(this.gateway, order);
      if (!report) continue; // the answer arrives as an ORDER_STATUS report
      if (report.reasonCode === 'UNKNOWN_ORDER') unknown += 1;
      await this.handler.enqueue(report);
    }
    if (rows.length) this.logger.log(`reconciled ${rows.length} orders with the exchange (${unknown} unknown there)`);
    return { checked: rows.length, unknown };
  }
}
