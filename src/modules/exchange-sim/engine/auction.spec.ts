import fc from 'fast-check';
import { place, setup, SPEC } from './testing/recorder';
import type { PlaceOrderCommand } from './types';

const buy = (orderId: number, qty: number, price?: number): PlaceOrderCommand =>
  place({ orderId, qty, price, orderType: price === undefined ? 'MARKET' : 'LIMIT' });
const sell = (orderId: number, qty: number, price?: number): PlaceOrderCommand =>
  place({ orderId, qty, price, side: 'SELL', orderType: price === undefined ? 'MARKET' : 'LIMIT' });

function preOpen(orders: PlaceOrderCommand[], referencePrice = 10000) {
  const s = setup('PRE_OPEN', { ...SPEC, referencePrice });
  for (const o of orders) s.engine.apply(o);
  s.rec.take();
  return s;
}

describe('call auction at the end of pre-open', () => {
  it('collects orders without matching during pre-open, even when they cross', () => {
    const { engine, rec } = preOpen([buy(1, 10, 10100), sell(2, 10, 9900)]);
    expect(rec.trades()).toEqual([]);
    expect(engine.bestBid(1)).toBe(10100);
    expect(engine.bestAsk(1)).toBe(9900);
  });

  it('worked example 1: picks the price of maximum executable volume', () => {
    // price   demand(>=p)  supply(<=p)  volume
    //  9900      450           100        100
    //  9950      450           100        100
    // 10000      300           250        250  <- max
    // 10050      100           250        100
    // 10100        0           450          0
    const { engine, rec } = preOpen([
      buy(1, 100, 10050),
      buy(2, 200, 10000),
      buy(3, 150, 9950),
      sell(4, 100, 9900),
      sell(5, 150, 10000),
      sell(6, 200, 10100),
    ]);
    expect(engine.indicativeEquilibrium(1)).toEqual({ price: 10000, qty: 250, imbalance: 50 });
    engine.apply({ type: 'SET_SESSION', state: 'CONTINUOUS' });
    expect(rec.of('auction')).toEqual([{ e: 'auction', instrumentId: 1, price: 10000, qty: 250 }]);
    // Priority pairs best buy with best sell, every print at the single auction price.
    expect(rec.trades()).toEqual([
      { e: 'trade', buy: 1, sell: 4, price: 10000, qty: 100, aggressor: null, tradeId: 1 },
      { e: 'trade', buy: 2, sell: 5, price: 10000, qty: 150, aggressor: null, tradeId: 2 },
    ]);
    expect(engine.depth(1)).toMatchObject({
      bids: [
        { price: 10000, qty: 50, orders: 1 },
        { price: 9950, qty: 150, orders: 1 },
      ],
      asks: [{ price: 10100, qty: 200, orders: 1 }],
      ltp: 10000,
      volume: 250,
    });
    expect(rec.of('session')).toEqual([{ e: 'session', state: 'CONTINUOUS' }]);
  });

  it('worked example 2: equal volume, lower imbalance wins over distance to reference', () => {
    // ref 10100.  10000: demand 100, supply 100 -> vol 100, imbalance 0
    //             10100: demand 100, supply 200 -> vol 100, imbalance 100
    const { engine } = preOpen([buy(1, 100, 10100), sell(2, 100, 10000), sell(3, 100, 10100)], 10100);
    expect(engine.indicativeEquilibrium(1)).toEqual({ price: 10000, qty: 100, imbalance: 0 });
  });

  it('worked example 3: equal volume and imbalance, closest to reference wins', () => {
    // ref 10000.  10050 and 10200 both execute 100 with imbalance 0; 10050 is 50 away, 10200 is 200.
    const { engine } = preOpen([buy(1, 100, 10200), sell(2, 100, 10050)]);
    expect(engine.indicativeEquilibrium(1)).toEqual({ price: 10050, qty: 100, imbalance: 0 });
  });

  it('worked example 4: equidistant on both sides of the reference -> the reference price', () => {
    // ref 10000.  9900 and 10100 both execute 100, imbalance 0, both 100 away.
    const { engine, rec } = preOpen([buy(1, 100, 10100), sell(2, 100, 9900)]);
    engine.apply({ type: 'SET_SESSION', state: 'CONTINUOUS' });
    expect(rec.of('auction')[0]).toMatchObject({ price: 10000, qty: 100 });
    expect(rec.trades()[0]).toMatchObject({ price: 10000, qty: 100 });
  });

  it('worked example 5: market orders count at every price and fill first', () => {
    // market buy 100 + limit buy 50@10000; sells 60@10050, 80@10100
    //  10000: demand 150, supply 0   -> 0
    //  10050: demand 100, supply 60  -> 60
    //  10100: demand 100, supply 140 -> 100  <- max
    const { engine, rec } = preOpen([buy(1, 100), buy(2, 50, 10000), sell(3, 60, 10050), sell(4, 80, 10100)]);
    engine.apply({ type: 'SET_SESSION', state: 'CONTINUOUS' });
    expect(rec.trades().map((t) => [t.buy, t.sell, t.price, t.qty])).toEqual([
      [1, 3, 10100, 60],
      [1, 4, 10100, 40],
    ]);
    expect(engine.depth(1)?.bids).toEqual([{ price: 10000, qty: 50, orders: 1 }]);
    expect(engine.depth(1)?.asks).toEqual([{ price: 10100, qty: 40, orders: 1 }]);
  });

  it('converts unmatched market orders into limit orders at the equilibrium price', () => {
    const { engine, rec } = preOpen([buy(1, 200), sell(2, 100, 10050)]);
    engine.apply({ type: 'SET_SESSION', state: 'CONTINUOUS' });
    expect(rec.trades().map((t) => [t.price, t.qty])).toEqual([[10050, 100]]);
    expect(engine.order(1)).toMatchObject({ orderType: 'LIMIT', price: 10050, filled: 100, location: 'BOOK' });
  });

  it('uses the reference price when only market orders cross', () => {
    const { engine, rec } = preOpen([buy(1, 100), sell(2, 60)]);
    engine.apply({ type: 'SET_SESSION', state: 'CONTINUOUS' });
    expect(rec.trades().map((t) => [t.price, t.qty])).toEqual([[10000, 60]]);
    expect(engine.order(1)).toMatchObject({ price: 10000, filled: 60, visible: 40, location: 'BOOK' });
  });

  it('reports no equilibrium and trades nothing when the book does not cross', () => {
    const { engine, rec } = preOpen([buy(1, 100, 9900), sell(2, 100, 10100)]);
    engine.apply({ type: 'SET_SESSION', state: 'CONTINUOUS' });
    expect(rec.of('auction')).toEqual([{ e: 'auction', instrumentId: 1, price: 0, qty: 0 }]);
    expect(rec.trades()).toEqual([]);
    expect(engine.ltp(1)).toBe(0);
  });

  it('only takes plain limit and market orders in pre-open', () => {
    const { engine, rec } = preOpen([]);
    engine.apply(place({ orderId: 1, orderType: 'SL', triggerPrice: 10000 }));
    engine.apply(place({ orderId: 2, validity: 'IOC' }));
    engine.apply(place({ orderId: 3, qty: 100, disclosedQty: 20 }));
    expect(rec.of('rejected').map((r) => r.reason)).toEqual(Array(3).fill('NOT_ALLOWED_IN_SESSION'));
  });
});

