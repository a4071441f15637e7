import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IDEMPOTENCY_TTL_HOURS } from './idempotency';

const EVERY_MS = 60 * 60_000;
/** Sent outbox rows are kept a week for audit, then dropped. */
const OUTBOX_KEEP_DAYS = 7;

/** Hourly: idempotency keys past their 24 h, and long-dispatched outbox rows. Safe on every replica. */
@Injectable()
export class OrdersJanitor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OrdersJanitor.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly dataSource: DataSource) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep().catch((err) => this.logger.warn(`sweep failed: ${(err as Error).message}`)), EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<{ keys: number; outbox: number }> {
    const [keys] = await this.dataSource.query(
      `WITH d AS (DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1) RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [IDEMPOTENCY_TTL_HOURS],
    );
    const [outbox] = await this.dataSource.query(
      `WITH d AS (DELETE FROM outbox WHERE dispatched_at < now() - make_interval(days => $1) RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [OUTBOX_KEEP_DAYS],
    );
    return { keys: keys.n, outbox: outbox.n };
  }
}
