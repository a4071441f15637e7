import type { Paise } from '../../../common/money/money';
import { EXCHANGES, Exchange, InstrumentSpec } from '../instrument';
import { bseGroupFor } from '../rules/bse-group';
import { circuitBandFor, circuitLimits } from '../rules/circuit';
import { freezeQuantityFor } from '../rules/freeze-quantity';
import { assignExchangeTokens, instrumentTokenOf } from '../rules/instrument-token';
import { syntheticPrevClose } from '../rules/synthetic-price';
import { tickSizeFor } from '../rules/tick-size';
import type { NseListing, ReferenceData } from './reference-data';

/**
 * Part of the stored reference-data version: bump it when a rule that shapes the master
 * changes, so every database re-derives its instruments at the next boot.
 */
export const MASTER_RULES_VERSION = 'instrument-rules/1';

/**
 * Cash equities trade in lots of one on both exchanges. NSE's MARKET LOT column still carries
 * legacy values on four old listings (GUJRAFFIA, RUBYMILLS 100; MODTHREAD, TECILCHEM 50): ignored.
 */
export const CASH_EQUITY_LOT_SIZE = 1;

/** Rights entitlements (GANGAFO-RE, SUMEET-RE) are not shares a retail client buys here. */
export function isRightsEntitlement(tradingsymbol: string): boolean {
  return tradingsymbol.endsWith('-RE');
}

export interface ExistingToken {
  readonly exchange: Exchange;
  readonly tradingsymbol: string;
  readonly exchangeToken: number;
}

interface CompanyPricing {
  prevClose: Paise;
  priceIsSynthetic: boolean;
  tickSize: Paise;
  circuitBandPct: InstrumentSpec['circuitBandPct'];
  lowerCircuit: Paise;
  upperCircuit: Paise;
  freezeQty: number;
  week52High: Paise | null;
  week52Low: Paise | null;
}

/** One company's prices, shared by its NSE and BSE listings (same ISIN, same previous close). */
function pricingOf(listing: NseListing, data: ReferenceData): CompanyPricing {
  const reference = data.closes.get(listing.tradingsymbol);
  // The last real close is the previous close of the session the simulator trades next.
  const prevClose = reference?.close ?? syntheticPrevClose(listing.isin);
  const priceIsSynthetic = !reference;
  const tickSize = tickSizeFor(prevClose);
  const circuitBandPct = circuitBandFor({ series: listing.series, prevClose, priceIsSynthetic });
  const limits = circuitLimits(prevClose, circuitBandPct, tickSize);
  return {
    prevClose,
    priceIsSynthetic,
    tickSize,
    circuitBandPct,
    ...limits,
    freezeQty: freezeQuantityFor(limits.upperCircuit, CASH_EQUITY_LOT_SIZE),
    week52High: reference?.week52High ?? null,
    week52Low: reference?.week52Low ?? null,
  };
}

function tokensFor(exchange: Exchange, symbols: readonly string[], existing: readonly ExistingToken[]): Map<string, number> {
  const known = new Map(existing.filter((t) => t.exchange === exchange).map((t) => [t.tradingsymbol, t.exchangeToken]));
  return assignExchangeTokens(exchange, symbols, known);
}

/**
 * The whole master from the reference data: every NSE company (rights entitlements aside) on
 * NSE and on BSE. Pure and deterministic: the same inputs give the same rows in the same order.
 */
export function buildInstrumentMaster(data: ReferenceData, existingTokens: readonly ExistingToken[] = []): InstrumentSpec[] {
  const listings = data.listings
    .filter((l) => !isRightsEntitlement(l.tradingsymbol))
    .sort((a, b) => (a.tradingsymbol < b.tradingsymbol ? -1 : a.tradingsymbol > b.tradingsymbol ? 1 : 0));
  const symbols = listings.map((l) => l.tradingsymbol);
  const pricing = new Map(listings.map((l) => [l.tradingsymbol, pricingOf(l, data)]));

  return EXCHANGES.flatMap((exchange) => {
    const tokens = tokensFor(exchange, symbols, existingTokens);
    return listings.map((listing): InstrumentSpec => {
      const exchangeToken = tokens.get(listing.tradingsymbol)!;
      return {
        instrumentToken: instrumentTokenOf(exchangeToken, exchange),
        exchangeToken,
        tradingsymbol: listing.tradingsymbol,
        name: listing.name,
        isin: listing.isin,
        exchange,
        segment: exchange,
        series: exchange === 'NSE' ? listing.series : bseGroupFor(listing.series, data.nifty50.has(listing.tradingsymbol)),
        instrumentType: 'EQ',
        lotSize: CASH_EQUITY_LOT_SIZE,
        faceValue: listing.faceValue,
        tradable: true,
        suspended: false,
        ...pricing.get(listing.tradingsymbol)!,
      };
    });
  });
}
