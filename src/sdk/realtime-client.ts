import { io, Socket } from 'socket.io-client';
import { TypedEmitter } from './emitter';
import { OrderRecovery } from './order-recovery';
import {
  AlertNotice,
  ClientToServerEvents,
  Depth,
  ErrorAck,
  FeedStatus,
  HandshakeRefusal,
  InstrumentRef,
  MarginCallNotice,
  MarketStatus,
  OrderUpdate,
  REALTIME_PROTOCOL_VERSION,
  RealtimeError,
  ServerToClientEvents,
  SubscribeAck,
  Tick,
  TickMode,
  UnsubscribeAck,
} from './protocol';

export interface RealtimeClientOptions {
  /** The Mstock server, e.g. "https://mstock.example.com"; sockets and REST share the origin. */
  url: string;
  /** An access JWT or Kite's "api_key:access_token". A function is asked again on every (re)connect, so it may refresh. */
  token: string | (() => string | Promise<string>);
  /** Reconnect backoff: first delay and ceiling, ms (defaults 1 s → 30 s, doubling, ±50 % jitter). */
  reconnectDelayMs?: number;
  reconnectDelayMaxMs?: number;
  /** After a reconnect, re-read orders over REST and emit the updates missed meanwhile (default true). */
  recoverOrders?: boolean;
  ackTimeoutMs?: number;
  transports?: ('websocket' | 'polling')[];
  fetch?: typeof fetch;
}

/** Events of the client: the server's pushes plus the connection's own state. */
export interface RealtimeClientEvents {
  tick: [ticks: Tick[]];
  depth: [depth: Depth[]];
  order_update: [order: OrderUpdate];
  alert: [alert: AlertNotice];
  margin_call: [notice: MarginCallNotice];
  market_status: [status: MarketStatus];
  feed_status: [status: FeedStatus];
  /** Problems the server reported about our messages (the connection is fine). */
  error: [error: RealtimeError];
  /** True while prices cannot be trusted: disconnected, resubscribing, or the feed itself is stale. */
  stale: [stale: boolean];
  connected: [info: { reconnect: boolean }];
  disconnected: [reason: string];
  /** Subscriptions restored after a reconnect. */
  resubscribed: [acks: (SubscribeAck | ErrorAck)[]];
  /** The client stopped for good (refused handshake, logout, close()); call connect() with a new token to start again. */
  closed: [reason: string];
}

interface Wanted {
  mode: TickMode;
  key: string;
}

/**
 * The typed realtime client for browsers and Node. socket.io-client's manager does the
 * reconnecting (exponential backoff with jitter); this class remembers what was subscribed and
 * restores it on every reconnect, recovers missed order updates over REST, and keeps a stale flag.
 */
export class RealtimeClient extends TypedEmitter<RealtimeClientEvents> {
  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  /** Instrument token → mode, for everything the server accepted. */
  private readonly wanted = new Map<number, Wanted>();
  private readonly orders = new OrderRecovery();
  private everConnected = false;
  private synced = false;
  private feedStale = false;
  private lastStale = true;
  private readonly ackTimeoutMs: number;

