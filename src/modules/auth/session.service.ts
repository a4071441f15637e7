import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Clock, CLOCK } from '../../common/clock/clock';
import { ExchangeCalendar } from '../../common/clock/exchange-calendar';
import { AppConfig } from '../../common/config/app-config';
import { DomainError, ErrorType } from '../../common/errors';
import { Cache, CACHE, PubSub, PUBSUB } from '../../common/redis/ports';
import { AuditService } from '../audit/audit.service';
import { AuthUser, SESSION_REVOKED_CHANNEL, SessionRevokedEvent, TokenPair } from './auth.types';

export const JWT_ISSUER = 'mstock';
export const ACCESS_AUDIENCE = 'mstock-api';
const REFRESH_AUDIENCE = 'mstock-refresh';
/** The only algorithm we sign with is the only one we accept: no `none`, no RS/HS confusion. */
export const JWT_ALGORITHMS = ['HS256'] as const;

interface SessionRecord {
  userId: string;
  /** Public client code, carried so hot paths (order placement) need no user lookup. */
  clientId: string;
  kind: 'web' | 'kite';
  apiKey?: string;
  refreshJti?: string;
  createdAt: number;
}

/** What a verified access token says; `exp` is set by the signer from the token's lifetime. */
export interface AccessClaims {
  sub: string;
  sid: string;
  typ: 'access';
  exp: number;
}

interface RefreshClaims {
  sub: string;
  sid: string;
  typ: 'refresh';
  jti: string;
}

export class TokenError extends DomainError {
  constructor(message: string, code = 'AUTH.TOKEN_INVALID') {
    super(code, message, ErrorType.Token, 401);
  }
}

const sessionKey = (sid: string) => `session:${sid}`;
const kiteTokenKey = (token: string) => `kite-token:${createHash('sha256').update(token).digest('hex')}`;

/**
 * Sessions live in Redis (`session:<id>`, sliding idle TTL for web logins, until 06:00 IST for
 * Kite tokens). Every request checks the token and the session, so a logout takes effect at once.
 */
@Injectable()
export class SessionService {
  private readonly idleMs: number;
  private readonly accessTtl: number;
  private readonly refreshTtl: number;

  constructor(
    private readonly jwt: JwtService,
    @Inject(CACHE) private readonly cache: Cache,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly calendar: ExchangeCalendar,
    private readonly audit: AuditService,
    config: AppConfig,
  ) {
    this.idleMs = config.auth.sessionIdleTtlSeconds * 1000;
    this.accessTtl = config.auth.accessTokenTtlSeconds;
    this.refreshTtl = config.auth.refreshTokenTtlSeconds;
  }

  async startWebSession(userId: string, clientId: string): Promise<TokenPair> {
    const sid = randomUUID();
    const refreshJti = randomUUID();
    await this.save(sid, { userId, clientId, kind: 'web', refreshJti, createdAt: this.clock.now() }, this.idleMs);
    return this.issue(userId, sid, refreshJti);
  }

  /** Session check for a verified access token's claims (the passport strategy calls this). */
  async resolveAccess(claims: Partial<AccessClaims>): Promise<AuthUser> {
    if (claims.typ !== 'access' || !claims.sid || !claims.sub) throw new TokenError('Invalid access token');
    const raw = await this.cache.getAndTouch(sessionKey(claims.sid), this.idleMs);
    const session = raw ? (JSON.parse(raw) as SessionRecord) : null;
    if (!session || session.userId !== claims.sub || session.kind !== 'web') {
      throw new TokenError('Session expired or logged out', 'AUTH.SESSION_ENDED');
    }
    return { userId: session.userId, clientId: session.clientId, sessionId: claims.sid, kind: 'web' };
  }

