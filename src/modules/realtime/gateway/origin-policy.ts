/**
 * Browsers send Origin on every WebSocket handshake and CORS does not apply to WebSockets, so a
 * page on any site could open a socket with the user's cookies or a stolen token; the allow-list
 * is the guard. Same-origin pages (the web terminal served by this app) are always allowed.
 * Clients without an Origin are not browsers (SDK on Node, KiteTicker, curl): a header they could
 * forge proves nothing, and the token check still applies to them.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowList: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowList.includes(origin)) return true;
  if (!host) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host;
  } catch {
    return false; // "null" (sandboxed frames, file://) and garbage
  }
}
