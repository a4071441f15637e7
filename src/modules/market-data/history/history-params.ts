import { IST_OFFSET_MS, istDateTime } from '../../../common/clock/ist';
import { InputError } from '../../../common/errors';
import { bucketStart, type Timeframe } from '../candles/candle-buckets';
import type { CandleRow } from '../storage/market-reads';

export interface IntervalSpec {
  /** The stored timeframe it is read from. */
  timeframe: Timeframe;
  /** Candle length in minutes (a multiple of the stored one; larger ones are built at read time). */
  minutes: number;
  /** Longest from–to range Kite serves for this interval, in days. */
  maxDays: number;
}

/** Kite's interval names. 3/10/30 minutes are built from the stored 1/5/15-minute candles. */
export const KITE_INTERVALS: Readonly<Record<string, IntervalSpec>> = {
  minute: { timeframe: 1, minutes: 1, maxDays: 60 },
  '3minute': { timeframe: 1, minutes: 3, maxDays: 100 },
  '5minute': { timeframe: 5, minutes: 5, maxDays: 100 },
  '10minute': { timeframe: 5, minutes: 10, maxDays: 100 },
  '15minute': { timeframe: 15, minutes: 15, maxDays: 200 },
  '30minute': { timeframe: 15, minutes: 30, maxDays: 200 },
  '60minute': { timeframe: 60, minutes: 60, maxDays: 400 },
  day: { timeframe: 1440, minutes: 1440, maxDays: 2000 },
};

export function intervalSpec(interval: string): IntervalSpec {
  const spec = Object.hasOwn(KITE_INTERVALS, interval) ? KITE_INTERVALS[interval] : undefined;
  if (!spec) throw new InputError(`invalid interval "${interval}": use one of ${Object.keys(KITE_INTERVALS).join(', ')}`, 'INPUT.INTERVAL');
  return spec;
}

const KITE_TIME = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * Kite's `from`/`to`: "yyyy-mm-dd hh:mm:ss" (or just the date), exchange time (IST). A bare
 * `to` date means the end of that day, so `to=2026-08-21` includes that day's candles.
 */
export function parseKiteTime(value: string | undefined, field: 'from' | 'to'): number {
  const m = value === undefined ? null : KITE_TIME.exec(value.trim());
  if (!m) throw new InputError(`${field} must be a date-time like 2026-08-21 09:15:00 (IST)`, 'INPUT.DATE');
  const [, date, hh, mm, ss] = m;
  const [h, min, s] = [Number(hh ?? 0), Number(mm ?? 0), Number(ss ?? 0)];
  const t = istDateTime(date, h, min) + s * 1000;
  const valid = !Number.isNaN(t) && h < 24 && min < 60 && s < 60 && new Date(t + IST_OFFSET_MS).toISOString().slice(0, 10) === date;
  if (!valid) throw new InputError(`${field} is not a valid date-time: ${value}`, 'INPUT.DATE');
  return hh === undefined && field === 'to' ? t + 86_400_000 - 1000 : t;
}

/** to ≥ from, and no longer than Kite allows for the interval. */
export function checkRange(spec: IntervalSpec, interval: string, from: number, to: number): void {
  if (to < from) throw new InputError('to must not be before from', 'INPUT.RANGE');
  const days = (to - from) / 86_400_000;
  if (days > spec.maxDays) throw new InputError(`interval ${interval} is served for at most ${spec.maxDays} days per request`, 'INPUT.RANGE');
}

/** Candles of `minutes` built from shorter stored ones (same session alignment as the stored ones). */
export function resample(rows: readonly CandleRow[], minutes: number): CandleRow[] {
  const out: CandleRow[] = [];
  let cur: CandleRow | null = null;
  for (const r of rows) {
    const start = bucketStart(r.start, minutes);
    if (cur && cur.start === start) {
      cur.high = Math.max(cur.high, r.high);
      cur.low = Math.min(cur.low, r.low);
      cur.close = r.close;
      cur.volume += r.volume;
      cur.synthetic ||= r.synthetic;
    } else {
      cur = { ...r, start };
      out.push(cur);
    }
  }
  return out;
}

/** Kite's candle timestamp: "2026-08-21T09:15:00+0530". */
export function kiteCandleTime(epochMs: number): string {
  return new Date(epochMs + IST_OFFSET_MS).toISOString().slice(0, 19) + '+0530';
}

/** Kite's quote timestamps: "2026-08-21 15:29:59", IST without an offset; null for "never". */
export function kiteQuoteTime(epochMs: number): string | null {
  if (!epochMs) return null;
  return new Date(epochMs + IST_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}
