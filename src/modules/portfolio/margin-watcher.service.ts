import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { Clock, CLOCK } from '../../common/clock/clock';
import { istParts } from '../../common/clock/ist';
import { AppConfig } from '../../common/config/app-config';
import { Cache, CACHE, Lock, LOCK } from '../../common/redis/ports';
import { MARGIN_CALL, MarginCallEvent } from './portfolio.events';
import { PortfolioService } from './portfolio.service';
import { unrealisedPnl } from './position-math';
import { SquareOffService } from './square-off.service';

const WATCH_EVERY_MS = 2_000;

/**
 * Marks open MIS positions to market. Past the call share of their margin the trader gets a
 * margin call (once per episode); past the hard share the broker squares them off through the
 * normal order path. One replica watches at a time (a short Redis lease per pass).
 */
@Injectable()
export class MarginWatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MarginWatcher.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly portfolio: PortfolioService,
    private readonly squareOff: SquareOffService,
    private readonly events: EventEmitter2,
    private readonly config: AppConfig,
    @Inject(LOCK) private readonly lock: Lock,
    @Inject(CACHE) private readonly cache: Cache,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick().catch((err) => this.logger.error({ err }, 'margin check failed')), WATCH_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** The timed pass: one replica at a time. */
  private async tick(): Promise<void> {
    const lease = await this.lock.tryAcquire('margin-watch', WATCH_EVERY_MS);
    if (!lease) return;
    try {
      await this.check();
    } finally {
      await lease.release();
    }
  }

  /** Marks every open MIS position to market; returns the calls made (tests drive it directly). */
  async check(): Promise<MarginCallEvent[]> {
    {
      const date = istParts(this.clock.now()).date;
      const rows: { user_id: string; instrument_token: number; net_quantity: number; average_price: string; margin_blocked: string }[] =
        await this.dataSource.query(
          `SELECT user_id, instrument_token, net_quantity, average_price, margin_blocked FROM positions
           WHERE product = 'MIS' AND net_quantity <> 0 AND trade_date = $1`,
          [date],
        );
      const byUser = new Map<string, { loss: number; margin: number }>();
      for (const r of rows) {
        const acc = byUser.get(r.user_id) ?? { loss: 0, margin: 0 };
        const pnl = unrealisedPnl({ netQuantity: Number(r.net_quantity), averagePrice: Number(r.average_price) }, this.portfolio.lastPrice(Number(r.instrument_token)));
        acc.loss -= pnl;
        acc.margin += Number(r.margin_blocked);
        byUser.set(r.user_id, acc);
      }
      const calls: MarginCallEvent[] = [];
      const { marginCallPct, squareOffPct } = this.config.marginCalls;
      for (const [userId, { loss, margin }] of byUser) {
        if (margin <= 0 || loss <= 0) continue;
        const level = loss * 100 >= margin * squareOffPct ? 'square_off' : loss * 100 >= margin * marginCallPct ? 'warning' : null;
        if (!level) continue;
        // One call per level per episode (5 min), across replicas.
        if (!(await this.cache.setIfAbsent(`margin-call:${userId}:${level}`, '1', 5 * 60_000))) continue;
        const event: MarginCallEvent = { userId, loss, margin, level, at: this.clock.now() };
        calls.push(event);
        this.events.emit(MARGIN_CALL, event);
        if (level === 'square_off') await this.squareOff.squareOff(userId, date, { product: 'MIS', reason: 'RISK_SQUAREOFF' });
      }
      return calls;
    }
  }
}
