import { istDateTime } from '../../../common/clock/ist';
import { InputError } from '../../../common/errors';
import { checkRange, intervalSpec, kiteCandleTime, kiteQuoteTime, parseKiteTime, resample } from './history-params';

const at = (h: number, m: number) => istDateTime('2026-08-21', h, m);
const candle = (start: number, open: number, high: number, low: number, close: number, volume: number) => ({ start, open, high, low, close, volume, synthetic: false });

describe('Kite historical parameters', () => {
  it('reads from/to as IST; a bare `to` date is the end of that day', () => {
    expect(parseKiteTime('2026-08-21 09:15:00', 'from')).toBe(at(9, 15));
    expect(parseKiteTime('2026-08-21T09:15', 'from')).toBe(at(9, 15));
    expect(parseKiteTime('2026-08-21', 'from')).toBe(at(0, 0));
    expect(parseKiteTime('2026-08-21', 'to')).toBe(istDateTime('2026-08-22', 0) - 1000);
  });

  it.each(['2026-13-01', '2026-02-30', '2026-08-21 24:00:00', '21-08-2026', '', 'yesterday', undefined])('refuses %p', (value) => {
    expect(() => parseKiteTime(value as string | undefined, 'from')).toThrow(InputError);
  });

  it('maps Kite intervals to stored timeframes and refuses the rest', () => {
    expect(intervalSpec('minute')).toMatchObject({ timeframe: 1, minutes: 1, maxDays: 60 });
    expect(intervalSpec('3minute')).toMatchObject({ timeframe: 1, minutes: 3 });
    expect(intervalSpec('30minute')).toMatchObject({ timeframe: 15, minutes: 30 });
    expect(intervalSpec('day')).toMatchObject({ timeframe: 1440, maxDays: 2000 });
    for (const bad of ['2minute', 'week', 'constructor', '__proto__']) expect(() => intervalSpec(bad)).toThrow(InputError);
  });

  it('checks that to is not before from and the range fits the interval', () => {
    expect(() => checkRange(intervalSpec('minute'), 'minute', at(10, 0), at(9, 0))).toThrow(/before/);
    expect(() => checkRange(intervalSpec('minute'), 'minute', at(9, 0), at(9, 0) + 61 * 86_400_000)).toThrow(/at most 60 days/);
    expect(() => checkRange(intervalSpec('day'), 'day', at(9, 0), at(9, 0) + 365 * 86_400_000)).not.toThrow();
  });

  it('builds 30-minute candles from 15-minute ones, aligned to 09:15 IST', () => {
    const rows = [
      candle(at(9, 15), 100, 110, 95, 105, 10),
      candle(at(9, 30), 105, 120, 104, 118, 20),
      candle(at(9, 45), 118, 119, 90, 91, 5),
    ];
    expect(resample(rows, 30)).toEqual([candle(at(9, 15), 100, 120, 95, 118, 30), candle(at(9, 45), 118, 119, 90, 91, 5)]);
  });

  it("formats Kite's timestamps in IST", () => {
    expect(kiteCandleTime(at(9, 15))).toBe('2026-08-21T09:15:00+0530');
    expect(kiteQuoteTime(at(15, 29) + 59_000)).toBe('2026-08-21 15:29:59');
    expect(kiteQuoteTime(0)).toBeNull();
  });
});
