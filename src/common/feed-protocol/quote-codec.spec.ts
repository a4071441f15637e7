import { quoteProblem } from './quote-codec';
import { ladder, makeQuote, EMPTY_LEVEL } from './testing/quote-factory';
import type { WireQuote } from './wire.types';

const ok = makeQuote(2885);
const problem = (o: Partial<WireQuote>) => quoteProblem({ ...ok, ...o });

describe('quoteProblem', () => {
  it('accepts a normal traded quote, an untraded one and one with no depth', () => {
    expect(quoteProblem(ok)).toBeNull();
    expect(problem({ volume: 0, lastPrice: 0, lastQuantity: 0, lastTradeTime: 0, open: 0, high: 0, low: 0, averagePrice: 0 })).toBeNull();
    expect(problem({ bids: ladder(0, 0, 0), asks: [] })).toBeNull();
  });

  it('accepts a crossed book (a pre-open call auction has one)', () => {
    expect(problem({ bids: ladder(ok.lastPrice + 50, -5), asks: ladder(ok.lastPrice - 50, 5) })).toBeNull();
  });

  it.each<[string, Partial<WireQuote>, RegExp]>([
    ['token 0', { instrumentToken: 0 }, /instrumentToken/],
    ['token over u32', { instrumentToken: 2 ** 32 }, /instrumentToken/],
    ['timestamp 0', { timestamp: 0 }, /timestamp/],
    ['fractional paise', { lastPrice: 250_000.5 }, /paise/],
    ['negative price', { close: -1 }, /paise/],
    ['price over u32', { upperCircuit: 2 ** 32 }, /paise/],
    ['volume past 2^53', { volume: 2 ** 53 }, /volume/],
    ['NaN total', { totalBuyQuantity: NaN }, /total/],
    ['traded without a price', { lastPrice: 0 }, /lastPrice must be > 0/],
    ['low above high', { low: 300_000 }, /low <= high/],
    ['high without low', { low: 0 }, /low and high/],
    ['last outside the range', { lastPrice: ok.high + 5 }, /lastPrice must lie/],
    ['open outside the range', { open: ok.low - 5 }, /open must lie/],
    ['average outside the range', { averagePrice: ok.high + 1 }, /averagePrice/],
    ['inverted circuits', { lowerCircuit: ok.upperCircuit + 1 }, /Circuit/],
    ['six levels', { bids: [...ladder(1000, -5), { price: 900, quantity: 1, orders: 1 }] }, /at most 5/],
    ['bids ascending', { bids: ladder(1000, 5) }, /descending/],
    ['asks with a repeated price', { asks: ladder(1000, 0) }, /ascending/],
    ['empty level with quantity', { asks: [{ price: 0, quantity: 5, orders: 0 }] }, /empty level/],
    ['priced level after an empty one', { bids: [EMPTY_LEVEL, { price: 1000, quantity: 1, orders: 1 }] }, /after an empty/],
    ['priced level without orders', { bids: [{ price: 1000, quantity: 10, orders: 0 }] }, /orders > 0/],
  ])('rejects %s', (_name, o, message) => {
    expect(problem(o)).toMatch(message);
  });
});
