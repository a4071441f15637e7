import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export type AuditEvent =
  | 'signup'
  | 'totp.confirmed'
  | 'login.password_ok'
  | 'login.failed'
  | 'login.locked'
  | 'login.succeeded'
  | 'twofa.failed'
  | 'backup_code.used'
  | 'logout'
  | 'refresh.reused'
  | 'app.created'
  | 'kite.session_created'
  | 'kite.session_deleted'
  | 'kyc.changed'
  | 'trading.blocked'
  | 'funds.payin'
  | 'funds.payout';

export interface AuditRecord {
  event: AuditEvent;
  userId?: string | null;
  ip?: string | null;
  /** Ids and outcomes only: never passwords, tokens, codes or full PANs. */
  detail?: Record<string, unknown>;
}

/** Append-only audit trail of logins and money movements (SEBI expects both kept). */
@Injectable()
export class AuditService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly dataSource: DataSource) {}

  /** Inside the caller's transaction when one is given, so the trail and the change commit together. */
  async record(entry: AuditRecord, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query('INSERT INTO audit_log (user_id, event, ip, detail) VALUES ($1, $2, $3, $4)', [
      entry.userId ?? null,
      entry.event,
      entry.ip ?? null,
      JSON.stringify(entry.detail ?? {}),
    ]);
  }

  /** For events outside a transaction whose loss must not fail the request (e.g. a failed login). */
  recordQuietly(entry: AuditRecord): void {
    const write = this.record(entry)
      .catch((err) => this.logger.error({ err, event: entry.event }, 'audit write failed'))
      .finally(() => this.inFlight.delete(write));
    this.inFlight.add(write);
  }

  /** Shutdown waits for background writes before the pool closes: no audit row is dropped. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  async recent(userId: string, limit = 50): Promise<{ at: Date; event: string; ip: string | null; detail: unknown }[]> {
    return this.dataSource.query('SELECT at, event, ip, detail FROM audit_log WHERE user_id = $1 ORDER BY at DESC, id DESC LIMIT $2', [
      userId,
      limit,
    ]);
  }
}