describe('session close and DAY expiry', () => {
  it('expires every resting DAY order and then rejects new orders once closed', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1, price: 9990, qty: 5 }));
    engine.apply(place({ orderId: 2, side: 'SELL', price: 10010, qty: 6 }));
    engine.apply(place({ orderId: 3, orderType: 'SL-M', triggerPrice: 10100, qty: 7 }));
    engine.apply({ type: 'SET_SESSION', state: 'CLOSED' });
    rec.take();
    engine.apply({ type: 'EXPIRE_DAY' });
    expect(rec.of('cancelled')).toEqual([
      { e: 'cancelled', orderId: 1, qty: 5, reason: 'DAY_EXPIRY' },
      { e: 'cancelled', orderId: 2, qty: 6, reason: 'DAY_EXPIRY' },
      { e: 'cancelled', orderId: 3, qty: 7, reason: 'DAY_EXPIRY' },
    ]);
    expect(rec.of('depth')).toEqual([{ e: 'depth', instrumentId: 1 }]);
    expect(engine.liveOrderCount()).toBe(0);
    expect(engine.depth(1)).toMatchObject({ bids: [], asks: [] });
    engine.apply(place({ orderId: 4 }));
    expect(rec.of('rejected').map((r) => r.reason)).toEqual(['MARKET_CLOSED']);
  });
});

