import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { ExtendedError } from 'socket.io';
import { AppConfig } from '../../../common/config/app-config';
import {
  Depth,
  ErrorAck,
  HandshakeAuth,
  HandshakeRefusal,
  RealtimeError,
  REALTIME_PROTOCOL_VERSION,
  SubscribeAck,
  SUPPORTED_PROTOCOL_VERSIONS,
  Tick,
  UnsubscribeAck,
} from '../../../sdk/protocol';
import { SessionService } from '../../auth/session.service';
import { InstrumentsService } from '../../instruments';
import { depthOf, tickOf } from '../fanout/json-tick.codec';
import { TickFanout } from '../fanout/tick-fanout';
import { RealtimeState } from '../realtime-state';
import { WatchRegistry } from '../watch-registry';
import { framesSent, handshakesRefused, messagesRejected } from '../realtime.metrics';
import { authenticate, parseCredential } from './credentials';
import { FLOOD_DISCONNECT_AFTER } from './message-rate';
import { SocketConnection } from './socket-connection';
import type { AppServer, AppSocket } from './socket-types';
import { userRoom } from './socket-types';
import { elementError, parseInstrumentRequest, rejection, resolveRefs } from './subscription-request';

type Ack = (response: unknown) => void;
const CLIENT_EVENTS = new Set(['subscribe', 'unsubscribe']);
const EMPTY = Object.freeze({}) as Record<string, never>;
/** What an authenticated socket keeps of its handshake: nothing per connection (socket.io itself never reads it again). */
const SPENT_HANDSHAKE = Object.freeze({ headers: EMPTY, query: EMPTY, auth: EMPTY, time: '', address: '', xdomain: false, secure: false, issued: 0, url: '' });

function refusal(code: HandshakeRefusal['code'], message: string): ExtendedError {
  const err: ExtendedError = new Error(message);
  err.data = { code, message } satisfies HandshakeRefusal;
  return err;
}

/**
 * The socket.io edge on namespace "/". Handshake: protocol version, then token + Redis session
 * (refused before connect). Then a connection joins `user:<id>` (order pushes through the Redis
 * adapter; logout finds the session's sockets there) and subscribes to instruments, which only
 * touches the fan-out's rooms.
 *
 * Message handlers are attached with socket.on rather than @SubscribeMessage: Nest builds an rxjs
 * pipeline per handler per socket, memory that tens of thousands of idle connections would carry.
 */
