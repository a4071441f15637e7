import { addDays, istDateTime, istParts } from './ist';

export enum MarketPhase {
  Closed = 'CLOSED',
  /** 09:00–09:08: orders collected for the opening call auction. */
  PreOpen = 'PRE_OPEN',
  /** 09:08–09:15: auction matching and the buffer before continuous trading. */
  PreOpenMatch = 'PRE_OPEN_MATCH',
  /** 09:15–15:30: continuous matching. */
  Continuous = 'CONTINUOUS',
  /** 15:30–16:00: closing session (closing price computed; no new continuous orders). */
  PostClose = 'POST_CLOSE',
}

/** IST minutes of the NSE cash market day. */
export const SESSION = {
  preOpenStart: 9 * 60,
  preOpenEnd: 9 * 60 + 8,
  continuousStart: 9 * 60 + 15,
  misSquareOff: 15 * 60 + 20,
  continuousEnd: 15 * 60 + 30,
  postCloseEnd: 16 * 60,
} as const;

/**
 * NSE equity trading holidays for 2026 (weekdays only), per NSE's annual circular. Operators
 * replace or extend the list with EXCHANGE_HOLIDAYS.
 */
export const NSE_HOLIDAYS_2026 = [
  '2026-01-26', '2026-03-03', '2026-03-26', '2026-03-31', '2026-04-03', '2026-04-14', '2026-05-01',
  '2026-05-28', '2026-06-26', '2026-09-14', '2026-10-02', '2026-10-20', '2026-11-10', '2026-11-24', '2026-12-25',
];

export interface CalendarOptions {
  holidays: string[];
  /** Demo mode: every moment is a continuous-trading moment of a trading day. */
  alwaysOpen: boolean;
}

/** Pure rules of the exchange day, in IST. Time comes from the injected Clock, never from here. */
export class ExchangeCalendar {
  private readonly holidays: Set<string>;

  constructor(private readonly options: CalendarOptions) {
    this.holidays = new Set(options.holidays);
  }

  get alwaysOpen(): boolean {
    return this.options.alwaysOpen;
  }

  isTradingDay(date: string): boolean {
    if (this.options.alwaysOpen) return true;
    const weekday = istParts(istDateTime(date, 12)).weekday;
    return weekday !== 0 && weekday !== 6 && !this.holidays.has(date);
  }

  phaseAt(epochMs: number): MarketPhase {
    if (this.options.alwaysOpen) return MarketPhase.Continuous;
    const { date, minuteOfDay: m } = istParts(epochMs);
    if (!this.isTradingDay(date)) return MarketPhase.Closed;
    if (m >= SESSION.preOpenStart && m < SESSION.preOpenEnd) return MarketPhase.PreOpen;
    if (m >= SESSION.preOpenEnd && m < SESSION.continuousStart) return MarketPhase.PreOpenMatch;
    if (m >= SESSION.continuousStart && m < SESSION.continuousEnd) return MarketPhase.Continuous;
    if (m >= SESSION.continuousEnd && m < SESSION.postCloseEnd) return MarketPhase.PostClose;
    return MarketPhase.Closed;
  }

  isOpenForContinuousTrading(epochMs: number): boolean {
    return this.phaseAt(epochMs) === MarketPhase.Continuous;
  }

  /** The trading day on or after `date`. */
  nextTradingDay(date: string): string {
    let d = addDays(date, 1);
    for (let i = 0; i < 30 && !this.isTradingDay(d); i++) d = addDays(d, 1);
    return d;
  }

  /** Settlement date for a trade day (T+1 for Indian cash equities since 2023). */
  settlementDate(tradeDate: string): string {
    return this.nextTradingDay(tradeDate);
  }

  /** 06:00 IST on the calendar day after `epochMs`'s IST date: when Kite access tokens expire. */
  nextSixAmIst(epochMs: number): number {
    const { date, minuteOfDay } = istParts(epochMs);
    return minuteOfDay < 6 * 60 ? istDateTime(date, 6) : istDateTime(addDays(date, 1), 6);
  }
}
