import { DEPTH_LEVELS } from '../layout';
import type { WireDepthLevel, WireQuote } from '../wire.types';

/** Test and benchmark data: plausible quotes that satisfy quoteProblem's rules. */

export const EMPTY_LEVEL: WireDepthLevel = { price: 0, quantity: 0, orders: 0 };

/** Five levels from the touch outwards, `step` paise apart (negative for bids); trailing levels empty past `filled`. */
export function ladder(touch: number, step: number, filled = DEPTH_LEVELS, qty = 100): WireDepthLevel[] {
  return Array.from({ length: DEPTH_LEVELS }, (_, i) =>
    i < filled ? { price: touch + i * step, quantity: qty * (i + 1), orders: i + 1 } : { ...EMPTY_LEVEL },
  );
}

/** A traded NSE-like quote around `price` paise. */
export function makeQuote(token: number, overrides: Partial<WireQuote> = {}, price = 250_000): WireQuote {
  return {
    instrumentToken: token,
    timestamp: 1_764_140_400_000 + token,
    lastTradeTime: 1_764_140_399_000 + token,
    lastPrice: price,
    lastQuantity: 25,
    volume: 1_234_567,
    averagePrice: price - 100,
    open: price - 500,
    high: price + 1_000,
    low: price - 1_000,
    close: price - 300,
    lowerCircuit: Math.round(price * 0.8),
    upperCircuit: Math.round(price * 1.2),
    totalBuyQuantity: 45_000,
    totalSellQuantity: 52_000,
    bids: ladder(price - 5, -5),
    asks: ladder(price + 5, 5),
    ...overrides,
  };
}

/** Deterministic batch of `n` quotes with tokens from `firstToken`, prices varied by a seeded LCG. */
export function makeBatch(n: number, seed = 1, firstToken = 1): WireQuote[] {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: n }, (_, i) => {
    const price = 5 * Math.round((1_000 + rnd() * 499_000) / 5) + 5_000; // ₹60 .. ₹5,100 on a 5-paise grid
    return makeQuote(firstToken + i, { volume: Math.floor(rnd() * 50_000_000), lastQuantity: 1 + Math.floor(rnd() * 500) }, price);
  });
}