@WebSocketGateway()
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  @WebSocketServer() server!: AppServer;
  private readonly connections = new Map<string, SocketConnection>();
  private readonly limits: AppConfig['realtime'];

  constructor(
    private readonly sessions: SessionService,
    private readonly instruments: InstrumentsService,
    private readonly fanout: TickFanout,
    private readonly state: RealtimeState,
    private readonly watchers: WatchRegistry,
    config: AppConfig,
  ) {
    this.limits = config.realtime;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  afterInit(server: AppServer): void {
    server.use((socket, next) => void this.handshake(socket, next));
  }

  private async handshake(socket: AppSocket, next: (err?: ExtendedError) => void): Promise<void> {
    const auth = (socket.handshake.auth ?? {}) as Partial<HandshakeAuth>;
    const version = auth.v ?? REALTIME_PROTOCOL_VERSION;
    // The token is not kept on the socket once checked: it would sit in memory all day. The
    // headers and query are empty (the upgrade request is released); one shared object for all.
    socket.handshake.auth = socket.handshake.headers = socket.handshake.query = EMPTY;
    if (!SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return this.refuse(socket, next, refusal('PROTOCOL', `protocol version ${version} is not supported`));
    const credential = parseCredential(auth.token);
    if (!credential) return this.refuse(socket, next, refusal('AUTH', 'auth.token is missing or malformed'));
    try {
      const user = await authenticate(this.sessions, credential);
      socket.data = { userId: user.userId, sessionId: user.sessionId };
      (socket as { handshake: unknown }).handshake = SPENT_HANDSHAKE;
    } catch {
      return this.refuse(socket, next, refusal('AUTH', 'Invalid or expired token'));
    }
    // Order updates from other replicas: every replica knows of this connection before it is connected, until it closes.
    const release = await this.watchers.acquire(socket.data.userId);
    if (socket.conn.readyState === 'closed') release();
    else socket.conn.once('close', release);
    next();
  }

  /** Refuses the namespace connection, then closes the underlying connection (no idle unauthenticated sockets). */
  private refuse(socket: AppSocket, next: (err?: ExtendedError) => void, err: ExtendedError): void {
    handshakesRefused.inc({ reason: (err.data as HandshakeRefusal).code });
    next(err);
    // socket.io sends the connect_error on the next tick; close() then waits for it to drain.
    setImmediate(() => socket.conn.close());
  }

  handleConnection(socket: AppSocket): void {
    const { userId } = socket.data;
    if (!userId) return void socket.disconnect(true); // cannot happen past the middleware; never serve an anonymous socket
    this.connections.set(socket.id, new SocketConnection(socket, this.limits.messagesPerSecond));
    void socket.join(userRoom(userId));
    // Shared listener functions (socket.io calls them with `this` = the socket): no closures per connection.
    socket.on('subscribe', this.listeners.subscribe as never);
    socket.on('unsubscribe', this.listeners.unsubscribe as never);
    socket.onAny(this.listeners.any);
    socket.emit('market_status', this.state.marketStatus());
    if (this.state.feed.stale) socket.emit('stale', this.state.feed);
  }

  handleDisconnect(socket: AppSocket): void {
    const connection = this.connections.get(socket.id);
    if (!connection) return;
    this.connections.delete(socket.id);
    this.fanout.leave(connection.member);
  }

  private readonly listeners = (() => {
    const gateway = this;
    return {
      subscribe(this: AppSocket, payload: unknown, ack: unknown) {
        gateway.onMessage(this, 'subscribe', payload, ack);
      },
      unsubscribe(this: AppSocket, payload: unknown, ack: unknown) {
        gateway.onMessage(this, 'unsubscribe', payload, ack);
      },
      any(this: AppSocket, event: string, ...args: unknown[]) {
        if (!CLIENT_EVENTS.has(event)) gateway.onMessage(this, event, undefined, args[args.length - 1]);
      },
    };
  })();

  /** Logout: this replica's sockets of that session, found in the user's room (local only; every replica hears the revocation). */
  closeSession(userId: string, sessionId: string): void {
    const nsp = this.server?.sockets;
    for (const id of [...(nsp?.adapter.rooms.get(userRoom(userId)) ?? [])]) {
      const socket = nsp!.sockets.get(id);
      if (socket?.data.sessionId !== sessionId) continue;
      socket.emit('error', { code: 'SESSION_ENDED', message: 'Session ended. Log in again.' });
      socket.disconnect(true);
    }
  }

  /** Every client message: message budget first, then the handler (unknown events get an error). */
  private onMessage(socket: AppSocket, event: string, payload: unknown, ack: unknown): void {
    const connection = this.connections.get(socket.id);
    if (!connection) return;
    const reply = typeof ack === 'function' ? (ack as Ack) : undefined;
    if (!connection.rate.take()) return this.refuseRate(connection, event, reply);
    if (event === 'subscribe') this.subscribe(connection, payload, reply);
    else if (event === 'unsubscribe') this.unsubscribe(connection, payload, reply);
    else this.fail(connection, { code: 'UNKNOWN_EVENT', event: String(event).slice(0, 64), message: 'unknown event' }, reply);
  }

  private refuseRate(connection: SocketConnection, event: string, ack?: Ack): void {
    if (connection.rate.refusedInARow >= FLOOD_DISCONNECT_AFTER) return void connection.socket.disconnect(true);
    const now = Date.now();
    if (now - connection.rateErrorAt >= 1000) {
      connection.rateErrorAt = now;
      return this.fail(connection, { code: 'RATE_LIMITED', event, message: `more than ${this.limits.messagesPerSecond} messages per second` }, ack);
    }
    messagesRejected.inc({ reason: 'rate_limited' });
    ack?.({ ok: false, error: { code: 'RATE_LIMITED', event, message: 'rate limited' } } satisfies ErrorAck);
  }

  private subscribe(connection: SocketConnection, payload: unknown, reply?: Ack): void {
    const parsed = parseInstrumentRequest('subscribe', payload, this.limits.maxSubscriptions);
    if (!parsed.ok) return this.fail(connection, parsed.error, reply);
    const { mode, refs, invalid } = parsed.request;
    const { resolved, unknown } = resolveRefs(refs, (ref) => this.instruments.resolve(ref));
    const { accepted, overLimit } = this.fanout.subscribe(connection.member, resolved.map((r) => r.token), mode);
    const acceptedSet = new Set(accepted);
    const snapshot: Tick[] = [];
    const depth: Depth[] = [];
    for (const token of accepted) {
      const quote = this.fanout.quote(token);
      if (!quote) continue;
      snapshot.push(tickOf(quote, mode));
      if (mode === 'full') depth.push(depthOf(quote));
    }
    const overLimitRefs = resolved.filter((r) => !acceptedSet.has(r.token)).map((r) => r.ref);
    if (invalid.length) this.fail(connection, elementError('BAD_REQUEST', 'subscribe', invalid, 'instruments must be "EXCHANGE:SYMBOL" strings or positive tokens'));
    if (unknown.length) this.fail(connection, elementError('UNKNOWN_INSTRUMENT', 'subscribe', unknown, `${unknown.length} unknown instrument(s)`));
    if (overLimit.length) {
      this.fail(connection, elementError('SUBSCRIPTION_LIMIT', 'subscribe', overLimitRefs, `at most ${this.limits.maxSubscriptions} instruments per connection`));
    }
    const response: SubscribeAck = {
      ok: true,
      accepted: resolved.filter((r) => acceptedSet.has(r.token)).map((r) => ({ ref: r.ref, instrument_token: r.token, key: r.key, mode })),
      rejected: [...rejection('INVALID', invalid), ...rejection('UNKNOWN_INSTRUMENT', unknown), ...rejection('SUBSCRIPTION_LIMIT', overLimitRefs)],
      snapshot,
      depth,
      subscriptions: connection.member.subscriptions,
    };
    reply?.(response);
  }

  private unsubscribe(connection: SocketConnection, payload: unknown, reply?: Ack): void {
    const parsed = parseInstrumentRequest('unsubscribe', payload, this.limits.maxSubscriptions);
    if (!parsed.ok) return this.fail(connection, parsed.error, reply);
    const { refs, invalid } = parsed.request;
    const { resolved, unknown } = resolveRefs(refs, (ref) => this.instruments.resolve(ref));
    const removed = this.fanout.unsubscribe(connection.member, resolved.map((r) => r.token));
    if (invalid.length || unknown.length) {
      this.fail(connection, elementError('UNKNOWN_INSTRUMENT', 'unsubscribe', [...invalid, ...unknown], 'unknown or malformed instrument(s)'));
    }
    reply?.({ ok: true, removed, subscriptions: connection.member.subscriptions } satisfies UnsubscribeAck);
  }

  /** Reports a refused message on the `error` event (and in the ack when there is one); the socket stays up. */
  private fail(connection: SocketConnection, error: RealtimeError, ack?: Ack): void {
    messagesRejected.inc({ reason: error.code.toLowerCase() });
    connection.socket.emit('error', error);
    framesSent.inc({ kind: 'error' });
    ack?.({ ok: false, error } satisfies ErrorAck);
  }
}
