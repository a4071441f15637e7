import type { Paise } from '../../common/money/money';

/** Cash-equity venues we list. Kite's names, which SDKs already know. */
export const EXCHANGES = ['NSE', 'BSE'] as const;
export type Exchange = (typeof EXCHANGES)[number];

export function isExchange(value: string): value is Exchange {
  return (EXCHANGES as readonly string[]).includes(value);
}

/** NSE series: EQ rolling settlement; BE trade-for-trade; BZ trade-for-trade for non-compliant companies. */
export type NseSeries = 'EQ' | 'BE' | 'BZ';
/** BSE scrip groups, as BSE publishes them for equities. */
export type BseGroup = 'A' | 'B' | 'T' | 'Z';
export type CircuitBandPct = 2 | 5 | 10 | 20;

/**
 * One listing of a security on one exchange. Prices are integer paise; the same company on
 * NSE and BSE is two instruments sharing an ISIN. Frozen: callers share one copy.
 */
export interface Instrument {
  /** Kite-style numeric token: exchangeToken × 256 + segment id. */
  readonly instrumentToken: number;
  /** The exchange's own code for the security (BSE: the scrip code). */
  readonly exchangeToken: number;
  readonly tradingsymbol: string;
  readonly name: string;
  readonly isin: string;
  readonly exchange: Exchange;
  /** Kite's segment for cash equities equals the exchange. */
  readonly segment: Exchange;
  readonly series: NseSeries | BseGroup;
  readonly instrumentType: 'EQ';
  readonly tickSize: Paise;
  readonly lotSize: number;
  /** Largest quantity accepted in one order. */
  readonly freezeQty: number;
  readonly prevClose: Paise;
  readonly circuitBandPct: CircuitBandPct;
  readonly lowerCircuit: Paise;
  readonly upperCircuit: Paise;
  readonly faceValue: Paise;
  /** True when no real close was available and prevClose was derived from the ISIN. */
  readonly priceIsSynthetic: boolean;
  /** False once the security left the reference data (kept so old orders still resolve). */
  readonly tradable: boolean;
  readonly suspended: boolean;
  readonly week52High: Paise | null;
  readonly week52Low: Paise | null;
  readonly updatedAt: Date;
}

/** An instrument as the reference data defines it, before the database stamps it. */
export type InstrumentSpec = Omit<Instrument, 'updatedAt'>;

/** "NSE:INFY": the key Kite uses in quote APIs. */
export function instrumentKey(exchange: Exchange, tradingsymbol: string): string {
  return `${exchange}:${tradingsymbol}`;
}