describe('call auction (property)', () => {
  type Pre = { buy: boolean; qty: number; price: number | null };
  const orderArb = fc.record({
    buy: fc.boolean(),
    qty: fc.integer({ min: 1, max: 300 }),
    price: fc.oneof({ arbitrary: fc.constant(null), weight: 1 }, { arbitrary: fc.integer({ min: -15, max: 15 }).map((t) => 10000 + 5 * t), weight: 6 }),
  });

  /** Straight from the definition, O(n^2), no shared code with the engine. */
  function bruteForce(orders: Pre[], ref: number): { price: number; qty: number } {
    const vol = (p: number) => {
      const demand = orders.filter((o) => o.buy && (o.price === null || o.price >= p)).reduce((s, o) => s + o.qty, 0);
      const supply = orders.filter((o) => !o.buy && (o.price === null || o.price <= p)).reduce((s, o) => s + o.qty, 0);
      return { p, qty: Math.min(demand, supply), imb: Math.abs(demand - supply) };
    };
    const prices = [...new Set(orders.filter((o) => o.price !== null).map((o) => o.price as number))];
    if (prices.length === 0) {
      const v = vol(ref);
      return v.qty > 0 ? { price: ref, qty: v.qty } : { price: 0, qty: 0 };
    }
    const ranked = prices
      .map(vol)
      .filter((v) => v.qty > 0)
      .sort((a, b) => b.qty - a.qty || a.imb - b.imb || Math.abs(a.p - ref) - Math.abs(b.p - ref) || a.p - b.p);
    if (ranked.length === 0) return { price: 0, qty: 0 };
    const [first, second] = ranked;
    const tie = second !== undefined && second.qty === first.qty && second.imb === first.imb && Math.abs(second.p - ref) === Math.abs(first.p - ref);
    if (tie && vol(ref).qty === first.qty) return { price: ref, qty: first.qty };
    return { price: first.p, qty: first.qty };
  }

  it('finds the volume-maximising price and leaves an uncrossed book', () => {
    fc.assert(
      fc.property(fc.array(orderArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: -15, max: 15 }), (orders, refTick) => {
        const ref = 10000 + 5 * refTick;
        const { engine, rec } = preOpen(
          orders.map((o, i) => (o.buy ? buy(i + 1, o.qty, o.price ?? undefined) : sell(i + 1, o.qty, o.price ?? undefined))),
          ref,
        );
        const expected = bruteForce(orders, ref);
        expect(engine.indicativeEquilibrium(1)).toMatchObject(expected);
        engine.apply({ type: 'SET_SESSION', state: 'CONTINUOUS' });
        const trades = rec.trades();
        expect(trades.reduce((s, t) => s + t.qty, 0)).toBe(expected.qty);
        expect(trades.every((t) => t.price === expected.price && t.aggressor === null)).toBe(true);
        const bid = engine.bestBid(1);
        const ask = engine.bestAsk(1);
        if (bid !== 0 && ask !== 0) expect(bid).toBeLessThan(ask);
        const open = [...engine.restingOrders(1, 'BUY'), ...engine.restingOrders(1, 'SELL')].reduce((s, o) => s + o.qty - o.filled, 0);
        expect(open + 2 * expected.qty).toBe(orders.reduce((s, o) => s + o.qty, 0));
      }),
      { numRuns: 500, seed: 99 },
    );
  });
});

describe('suspended instrument at the open', () => {
  it('skips the auction and cancels its queued market orders', () => {
    const { engine, rec } = preOpen([buy(1, 10), buy(2, 10, 10000), sell(3, 10, 10000)]);
    engine.apply({ type: 'SET_SUSPENDED', instrumentId: 1, suspended: true });
    engine.apply({ type: 'SET_SESSION', state: 'CONTINUOUS' });
    expect(rec.of('auction')).toEqual([]);
    expect(rec.of('cancelled')).toEqual([{ e: 'cancelled', orderId: 1, qty: 10, reason: 'IOC_REMAINDER' }]);
    expect(engine.liveOrderCount()).toBe(2);
  });
});

describe('modify during pre-open', () => {
  it('repositions without matching; a market order keeps its place on a decrease and moves back on an increase', () => {
    const { engine, rec } = preOpen([buy(1, 100), buy(2, 50), sell(3, 120, 10000), buy(4, 10, 9900)]);
    engine.apply({ type: 'MODIFY', orderId: 4, price: 10050 }); // now crosses, but pre-open never matches
    expect(rec.trades()).toEqual([]);
    expect(engine.bestBid(1)).toBe(10050);
    engine.apply({ type: 'MODIFY', orderId: 1, qty: 110 }); // increase: behind order 2
    engine.apply({ type: 'MODIFY', orderId: 2, qty: 40 }); // decrease: stays where it is
    expect(rec.of('modified').map((m) => m.kept)).toEqual([false, false, true]);
    engine.apply({ type: 'MODIFY', orderId: 2, price: 10000 });
    expect(rec.of('rejected').map((r) => r.reason)).toEqual(['ORDER_NOT_MODIFIABLE']);
    // 120 for sale at 10000: market orders fill first, in their new time order.
    engine.apply({ type: 'SET_SESSION', state: 'CONTINUOUS' });
    expect(rec.trades().map((t) => [t.buy, t.qty, t.price])).toEqual([
      [2, 40, 10000],
      [1, 80, 10000],
    ]);
    expect(engine.order(1)).toMatchObject({ orderType: 'LIMIT', price: 10000, filled: 80 });
    expect(engine.order(4)).toMatchObject({ price: 10050, filled: 0 });
  });
});
