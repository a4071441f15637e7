import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import * as QRCode from 'qrcode';
import * as speakeasy from 'speakeasy';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, CLOCK } from '../../common/clock/clock';
import { Cache, CACHE } from '../../common/redis/ports';
import { AuthSecrets } from './auth-secrets';
import { SecretBox } from './secret-box';

const STEP_SECONDS = 30;
const BACKUP_CODE_COUNT = 10;
const TOTP_CODE = /^\d{6}$/;
const BACKUP_CODE = /^[a-z0-9]{5}-[a-z0-9]{5}$/;

export interface TotpEnrolment {
  secret: string;
  otpauthUri: string;
  qrDataUrl: string;
}

export type SecondFactorResult = { ok: true; method: 'totp' | 'backup_code' } | { ok: false };

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * TOTP (RFC 6238, 30 s steps, ±1 step) and single-use backup codes. A TOTP code is accepted
 * once per user and time step across all replicas: the step is claimed with SET NX.
 */
@Injectable()
export class SecondFactorService {
  private readonly box: SecretBox;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CACHE) private readonly cache: Cache,
    @Inject(CLOCK) private readonly clock: Clock,
    secrets: AuthSecrets,
  ) {
    this.box = new SecretBox(secrets.encryptionKey);
  }

  /** `secret` is for the demo user only; everyone else gets a fresh random one. */
  async enrol(manager: EntityManager, userId: string, label: string, secret = speakeasy.generateSecret({ length: 20 }).base32): Promise<TotpEnrolment> {
    await manager.query(
      `INSERT INTO totp_secrets (user_id, secret_ciphertext) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET secret_ciphertext = EXCLUDED.secret_ciphertext, confirmed_at = NULL`,
      [userId, this.box.seal(secret)],
    );
    const otpauthUri = speakeasy.otpauthURL({ secret, encoding: 'base32', label: `Mstock:${label}`, issuer: 'Mstock', period: STEP_SECONDS });
    return { secret, otpauthUri, qrDataUrl: await QRCode.toDataURL(otpauthUri) };
  }

  /** Whether 2FA has been confirmed; null when the user never enrolled. */
  async status(userId: string): Promise<'confirmed' | 'pending' | null> {
    const [row] = await this.dataSource.query('SELECT confirmed_at FROM totp_secrets WHERE user_id = $1', [userId]);
    if (!row) return null;
    return row.confirmed_at ? 'confirmed' : 'pending';
  }

  /** Confirms enrolment with a first valid code and issues the backup codes (shown once). */
  async confirm(userId: string, code: string): Promise<string[] | null> {
    if (!(await this.verifyTotp(userId, code))) return null;
    const codes = Array.from({ length: BACKUP_CODE_COUNT }, () => {
      const raw = randomBytes(5).toString('hex');
      return `${raw.slice(0, 5)}-${raw.slice(5)}`;
    });
    await this.dataSource.transaction(async (m) => {
      await m.query('UPDATE totp_secrets SET confirmed_at = now() WHERE user_id = $1', [userId]);
      await m.query('DELETE FROM backup_codes WHERE user_id = $1', [userId]);
      await m.query('INSERT INTO backup_codes (user_id, code_hash) SELECT $1, unnest($2::text[])', [userId, codes.map(sha256)]);
    });
    return codes;
  }

  /** A 6-digit TOTP code, or a backup code (xxxxx-xxxxx) which is then spent. */
  async verify(userId: string, code: string): Promise<SecondFactorResult> {
    const normalised = code.trim().toLowerCase();
    if (TOTP_CODE.test(normalised)) {
      return (await this.verifyTotp(userId, normalised)) ? { ok: true, method: 'totp' } : { ok: false };
    }
    if (BACKUP_CODE.test(normalised)) {
      // Wrapped in a CTE: TypeORM answers a bare UPDATE … RETURNING as [rows, count].
      const spent = await this.dataSource.query(
        `WITH spent AS (
           UPDATE backup_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id
         ) SELECT id FROM spent`,
        [userId, sha256(normalised)],
      );
      return spent.length ? { ok: true, method: 'backup_code' } : { ok: false };
    }
    return { ok: false };
  }

  private async verifyTotp(userId: string, code: string): Promise<boolean> {
    if (!TOTP_CODE.test(code)) return false;
    const [row] = await this.dataSource.query('SELECT secret_ciphertext FROM totp_secrets WHERE user_id = $1', [userId]);
    if (!row) return false;
    const secret = this.box.open(row.secret_ciphertext);
    const nowSeconds = Math.floor(this.clock.now() / 1000);
    const delta = speakeasy.totp.verifyDelta({ secret, encoding: 'base32', token: code, window: 1, step: STEP_SECONDS, time: nowSeconds });
    if (!delta) return false;
    const step = Math.floor(nowSeconds / STEP_SECONDS) + delta.delta;
    // Once per user and step, across replicas: the second presentation of a code loses the claim.
    return this.cache.setIfAbsent(`totp-used:${userId}:${step}`, '1', 4 * STEP_SECONDS * 1000);
  }

  /** The current code for a secret (the demo prints it; tests use it). */
  static codeFor(secret: string, epochMs: number): string {
    return speakeasy.totp({ secret, encoding: 'base32', step: STEP_SECONDS, time: Math.floor(epochMs / 1000) });
  }
}
