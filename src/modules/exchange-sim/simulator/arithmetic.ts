import Big from 'big.js';

const INDIAN_GROUPING = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 0 });

/** Paise as rupees for people: Indian digit grouping, always two decimals (123456789 → "12,34,567.89"). */
export function formatRupees(paise: number): string {
  const abs = Math.abs(paise);
  const rupees = INDIAN_GROUPING.format(Math.floor(abs / 100));
  return `${paise < 0 ? '-' : ''}${rupees}.${String(abs % 100).padStart(2, '0')}`;
}

/** Share counts for people, Indian grouping (100000 → "1,00,000"). */
export function formatQuantity(quantity: number): string {
  return INDIAN_GROUPING.format(quantity);
}

/**
 * `numerator / denominator` rounded half-even (DESIGN.md §3: averages round half-even), in
 * integer arithmetic while the inputs are safe integers; big.js only past 2^53.
 */
export function divideHalfEven(numerator: number, denominator: number): number {
  if (denominator <= 0 || numerator === 0) return 0;
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator)) {
    return new Big(numerator).div(denominator).round(0, Big.roundHalfEven).toNumber();
  }
  let q = Math.floor(numerator / denominator);
  // The float division can land one off when the true quotient is next to an integer.
  let r = numerator - q * denominator;
  if (r < 0) {
    q -= 1;
    r += denominator;
  } else if (r >= denominator) {
    q += 1;
    r -= denominator;
  }
  const twice = 2 * r;
  if (twice > denominator || (twice === denominator && q % 2 !== 0)) q += 1;
  return q;
}