  /** Verifies a Bearer token end to end (used where passport is not, e.g. WebSocket handshakes). */
  async authenticateBearer(token: string): Promise<AuthUser> {
    let claims: AccessClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessClaims>(token, {
        algorithms: [...JWT_ALGORITHMS],
        issuer: JWT_ISSUER,
        audience: ACCESS_AUDIENCE,
      });
    } catch {
      throw new TokenError('Invalid or expired access token');
    }
    return this.resolveAccess(claims);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    let claims: RefreshClaims;
    try {
      claims = await this.jwt.verifyAsync<RefreshClaims>(refreshToken, {
        algorithms: [...JWT_ALGORITHMS],
        issuer: JWT_ISSUER,
        audience: REFRESH_AUDIENCE,
      });
    } catch {
      throw new TokenError('Invalid or expired refresh token');
    }
    if (claims.typ !== 'refresh' || !claims.jti || !claims.sid) throw new TokenError('Invalid refresh token');
    // A refresh token works once. Losing this claim means it was presented before: either a
    // thief or the owner holds a copy, so the whole session (the token family) ends.
    const firstUse = await this.cache.setIfAbsent(`refresh-used:${claims.jti}`, '1', this.refreshTtl * 1000);
    const raw = await this.cache.get(sessionKey(claims.sid));
    const session = raw ? (JSON.parse(raw) as SessionRecord) : null;
    if (!firstUse || (session && session.refreshJti !== claims.jti)) {
      await this.revoke(claims.sid, claims.sub, 'refresh_reuse');
      throw new TokenError('Refresh token already used; the session has been revoked', 'AUTH.REFRESH_REUSED');
    }
    if (!session || session.userId !== claims.sub) throw new TokenError('Session expired or logged out', 'AUTH.SESSION_ENDED');
    const refreshJti = randomUUID();
    await this.save(claims.sid, { ...session, refreshJti }, this.idleMs);
    return this.issue(session.userId, claims.sid, refreshJti);
  }

  async revoke(sessionId: string, userId: string, reason: SessionRevokedEvent['reason']): Promise<void> {
    await this.cache.del(sessionKey(sessionId));
    if (reason === 'refresh_reuse') this.audit.recordQuietly({ event: 'refresh.reused', userId, detail: { sessionId } });
    const event: SessionRevokedEvent = { sessionId, userId, reason };
    await this.pubsub.publish(SESSION_REVOKED_CHANNEL, JSON.stringify(event));
  }

  /** Kite-style access token: opaque, valid until the next 06:00 IST. */
  async startKiteSession(userId: string, clientId: string, apiKey: string): Promise<{ accessToken: string; expiresAt: number }> {
    const sid = randomUUID();
    const accessToken = randomBytes(24).toString('base64url');
    const expiresAt = this.calendar.nextSixAmIst(this.clock.now());
    const ttl = expiresAt - this.clock.now();
    await this.save(sid, { userId, clientId, kind: 'kite', apiKey, createdAt: this.clock.now() }, ttl);
    await this.cache.set(kiteTokenKey(accessToken), sid, ttl);
    return { accessToken, expiresAt };
  }

  async authenticateKite(apiKey: string, accessToken: string): Promise<AuthUser> {
    const sid = await this.cache.get(kiteTokenKey(accessToken));
    const raw = sid ? await this.cache.get(sessionKey(sid)) : null;
    const session = raw ? (JSON.parse(raw) as SessionRecord) : null;
    if (!sid || !session || session.kind !== 'kite' || session.apiKey !== apiKey) {
      throw new TokenError('Incorrect `api_key` or `access_token`.', 'AUTH.KITE_TOKEN_INVALID');
    }
    return { userId: session.userId, clientId: session.clientId, sessionId: sid, kind: 'kite', apiKey };
  }

  async endKiteSession(user: AuthUser, accessToken: string): Promise<void> {
    await this.cache.del(kiteTokenKey(accessToken));
    await this.revoke(user.sessionId, user.userId, 'kite_logout');
  }

  private async save(sid: string, record: SessionRecord, ttlMs: number): Promise<void> {
    await this.cache.set(sessionKey(sid), JSON.stringify(record), ttlMs);
  }

  private async issue(userId: string, sid: string, refreshJti: string): Promise<TokenPair> {
    const access_token = await this.jwt.signAsync(
      { sid, typ: 'access' },
      { subject: userId, issuer: JWT_ISSUER, audience: ACCESS_AUDIENCE, expiresIn: this.accessTtl, algorithm: 'HS256' },
    );
    const refresh_token = await this.jwt.signAsync(
      { sid, typ: 'refresh' },
      { subject: userId, issuer: JWT_ISSUER, audience: REFRESH_AUDIENCE, expiresIn: this.refreshTtl, jwtid: refreshJti, algorithm: 'HS256' },
    );
    return { access_token, refresh_token, token_type: 'Bearer', expires_in: this.accessTtl };
  }
}
