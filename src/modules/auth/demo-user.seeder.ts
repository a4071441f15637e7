import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../common/config/app-config';
import { UsersService } from '../users/users.service';
import { DEMO_USER_READY, DemoUserReady } from './auth.types';
import { PasswordHasher } from './password-hasher';
import { SecondFactorService } from './second-factor.service';

/**
 * Demo mode only (embedded defaults, or DEMO_USER=true): a KYC-verified trader whose
 * credentials are printed at start. The TOTP secret is fixed and public on purpose, so
 * `npm run demo:totp` can print the current code without an authenticator app.
 */
export const DEMO_USER = {
  email: 'demo@mstock.local',
  password: 'demo-trader-2026',
  name: 'Demo Trader',
  phone: '9876543210',
  pan: 'ABCPD1234E',
  totpSecret: 'KVKFKRCPNZQUYMLXOVYDSQKJKZDTSRLD',
} as const;

@Injectable()
export class DemoUserSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoUser');

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly secondFactor: SecondFactorService,
    private readonly events: EventEmitter2,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.auth.demoUser) return;
    let user = await this.users.findByEmail(DEMO_USER.email);
    if (!user) {
      const passwordHash = await this.hasher.hash(DEMO_USER.password);
      user = await this.dataSource.transaction(async (m) => {
        const created = await this.users.create(m, { ...DEMO_USER, kycStatus: 'verified' });
        await m.query('INSERT INTO credentials (user_id, password_hash) VALUES ($1, $2)', [created.id, passwordHash]);
        await this.secondFactor.enrol(m, created.id, created.email, DEMO_USER.totpSecret);
        await m.query('UPDATE totp_secrets SET confirmed_at = now() WHERE user_id = $1', [created.id]);
        return created;
      });
    }
    await this.events.emitAsync(DEMO_USER_READY, { userId: user.id } satisfies DemoUserReady);
    this.logger.log(
      `demo login: ${DEMO_USER.email} / ${DEMO_USER.password}, TOTP secret ${DEMO_USER.totpSecret} ` +
        `(current code: npm run demo:totp)`,
    );
  }
}

/** Promotes the operators named in ADMIN_EMAILS (and demotes the rest) at every start. */
@Injectable()
export class AdminSync implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.users.syncAdmins(this.config.auth.adminEmails);
  }
}
