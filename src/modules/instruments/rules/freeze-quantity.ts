import type { Paise } from '../../../common/money/money';

/** ₹10 crore: no single order may be worth more than this at the upper circuit. */
export const FREEZE_ORDER_VALUE: Paise = 10_00_00_000_00;
/** Even a ₹0.10 stock does not take orders above ten lakh shares. */
export const FREEZE_QTY_CAP = 10_00_000;

/**
 * The simulator's quantity freeze: NSE sets one per security; we derive it from value so it
 * scales with price. Largest lot multiple whose value at the upper circuit stays within
 * ₹10 crore, capped at ten lakh shares, and never less than one lot.
 */
export function freezeQuantityFor(upperCircuit: Paise, lotSize: number): number {
  if (!Number.isSafeInteger(upperCircuit) || upperCircuit <= 0) throw new RangeError(`upperCircuit must be positive paise: ${upperCircuit}`);
  if (!Number.isSafeInteger(lotSize) || lotSize <= 0) throw new RangeError(`lotSize must be a positive integer: ${lotSize}`);
  const byValue = Math.min(Math.floor(FREEZE_ORDER_VALUE / upperCircuit), FREEZE_QTY_CAP);
  return Math.max(lotSize, byValue - (byValue % lotSize));
}
