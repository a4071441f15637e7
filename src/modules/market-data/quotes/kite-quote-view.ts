import { paiseToRupees } from '../../../common/money/money';
import { kiteQuoteTime } from '../history/history-params';
import type { Quote, QuoteDepthLevel } from '../market-data.events';

/**
 * Kite Connect's quote shapes (rupees at the edge, IST times "YYYY-MM-DD HH:mm:ss"). `stale` is
 * ours: true when the quote is not live (feed silent, or served from Postgres while Redis is down).
 */
const r = paiseToRupees;
const level = (l: QuoteDepthLevel) => ({ price: r(l.price), quantity: l.quantity, orders: l.orders });

export function kiteFullQuote(q: Quote) {
  return {
    instrument_token: q.instrumentToken,
    timestamp: kiteQuoteTime(q.timestamp),
    last_trade_time: kiteQuoteTime(q.lastTradeTime),
    last_price: r(q.lastPrice),
    last_quantity: q.lastQuantity,
    buy_quantity: q.totalBuyQuantity,
    sell_quantity: q.totalSellQuantity,
    volume: q.volume,
    average_price: r(q.averagePrice),
    oi: 0,
    oi_day_high: 0,
    oi_day_low: 0,
    net_change: r(q.change),
    lower_circuit_limit: r(q.lowerCircuit),
    upper_circuit_limit: r(q.upperCircuit),
    ohlc: kiteOhlc(q),
    depth: { buy: q.bids.map(level), sell: q.asks.map(level) },
    stale: q.stale,
  };
}

export function kiteOhlcQuote(q: Quote) {
  return { instrument_token: q.instrumentToken, last_price: r(q.lastPrice), ohlc: kiteOhlc(q), stale: q.stale };
}

export function kiteLtpQuote(q: Quote) {
  return { instrument_token: q.instrumentToken, last_price: r(q.lastPrice), stale: q.stale };
}

function kiteOhlc(q: Quote) {
  return { open: r(q.open), high: r(q.high), low: r(q.low), close: r(q.close) };
}
