import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ratioOf, Rounding } from '../../common/money/money';
import { FundsService } from '../accounts/funds.service';
import { PortfolioLedger } from '../portfolio/portfolio-ledger';
import { Order, pendingQuantity } from './order';

/**
 * What an order holds (cash margin, or holdings for a CNC sell) and gives back. Each amount is
 * released exactly once because the order row's own counters are zeroed in the same transaction.
 */
@Injectable()
export class OrderFunds {
  constructor(
    private readonly funds: FundsService,
    private readonly portfolio: PortfolioLedger,
  ) {}

  /** Cancel, reject, expiry: everything still blocked for the unfilled part. */
  async releaseRest(m: EntityManager, o: Order): Promise<void> {
    await this.funds.release(m, o.userId, o.marginBlocked, { type: 'order', id: o.id });
    await this.portfolio.releaseHoldings(m, o.userId, o.instrumentToken, o.holdingsBlocked);
  }

  blockHoldings(m: EntityManager, o: Order, quantity: number): Promise<boolean> {
    return this.portfolio.blockHoldings(m, o.userId, o.instrumentToken, quantity);
  }

  releaseHoldings(m: EntityManager, o: Order, quantity: number): Promise<void> {
    return this.portfolio.releaseHoldings(m, o.userId, o.instrumentToken, quantity);
  }

  /** The part of the order's blocked margin that belongs to `quantity` of its open quantity. */
  static marginShare(o: Order, quantity: number): number {
    const open = pendingQuantity(o);
    return quantity >= open ? o.marginBlocked : ratioOf(o.marginBlocked, quantity, open, Rounding.Down);
  }
}
