import { Inject, Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { Clock, CLOCK } from '../../common/clock/clock';
import { istParts } from '../../common/clock/ist';
import { Cache, CACHE } from '../../common/redis/ports';
import { InstrumentsService } from '../instruments';
import { ORDER_UPDATED, OrderUpdatedEvent } from '../orders/order';
import { LAST_PRICE_PROVIDER, LastPriceProvider } from '../risk/last-price';
import { PORTFOLIO_CHANGED, PortfolioChangedEvent } from './portfolio.events';
import { unrealisedPnl } from './position-math';

export interface PositionRow {
  instrumentToken: number;
  product: 'CNC' | 'MIS';
  tradeDate: string;
  buyQuantity: number;
  buyValue: number;
  sellQuantity: number;
  sellValue: number;
  netQuantity: number;
  averagePrice: number;
  realisedPnl: number;
  marginBlocked: number;
}

export interface HoldingRow {
  instrumentToken: number;
  quantity: number;
  t1Quantity: number;
  blockedQuantity: number;
  averagePrice: number;
}

interface CachedPortfolio {
  positions: PositionRow[];
  holdings: HoldingRow[];
}

/** DESIGN §7: portfolio:{user} for 60 s; rows only (prices are applied fresh on every read). */
const TTL_MS = 60_000;
const key = (userId: string) => `portfolio:${userId}`;

/**
 * The read side: today's positions and the holdings, valued at live prices. The cached part is
 * the rows, invalidated by every order update of the user, so a fill shows at once.
 */
@Injectable()
export class PortfolioService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly instruments: InstrumentsService,
    @Inject(CACHE) private readonly cache: Cache,
    @Inject(LAST_PRICE_PROVIDER) private readonly prices: LastPriceProvider,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Only fills move positions and holdings: placements, acks and cancels of unfilled orders do not. */
  @OnEvent(ORDER_UPDATED)
  async onOrderUpdated({ order }: OrderUpdatedEvent): Promise<void> {
    if (order.filledQuantity > 0) await this.invalidate(order.userId);
  }

  @OnEvent(PORTFOLIO_CHANGED)
  async onPortfolioChanged({ userId }: PortfolioChangedEvent): Promise<void> {
    await this.invalidate(userId);
  }

  invalidate(userId: string): Promise<void> {
    return this.cache.del(key(userId)).catch(() => undefined);
  }

  tradeDate(): string {
    return istParts(this.clock.now()).date;
  }

  lastPrice(token: number): number {
    return this.prices.lastPrice(token) ?? this.instruments.getByToken(token)?.prevClose ?? 0;
  }

  async rows(userId: string): Promise<CachedPortfolio> {
    const cached = await this.cache.get(key(userId)).catch(() => null);
    if (cached) return JSON.parse(cached) as CachedPortfolio;
    const positions = (
      await this.dataSource.query(
        `SELECT instrument_token, product, trade_date::text AS trade_date, buy_quantity, buy_value, sell_quantity, sell_value,
                net_quantity, average_price, realised_pnl, margin_blocked
         FROM positions WHERE user_id = $1 AND (trade_date = $2 OR net_quantity <> 0) ORDER BY instrument_token, product`,
        [userId, this.tradeDate()],
      )
    ).map(
      (r: Record<string, string | number>): PositionRow => ({
        instrumentToken: Number(r.instrument_token),
        product: r.product as 'CNC' | 'MIS',
        tradeDate: String(r.trade_date),
        buyQuantity: Number(r.buy_quantity),
        buyValue: Number(r.buy_value),
        sellQuantity: Number(r.sell_quantity),
        sellValue: Number(r.sell_value),
        netQuantity: Number(r.net_quantity),
        averagePrice: Number(r.average_price),
        realisedPnl: Number(r.realised_pnl),
        marginBlocked: Number(r.margin_blocked),
      }),
    );
    const holdings = (
      await this.dataSource.query(
        `SELECT instrument_token, quantity, t1_quantity, blocked_quantity, average_price FROM holdings
         WHERE user_id = $1 AND quantity + t1_quantity > 0 ORDER BY instrument_token`,
        [userId],
      )
    ).map(
      (r: Record<string, string | number>): HoldingRow => ({
        instrumentToken: Number(r.instrument_token),
        quantity: Number(r.quantity),
        t1Quantity: Number(r.t1_quantity),
        blockedQuantity: Number(r.blocked_quantity),
        averagePrice: Number(r.average_price),
      }),
    );
    const value = { positions, holdings };
    await this.cache.set(key(userId), JSON.stringify(value), TTL_MS).catch(() => undefined);
    return value;
  }

  /** P&L summary for the funds view: realised today and mark-to-market of open positions. */
  async pnl(userId: string): Promise<{ realised: number; unrealised: number; usedMargin: number }> {
    const { positions } = await this.rows(userId);
    let realised = 0;
    let unrealised = 0;
    let usedMargin = 0;
    for (const p of positions) {
      if (p.tradeDate === this.tradeDate()) realised += p.realisedPnl;
      unrealised += unrealisedPnl(p, this.lastPrice(p.instrumentToken));
      usedMargin += p.marginBlocked;
    }
    return { realised, unrealised, usedMargin };
  }
}
