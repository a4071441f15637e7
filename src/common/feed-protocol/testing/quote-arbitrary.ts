import fc from 'fast-check';
import { DEPTH_LEVELS, MAX_F64_INTEGER, MAX_PRICE_PAISE, MAX_U32 } from '../layout';
import type { WireDepthLevel, WireQuote } from '../wire.types';
import { EMPTY_LEVEL } from './quote-factory';

const levelsArb = (direction: 1 | -1): fc.Arbitrary<WireDepthLevel[]> =>
  fc
    .record({
      filled: fc.integer({ min: 0, max: DEPTH_LEVELS }),
      touch: fc.integer({ min: 1_000_000, max: MAX_PRICE_PAISE - 1_000_000 }),
      steps: fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: DEPTH_LEVELS, maxLength: DEPTH_LEVELS }),
      qty: fc.array(fc.integer({ min: 1, max: MAX_U32 }), { minLength: DEPTH_LEVELS, maxLength: DEPTH_LEVELS }),
      orders: fc.array(fc.integer({ min: 1, max: MAX_U32 }), { minLength: DEPTH_LEVELS, maxLength: DEPTH_LEVELS }),
    })
    .map(({ filled, touch, steps, qty, orders }) => {
      let price = touch;
      return Array.from({ length: DEPTH_LEVELS }, (_, i) => {
        if (i >= filled) return { ...EMPTY_LEVEL };
        if (i > 0) price += direction * steps[i];
        return { price, quantity: qty[i], orders: orders[i] };
      });
    });

/** Any quote the wire must carry exactly, extremes included (prices to 2^32-1, counters to 2^53-1). */
export const quoteArb: fc.Arbitrary<WireQuote> = fc
  .record({
    instrumentToken: fc.integer({ min: 1, max: MAX_U32 }),
    timestamp: fc.integer({ min: 1, max: MAX_F64_INTEGER }),
    lastTradeTime: fc.integer({ min: 0, max: MAX_F64_INTEGER }),
    lastQuantity: fc.integer({ min: 0, max: MAX_U32 }),
    volume: fc.oneof(fc.integer({ min: 0, max: MAX_U32 }), fc.integer({ min: 0, max: MAX_F64_INTEGER })),
    totalBuyQuantity: fc.integer({ min: 0, max: MAX_F64_INTEGER }),
    totalSellQuantity: fc.integer({ min: 0, max: MAX_F64_INTEGER }),
    /** Sorted prices, so low <= open, last, average <= high holds by construction. */
    range: fc.array(fc.integer({ min: 1, max: MAX_PRICE_PAISE }), { minLength: 5, maxLength: 5 }).map((xs) => xs.sort((a, b) => a - b)),
    close: fc.integer({ min: 0, max: MAX_PRICE_PAISE }),
    circuits: fc.array(fc.integer({ min: 0, max: MAX_PRICE_PAISE }), { minLength: 2, maxLength: 2 }).map((xs) => xs.sort((a, b) => a - b)),
    bids: levelsArb(-1),
    asks: levelsArb(1),
  })
  .map(({ range: [low, open, last, avg, high], circuits: [lowerCircuit, upperCircuit], ...r }) => ({
    instrumentToken: r.instrumentToken,
    timestamp: r.timestamp,
    lastTradeTime: r.lastTradeTime,
    lastPrice: last,
    lastQuantity: r.lastQuantity,
    volume: r.volume,
    averagePrice: avg,
    open,
    high,
    low,
    close: r.close,
    lowerCircuit,
    upperCircuit,
    totalBuyQuantity: r.totalBuyQuantity,
    totalSellQuantity: r.totalSellQuantity,
    bids: r.bids,
    asks: r.asks,
  }));
