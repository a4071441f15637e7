import type { AuthUser } from '../../auth/auth.types';
import type { SessionService } from '../../auth/session.service';

export type Credential = { kind: 'bearer'; token: string } | { kind: 'kite'; apiKey: string; accessToken: string };

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const KITE = /^([a-z0-9]{1,64}):([A-Za-z0-9_-]{1,128})$/;

/**
 * The handshake's `auth.token`: an access JWT (optionally "Bearer <jwt>") or Kite's
 * "api_key:access_token" (optionally "token api_key:access_token", as in Kite's HTTP header).
 * Anything else is refused before a Redis round trip.
 */
export function parseCredential(raw: unknown): Credential | null {
  if (typeof raw !== 'string' || raw.length > 4096) return null;
  const text = raw.replace(/^(Bearer|token)\s+/i, '').trim();
  if (JWT.test(text)) return { kind: 'bearer', token: text };
  const kite = KITE.exec(text);
  return kite ? { kind: 'kite', apiKey: kite[1], accessToken: kite[2] } : null;
}

/** Token and Redis session, exactly as the HTTP guards check them; throws when either is bad. */
export function authenticate(sessions: SessionService, credential: Credential): Promise<AuthUser> {
  return credential.kind === 'bearer'
    ? sessions.authenticateBearer(credential.token)
    : sessions.authenticateKite(credential.apiKey, credential.accessToken);
}
