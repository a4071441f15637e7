import { istDateTime } from '../../../common/clock/ist';
import { CandleAggregator, type CandleDelta, type QuoteState } from './candle-aggregator';
import { bucketStart } from './candle-buckets';

const DATE = '2026-11-26';
/** Epoch ms of an IST wall-clock time on DATE, with seconds. */
const at = (h: number, m: number, s = 0) => istDateTime(DATE, h, m) + s * 1000;

const INFY = 408065;
let day = { open: 0, high: 0, low: 0 };

/** A quote after a trade at `price` paise, with the day's cumulative `volume`. */
function trade(time: number, price: number, volume: number, token = INFY): QuoteState {
  if (day.open === 0) day = { open: price, high: price, low: price };
  day = { open: day.open, high: Math.max(day.high, price), low: Math.min(day.low, price) };
  return { instrumentToken: token, lastTradeTime: time, lastPrice: price, volume, ...day };
}

function candles(deltas: CandleDelta[], timeframe: number) {
  return deltas
    .filter((d) => d.timeframe === timeframe)
    .sort((a, b) => a.start - b.start)
    .map(({ start, open, high, low, close, volume }) => ({ start, open, high, low, close, volume }));
}

describe('bucketStart (IST, aligned to the 09:15 session open)', () => {
  it.each([
    ['1 minute', 1, at(9, 15, 59), at(9, 15)],
    ['5 minutes', 5, at(9, 19, 59), at(9, 15)],
    ['5 minutes, next bucket', 5, at(9, 20), at(9, 20)],
    ['15 minutes', 15, at(10, 44, 30), at(10, 30)],
    ['60 minutes start at :15 past, as NSE/Kite hourly candles do', 60, at(10, 14, 59), at(9, 15)],
    ['60 minutes, second candle', 60, at(10, 15), at(10, 15)],
    ['60 minutes before the open (demo market)', 60, at(8, 20), at(8, 15)],
    ['60 minutes just after IST midnight: clipped to the day', 60, at(0, 10), at(0, 0)],
  ])('%s', (_what, minutes, time, expected) => {
    expect(bucketStart(time, minutes)).toBe(expected);
  });

  it('starts day candles at IST midnight, which is 18:30 UTC the evening before', () => {
    expect(bucketStart(at(15, 29), 1440)).toBe(Date.UTC(2026, 10, 25, 18, 30));
    // 23:59 IST is still the same IST date; 00:00 IST is the next.
    expect(bucketStart(at(23, 59), 1440)).toBe(at(0, 0));
    expect(bucketStart(at(23, 59) + 60_000, 1440)).toBe(istDateTime('2026-11-27', 0));
  });
});

