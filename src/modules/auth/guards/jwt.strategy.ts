import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AuthSecrets } from '../auth-secrets';
import { AuthUser } from '../auth.types';
import { AccessClaims, ACCESS_AUDIENCE, JWT_ALGORITHMS, JWT_ISSUER, SessionService } from '../session.service';
import { VerifiedTokens } from './verified-tokens';

export const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

/** Bearer access tokens: signature, algorithm allow-list, iss, aud and exp, then the Redis session. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    secrets: AuthSecrets,
    private readonly sessions: SessionService,
    private readonly verified: VerifiedTokens,
  ) {
    super({
      jwtFromRequest: bearerToken,
      passReqToCallback: true,
      // passport-jwt hands this to jsonwebtoken, which takes a KeyObject (see AuthSecrets.jwtKey).
      secretOrKey: secrets.jwtKey as unknown as string,
      algorithms: [...JWT_ALGORITHMS],
      issuer: JWT_ISSUER,
      audience: ACCESS_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  validate(request: Parameters<typeof bearerToken>[0], claims: Partial<AccessClaims>): Promise<AuthUser> {
    this.verified.remember(bearerToken(request)!, claims);
    return this.sessions.resolveAccess(claims);
  }
}
