/**
 * The realtime protocol between Mstock and its clients (web terminal, SDK, tests, the server's
 * gateway). One file, imported by both sides, so a change to a payload is a compile error on
 * both. It imports nothing: the browser bundle and the server read the same definitions.
 *
 * Version 1. A client states the version it speaks in the handshake (`auth.v`); the server
 * refuses versions it does not know with a `connect_error` whose data.code is "PROTOCOL".
 * Additive changes (a new optional field, a new event) keep the version; anything a v1 client
 * would misread (a renamed field, a changed unit) bumps it and the server serves both for a while.
 *
 * Units follow Kite Connect: prices in rupees (numbers with at most 2 decimals), quantities as
 * integers, times as epoch milliseconds.
 */
export const REALTIME_PROTOCOL_VERSION = 1;
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [1];

export type TickMode = 'ltp' | 'quote' | 'full';
export const TICK_MODES: readonly TickMode[] = ['ltp', 'quote', 'full'];

/** "NSE:INFY" (Kite's exchange:tradingsymbol key) or the numeric instrument token. */
export type InstrumentRef = string | number;

export interface LtpTick {
  instrument_token: number;
  mode: 'ltp';
  last_price: number;
  exchange_timestamp: number;
}

export interface QuoteTick {
  instrument_token: number;
  mode: 'quote' | 'full';
  last_price: number;
  last_traded_quantity: number;
  average_traded_price: number;
  volume_traded: number;
  total_buy_quantity: number;
  total_sell_quantity: number;
  ohlc: { open: number; high: number; low: number; close: number };
  /** Percent change from the previous close. */
  change: number;
  last_trade_time: number;
  exchange_timestamp: number;
}

export type Tick = LtpTick | QuoteTick;

export interface DepthLevel {
  price: number;
  quantity: number;
  orders: number;
}

/** Five levels each side, best first (mode "full" only). */
export interface Depth {
  instrument_token: number;
  buy: DepthLevel[];
  sell: DepthLevel[];
  exchange_timestamp: number;
}

export interface SubscribeRequest {
  instruments: InstrumentRef[];
  /** Default "quote", as Kite. Re-subscribing an instrument with another mode switches its mode. */
  mode?: TickMode;
}

export interface UnsubscribeRequest {
  instruments: InstrumentRef[];
}

export interface SubscribedInstrument {
  /** The reference as the client sent it. */
  ref: InstrumentRef;
  instrument_token: number;
  /** "NSE:INFY". */
  key: string;
  mode: TickMode;
}

export interface RejectedInstrument {
  ref: unknown;
  reason: 'UNKNOWN_INSTRUMENT' | 'SUBSCRIPTION_LIMIT' | 'INVALID';
}

export interface SubscribeAck {
  ok: true;
  accepted: SubscribedInstrument[];
  rejected: RejectedInstrument[];
  /** The latest known tick of each accepted instrument (instruments not traded yet are absent). */
  snapshot: Tick[];
  /** Depth of accepted "full" instruments. */
  depth: Depth[];
  /** Instruments this connection now watches. */
  subscriptions: number;
}

export interface UnsubscribeAck {
  ok: true;
  removed: number[];
  subscriptions: number;
}

export type RealtimeErrorCode =
  | 'BAD_REQUEST'
  | 'TOO_MANY_INSTRUMENTS'
  | 'UNKNOWN_INSTRUMENT'
  | 'SUBSCRIPTION_LIMIT'
  | 'RATE_LIMITED'
  | 'UNKNOWN_EVENT'
  | 'SESSION_ENDED';

export interface RealtimeError {
  code: RealtimeErrorCode;
  message: string;
  /** The client event that caused it. */
  event?: string;
  /** The offending references (at most 20). */
  refs?: unknown[];
}

export interface ErrorAck {
  ok: false;
  error: RealtimeError;
}

/** An order in Kite Connect's JSON shape (as GET /api/v1/orders returns it). */
export interface OrderUpdate {
  order_id: string;
  parent_order_id: string | null;
  exchange_order_id: string | null;
  placed_by: string;
  variety: string;
  status: string;
  status_message: string | null;
  tradingsymbol: string;
  exchange: string;
  instrument_token: number;
  transaction_type: string;
  order_type: string;
  product: string;
  validity: string;
  price: number;
  trigger_price: number;
  quantity: number;
  disclosed_quantity: number;
  average_price: number;
  filled_quantity: number;
  pending_quantity: number;
  cancelled_quantity: number;
  order_timestamp: string | null;
  exchange_timestamp: string | null;
  exchange_update_timestamp: string | null;
  tag: string | null;
}

/** A price or event alert the user set up has fired. */
export interface AlertNotice {
  alert_id: string;
  message: string;
  instrument_token?: number;
  tradingsymbol?: string;
  exchange?: string;
  /** The price that triggered it, rupees. */
  last_price?: number;
  triggered_at: number;
}

/** The account's margin is short: add funds or positions may be squared off. */
export interface MarginCallNotice {
  /** warning: losses passed the call share of the margin; square_off: the broker is closing the positions. */
  level?: 'warning' | 'square_off';
  message: string;
  /** Rupees: the margin the intraday positions hold, what is left of it, and the loss. */
  required: number;
  available: number;
  shortfall: number;
  at: number;
}

export type MarketPhaseName = 'CLOSED' | 'PRE_OPEN' | 'PRE_OPEN_MATCH' | 'CONTINUOUS' | 'POST_CLOSE';

export interface MarketStatus {
  phase: MarketPhaseName;
  at: number;
}

/** The price feed went silent past its threshold (prices may be old) or came back. */
export interface FeedStatus {
  stale: boolean;
  since: number;
}

export interface ServerToClientEvents {
  /** One frame per flush: every watched instrument that changed since the last frame, latest value only. */
  tick: (ticks: Tick[]) => void;
  depth: (depth: Depth[]) => void;
  order_update: (order: OrderUpdate) => void;
  alert: (alert: AlertNotice) => void;
  margin_call: (notice: MarginCallNotice) => void;
  market_status: (status: MarketStatus) => void;
  stale: (status: FeedStatus) => void;
  error: (error: RealtimeError) => void;
}

export interface ClientToServerEvents {
  subscribe: (request: SubscribeRequest, ack: (response: SubscribeAck | ErrorAck) => void) => void;
  unsubscribe: (request: UnsubscribeRequest, ack: (response: UnsubscribeAck | ErrorAck) => void) => void;
}

/** socket.io's `auth` payload. token: an access JWT, or Kite's "api_key:access_token". */
export interface HandshakeAuth {
  token: string;
  v?: number;
}

/** `connect_error` data when the handshake is refused. */
export interface HandshakeRefusal {
  code: 'AUTH' | 'PROTOCOL';
  message: string;
}
