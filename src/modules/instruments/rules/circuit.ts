import type { Paise } from '../../../common/money/money';
import type { CircuitBandPct, NseSeries } from '../instrument';

/** Below this previous close a stock counts as low-priced (a "penny stock") and gets a tighter band. */
export const LOW_PRICE_THRESHOLD: Paise = 20_00;

export interface BandInputs {
  /** The company's NSE series; its BSE listing gets the same band (same surveillance status). */
  series: NseSeries;
  prevClose: Paise;
  /** No real close in the reference data: the security has not traded in EQ recently. */
  priceIsSynthetic: boolean;
}

/**
 * The simulator's deterministic stand-in for the exchanges' per-security bands (which NSE
 * revises by circular and which are dynamic for F&O stocks):
 * BZ 2% (non-compliant companies, tightest surveillance) · BE 5% (trade-for-trade) ·
 * EQ 10% when low-priced (< ₹20) or illiquid (no real close) · EQ 20% otherwise.
 */
export function circuitBandFor({ series, prevClose, priceIsSynthetic }: BandInputs): CircuitBandPct {
  if (series === 'BZ') return 2;
  if (series === 'BE') return 5;
  if (priceIsSynthetic || prevClose < LOW_PRICE_THRESHOLD) return 10;
  return 20;
}

export interface CircuitLimits {
  lowerCircuit: Paise;
  upperCircuit: Paise;
}

/**
 * prevClose ± band, rounded inwards to the tick (lower up, upper down) so every price in the
 * band is tradable. Integer arithmetic only. A band narrower than a tick would leave no room
 * to trade, so each side is at least one tick away from the previous close, and the lower
 * circuit never falls below one tick.
 */
export function circuitLimits(prevClose: Paise, bandPct: CircuitBandPct, tickSize: Paise): CircuitLimits {
  if (!Number.isSafeInteger(prevClose) || prevClose <= 0) throw new RangeError(`prevClose must be positive paise: ${prevClose}`);
  const scaledTick = 100 * tickSize;
  const upperInside = Math.floor((prevClose * (100 + bandPct)) / scaledTick) * tickSize;
  const lowerInside = Math.ceil((prevClose * (100 - bandPct)) / scaledTick) * tickSize;
  const tickAbovePrev = (Math.floor(prevClose / tickSize) + 1) * tickSize;
  const tickBelowPrev = (Math.ceil(prevClose / tickSize) - 1) * tickSize;
  return {
    lowerCircuit: Math.max(tickSize, Math.min(lowerInside, tickBelowPrev)),
    upperCircuit: Math.max(upperInside, tickAbovePrev),
  };
}
