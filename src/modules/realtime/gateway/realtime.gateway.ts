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
import { framesSent, handshakesRefused, messagesRejected } from '../realtime.metrics';
import { authenticate, parseCredential } from './credentials';
import { FLOOD_DISCONNECT_AFTER } from './message-rate';
import { SocketConnection } from './socket-connection';
import type { AppServer, AppSocket } from './socket-types';
import { sessionRoom, userRoom } from './socket-types';
import { elementError, parseInstrumentRequest, rejection, resolveRefs } from './subscription-request';

type Ack = (response: unknown) => void;
const CLIENT_EVENTS = new Set(['subscribe', 'unsubscribe']);

function refusal(code: HandshakeRefusal['code'], message: string): ExtendedError {
  const err: ExtendedError = new Error(message);
  err.data = { code, message } satisfies HandshakeRefusal;
  return err;
}

/**
 * The socket.io edge on namespace "/". Handshake: protocol version, then token + Redis session
 * (refused before connect). Then a connection joins `user:<id>` and `session:<id>` (order pushes,
 * logout) and subscribes to instruments, which only touches the fan-out's rooms.
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
    // The token is not kept on the socket once checked: it would sit in memory all day.
    socket.handshake.auth = {};
    if (!SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return this.refuse(socket, next, refusal('PROTOCOL', `protocol version ${version} is not supported`));
    const credential = parseCredential(auth.token);
    if (!credential) return this.refuse(socket, next, refusal('AUTH', 'auth.token is missing or malformed'));
    try {
      const user = await authenticate(this.sessions, credential);
      socket.data = { userId: user.userId, sessionId: user.sessionId };
      next();
    } catch {
      this.refuse(socket, next, refusal('AUTH', 'Invalid or expired token'));
    }
  }

  /** Refuses the namespace connection, then closes the underlying connection (no idle unauthenticated sockets). */
  private refuse(socket: AppSocket, next: (err?: ExtendedError) => void, err: ExtendedError): void {
    handshakesRefused.inc({ reason: (err.data as HandshakeRefusal).code });
    next(err);
    // socket.io sends the connect_error on the next tick; close() then waits for it to drain.
    setImmediate(() => socket.conn.close());
  }

  handleConnection(socket: AppSocket): void {
    const { userId, sessionId } = socket.data;
    if (!userId) return void socket.disconnect(true); // cannot happen past the middleware; never serve an anonymous socket
    const connection = new SocketConnection(socket, this.limits.messagesPerSecond);
    this.connections.set(socket.id, connection);
    void socket.join([userRoom(userId), sessionRoom(sessionId)]);
    socket.use(([event, ...args], next) => {
      if (this.admit(connection, event, args)) next();
    });
    socket.on('subscribe', (payload, ack) => this.subscribe(connection, payload, ack));
    socket.on('unsubscribe', (payload, ack) => this.unsubscribe(connection, payload, ack));
    socket.emit('market_status', this.state.marketStatus());
    if (this.state.feed.stale) socket.emit('stale', this.state.feed);
  }

  handleDisconnect(socket: AppSocket): void {
    const connection = this.connections.get(socket.id);
    if (!connection) return;
    this.connections.delete(socket.id);
    this.fanout.leave(connection.member);
  }

  /** Per-socket gate in front of every handler: message budget, known events only. */
  private admit(connection: SocketConnection, event: string, args: unknown[]): boolean {
    const ack = typeof args[args.length - 1] === 'function' ? (args[args.length - 1] as Ack) : undefined;
    if (!connection.rate.take()) {
      if (connection.rate.refusedInARow >= FLOOD_DISCONNECT_AFTER) {
        connection.socket.disconnect(true);
        return false;
      }
      const now = Date.now();
      if (now - connection.rateErrorAt >= 1000) {
        connection.rateErrorAt = now;
        this.fail(connection, { code: 'RATE_LIMITED', event, message: `more than ${this.limits.messagesPerSecond} messages per second` }, ack);
      } else {
        messagesRejected.inc({ reason: 'rate_limited' });
        ack?.({ ok: false, error: { code: 'RATE_LIMITED', event, message: 'rate limited' } } satisfies ErrorAck);
      }
      return false;
    }
    if (CLIENT_EVENTS.has(event)) return true;
    this.fail(connection, { code: 'UNKNOWN_EVENT', event: String(event).slice(0, 64), message: 'unknown event' }, ack);
    return false;
  }

  private subscribe(connection: SocketConnection, payload: unknown, ack: unknown): void {
    const reply = typeof ack === 'function' ? (ack as Ack) : undefined;
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

  private unsubscribe(connection: SocketConnection, payload: unknown, ack: unknown): void {
    const reply = typeof ack === 'function' ? (ack as Ack) : undefined;
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
