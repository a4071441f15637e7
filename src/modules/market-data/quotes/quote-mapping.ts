import type { WireQuote } from '../../../common/feed-protocol';
import type { Instrument } from '../../instruments';
import type { Quote, QuoteDepthLevel } from '../market-data.events';

/** What the market-data module needs to know of an instrument (InstrumentsService satisfies it). */
export interface InstrumentDirectory {
  getByToken(instrumentToken: number): Instrument | undefined;
}

export const EMPTY_DEPTH: readonly QuoteDepthLevel[] = Object.freeze(
  Array.from({ length: 5 }, () => Object.freeze({ price: 0, quantity: 0, orders: 0 })),
);

/** Percent change from `close`, 2 decimals, half away from zero; 0 without a previous close. */
export function percentChange(change: number, close: number): number {
  if (close <= 0) return 0;
  const basisPoints = Math.round((Math.abs(change) * 10_000) / close);
  return (Math.sign(change) * basisPoints) / 100;
}

/** A feed quote as the rest of the platform sees it: symbol attached, change from previous close. */
export function toQuote(w: WireQuote, instrument: Instrument, stale: boolean): Quote {
  const q = quoteHead(w, instrument) as Quote;
  // The decoder's own level objects (same shape, fresh per quote, owned by nobody else): copying
  // them cost 12 allocations per quote for nothing.
  q.bids = w.bids;
  q.asks = w.asks;
  q.stale = stale;
  return q;
}

/** Everything of the Quote but depth and staleness: the `stock:{symbol}` value. */
function quoteHead(w: WireQuote, instrument: Instrument): Omit<Quote, 'bids' | 'asks' | 'stale'> {
  const change = w.lastPrice > 0 && w.close > 0 ? w.lastPrice - w.close : 0;
  return {
    instrumentToken: w.instrumentToken,
    exchange: instrument.exchange,
    tradingsymbol: instrument.tradingsymbol,
    lastPrice: w.lastPrice,
    lastQuantity: w.lastQuantity,
    lastTradeTime: w.lastTradeTime,
    volume: w.volume,
    averagePrice: w.averagePrice,
    open: w.open,
    high: w.high,
    low: w.low,
    close: w.close,
    change,
    changePercent: percentChange(change, w.close),
    lowerCircuit: w.lowerCircuit,
    upperCircuit: w.upperCircuit,
    totalBuyQuantity: w.totalBuyQuantity,
    totalSellQuantity: w.totalSellQuantity,
    timestamp: w.timestamp,
  };
}

/** `stock:{symbol}` holds the quote without depth; `depth:{symbol}` the two ladders (shorter TTL). */
export const stockKey = (q: Pick<Quote, 'exchange' | 'tradingsymbol'>) => `stock:${q.exchange}:${q.tradingsymbol}`;
export const depthKey = (q: Pick<Quote, 'exchange' | 'tradingsymbol'>) => `depth:${q.exchange}:${q.tradingsymbol}`;

/** The two cache values of a feed quote, serialised straight from the wire (no Quote built on the leader's hot path). */
export function cacheValues(w: WireQuote, instrument: Instrument): { stock: string; depth: string } {
  return { stock: JSON.stringify(quoteHead(w, instrument)), depth: JSON.stringify({ bids: w.bids, asks: w.asks }) };
}

/** Rebuilds a Quote from the two cached values; a lapsed depth key (1 s TTL) reads as an empty book. */
export function fromCache(stock: string, depth: string | null, stale: boolean): Quote {
  const q = JSON.parse(stock) as Omit<Quote, 'bids' | 'asks' | 'stale'>;
  const d = depth ? (JSON.parse(depth) as Pick<Quote, 'bids' | 'asks'>) : { bids: [...EMPTY_DEPTH], asks: [...EMPTY_DEPTH] };
  return { ...q, bids: d.bids, asks: d.asks, stale };
}

/** A quote copy with another staleness flag (quotes handed out are never mutated). */
export function withStale(q: Quote, stale: boolean): Quote {
  return q.stale === stale ? q : { ...q, stale };
}
