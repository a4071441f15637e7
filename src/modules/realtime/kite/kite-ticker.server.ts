import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { AppConfig } from '../../../common/config/app-config';
import type { TickMode } from '../../../sdk/protocol';
import type { AuthUser } from '../../auth/auth.types';
import { SessionService } from '../../auth/session.service';
import { InstrumentsService } from '../../instruments';
import { WatchRegistry } from '../watch-registry';
import { TickFanout } from '../fanout/tick-fanout';
import { originAllowed } from '../gateway/origin-policy';
import { FLOOD_DISCONNECT_AFTER } from '../gateway/message-rate';
import { handshakesRefused, messagesRejected } from '../realtime.metrics';
import { KiteConnection } from './kite-connection';
import { parseKiteMessage } from './kite-message';
import { encodeKitePacket } from './kite-packet.codec';

/** KiteTicker's root is this URL: `new KiteTicker({ root: 'ws://host:port/ws/kite', api_key, access_token })`. */
export const KITE_TICKER_PATH = '/ws/kite';
const HEARTBEAT_MS = 1000;
const CLOSE_WAIT_MS = 500;

/**
 * Kite Connect's WebSocket ticker protocol on the app's port, so programs written against
 * Zerodha's KiteTicker run unchanged. Auth is the Kite access token in the query string, checked
 * against the Redis session before the upgrade completes. Ticks come from the shared fan-out
 * (binary packets encoded once per room); order updates arrive as text messages.
 */
