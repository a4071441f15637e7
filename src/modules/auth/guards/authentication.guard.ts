import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { DomainError } from '../../../common/errors';
import { IS_PUBLIC } from '../../../common/http/public.decorator';
import { AuthUser } from '../auth.types';
import { SessionService, TokenError } from '../session.service';
import { bearerToken } from './jwt.strategy';
import { RateLimiter } from './rate-limit.guard';
import { VerifiedTokens } from './verified-tokens';

@Injectable()
class BearerGuard extends AuthGuard('jwt') {
  override handleRequest<T = AuthUser>(err: unknown, user: T | false): T {
    if (err instanceof DomainError) throw err;
    if (err || !user) throw new TokenError('Missing, invalid or expired access token');
    return user;
  }
}

/**
 * The one global guard: `Authorization: Bearer <jwt>` (web terminal, first-party clients) or
 * `Authorization: token api_key:access_token` (Kite Connect clients). Routes opt out with @Public().
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  private readonly bearer = new BearerGuard();

  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionService,
    private readonly verified: VerifiedTokens,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: AuthUser }>();
    const header = request.headers.authorization;
    if (header?.startsWith('token ')) {
      const [apiKey, accessToken] = header.slice('token '.length).split(':');
      if (!apiKey || !accessToken) throw new TokenError('Authorization must be `token api_key:access_token`');
      request.user = await this.sessions.authenticateKite(apiKey, accessToken);
      return true;
    }
    const token = bearerToken(request as never);
    const claims = token ? this.verified.recall(token, Date.now()) : undefined;
    if (claims?.sub) {
      // The session read and the rate-limit count leave in one Redis write (auto-pipelining).
      // The session must still name this user (resolveAccess checks it), so the count is theirs.
      [request.user] = await Promise.all([this.sessions.resolveAccess(claims), this.limiter.countEarly(context, claims.sub)]);
      return true;
    }
    return (await this.bearer.canActivate(context)) as boolean;
  }
}
