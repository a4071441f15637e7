import type { Paise } from '../../../common/money/money';

/**
 * NSE's price-band tick sizes for cash equities (DESIGN.md §3), in paise. A band's lower edge
 * belongs to it: ₹249.99 ticks by 0.01, ₹250.00 by 0.05, ₹1,000.00 by 0.10.
 */
const TICK_BANDS: readonly { readonly below: Paise; readonly tick: Paise }[] = [
  { below: 250_00, tick: 1 },
  { below: 1_000_00, tick: 5 },
  { below: 5_000_00, tick: 10 },
  { below: 10_000_00, tick: 50 },
  { below: 20_000_00, tick: 100 },
];
const TICK_ABOVE_ALL_BANDS: Paise = 500;

export function tickSizeFor(price: Paise): Paise {
  if (!Number.isSafeInteger(price) || price <= 0) throw new RangeError(`price must be a positive integer of paise: ${price}`);
  return TICK_BANDS.find((band) => price < band.below)?.tick ?? TICK_ABOVE_ALL_BANDS;
}

export function isTickMultiple(price: Paise, tickSize: Paise): boolean {
  return Number.isSafeInteger(price) && Number.isSafeInteger(tickSize) && tickSize > 0 && price % tickSize === 0;
}

export function roundDownToTick(price: Paise, tickSize: Paise): Paise {
  return Math.floor(price / tickSize) * tickSize;
}

export function roundUpToTick(price: Paise, tickSize: Paise): Paise {
  return Math.ceil(price / tickSize) * tickSize;
}
