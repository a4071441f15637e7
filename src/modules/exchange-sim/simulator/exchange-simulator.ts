import type { Clock } from '../../../common/clock/clock';
import { MatchingEngine, SessionState, type CancelOrderCommand, type Command, type Journal, type PlaceOrderCommand } from '../engine';
import type { LiquidityInstrument, LiquidityPort } from '../liquidity/liquidity-port';
import type {
  CancelOrderRequest,
  ExecutionReport,
  MarketDataSource,
  NewOrderRequest,
  QuoteSnapshot,
  ReplaceOrderRequest,
  Venue,
} from '../venue.types';
import type { SessionControl } from './market-session-driver';
import { AgentOrder, type LiveOrder, type MemberOrder } from './member-order';
import { MessageOutbox, type MessageListener, type SimLogger } from './message-outbox';
import { DEPTH_LEVELS, QuoteBoard, toSnapshot, type InstrumentQuote } from './quote-board';
import { OrderEntry, type Refusal } from './order-entry';
import { PRE_OPEN_MATCH_TEXT, VenueReason } from './reason-text';
import { RequestKind, SimEventHandler } from './sim-event-handler';
import { SimIds } from './sim-ids';
import { engineSpecOf, referencePriceOf, type SimInstrument } from './sim-instrument';

export interface ExchangeSimulatorOptions {
  clock: Clock;
  instruments?: readonly SimInstrument[];
  /** How often changed quotes are flushed to onQuotes listeners (ms). */
  quoteIntervalMs?: number;
  /** Records every engine command (replay, determinism tests). */
  journal?: Journal;
  log?: SimLogger;
}

type QuoteListener = (batch: QuoteSnapshot[]) => void;

/**
 * The embedded exchange: the matching engine behind the protocol-neutral Venue and
 * MarketDataSource interfaces. Maps members' ClOrdIDs to engine order ids, keeps each order's
 * FIX state, and turns engine events into execution reports (see SimEventHandler) and quotes.
 *
 * Engine books are created on an instrument's first order: a book costs ~32 bytes per price
 * level per side, and the whole NSE + BSE master is 20M levels (~650 MB), which a broker
 * process with the liquidity off should not pay for instruments nobody trades.
 */
export class ExchangeSimulator implements Venue, MarketDataSource, LiquidityPort, SessionControl {
  private readonly clock: Clock;
  private readonly log?: SimLogger;
  private readonly engine: MatchingEngine;
  private readonly handler: SimEventHandler;
  private readonly entry: OrderEntry;
  private readonly board = new QuoteBoard();
  private readonly live = new Map<number, LiveOrder>();
  private readonly clientIds = new Map<string, number>();
  private readonly outbox: MessageOutbox;
  private readonly quoteListeners = new Set<QuoteListener>();
  private readonly ids: SimIds;
  private readonly quoteIntervalMs: number;
  private tradable: LiquidityInstrument[] | null = null;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private entryOpen = true;
  // Agents' commands are reused objects: the engine does not keep them, and the journal copies.
  private readonly agentPlace: PlaceOrderCommand = {
    type: 'PLACE', orderId: 0, instrumentId: 0, clientId: 0, side: 'BUY', orderType: 'LIMIT', validity: 'DAY', qty: 0, price: 0,
  };
  private readonly agentCancel: CancelOrderCommand = { type: 'CANCEL', orderId: 0 };

  constructor(options: ExchangeSimulatorOptions) {
    this.clock = options.clock;
    this.log = options.log;
    this.quoteIntervalMs = options.quoteIntervalMs ?? 100;
    this.ids = new SimIds(options.clock.now());
    this.outbox = new MessageOutbox(options.log);
    this.handler = new SimEventHandler({
      live: this.live,
      board: this.board,
      ids: this.ids,
      clock: this.clock,
      send: (message) => this.outbox.push(message),
      log: options.log,
    });
    this.engine = new MatchingEngine({ listener: this.handler, journal: options.journal });
    this.entry = new OrderEntry({
      board: this.board,
      ids: this.ids,
      clock: this.clock,
      send: (message) => this.outbox.push(message),
      run: (kind, cmd, order, request) => this.apply(kind, cmd, order, request ?? null),
      list: (quote) => this.ensureListed(quote),
      clientIdOf: (memberId, account) => this.clientIdOf(memberId, account),
      refusal: () => this.refusal(),
    });
    this.listInstruments(options.instruments ?? []);
  }

