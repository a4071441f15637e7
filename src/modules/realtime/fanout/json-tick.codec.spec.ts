import fc from 'fast-check';
import { paiseToRupees } from '../../../common/money/money';
import type { Quote } from '../../market-data/market-data.events';
import { depthOf, tickOf } from './json-tick.codec';

const q = {
  instrumentToken: 408065, lastPrice: 145_005, lastQuantity: 3, lastTradeTime: 1, volume: 9, averagePrice: 144_999, open: 1, high: 2,
  low: 1, close: 144_500, changePercent: 0.35, totalBuyQuantity: 4, totalSellQuantity: 5,
  bids: [{ price: 145_000, quantity: 10, orders: 2 }], asks: [{ price: 145_010, quantity: 7, orders: 1 }], timestamp: 42,
} as Quote;

describe('JSON ticks', () => {
  it('prints paise as the same rupee text as common/money, for any amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (paise) => {
        const t = tickOf({ ...q, lastPrice: paise }, 'ltp');
        expect(JSON.stringify(t.last_price)).toBe(JSON.stringify(paiseToRupees(paise)));
      }),
    );
  });

  it('carries what each mode promises', () => {
    expect(tickOf(q, 'ltp')).toEqual({ instrument_token: 408065, mode: 'ltp', last_price: 1450.05, exchange_timestamp: 42 });
    expect(tickOf(q, 'quote')).toMatchObject({ mode: 'quote', average_traded_price: 1449.99, change: 0.35, ohlc: { close: 1445 } });
    expect(depthOf(q)).toEqual({
      instrument_token: 408065, exchange_timestamp: 42,
      buy: [{ price: 1450, quantity: 10, orders: 2 }], sell: [{ price: 1450.1, quantity: 7, orders: 1 }],
    });
  });
});
