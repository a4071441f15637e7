import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Cache, CACHE } from '../../common/redis/ports';
import { DomainError, ErrorType, InputError } from '../../common/errors';
import { AuditService } from '../audit/audit.service';
import { AuthSecrets } from './auth-secrets';
import { SecretBox } from './secret-box';
import { SessionService } from './session.service';

const REQUEST_TOKEN_TTL_MS = 10 * 60_000;
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface ApiApp {
  api_key: string;
  name: string;
  redirect_url: string;
  postback_url: string | null;
  created_at: Date;
}

interface PendingRequestToken {
  userId: string;
  clientId: string;
  apiKey: string;
}

function randomAlnum(length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => ALNUM[b % ALNUM.length]).join('');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Kite Connect-style API apps: api_key + api_secret, request_token, checksum exchange. */
@Injectable()
export class ApiAppsService {
  private readonly box: SecretBox;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
    @Inject(CACHE) private readonly cache: Cache,
    secrets: AuthSecrets,
  ) {
    this.box = new SecretBox(secrets.encryptionKey);
  }

  /** The secret is shown once; we keep it encrypted because checksums need it in clear. */
  async create(userId: string, input: { name: string; redirect_url: string; postback_url?: string }, ip: string) {
    const apiKey = randomAlnum(16);
    const apiSecret = randomAlnum(32);
    await this.dataSource.transaction(async (m) => {
      await m.query(
        'INSERT INTO api_apps (api_key, user_id, name, secret_ciphertext, redirect_url, postback_url) VALUES ($1, $2, $3, $4, $5, $6)',
        [apiKey, userId, input.name, this.box.seal(apiSecret), input.redirect_url, input.postback_url ?? null],
      );
      await this.audit.record({ event: 'app.created', userId, ip, detail: { apiKey } }, m);
    });
    return { api_key: apiKey, api_secret: apiSecret, name: input.name, redirect_url: input.redirect_url, postback_url: input.postback_url ?? null };
  }

  list(userId: string): Promise<ApiApp[]> {
    return this.dataSource.query(
      'SELECT api_key, name, redirect_url, postback_url, created_at FROM api_apps WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at',
      [userId],
    );
  }

  async find(apiKey: string): Promise<(ApiApp & { user_id: string }) | null> {
    const [row] = await this.dataSource.query(
      'SELECT api_key, user_id, name, redirect_url, postback_url, created_at FROM api_apps WHERE api_key = $1 AND revoked_at IS NULL',
      [apiKey],
    );
    return row ?? null;
  }

  /** After a successful Kite-style login: a single-use request_token for the app's backend. */
  async issueRequestToken(userId: string, clientId: string, apiKey: string): Promise<string> {
    const token = randomAlnum(32);
    const pending: PendingRequestToken = { userId, clientId, apiKey };
    await this.cache.set(`request-token:${token}`, JSON.stringify(pending), REQUEST_TOKEN_TTL_MS);
    return token;
  }

  /** POST /session/token: checksum = SHA-256(api_key + request_token + api_secret). */
  async exchangeRequestToken(apiKey: string, requestToken: string, checksum: string, ip: string) {
    const [row] = await this.dataSource.query('SELECT secret_ciphertext FROM api_apps WHERE api_key = $1 AND revoked_at IS NULL', [apiKey]);
    if (!row) throw new KiteTokenError('Invalid `api_key`.');
    const expected = createHash('sha256').update(apiKey + requestToken + this.box.open(row.secret_ciphertext)).digest('hex');
    if (!sameText(expected, checksum.toLowerCase())) throw new KiteTokenError('Invalid `checksum`.');
    const raw = await this.cache.take(`request-token:${requestToken}`);
    const pending = raw ? (JSON.parse(raw) as PendingRequestToken) : null;
    if (!pending || pending.apiKey !== apiKey) throw new KiteTokenError('Token is invalid or has expired.');
    const { accessToken, expiresAt } = await this.sessions.startKiteSession(pending.userId, pending.clientId, apiKey);
    this.audit.recordQuietly({ event: 'kite.session_created', userId: pending.userId, ip, detail: { apiKey } });
    return { userId: pending.userId, accessToken, expiresAt };
  }
}

export class KiteTokenError extends DomainError {
  constructor(message: string) {
    super('AUTH.KITE_TOKEN_INVALID', message, ErrorType.Token, 403);
  }
}

export function assertApiKeyShape(apiKey: unknown): asserts apiKey is string {
  if (typeof apiKey !== 'string' || !/^[a-z0-9]{6,64}$/i.test(apiKey)) throw new InputError('`api_key` is missing or malformed');
}
