import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { DomainError } from '../../common/errors';
import { ORDER_UPDATED, OrderUpdatedEvent } from './order';
import { OrderStatus } from './order-status';
import { OrderPlacementService } from './order-placement.service';

/**
 * Iceberg orders go to the exchange one leg at a time: when a leg completes, the next one is
 * placed (with its own validation and margin), until the total is placed. A cancelled or
 * rejected leg ends the iceberg. The leg's idempotency key makes this safe to repeat.
 */
@Injectable()
export class IcebergSequencer {
  private readonly logger = new Logger(IcebergSequencer.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly placement: OrderPlacementService,
  ) {}

  @OnEvent(ORDER_UPDATED, { async: true, promisify: true })
  async onOrderUpdated({ order }: OrderUpdatedEvent): Promise<void> {
    if (order.variety !== 'iceberg' || order.status !== OrderStatus.Complete) return;
    const rootId = order.parentOrderId ?? order.id;
    const [plan] = await this.dataSource.query(
      `SELECT r.iceberg_total, r.iceberg_legs, sum(o.quantity)::int AS placed, count(*)::int AS legs_placed
       FROM orders r JOIN orders o ON o.id = r.id OR o.parent_order_id = r.id WHERE r.id = $1 GROUP BY r.id`,
      [rootId],
    );
    if (!plan?.iceberg_total || plan.placed >= plan.iceberg_total) return;
    const quantity = Math.min(Math.ceil(plan.iceberg_total / plan.iceberg_legs), plan.iceberg_total - plan.placed);
    try {
      await this.placement.placeIcebergLeg(
        { userId: order.userId, clientId: order.placedBy, sessionId: `system:iceberg:${rootId}`, kind: 'web' },
        {
          exchange: order.exchange as 'NSE' | 'BSE',
          tradingsymbol: order.tradingsymbol,
          transactionType: order.transactionType,
          orderType: order.orderType,
          product: order.product,
          validity: order.validity,
          variety: 'iceberg',
          quantity,
          price: order.price,
          triggerPrice: order.triggerPrice,
          disclosedQuantity: 0,
          tag: order.tag ?? undefined,
        },
        { parentId: rootId, index: plan.legs_placed + 1 },
      );
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      this.logger.warn(`iceberg ${rootId}: leg ${plan.legs_placed + 1} not placed: ${err.message}`);
    }
  }
}
