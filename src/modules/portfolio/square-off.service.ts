import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '../../common/errors';
import { AuthUser } from '../auth/auth.types';
import { InstrumentsService } from '../instruments';
import { OrdersService } from '../orders/orders.service';
import { UsersService } from '../users/users.service';

export type SquareOffReason = 'RISK_SQUAREOFF' | 'EOD_SQUAREOFF' | 'EXIT_ALL';

/**
 * Closes positions through the normal order path (validation, margin, outbox, exchange), as a
 * trader would: first cancel the product's open orders (they could reopen exposure), then a
 * MARKET order per open position, tagged with the reason.
 */
@Injectable()
export class SquareOffService {
  private readonly logger = new Logger(SquareOffService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrdersService,
    private readonly users: UsersService,
    private readonly instruments: InstrumentsService,
  ) {}

  async squareOff(userId: string, tradeDate: string, options: { product?: 'MIS' | 'CNC'; reason: SquareOffReason }): Promise<string[]> {
    const user = await this.users.getById(userId);
    const actor: AuthUser = { userId, clientId: user.clientId, sessionId: `system:${options.reason}`, kind: 'web' };
    const open = await this.orders.store.list(userId, { status: 'PENDING' });
    for (const o of open.filter((o) => !options.product || o.product === options.product)) {
      await this.orders.cancel(actor, o.id).catch((err) => this.ignoreDomain(err, `cancel ${o.id}`));
    }
    const positions: { instrument_token: number; product: 'MIS' | 'CNC'; net_quantity: number }[] = await this.dataSource.query(
      `SELECT instrument_token, product, net_quantity FROM positions
       WHERE user_id = $1 AND trade_date = $2 AND net_quantity <> 0 AND ($3::text IS NULL OR product = $3)`,
      [userId, tradeDate, options.product ?? null],
    );
    const placed: string[] = [];
    for (const p of positions) {
      const instrument = this.instruments.getByToken(Number(p.instrument_token));
      if (!instrument) continue;
      const net = Number(p.net_quantity);
      try {
        const result = await this.orders.place(actor, {
          exchange: instrument.exchange,
          tradingsymbol: instrument.tradingsymbol,
          transactionType: net > 0 ? 'SELL' : 'BUY',
          orderType: 'MARKET',
          product: p.product,
          validity: 'DAY',
          variety: 'regular',
          quantity: Math.abs(net),
          price: 0,
          triggerPrice: 0,
          disclosedQuantity: 0,
          tag: options.reason,
        });
        placed.push(result.response.order_id);
      } catch (err) {
        this.ignoreDomain(err, `square off ${instrument.tradingsymbol}`);
      }
    }
    if (placed.length) this.logger.log(`${options.reason}: ${placed.length} square-off orders for ${user.clientId}`);
    return placed;
  }

  private ignoreDomain(err: unknown, what: string): void {
    if (!(err instanceof DomainError)) throw err;
    this.logger.warn(`${what}: ${err.message}`);
  }
}
