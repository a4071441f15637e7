import { IST_OFFSET_MS } from '../../../common/clock/ist';

/**
 * Candle timeframes we store, in minutes; 1440 is the IST trading day. Kite's other intraday
 * intervals (3, 10, 30 minutes) are built from these at read time.
 */
export const TIMEFRAMES = [1, 5, 15, 60, 1440] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];
export const DAY: Timeframe = 1440;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** 09:15 IST, NSE's continuous-session open, in minutes after IST midnight. */
export const SESSION_OPEN_MINUTE = 9 * 60 + 15;

/** Epoch ms of the IST midnight that starts `epochMs`'s IST date. */
export function istDayStart(epochMs: number): number {
  return Math.floor((epochMs + IST_OFFSET_MS) / DAY_MS) * DAY_MS - IST_OFFSET_MS;
}

/**
 * Start of the `minutes`-long candle holding `epochMs`. Intraday candles are aligned to the 09:15
 * IST session open, as NSE's and Kite's are: 60-minute candles start 09:15, 10:15, … (not on the
 * clock hour), 30-minute ones 09:15, 09:45, …; for 1, 3, 5 and 15 minutes that is the same as clock
 * alignment. No candle crosses IST midnight (the demo market trades around the clock): the first
 * bucket of a day is clipped to start at 00:00 IST. Day candles start at IST midnight.
 */
export function bucketStart(epochMs: number, minutes: number): number {
  const day = istDayStart(epochMs);
  if (minutes >= 1440) return day;
  const minuteOfDay = Math.floor((epochMs - day) / MINUTE_MS);
  const k = Math.floor((minuteOfDay - SESSION_OPEN_MINUTE) / minutes);
  return day + Math.max(0, SESSION_OPEN_MINUTE + k * minutes) * MINUTE_MS;
}
