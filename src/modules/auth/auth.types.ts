/** Who is calling, as the guards resolve it; attached to the request as `request.user`. */
export interface AuthUser {
  userId: string;
  /** Public client code (MS1001…): placed_by on orders, the account at the exchange. */
  clientId: string;
  sessionId: string;
  /** web: password + TOTP login with JWTs; kite: an API app's access token. */
  kind: 'web' | 'kite';
  apiKey?: string;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  /** Seconds until the access token expires. */
  expires_in: number;
}

/** Published on the pub/sub bus (every replica hears it) when a session ends. */
export const SESSION_REVOKED_CHANNEL = 'session.revoked';
export interface SessionRevokedEvent {
  sessionId: string;
  userId: string;
  reason: 'logout' | 'refresh_reuse' | 'kite_logout' | 'admin';
}

/** In-process event: the demo user exists (other modules give it what a demo needs, e.g. funds). */
export const DEMO_USER_READY = 'user.demo_ready';
export interface DemoUserReady {
  userId: string;
}
