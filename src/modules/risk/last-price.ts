/** Where risk reads the last traded price for market orders (the exchange feed, or later the quote cache). */
export interface LastPriceProvider {
  lastPrice(instrumentToken: number): number | undefined;
}
export const LAST_PRICE_PROVIDER = Symbol('LastPriceProvider');