@Injectable()
export class KiteTickerServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly wss: WebSocketServer;
  private readonly byUser = new Map<string, Set<KiteConnection>>();
  private readonly limits: AppConfig['realtime'];
  private httpServer: Server | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private count = 0;

  constructor(
    private readonly host: HttpAdapterHost,
    private readonly sessions: SessionService,
    private readonly instruments: InstrumentsService,
    private readonly fanout: TickFanout,
    private readonly watchers: WatchRegistry,
    config: AppConfig,
  ) {
    this.limits = config.realtime;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.limits.maxMessageBytes, perMessageDeflate: false, clientTracking: false });
  }

  get connectionCount(): number {
    return this.count;
  }

  onApplicationBootstrap(): void {
    this.httpServer = this.host.httpAdapter.getHttpServer() as Server;
    this.httpServer.on('upgrade', this.onUpgrade);
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.httpServer?.off('upgrade', this.onUpgrade);
    if (this.heartbeat) clearInterval(this.heartbeat);
    const all = [...this.byUser.values()].flatMap((set) => [...set]);
    for (const c of all) c.ws.close(1001, 'server shutting down');
    if (all.length) await new Promise((r) => setTimeout(r, CLOSE_WAIT_MS));
    for (const c of all) c.ws.terminate();
  }

  /** Whether the user has a Kite ticker connection on this replica. */
  hasUser(userId: string): boolean {
    return this.byUser.has(userId);
  }

  /** Order postbacks for a user's Kite connections on this replica. */
  sendOrder(userId: string, kiteOrder: unknown): void {
    for (const c of this.byUser.get(userId) ?? []) c.sendText('order', kiteOrder);
  }

  /** Logout: close the session's connections (KiteTicker would reconnect and then be refused). */
  closeSession(userId: string, sessionId: string): void {
    for (const c of this.byUser.get(userId) ?? []) {
      if (c.user.sessionId !== sessionId) continue;
      c.sendText('error', 'Session ended. Log in again.');
      c.ws.close(1000, 'session ended');
    }
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== KITE_TICKER_PATH && url.pathname !== `${KITE_TICKER_PATH}/`) return;
    socket.on('error', () => socket.destroy());
    if (!originAllowed(req.headers.origin, req.headers.host, this.limits.allowedOrigins)) return this.refuse(socket, 'origin', 'Origin not allowed.');
    const apiKey = url.searchParams.get('api_key');
    const accessToken = url.searchParams.get('access_token');
    if (!apiKey || !accessToken) return this.refuse(socket, 'auth', 'Missing `api_key` or `access_token`.');
    this.sessions.authenticateKite(apiKey, accessToken).then(
      async (user) => {
        // Order postbacks from other replicas: held for this connection from before the upgrade until its socket closes.
        const release = await this.watchers.acquire(user.userId);
        if (socket.destroyed) return release();
        socket.once('close', release);
        this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, user));
      },
      () => this.refuse(socket, 'auth', 'Incorrect `api_key` or `access_token`.'),
    );
  };

  /** Refused before the upgrade, as Kite does: an HTTP 403 with its error envelope. */
  private refuse(socket: Duplex, reason: string, message: string): void {
    handshakesRefused.inc({ reason: `kite_${reason}` });
    const body = JSON.stringify({ status: 'error', message, error_type: 'TokenException' });
    socket.end(`HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  private open(ws: WebSocket, user: AuthUser): void {
    const c = new KiteConnection(ws, user, this.limits.messagesPerSecond);
    let set = this.byUser.get(user.userId);
    if (!set) this.byUser.set(user.userId, (set = new Set()));
    set.add(c);
    this.count++;
    ws.on('message', (data, isBinary) => this.onMessage(c, data as Buffer, isBinary));
    ws.on('error', () => ws.terminate());
    ws.once('close', () => {
      this.fanout.leave(c.member);
      set.delete(c);
      if (!set.size) this.byUser.delete(user.userId);
      this.count--;
    });
  }

  private onMessage(c: KiteConnection, data: Buffer, isBinary: boolean): void {
    if (!c.rate.take()) {
      messagesRejected.inc({ reason: 'rate_limited' });
      if (c.rate.refusedInARow >= FLOOD_DISCONNECT_AFTER) c.ws.close(1008, 'rate limited');
      else if (c.rate.refusedInARow === 1) c.sendText('error', `More than ${this.limits.messagesPerSecond} messages per second.`);
      return;
    }
    const parsed = isBinary ? ({ ok: false, error: 'expected a JSON text message' } as const) : parseKiteMessage(data.toString('utf8'), this.limits.maxSubscriptions);
    if (!parsed.ok) return this.error(c, parsed.error);
    const { command } = parsed;
    const known = command.tokens.filter((t) => this.instruments.getByToken(t));
    const unknown = command.tokens.filter((t) => !this.instruments.getByToken(t));
    if (unknown.length) this.error(c, `Unknown instrument token(s): ${unknown.slice(0, 20).join(', ')}`);
    if (command.action === 'unsubscribe') {
      this.fanout.unsubscribe(c.member, known);
      return;
    }
    // Kite: subscribe adds instruments in quote mode and leaves the mode of those already held;
    // mode sets it (and subscribes, so setMode without subscribe also works).
    const targets = command.action === 'subscribe' ? known.filter((t) => c.member.modeOf(t) === undefined) : known;
    const mode: TickMode = command.action === 'mode' ? command.mode : 'quote';
    const { accepted, overLimit } = this.fanout.subscribe(c.member, targets, mode);
    if (overLimit.length) this.error(c, `At most ${this.limits.maxSubscriptions} instruments per connection; ${overLimit.length} not subscribed.`);
    // Like Kite, the latest tick of what was just subscribed comes right away.
    const snapshot: Buffer[] = [];
    for (const t of accepted) {
      const q = this.fanout.quote(t);
      if (q) snapshot.push(encodeKitePacket(q, mode));
    }
    c.sendPackets(snapshot);
  }

  private error(c: KiteConnection, message: string): void {
    messagesRejected.inc({ reason: 'kite_bad_message' });
    c.sendText('error', message);
  }

  private beat(): void {
    const now = Date.now();
    for (const set of this.byUser.values()) for (const c of set) c.heartbeat(now);
  }
}
