import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../common/config/app-config';
import { DomainError, ErrorType } from '../../common/errors';
import { Cache, CACHE } from '../../common/redis/ports';
import { AuditService } from '../audit/audit.service';
import { User } from '../users/user.types';
import { UsersService } from '../users/users.service';
import { TokenPair } from './auth.types';
import { SignupDto } from './dto/auth.dto';
import { LoginThrottle } from './login-throttle.service';
import { PasswordHasher } from './password-hasher';
import { SecondFactorService, TotpEnrolment } from './second-factor.service';
import { SessionService, TokenError } from './session.service';

const LOGIN_TOKEN_TTL_MS = 5 * 60_000;
const BAD_CREDENTIALS = 'Invalid email or password';

export class AuthError extends DomainError {
  constructor(message: string, code: string, status = 401, type = ErrorType.Token) {
    super(code, message, type, status);
  }
}

interface PendingLogin {
  userId: string;
  clientId: string;
  accountKey: string;
}

/** Signup, TOTP enrolment and the two-step login (password, then second factor). */
@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly secondFactor: SecondFactorService,
    private readonly throttle: LoginThrottle,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
    @Inject(CACHE) private readonly cache: Cache,
    private readonly config: AppConfig,
  ) {}

  async signup(input: SignupDto, ip: string): Promise<{ user: User; enrolment: TotpEnrolment }> {
    const passwordHash = await this.hasher.hash(input.password);
    return this.dataSource.transaction(async (m) => {
      const user = await this.users.create(m, {
        ...input,
        kycStatus: this.config.auth.kycAutoApprove ? 'verified' : 'pending',
        role: this.config.auth.adminEmails.includes(input.email.toLowerCase()) ? 'admin' : 'trader',
      });
      await m.query('INSERT INTO credentials (user_id, password_hash) VALUES ($1, $2)', [user.id, passwordHash]);
      const enrolment = await this.secondFactor.enrol(m, user.id, user.email);
      await this.audit.record({ event: 'signup', userId: user.id, ip, detail: { clientId: user.clientId } }, m);
      return { user, enrolment };
    });
  }

  /** First code from the authenticator activates 2FA; returns the single-use backup codes. */
  async confirmTotp(email: string, password: string, code: string, ip: string): Promise<string[]> {
    const user = await this.checkPassword(email, password, ip);
    if ((await this.secondFactor.status(user.id)) === 'confirmed') {
      throw new AuthError('Two-factor authentication is already active', 'AUTH.TOTP_ALREADY_CONFIRMED', 409, ErrorType.Input);
    }
    const backupCodes = await this.secondFactor.confirm(user.id, code);
    if (!backupCodes) {
      await this.failAttempt(LoginThrottle.accountKey(email), user.id, ip, 'twofa.failed');
      throw new AuthError('Invalid or expired code', 'AUTH.TOTP_INVALID');
    }
    this.audit.recordQuietly({ event: 'totp.confirmed', userId: user.id, ip });
    return backupCodes;
  }

  /** Step one: password. Answers a short-lived, single-use login token for step two. */
  async login(email: string, password: string, ip: string): Promise<{ login_token: string; expires_in: number }> {
    const user = await this.checkPassword(email, password, ip);
    if ((await this.secondFactor.status(user.id)) !== 'confirmed') {
      throw new AuthError('Confirm two-factor authentication first (POST /api/v1/auth/totp/confirm)', 'AUTH.TOTP_NOT_CONFIRMED', 403, ErrorType.Permission);
    }
    const loginToken = randomBytes(24).toString('base64url');
    const pending: PendingLogin = { userId: user.id, clientId: user.clientId, accountKey: LoginThrottle.accountKey(email) };
    await this.cache.set(`login-token:${loginToken}`, JSON.stringify(pending), LOGIN_TOKEN_TTL_MS);
    this.audit.recordQuietly({ event: 'login.password_ok', userId: user.id, ip });
    return { login_token: loginToken, expires_in: LOGIN_TOKEN_TTL_MS / 1000 };
  }

  /** Step two: TOTP or backup code. The login token is spent on success only. */
  async completeLogin(loginToken: string, code: string, ip: string): Promise<TokenPair & { user_id: string }> {
    const raw = await this.cache.get(`login-token:${loginToken}`);
    if (!raw) throw new TokenError('Login token is invalid or expired; log in again', 'AUTH.LOGIN_TOKEN_INVALID');
    const pending = JSON.parse(raw) as PendingLogin;
    await this.throttle.assertAllowed(pending.accountKey, ip);
    const result = await this.secondFactor.verify(pending.userId, code);
    if (!result.ok) {
      await this.failAttempt(pending.accountKey, pending.userId, ip, 'twofa.failed');
      throw new AuthError('Invalid or already used code', 'AUTH.TOTP_INVALID');
    }
    // Two tabs racing with two valid codes must still yield one session.
    if ((await this.cache.take(`login-token:${loginToken}`)) === null) {
      throw new TokenError('Login token is invalid or expired; log in again', 'AUTH.LOGIN_TOKEN_INVALID');
    }
    await this.throttle.recordSuccess(pending.accountKey);
    if (result.method === 'backup_code') this.audit.recordQuietly({ event: 'backup_code.used', userId: pending.userId, ip });
    this.audit.recordQuietly({ event: 'login.succeeded', userId: pending.userId, ip });
    return { ...(await this.sessions.startWebSession(pending.userId, pending.clientId)), user_id: pending.userId };
  }

  /** Password check with throttling and uniform failure (same message and cost for unknown emails). */
  async checkPassword(email: string, password: string, ip: string): Promise<User> {
    const accountKey = LoginThrottle.accountKey(email);
    await this.throttle.assertAllowed(accountKey, ip);
    const user = await this.users.findByEmail(email);
    const [row] = user ? await this.dataSource.query('SELECT password_hash FROM credentials WHERE user_id = $1', [user.id]) : [];
    const ok = await this.hasher.verify(row?.password_hash ?? null, password);
    if (!ok || !user) {
      await this.failAttempt(accountKey, user?.id ?? null, ip, 'login.failed');
      throw new AuthError(BAD_CREDENTIALS, 'AUTH.BAD_CREDENTIALS');
    }
    return user;
  }

  private async failAttempt(accountKey: string, userId: string | null, ip: string, event: 'login.failed' | 'twofa.failed') {
    const lockMs = await this.throttle.recordFailure(accountKey, ip);
    this.audit.recordQuietly({ event, userId, ip });
    if (lockMs) this.audit.recordQuietly({ event: 'login.locked', userId, ip, detail: { lockSeconds: lockMs / 1000 } });
  }
}
