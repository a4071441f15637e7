/**
 * What the market-data module tells the rest of the process (on every replica). The realtime
 * gateway, risk and portfolio read quotes through these events and through QuotesService; none of
 * them knows whether the quotes came over the binary feed, Redis pub/sub or from memory.
 * Prices are integer paise; times epoch milliseconds.
 */

export interface QuoteDepthLevel {
  price: number;
  quantity: number;
  orders: number;
}

export interface Quote {
  instrumentToken: number;
  exchange: 'NSE' | 'BSE';
  tradingsymbol: string;
  lastPrice: number;
  lastQuantity: number;
  lastTradeTime: number;
  volume: number;
  averagePrice: number;
  open: number;
  high: number;
  low: number;
  /** Previous close. */
  close: number;
  /** lastPrice − close, paise. */
  change: number;
  /** Percent change from close, 2 decimals. */
  changePercent: number;
  lowerCircuit: number;
  upperCircuit: number;
  totalBuyQuantity: number;
  totalSellQuantity: number;
  /** Best first, 5 levels. */
  bids: QuoteDepthLevel[];
  asks: QuoteDepthLevel[];
  /** Exchange time of the update. */
  timestamp: number;
  /** True when the feed has been silent past the staleness threshold. */
  stale: boolean;
}

/** In-process event on every replica: a batch of changed quotes (about every 100 ms). */
export const QUOTES_UPDATED = 'market.quotes';
export interface QuotesUpdatedEvent {
  quotes: Quote[];
  /** When the leader published the batch (for the broadcast-latency metric). */
  publishedAt: number;
}

/** In-process event on every replica: the feed went stale or recovered. */
export const FEED_STATUS_CHANGED = 'market.feed_status';
export interface FeedStatusChangedEvent {
  stale: boolean;
  since: number;
}
