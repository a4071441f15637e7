import { Injectable } from '@nestjs/common';
import { rupeesToPaise } from '../../common/money/money';
import { AuthUser } from '../auth/auth.types';
import { OrderInput } from '../risk/risk.service';
import type { Variety } from '../risk/order-intent';
import { PlaceOrderDto } from './dto/order.dto';
import { ModifyInput, OrderAmendments } from './order-amendment.service';
import { OrderPlacementService, PlaceResult } from './order-placement.service';
import { OrderStore } from './order-store';

/** Rupees in, paise out: the only place request prices are converted. */
export function toOrderInput(dto: PlaceOrderDto, variety: Variety): OrderInput & { tag?: string } {
  return {
    exchange: dto.exchange,
    tradingsymbol: dto.tradingsymbol.toUpperCase(),
    transactionType: dto.transaction_type,
    orderType: dto.order_type,
    product: dto.product,
    validity: dto.validity ?? 'DAY',
    variety,
    quantity: dto.quantity,
    price: dto.price ? rupeesToPaise(dto.price, 'price') : 0,
    triggerPrice: dto.trigger_price ? rupeesToPaise(dto.trigger_price, 'trigger_price') : 0,
    disclosedQuantity: dto.disclosed_quantity ?? 0,
    icebergLegs: dto.iceberg_legs,
    tag: dto.tag,
  };
}

/** The module's exported face: place, amend, read. */
@Injectable()
export class OrdersService {
  constructor(
    private readonly placement: OrderPlacementService,
    private readonly amendments: OrderAmendments,
    readonly store: OrderStore,
  ) {}

  place(user: AuthUser, input: OrderInput & { tag?: string }, idempotencyKey?: string): Promise<PlaceResult> {
    return this.placement.place(user, input, idempotencyKey);
  }

  modify(user: AuthUser, orderId: string, input: ModifyInput) {
    return this.amendments.modify(user, orderId, input);
  }

  cancel(user: AuthUser, orderId: string) {
    return this.amendments.cancel(user, orderId);
  }

  cancelAll(user: AuthUser) {
    return this.amendments.cancelAll(user);
  }
}
