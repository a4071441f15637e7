import { Injectable } from '@nestjs/common';
import type { AccessClaims } from '../session.service';

/** A token's claims as passport hands them over: signature, algorithm, issuer and audience checked, the rest not yet. */
type Claims = Partial<AccessClaims>;

/** Enough for every client of a busy replica; the oldest entry goes first when full. */
const MAX_ENTRIES = 50_000;

/**
 * Access tokens this replica has verified, until they expire. A client sends the same token with
 * every request for its whole life (15 min), and verifying it again (passport, then jsonwebtoken:
 * decode, parse, HMAC, claim checks) cost more than any other step of the order route's
 * authentication. Only the signature check is skipped: the session is still read from Redis on
 * every request, so a logout still takes effect at once. Keyed by the whole token string.
 */
@Injectable()
export class VerifiedTokens {
  private readonly entries = new Map<string, Claims>();

  remember(token: string, claims: Claims): void {
    if (typeof claims.exp !== 'number') return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, claims);
  }

  /** The claims of a token verified before and not yet expired. */
  recall(token: string, nowMs: number): Claims | undefined {
    const claims = this.entries.get(token);
    if (!claims) return undefined;
    if (claims.exp! * 1000 > nowMs) return claims;
    this.entries.delete(token);
    return undefined;
  }
}