  constructor(private readonly options: RealtimeClientOptions) {
    super();
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.socket = io(options.url, {
      autoConnect: false,
      transports: options.transports ?? ['websocket', 'polling'],
      reconnection: true,
      reconnectionAttempts: Infinity,
      reconnectionDelay: options.reconnectDelayMs ?? 1_000,
      reconnectionDelayMax: options.reconnectDelayMaxMs ?? 30_000,
      randomizationFactor: 0.5,
      auth: (cb) => void this.credential().then((token) => cb({ token, v: REALTIME_PROTOCOL_VERSION })),
    });
    this.wire();
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  get stale(): boolean {
    return !this.socket.connected || !this.synced || this.feedStale;
  }

  /** Instruments currently wanted (restored after every reconnect). */
  get subscriptions(): ReadonlyMap<number, Wanted> {
    return this.wanted;
  }

  connect(): this {
    this.socket.connect();
    return this;
  }

  close(): void {
    this.socket.disconnect();
  }

  async subscribe(instruments: InstrumentRef[], mode: TickMode = 'quote'): Promise<SubscribeAck | ErrorAck> {
    await this.whenConnected();
    const ack = await this.socket.timeout(this.ackTimeoutMs).emitWithAck('subscribe', { instruments, mode });
    if (ack.ok) for (const a of ack.accepted) this.wanted.set(a.instrument_token, { mode: a.mode, key: a.key });
    return ack;
  }

  async unsubscribe(instruments: InstrumentRef[]): Promise<UnsubscribeAck | ErrorAck> {
    // Forget locally first, so a reconnect racing this call does not bring them back.
    const refs = new Set(instruments.map(String));
    for (const [token, w] of this.wanted) if (refs.has(String(token)) || refs.has(w.key)) this.wanted.delete(token);
    await this.whenConnected();
    return this.socket.timeout(this.ackTimeoutMs).emitWithAck('unsubscribe', { instruments });
  }

  private wire(): void {
    const s = this.socket;
    s.on('connect', () => void this.onConnect());
    s.on('disconnect', (reason) => {
      this.synced = false;
      this.updateStale();
      this.emit('disconnected', reason);
      // socket.io does not reconnect after the server disconnected us on purpose (logout) or we did.
      if (reason === 'io server disconnect' || reason === 'io client disconnect') this.emit('closed', reason);
    });
    s.on('connect_error', (err: Error & { data?: HandshakeRefusal }) => {
      // A refused handshake is final for socket.io; transport errors are retried with backoff.
      if (err.data?.code) this.emit('closed', `${err.data.code}: ${err.data.message}`);
    });
    s.on('tick', (ticks) => this.emit('tick', ticks));
    s.on('depth', (depth) => this.emit('depth', depth));
    s.on('order_update', (order) => {
      if (this.orders.observe(order)) this.emit('order_update', order);
    });
    s.on('alert', (alert) => this.emit('alert', alert));
    s.on('margin_call', (notice) => this.emit('margin_call', notice));
    s.on('market_status', (status) => this.emit('market_status', status));
    s.on('stale', (status) => {
      this.feedStale = status.stale;
      this.emit('feed_status', status);
      this.updateStale();
    });
    s.on('error', (error) => this.emit('error', error));
  }

  private async onConnect(): Promise<void> {
    const reconnect = this.everConnected;
    this.everConnected = true;
    this.emit('connected', { reconnect });
    const acks = await this.resubscribe().catch(() => null);
    if (!this.socket.connected) return;
    if (acks) {
      this.synced = true;
      if (reconnect) this.emit('resubscribed', acks);
    }
    this.updateStale();
    if (this.options.recoverOrders === false) return;
    await this.syncOrders(reconnect).catch(() => undefined);
  }

  private async resubscribe(): Promise<(SubscribeAck | ErrorAck)[]> {
    const byMode = new Map<TickMode, number[]>();
    for (const [token, w] of this.wanted) byMode.set(w.mode, [...(byMode.get(w.mode) ?? []), token]);
    const sends = [...byMode].map(([mode, instruments]) => this.socket.timeout(this.ackTimeoutMs).emitWithAck('subscribe', { instruments, mode }));
    return Promise.all(sends);
  }

  /** First connect: remember the orders as they are. Reconnect: emit what changed while we were away. */
  private async syncOrders(reconnect: boolean): Promise<void> {
    const orders = await this.fetchOrders();
    if (!reconnect) return this.orders.baseline(orders);
    for (const order of this.orders.missed(orders)) this.emit('order_update', order);
  }

  private async fetchOrders(): Promise<OrderUpdate[]> {
    const token = await this.credential();
    const scheme = token.includes(':') && !token.includes('.') ? 'token' : 'Bearer';
    const doFetch = this.options.fetch ?? fetch;
    const res = await doFetch(new URL('/api/v1/orders', this.options.url).toString(), { headers: { Authorization: `${scheme} ${token}` } });
    if (!res.ok) throw new Error(`GET /api/v1/orders: HTTP ${res.status}`);
    const body = (await res.json()) as { data?: OrderUpdate[] };
    return body.data ?? [];
  }

  private async credential(): Promise<string> {
    const t = this.options.token;
    return typeof t === 'function' ? t() : t;
  }

  private whenConnected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('connect', () => resolve()));
  }

  private updateStale(): void {
    const stale = this.stale;
    if (stale === this.lastStale) return;
    this.lastStale = stale;
    this.emit('stale', stale);
  }
}