  /** Adds tradable instruments not listed yet (a reloaded master may bring new ones); returns how many. */
  listInstruments(instruments: readonly SimInstrument[]): number {
    let added = 0;
    for (const i of instruments) if (i.tradable && this.board.add(i, referencePriceOf(i)) !== undefined) added++;
    if (added > 0) this.tradable = null;
    return added;
  }

  /**
   * Creates every engine book now instead of on first use. With synthetic liquidity every
   * instrument trades within a second anyway; building ~20M price levels takes seconds of CPU,
   * better paid at boot than as stalls under traffic.
   */
  listAllBooks(): void {
    for (const quote of this.board.all()) this.ensureListed(quote);
  }

  symbolOf(instrumentToken: number): string | undefined {
    return this.board.get(instrumentToken)?.instrument.tradingsymbol;
  }

  get instrumentCount(): number {
    return this.board.size;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    // The flush alone should not keep a process alive: servers and the session driver do.
    this.timer = setInterval(() => this.flushQuotes(), this.quoteIntervalMs).unref();
  }

  stop(): void {
    this.started = false;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  get ready(): boolean {
    return this.started;
  }

  // ---- Venue ----

  submit(request: NewOrderRequest): void {
    this.entry.submit(request);
  }

  replace(request: ReplaceOrderRequest): void {
    this.entry.replace(request);
  }

  cancel(request: CancelOrderRequest): void {
    this.entry.cancel(request);
  }

  status(memberId: string, clOrdId: string): ExecutionReport | null {
    return this.entry.status(memberId, clOrdId);
  }

  onMessage(memberId: string, listener: MessageListener): () => void {
    return this.outbox.subscribe(memberId, listener);
  }

  // ---- MarketDataSource ----

  onQuotes(listener: QuoteListener): () => void {
    this.quoteListeners.add(listener);
    return () => this.quoteListeners.delete(listener);
  }

  snapshot(instrumentToken: number): QuoteSnapshot | undefined {
    const quote = this.board.get(instrumentToken);
    return quote === undefined ? undefined : this.snapshotOf(quote, this.clock.now());
  }

  snapshots(): QuoteSnapshot[] {
    const now = this.clock.now();
    return [...this.board.all()].map((q) => this.snapshotOf(q, now));
  }

  /** Sends the instruments changed since the last flush as one batch (the timer calls this). Listeners share the batch: read-only. */
  flushQuotes(): QuoteSnapshot[] {
    const changed = this.board.takeChanged();
    if (changed.length === 0 || this.quoteListeners.size === 0) return [];
    const now = this.clock.now();
    const batch = changed.map((q) => this.snapshotOf(q, now));
    for (const listener of this.quoteListeners) {
      try {
        listener(batch);
      } catch (err) {
        this.log?.error(`quote listener failed: ${(err as Error).message}`, (err as Error).stack);
      }
    }
    return batch;
  }

  // ---- SessionControl (the session driver) ----

  get session(): SessionState {
    return this.engine.session;
  }

  setSession(state: SessionState): void {
    this.apply(RequestKind.SYSTEM, { type: 'SET_SESSION', state });
  }

  /** Cancels every resting DAY order (members get EXPIRED reports). */
  expireDayOrders(): void {
    this.apply(RequestKind.SYSTEM, { type: 'EXPIRE_DAY' });
  }

  /** NSE takes no orders, changes or cancels between the pre-open close and the open (09:08–09:15). */
  setOrderEntryOpen(open: boolean): void {
    this.entryOpen = open;
  }

  /** A new trading day: the day's statistics restart and yesterday's closed orders (and their ClOrdIDs) are forgotten. */
  startTradingDay(_date: string): void {
    for (const quote of this.board.all()) {
      quote.resetDay();
      this.board.markChanged(quote);
    }
    this.entry.forgetClosed();
  }

  // ---- LiquidityPort ----

  get acceptingOrders(): boolean {
    return this.started && this.entryOpen && this.engine.session !== SessionState.CLOSED;
  }

  liquidityInstruments(): readonly LiquidityInstrument[] {
    if (this.tradable !== null) return this.tradable;
    const out: LiquidityInstrument[] = [];
    for (const q of this.board.all()) {
      const i = q.instrument;
      if (i.suspended || q.unavailable) continue;
      const { tickSize, lowerCircuit, upperCircuit, lotSize, freezeQty } = i;
      out.push({ token: q.token, tickSize, lowerCircuit, upperCircuit, referencePrice: q.referencePrice, lotSize, freezeQty });
    }
    return (this.tradable = out.sort((a, b) => a.token - b.token));
  }

  clientIdOf(memberId: string, clientAccount: string): number {
    const key = `${memberId}\u0000${clientAccount}`;
    let id = this.clientIds.get(key);
    if (id === undefined) this.clientIds.set(key, (id = this.clientIds.size + 1));
    return id;
  }

  bestBid(token: number): number {
    return this.engine.bestBid(token);
  }

  bestAsk(token: number): number {
    return this.engine.bestAsk(token);
  }

  lastPrice(token: number): number {
    return this.board.get(token)?.lastPrice ?? 0;
  }

  placeAgentOrder(token: number, clientId: number, isBuy: boolean, quantity: number, price: number, ioc: boolean): number {
    const quote = this.board.get(token);
    if (quote === undefined || !this.ensureListed(quote)) return 0;
    const cmd = this.agentPlace;
    cmd.orderId = this.ids.nextOrderId();
    cmd.instrumentId = token;
    cmd.clientId = clientId;
    cmd.side = isBuy ? 'BUY' : 'SELL';
    cmd.validity = ioc ? 'IOC' : 'DAY';
    cmd.qty = quantity;
    cmd.price = price;
    this.apply(RequestKind.AGENT, cmd, null, null, new AgentOrder(isBuy, quantity));
    return this.live.has(cmd.orderId) ? cmd.orderId : 0;
  }

  cancelAgentOrder(orderId: number): void {
    if (this.live.get(orderId)?.member !== null) return; // gone, or a member's order
    this.agentCancel.orderId = orderId;
    this.apply(RequestKind.AGENT, this.agentCancel);
  }

  // ---- introspection (tests, metrics) ----

  /** Orders live in the engine (members' and agents'). */
  get liveOrderCount(): number {
    return this.live.size;
  }

  get agentRejectCount(): number {
    return this.handler.agentRejects;
  }

  // ---- internals ----

  private apply(
    kind: RequestKind,
    cmd: Command,
    order: MemberOrder | null = null,
    request: ReplaceOrderRequest | CancelOrderRequest | null = null,
    agent: AgentOrder | null = null,
  ): void {
    const h = this.handler;
    h.kind = kind;
    h.order = order;
    h.request = request;
    h.agent = agent;
    try {
      this.engine.apply(cmd);
    } finally {
      h.kind = RequestKind.NONE;
      h.order = null;
      h.request = null;
      h.agent = null;
    }
  }

  /** Creates the engine book on first use; false when the engine refuses the instrument's spec. */
  private ensureListed(quote: InstrumentQuote): boolean {
    if (quote.listed) return !quote.unavailable;
    quote.listed = true;
    this.handler.systemReject = null;
    this.apply(RequestKind.SYSTEM, { type: 'ADD_INSTRUMENT', ...engineSpecOf(quote.instrument) });
    if (this.handler.systemReject !== null) {
      quote.unavailable = true;
      this.tradable = null;
      this.log?.warn(`instrument ${quote.token} not listed: engine refused its spec (${this.handler.systemReject})`);
    }
    return !quote.unavailable;
  }

  private refusal(): Refusal | null {
    if (!this.started) return { code: VenueReason.VENUE_NOT_READY };
    if (!this.entryOpen) return { code: 'NOT_ALLOWED_IN_SESSION', text: PRE_OPEN_MATCH_TEXT };
    return null;
  }

  private snapshotOf(quote: InstrumentQuote, now: number): QuoteSnapshot {
    const listed = quote.listed && !quote.unavailable;
    return toSnapshot(quote, listed ? this.engine.depth(quote.token, DEPTH_LEVELS) : undefined, now);
  }
}
