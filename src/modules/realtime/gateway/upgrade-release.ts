import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'socket.io';

/** Where engine.io's upgrade response is kept on its request until the connection is made. */
const UPGRADE_RESPONSE = Symbol('upgradeResponse');

type UpgradeRequest = IncomingMessage & { [UPGRADE_RESPONSE]?: { req: unknown } };
type EngineConnection = { request: unknown; transport?: { socket?: { listeners(event: string): Function[]; removeListener(event: string, fn: Function): void } } };

/**
 * engine.io middleware, last in line: remembers the upgrade's response object (engine.io's
 * WebSocketResponse) so that releaseUpgradeRequest can unlink it once the upgrade is done.
 * Long-polling requests get Node's own ServerResponse, which stays as it is.
 */
function rememberUpgradeResponse(req: UpgradeRequest, res: { req: unknown }, next: (err?: unknown) => void): void {
  if (!(res instanceof ServerResponse) && res.req === req) req[UPGRADE_RESPONSE] = res;
  next();
}

/**
 * The upgrade request is only needed during the handshake (Origin, then the socket.io CONNECT
 * carries the token), yet engine.io 6.6 keeps it and more reachable for the whole connection:
 * the socket's `request`; its WebSocketResponse, which a 'close' listener on the TCP socket pins
 * and which holds the request; and an `onUpgradeError` listener it never removes from ws. Cut all
 * three (bench/results/socketio-floor.md: 10.6 -> 9.2 KB of heap per idle connection; found
 * with heap snapshots); the request is then garbage. socket.io builds `handshake.headers` as {}
 * (unused here).
 */
function releaseUpgradeRequest(raw: EngineConnection): void {
  const req = raw.request as UpgradeRequest | null;
  raw.request = null;
  const ws = raw.transport?.socket;
  const leftover = ws?.listeners('error').find((fn) => fn.name === 'onUpgradeError');
  if (leftover) ws!.removeListener('error', leftover);
  const res = req?.[UPGRADE_RESPONSE];
  if (res) res.req = null;
}

/** Installs both on a socket.io server's engine; call before it accepts connections. */
export function releaseUpgradeRequests(server: Server): void {
  server.engine.use(rememberUpgradeResponse);
  server.engine.on('connection', releaseUpgradeRequest);
}
