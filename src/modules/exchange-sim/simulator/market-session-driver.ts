import type { Clock } from '../../../common/clock/clock';
import { MarketPhase, type ExchangeCalendar } from '../../../common/clock/exchange-calendar';
import { EXCHANGE_TIME_ZONE, istParts, toIstIso } from '../../../common/clock/ist';
import { SessionState } from '../engine';
import type { SimLogger } from './message-outbox';

/** What the driver needs of the venue (ExchangeSimulator implements it). */
export interface SessionControl {
  readonly session: SessionState;
  setSession(state: SessionState): void;
  expireDayOrders(): void;
  setOrderEntryOpen(open: boolean): void;
  startTradingDay(date: string): void;
}

export interface MarketStatus {
  /** The exchange calendar's phase (IST), finer than the engine's session. */
  phase: MarketPhase;
  /** The matching engine's session for that phase. */
  session: SessionState;
  /** Whether orders, changes and cancels are accepted now. */
  orderEntryOpen: boolean;
  /** IST date of `exchangeTime`. */
  date: string;
  /** Exchange time, ISO 8601 with the +05:30 offset. */
  exchangeTime: string;
  timeZone: typeof EXCHANGE_TIME_ZONE;
  alwaysOpen: boolean;
}

export interface MarketSessionDriverOptions {
  venue: SessionControl;
  clock: Clock;
  calendar: ExchangeCalendar;
  checkIntervalMs?: number;
  log?: SimLogger;
}

/**
 * The engine has no clock: this drives its session from the injected Clock and the IST exchange
 * calendar. 09:00 PRE_OPEN (order collection) · 09:08–09:15 still PRE_OPEN in the engine but no
 * order entry (NSE's matching and buffer window) · 09:15 CONTINUOUS, which runs the opening call
 * auction · 15:30 CLOSED with every DAY order expired. Weekends and holidays stay CLOSED; in
 * always-open (demo) mode it is CONTINUOUS around the clock and a new day only resets the
 * day's statistics at IST midnight.
 */
export class MarketSessionDriver {
  private readonly venue: SessionControl;
  private readonly clock: Clock;
  private readonly calendar: ExchangeCalendar;
  private readonly checkIntervalMs: number;
  private readonly log?: SimLogger;
  private readonly listeners = new Set<(status: MarketStatus) => void>();
  private timer: NodeJS.Timeout | null = null;
  private lastPhase: MarketPhase | null = null;
  /** IST date of the trading day whose statistics the venue is keeping. */
  private dayStarted: string | null = null;

  constructor(options: MarketSessionDriverOptions) {
    this.venue = options.venue;
    this.clock = options.clock;
    this.calendar = options.calendar;
    this.checkIntervalMs = options.checkIntervalMs ?? 1000;
    this.log = options.log;
  }

  start(): void {
    if (this.timer !== null) return;
    this.syncNow();
    this.timer = setInterval(() => this.syncNow(), this.checkIntervalMs);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Notified on every phase change (the realtime `market_status` event). */
  onChange(listener: (status: MarketStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The phase at the clock's current time; needs no running venue. */
  marketStatus(): MarketStatus {
    const now = this.clock.now();
    const phase = this.calendar.phaseAt(now);
    return {
      phase,
      session: sessionFor(phase),
      orderEntryOpen: phase === MarketPhase.PreOpen || phase === MarketPhase.Continuous,
      date: istParts(now).date,
      exchangeTime: toIstIso(now),
      timeZone: EXCHANGE_TIME_ZONE,
      alwaysOpen: this.calendar.alwaysOpen,
    };
  }

  /** Brings the venue to the phase of the clock's current time (the timer calls this every second). */
  syncNow(): MarketStatus {
    const status = this.marketStatus();
    const { session: target, date } = status;
    const venue = this.venue;
    const newDay = this.dayStarted !== date;
    if (this.calendar.alwaysOpen) {
      if (newDay) this.beginDay(date);
      if (venue.session !== target) venue.setSession(target);
    } else if (target === SessionState.CLOSED) {
      if (venue.session !== SessionState.CLOSED) this.close();
    } else {
      // Never carry a session over into another day, or back from continuous into pre-open.
      const stale = newDay || (target === SessionState.PRE_OPEN && venue.session === SessionState.CONTINUOUS);
      if (stale && venue.session !== SessionState.CLOSED) this.close();
      if (newDay) this.beginDay(date);
      if (venue.session !== target) venue.setSession(target);
    }
    // Outside trading the engine itself refuses orders (MARKET_CLOSED); the gate is only for 09:08–09:15.
    venue.setOrderEntryOpen(status.phase !== MarketPhase.PreOpenMatch);
    if (status.phase !== this.lastPhase) {
      this.lastPhase = status.phase;
      this.log?.log(`market ${status.phase} (engine ${venue.session}) at ${status.exchangeTime}`);
      for (const listener of this.listeners) listener(status);
    }
    return status;
  }

  private close(): void {
    this.venue.setSession(SessionState.CLOSED);
    this.venue.expireDayOrders();
  }

  private beginDay(date: string): void {
    this.dayStarted = date;
    this.venue.startTradingDay(date);
  }
}

/** Engine session for a calendar phase: pre-open matching stays PRE_OPEN so the auction runs at 09:15. */
export function sessionFor(phase: MarketPhase): SessionState {
  switch (phase) {
    case MarketPhase.PreOpen:
    case MarketPhase.PreOpenMatch:
      return SessionState.PRE_OPEN;
    case MarketPhase.Continuous:
      return SessionState.CONTINUOUS;
    case MarketPhase.PostClose:
    case MarketPhase.Closed:
      return SessionState.CLOSED;
  }
}