describe('CandleAggregator', () => {
  let agg: CandleAggregator;
  beforeEach(() => {
    agg = new CandleAggregator();
    day = { open: 0, high: 0, low: 0 };
  });

  it('takes the first sight of an instrument as a baseline: no intraday volume it did not see', () => {
    expect(agg.onQuote(trade(at(9, 15, 10), 150_000, 1_000))).toBe('baseline');
    expect(candles(agg.drain(), 1)).toEqual([]);
  });

  it('builds 1-minute candles with volume as the difference of cumulative volumes', () => {
    agg.onQuote(trade(at(9, 15, 1), 150_000, 1_000)); // baseline
    expect(agg.onQuote(trade(at(9, 15, 10), 150_500, 1_200))).toBe('trade');
    agg.onQuote(trade(at(9, 15, 40), 149_800, 1_250));
    agg.onQuote(trade(at(9, 15, 59), 150_100, 1_400));
    agg.onQuote(trade(at(9, 16, 0), 150_200, 1_410)); // next minute
    expect(candles(agg.drain(), 1)).toEqual([
      { start: at(9, 15), open: 150_500, high: 150_500, low: 149_800, close: 150_100, volume: 400 },
      { start: at(9, 16), open: 150_200, high: 150_200, low: 150_200, close: 150_200, volume: 10 },
    ]);
  });

  it('rolls 5-minute and 60-minute candles over at 09:20 and 10:15 IST', () => {
    agg.onQuote(trade(at(9, 15), 100_000, 0 + 1));
    agg.onQuote(trade(at(9, 19, 59), 101_000, 11));
    agg.onQuote(trade(at(9, 20), 99_000, 31));
    agg.onQuote(trade(at(10, 14, 59), 102_000, 61));
    agg.onQuote(trade(at(10, 15), 103_000, 161));
    const deltas = agg.drain();
    expect(candles(deltas, 5).map((c) => [c.start, c.volume])).toEqual([
      [at(9, 15), 10],
      [at(9, 20), 20],
      [at(10, 10), 30],
      [at(10, 15), 100],
    ]);
    expect(candles(deltas, 60)).toEqual([
      { start: at(9, 15), open: 101_000, high: 102_000, low: 99_000, close: 102_000, volume: 60 },
      { start: at(10, 15), open: 103_000, high: 103_000, low: 103_000, close: 103_000, volume: 100 },
    ]);
  });

  it("takes the day candle from the exchange's day statistics, on the IST date", () => {
    agg.onQuote({ instrumentToken: INFY, lastTradeTime: at(9, 20), lastPrice: 150_000, volume: 5_000, open: 149_000, high: 151_000, low: 148_500 });
    agg.onQuote({ instrumentToken: INFY, lastTradeTime: at(15, 29, 59), lastPrice: 150_700, volume: 9_000, open: 149_000, high: 151_200, low: 148_500 });
    expect(candles(agg.drain(), 1440)).toEqual([
      { start: Date.UTC(2026, 10, 25, 18, 30), open: 149_000, high: 151_200, low: 148_500, close: 150_700, volume: 9_000 },
    ]);
  });

  it('starts a new day when cumulative volume drops, counting the new day from zero', () => {
    agg.onQuote(trade(at(15, 29), 100_000, 50_000));
    agg.onQuote(trade(at(15, 29, 30), 100_100, 50_100));
    day = { open: 0, high: 0, low: 0 };
    const next = istDateTime('2026-11-27', 9, 15);
    agg.onQuote({ ...trade(next, 101_000, 300), lastTradeTime: next });
    const minutes = candles(agg.drain(), 1);
    expect(minutes.map((c) => [c.start, c.volume])).toEqual([
      [at(15, 29), 100],
      [next, 300],
    ]);
  });

  it('lets a late, out-of-order tick widen its own candle but neither close it nor count its volume twice', () => {
    agg.onQuote(trade(at(9, 15, 0), 100_000, 100));
    agg.onQuote(trade(at(9, 15, 30), 100_500, 200));
    agg.onQuote(trade(at(9, 16, 5), 100_300, 260));
    // Printed at 09:15:45 at ₹1,010.00 but delivered after the 09:16:05 update; its shares are in the 260.
    expect(agg.onQuote({ ...trade(at(9, 15, 45), 101_000, 240), lastTradeTime: at(9, 15, 45) })).toBe('late');
    expect(candles(agg.drain(), 1)).toEqual([
      { start: at(9, 15), open: 100_500, high: 101_000, low: 100_500, close: 100_500, volume: 100 },
      { start: at(9, 16), open: 100_300, high: 100_300, low: 100_300, close: 100_300, volume: 60 },
    ]);
  });

  it('sends a late tick for an already drained candle as a volume-0 change (the store keeps the stored close)', () => {
    agg.onQuote(trade(at(9, 15, 0), 100_000, 100));
    agg.onQuote(trade(at(9, 16, 5), 100_300, 160));
    agg.drain();
    agg.onQuote({ ...trade(at(9, 15, 50), 99_000, 150), lastTradeTime: at(9, 15, 50) });
    expect(candles(agg.drain(), 1)).toEqual([{ start: at(9, 15), open: 99_000, high: 99_000, low: 99_000, close: 99_000, volume: 0 }]);
  });

  it('ignores quotes without a new trade (depth-only updates)', () => {
    agg.onQuote(trade(at(9, 15), 100_000, 100));
    agg.drain(); // the baseline's day candle
    expect(agg.onQuote(trade(at(9, 15), 100_000, 100))).toBe('none');
    expect(agg.drain()).toEqual([]);
  });

  it('merges changes that failed to write back under newer ones', () => {
    agg.onQuote(trade(at(9, 15, 0), 100_000, 100));
    agg.onQuote(trade(at(9, 15, 10), 100_200, 150));
    const failed = agg.drain();
    agg.onQuote(trade(at(9, 15, 20), 99_900, 170));
    agg.restore(failed);
    expect(candles(agg.drain(), 1)).toEqual([{ start: at(9, 15), open: 100_200, high: 100_200, low: 99_900, close: 99_900, volume: 70 }]);
  });

  it('drains closed candles on their own, leaving open ones for a later, less frequent write', () => {
    agg.onQuote(trade(at(9, 15, 0), 100_000, 100));
    agg.onQuote(trade(at(9, 15, 30), 100_100, 110));
    agg.onQuote(trade(at(9, 16, 10), 100_200, 130));
    agg.drain(); // day candle of the baseline etc.
    agg.onQuote(trade(at(9, 16, 20), 100_300, 140));
    agg.onQuote(trade(at(9, 17, 1), 100_400, 150));
    expect(agg.watermark).toBe(at(9, 17, 1));
    const closed = agg.drainClosed(agg.watermark);
    // Only the 09:16 minute has ended by 09:17:01; 5/15/60-minute and day candles are still open.
    expect(closed.map((d) => [d.timeframe, d.start])).toEqual([[1, at(9, 16)]]);
    expect(candles(agg.drain(), 1).map((c) => c.start)).toEqual([at(9, 17)]);
  });
});
