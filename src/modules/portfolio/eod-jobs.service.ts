import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { Clock, CLOCK } from '../../common/clock/clock';
import { ExchangeCalendar, SESSION } from '../../common/clock/exchange-calendar';
import { istParts } from '../../common/clock/ist';
import { Lock, LOCK } from '../../common/redis/ports';
import { OrdersService } from '../orders/orders.service';
import { PORTFOLIO_CHANGED } from './portfolio.events';
import { SquareOffService } from './square-off.service';

export type EodJob = 'settlement' | 'mis_squareoff';

interface JobSpec {
  name: EodJob;
  /** IST minute of the day from which the job is due. */
  at: number;
  /** Whether the job runs on the always-open demo calendar. */
  inDemo: boolean;
}

const JOBS: JobSpec[] = [
  // T+1: before the pre-open, yesterday's purchases become settled holdings.
  { name: 'settlement', at: 8 * 60, inDemo: true },
  // Intraday positions are closed by the broker at 15:20 IST, ten minutes before the close.
  { name: 'mis_squareoff', at: SESSION.misSquareOff, inDemo: false },
];

const CHECK_EVERY_MS = 15_000;

/**
 * End-of-day work on the exchange calendar, exactly once across replicas: a Redis lock keeps two
 * replicas from running a job together, and the (job, business date) row in eod_runs makes a
 * second run of the same day a no-op. Runs on a timer; tests call runDue() with a moved clock.
 */
@Injectable()
export class EodJobs implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EodJobs.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly calendar: ExchangeCalendar,
    private readonly squareOff: SquareOffService,
    private readonly orders: OrdersService,
    private readonly events: EventEmitter2,
    @Inject(LOCK) private readonly lock: Lock,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runDue().catch((err) => this.logger.error({ err }, 'EOD check failed')), CHECK_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Runs every job that is due now and has not run for today's business date; returns what ran. */
  async runDue(): Promise<EodJob[]> {
    const { date, minuteOfDay } = istParts(this.clock.now());
    if (!this.calendar.isTradingDay(date)) return [];
    const ran: EodJob[] = [];
    for (const job of JOBS) {
      if (minuteOfDay < job.at || (this.calendar.alwaysOpen && !job.inDemo)) continue;
      if (await this.runOnce(job.name, date)) ran.push(job.name);
    }
    return ran;
  }

  private async runOnce(job: EodJob, date: string): Promise<boolean> {
    const lease = await this.lock.tryAcquire(`eod:${job}`, 5 * 60_000);
    if (!lease) return false;
    try {
      const claimed = await this.dataSource.query(
        `INSERT INTO eod_runs (job, business_date) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING job`,
        [job, date],
      );
      if (claimed.length === 0) return false;
      try {
        const detail = job === 'settlement' ? await this.settle() : await this.squareOffIntraday(date);
        await this.dataSource.query(`UPDATE eod_runs SET finished_at = now(), detail = $3 WHERE job = $1 AND business_date = $2`, [job, date, JSON.stringify(detail)]);
        this.logger.log(`${job} for ${date}: ${JSON.stringify(detail)}`);
        return true;
      } catch (err) {
        // Let the next check retry: the record only stays when the job finished.
        await this.dataSource.query('DELETE FROM eod_runs WHERE job = $1 AND business_date = $2', [job, date]);
        throw err;
      }
    } finally {
      await lease.release();
    }
  }

  /** T+1: every T1 quantity (bought on an earlier trading day) becomes settled. */
  private async settle(): Promise<{ users: number; holdings: number }> {
    const rows: { user_id: string }[] = await this.dataSource.query(
      `WITH upd AS (
         UPDATE holdings SET quantity = quantity + t1_quantity, t1_quantity = 0, updated_at = now() WHERE t1_quantity > 0 RETURNING user_id
       ) SELECT user_id FROM upd`,
    );
    const users = [...new Set(rows.map((r) => r.user_id))];
    users.forEach((userId) => this.events.emit(PORTFOLIO_CHANGED, { userId }));
    return { users: users.length, holdings: rows.length };
  }

  private async squareOffIntraday(date: string): Promise<{ users: number; orders: number }> {
    const withPositions: { user_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT user_id FROM positions WHERE product = 'MIS' AND net_quantity <> 0 AND trade_date = $1`,
      [date],
    );
    const users = new Set([...withPositions.map((r) => r.user_id), ...(await this.orders.store.usersWithLiveOrders('MIS'))]);
    let orders = 0;
    for (const userId of users) orders += (await this.squareOff.squareOff(userId, date, { product: 'MIS', reason: 'EOD_SQUAREOFF' })).length;
    return { users: users.size, orders };
  }
}
