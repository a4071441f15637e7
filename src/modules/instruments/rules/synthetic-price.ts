import { createHash } from 'node:crypto';
import type { Paise } from '../../../common/money/money';
import { roundDownToTick, tickSizeFor } from './tick-size';

/**
 * Price bands a synthetic close falls into, weighted like the real list (most securities
 * without a recent EQ close are small companies). Each band's edges sit on every tick grid
 * below them, so rounding down to the tick never leaves the band.
 */
const SYNTHETIC_BANDS: readonly { readonly weight: number; readonly from: Paise; readonly to: Paise }[] = [
  { weight: 50, from: 10_00, to: 200_00 },
  { weight: 35, from: 200_00, to: 1_000_00 },
  { weight: 15, from: 1_000_00, to: 2_000_00 },
];
const TOTAL_WEIGHT = SYNTHETIC_BANDS.reduce((sum, band) => sum + band.weight, 0);

/**
 * A plausible previous close (₹10–₹2,000, on its tick) for a security with no real price,
 * derived from its ISIN alone: the same ISIN gives the same price on every machine and every
 * run, with integer arithmetic only (no platform-dependent floating point).
 */
export function syntheticPrevClose(isin: string): Paise {
  const digest = createHash('sha256').update(isin, 'utf8').digest();
  let pick = digest.readUInt32BE(0) % TOTAL_WEIGHT;
  const band = SYNTHETIC_BANDS.find((b) => (pick -= b.weight) < 0) ?? SYNTHETIC_BANDS[0];
  const raw = band.from + (digest.readUInt32BE(4) % (band.to - band.from + 1));
  return roundDownToTick(raw, tickSizeFor(raw));
}
