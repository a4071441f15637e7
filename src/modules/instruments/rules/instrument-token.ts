import type { Exchange } from '../instrument';

/**
 * Kite's segment ids (the low byte of an instrument token): SDKs and charting tools decode
 * `token & 0xff` to find the segment, so we use Kite's numbers (NSE 1, BSE 4; 2 is NFO there).
 */
export const SEGMENT_ID: Readonly<Record<Exchange, number>> = { NSE: 1, BSE: 4 };

/** NSE numbers its securities from 1; BSE scrip codes for equities start in the 500000s. */
export const FIRST_EXCHANGE_TOKEN: Readonly<Record<Exchange, number>> = { NSE: 1, BSE: 500_001 };

/** Largest exchange token whose instrument token still fits a Postgres integer column. */
const MAX_EXCHANGE_TOKEN = Math.floor((2 ** 31 - 1 - 255) / 256);

export function instrumentTokenOf(exchangeToken: number, exchange: Exchange): number {
  if (!Number.isSafeInteger(exchangeToken) || exchangeToken <= 0 || exchangeToken > MAX_EXCHANGE_TOKEN) {
    throw new RangeError(`exchange token out of range: ${exchangeToken}`);
  }
  return exchangeToken * 256 + SEGMENT_ID[exchange];
}

/**
 * Exchange tokens for one exchange's symbols. A symbol keeps the token it already has (orders,
 * positions and charts refer to it); a new symbol gets the next number after the highest in
 * use, in the order given (symbol order), so a fresh database numbers 1, 2, 3…
 */
export function assignExchangeTokens(
  exchange: Exchange,
  symbolsInOrder: readonly string[],
  existing: ReadonlyMap<string, number>,
): Map<string, number> {
  let next = Math.max(FIRST_EXCHANGE_TOKEN[exchange] - 1, ...existing.values()) + 1;
  const assigned = new Map<string, number>();
  for (const symbol of symbolsInOrder) assigned.set(symbol, existing.get(symbol) ?? next++);
  return assigned;
}
