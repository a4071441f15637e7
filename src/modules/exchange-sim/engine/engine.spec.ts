import { place, setup, SPEC } from './testing/recorder';

describe('MatchingEngine: continuous matching', () => {
  it('rests a limit order and reports depth, best bid/ask', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1, price: 9990, qty: 10 }));
    engine.apply(place({ orderId: 2, price: 9990, qty: 5 }));
    engine.apply(place({ orderId: 3, side: 'SELL', price: 10010, qty: 7 }));
    expect(rec.of('accepted').map((e) => e.orderId)).toEqual([1, 2, 3]);
    expect(rec.of('depth')).toHaveLength(3);
    expect(engine.depth(1)).toEqual({
      instrumentId: 1,
      bids: [{ price: 9990, qty: 15, orders: 2 }],
      asks: [{ price: 10010, qty: 7, orders: 1 }],
      ltp: 0,
      volume: 0,
    });
    expect(engine.bestBid(1)).toBe(9990);
    expect(engine.bestAsk(1)).toBe(10010);
  });

  it('matches by price, then time, at the resting price', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1, side: 'SELL', price: 10010, qty: 5 }));
    engine.apply(place({ orderId: 2, side: 'SELL', price: 10005, qty: 5 }));
    engine.apply(place({ orderId: 3, side: 'SELL', price: 10005, qty: 5 }));
    rec.take();
    engine.apply(place({ orderId: 4, price: 10010, qty: 12 }));
    expect(rec.trades()).toEqual([
      { e: 'trade', buy: 4, sell: 2, price: 10005, qty: 5, aggressor: 'BUY', tradeId: 1 },
      { e: 'trade', buy: 4, sell: 3, price: 10005, qty: 5, aggressor: 'BUY', tradeId: 2 },
      { e: 'trade', buy: 4, sell: 1, price: 10010, qty: 2, aggressor: 'BUY', tradeId: 3 },
    ]);
    expect(engine.ltp(1)).toBe(10010);
    expect(engine.volume(1)).toBe(12);
    expect(engine.order(1)).toMatchObject({ filled: 2, visible: 3 });
    expect(engine.order(2)).toBeUndefined();
  });

  it('partially fills and rests the remainder of a DAY order', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1, clientId: 1, side: 'SELL', price: 10000, qty: 4 }));
    engine.apply(place({ orderId: 2, clientId: 2, side: 'BUY', price: 10000, qty: 10 }));
    expect(rec.trades().map((t) => t.qty)).toEqual([4]);
    expect(engine.order(2)).toMatchObject({ qty: 10, filled: 4, visible: 6, location: 'BOOK' });
    expect(engine.depth(1)?.bids).toEqual([{ price: 10000, qty: 6, orders: 1 }]);
    expect(engine.depth(1)?.asks).toEqual([]);
  });

  it('cancels the unfilled remainder of an IOC order', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1, side: 'SELL', price: 10000, qty: 4 }));
    engine.apply(place({ orderId: 2, price: 10000, qty: 10, validity: 'IOC' }));
    expect(rec.of('cancelled')).toEqual([{ e: 'cancelled', orderId: 2, qty: 6, reason: 'IOC_REMAINDER' }]);
    expect(engine.order(2)).toBeUndefined();
    expect(engine.depth(1)?.bids).toEqual([]);
  });

  it('applies market protection: market buy sweeps up to the upper circuit, remainder cancelled', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1, side: 'SELL', price: 10000, qty: 3 }));
    engine.apply(place({ orderId: 2, side: 'SELL', price: 12000, qty: 3 }));
    rec.take();
    engine.apply(place({ orderId: 3, orderType: 'MARKET', price: undefined, qty: 10 }));
    expect(rec.trades().map((t) => [t.sell, t.price, t.qty])).toEqual([
      [1, 10000, 3],
      [2, 12000, 3],
    ]);
    expect(rec.of('cancelled')).toEqual([{ e: 'cancelled', orderId: 3, qty: 4, reason: 'IOC_REMAINDER' }]);
  });

  it('cancels a market order entirely when the other side is empty', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1, side: 'SELL', orderType: 'MARKET', qty: 10 }));
    expect(rec.of('cancelled')).toEqual([{ e: 'cancelled', orderId: 1, qty: 10, reason: 'IOC_REMAINDER' }]);
    expect(engine.liveOrderCount()).toBe(0);
  });

  it('cancel removes the order; cancelling again is an unknown order', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1, qty: 10 }));
    engine.apply({ type: 'CANCEL', orderId: 1 });
    engine.apply({ type: 'CANCEL', orderId: 1 });
    expect(rec.of('cancelled')).toEqual([{ e: 'cancelled', orderId: 1, qty: 10, reason: 'USER' }]);
    expect(rec.of('rejected')).toEqual([{ e: 'rejected', orderId: 1, reason: 'UNKNOWN_ORDER', command: 'CANCEL' }]);
    expect(engine.depth(1)?.bids).toEqual([]);
  });
});

describe('MatchingEngine: stop orders', () => {
  it('triggers a buy SL when LTP rises to the trigger and enters it as a limit with new priority', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1, orderType: 'SL', price: 10050, triggerPrice: 10020, qty: 5, clientId: 9 }));
    expect(engine.stopOrders(1).map((o) => o.orderId)).toEqual([1]);
    expect(engine.depth(1)?.bids).toEqual([]); // stop orders are not visible
    engine.apply(place({ orderId: 2, side: 'SELL', price: 10020, qty: 1, clientId: 2 }));
    engine.apply(place({ orderId: 3, side: 'SELL', price: 10040, qty: 3, clientId: 2 }));
    rec.take();
    engine.apply(place({ orderId: 4, price: 10020, qty: 1, clientId: 3 })); // prints 10020
    const ev = rec.take().filter((e) => e.e !== 'depth');
    expect(ev).toEqual([
      { e: 'accepted', orderId: 4 },
      { e: 'trade', buy: 4, sell: 2, price: 10020, qty: 1, aggressor: 'BUY', tradeId: 1 },
      { e: 'triggered', orderId: 1, ltp: 10020 },
      { e: 'trade', buy: 1, sell: 3, price: 10040, qty: 3, aggressor: 'BUY', tradeId: 2 },
    ]);
    expect(engine.order(1)).toMatchObject({ orderType: 'LIMIT', price: 10050, filled: 3, location: 'BOOK' });
  });

  it('triggers a sell SL-M when LTP falls to the trigger and sells at market', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1, side: 'SELL', orderType: 'SL-M', triggerPrice: 9980, qty: 5, clientId: 9 }));
    engine.apply(place({ orderId: 2, price: 9980, qty: 1, clientId: 1 }));
    engine.apply(place({ orderId: 3, price: 9950, qty: 2, clientId: 1 }));
    rec.take();
    engine.apply(place({ orderId: 4, side: 'SELL', price: 9980, qty: 1, clientId: 2 }));
    const ev = rec.take().filter((e) => e.e !== 'depth' && e.e !== 'accepted');
    expect(ev).toEqual([
      { e: 'trade', buy: 2, sell: 4, price: 9980, qty: 1, aggressor: 'SELL', tradeId: 1 },
      { e: 'triggered', orderId: 1, ltp: 9980 },
      { e: 'trade', buy: 3, sell: 1, price: 9950, qty: 2, aggressor: 'SELL', tradeId: 2 },
      { e: 'cancelled', orderId: 1, qty: 3, reason: 'IOC_REMAINDER' },
    ]);
  });

  it('does not trigger a buy stop on a falling LTP and triggers at once when LTP is already through', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1, side: 'SELL', price: 10000, qty: 1, clientId: 1 }));
    engine.apply(place({ orderId: 2, price: 10000, qty: 1, clientId: 2 })); // LTP 10000
    engine.apply(place({ orderId: 3, orderType: 'SL', triggerPrice: 10050, price: 10050, qty: 1 }));
    expect(engine.order(3)?.location).toBe('STOP_BOOK');
    rec.take();
    engine.apply(place({ orderId: 4, orderType: 'SL', triggerPrice: 9990, price: 10000, qty: 1 }));
    expect(rec.of('triggered')).toEqual([{ e: 'triggered', orderId: 4, ltp: 10000 }]);
    expect(engine.order(4)?.location).toBe('BOOK');
  });

  it('rejects an SL whose trigger is on the wrong side of its limit price', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1, orderType: 'SL', triggerPrice: 10100, price: 10000 }));
    engine.apply(place({ orderId: 2, side: 'SELL', orderType: 'SL', triggerPrice: 9900, price: 10000 }));
    engine.apply(place({ orderId: 3, orderType: 'SL-M', triggerPrice: 10003 }));
    engine.apply(place({ orderId: 4, orderType: 'SL-M', triggerPrice: 12005 }));
    expect(rec.of('rejected').map((r) => r.reason)).toEqual([
      'INVALID_TRIGGER_PRICE',
      'INVALID_TRIGGER_PRICE',
      'TRIGGER_NOT_MULTIPLE_OF_TICK',
      'TRIGGER_OUTSIDE_CIRCUIT',
    ]);
  });
});

describe('MatchingEngine: modify', () => {
  function twoBids() {
    const s = setup();
    s.engine.apply(place({ orderId: 1, price: 10000, qty: 10 }));
    s.engine.apply(place({ orderId: 2, price: 10000, qty: 10 }));
    s.rec.take();
    return s;
  }

  it('keeps time priority when only the quantity decreases', () => {
    const { engine, rec } = twoBids();
    engine.apply({ type: 'MODIFY', orderId: 1, qty: 6 });
    expect(rec.of('modified')).toEqual([{ e: 'modified', orderId: 1, price: 10000, qty: 6, trigger: 0, kept: true }]);
    engine.apply(place({ orderId: 3, side: 'SELL', price: 10000, qty: 1 }));
    expect(rec.trades()[0]).toMatchObject({ buy: 1, sell: 3 });
    expect(engine.depth(1)?.bids).toEqual([{ price: 10000, qty: 15, orders: 2 }]);
  });

  it('loses time priority when the quantity increases', () => {
    const { engine, rec } = twoBids();
    engine.apply({ type: 'MODIFY', orderId: 1, qty: 20 });
    expect(rec.of('modified')[0].kept).toBe(false);
    engine.apply(place({ orderId: 3, side: 'SELL', price: 10000, qty: 1 }));
    expect(rec.trades()[0]).toMatchObject({ buy: 2, sell: 3 });
  });

  it('loses time priority when the price changes, and trades if the new price crosses', () => {
    const { engine, rec } = twoBids();
    engine.apply({ type: 'MODIFY', orderId: 1, price: 9995 });
    engine.apply({ type: 'MODIFY', orderId: 1, price: 10000 });
    engine.apply(place({ orderId: 3, side: 'SELL', price: 10000, qty: 1 }));
    expect(rec.trades()[0]).toMatchObject({ buy: 2, sell: 3 });
    engine.apply(place({ orderId: 4, side: 'SELL', price: 10010, qty: 4 }));
    rec.take();
    engine.apply({ type: 'MODIFY', orderId: 1, price: 10010 });
    expect(rec.trades()).toEqual([
      { e: 'trade', buy: 1, sell: 4, price: 10010, qty: 4, aggressor: 'BUY', tradeId: 2 },
    ]);
  });

  it('rejects a modify to a quantity at or below the filled quantity', () => {
    const { engine, rec } = twoBids();
    engine.apply(place({ orderId: 3, side: 'SELL', price: 10000, qty: 4 }));
    engine.apply({ type: 'MODIFY', orderId: 1, qty: 4 });
    engine.apply({ type: 'MODIFY', orderId: 99, qty: 4 });
    expect(rec.of('rejected').map((r) => r.reason)).toEqual(['MODIFY_QTY_NOT_ABOVE_FILLED', 'UNKNOWN_ORDER']);
    engine.apply({ type: 'MODIFY', orderId: 1, qty: 5 });
    expect(engine.order(1)).toMatchObject({ qty: 5, filled: 4, visible: 1 });
  });

  it('modifies the trigger of a pending stop order', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1, orderType: 'SL-M', triggerPrice: 10100, qty: 5 }));
    engine.apply({ type: 'MODIFY', orderId: 1, triggerPrice: 10200 });
    expect(engine.order(1)).toMatchObject({ triggerPrice: 10200, location: 'STOP_BOOK' });
    engine.apply({ type: 'MODIFY', orderId: 1, price: 10300 });
    expect(rec.of('rejected').map((r) => r.reason)).toEqual(['ORDER_NOT_MODIFIABLE']);
  });
});

describe('MatchingEngine: disclosed quantity', () => {
  it('shows only the disclosed slice and requeues the next slice behind later orders', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1, side: 'SELL', price: 10000, qty: 100, disclosedQty: 20 }));
    engine.apply(place({ orderId: 2, side: 'SELL', price: 10000, qty: 30 }));
    expect(engine.depth(1)?.asks).toEqual([{ price: 10000, qty: 50, orders: 2 }]);
    rec.take();
    engine.apply(place({ orderId: 3, price: 10000, qty: 25 }));
    expect(rec.trades().map((t) => [t.sell, t.qty])).toEqual([
      [1, 20],
      [2, 5],
    ]);
    // Order 1 showed its next 20 at the back of the queue; order 2 (25 left) is now first.
    expect(engine.restingOrders(1, 'SELL').map((o) => [o.orderId, o.visible])).toEqual([
      [2, 25],
      [1, 20],
    ]);
    expect(engine.depth(1)?.asks).toEqual([{ price: 10000, qty: 45, orders: 2 }]);
  });

  it('lets one aggressor eat successive slices when the disclosed order is alone', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1, side: 'SELL', price: 10000, qty: 100, disclosedQty: 10 }));
    engine.apply(place({ orderId: 2, price: 10000, qty: 35 }));
    expect(rec.trades().map((t) => t.qty)).toEqual([10, 10, 10, 5]);
    expect(engine.order(1)).toMatchObject({ filled: 35, visible: 5 });
  });
});

describe('MatchingEngine: self-trade prevention', () => {
  it('cancels the incoming order when the first resting match is its own', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1, clientId: 7, side: 'SELL', price: 10000, qty: 10 }));
    engine.apply(place({ orderId: 2, clientId: 8, side: 'SELL', price: 10000, qty: 10 }));
    rec.take();
    engine.apply(place({ orderId: 3, clientId: 7, price: 10000, qty: 5 }));
    expect(rec.trades()).toEqual([]);
    expect(rec.of('cancelled')).toEqual([{ e: 'cancelled', orderId: 3, qty: 5, reason: 'SELF_TRADE' }]);
    expect(engine.order(1)?.filled).toBe(0);
  });

  it('keeps fills made before reaching its own order, then cancels the remainder', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1, clientId: 8, side: 'SELL', price: 9995, qty: 4 }));
    engine.apply(place({ orderId: 2, clientId: 7, side: 'SELL', price: 10000, qty: 10 }));
    rec.take();
    engine.apply(place({ orderId: 3, clientId: 7, price: 10000, qty: 10 }));
    expect(rec.trades().map((t) => [t.sell, t.qty])).toEqual([[1, 4]]);
    expect(rec.of('cancelled')).toEqual([{ e: 'cancelled', orderId: 3, qty: 6, reason: 'SELF_TRADE' }]);
    expect(engine.order(2)?.filled).toBe(0);
  });
});

describe('MatchingEngine: market data', () => {
  it('depth() shows 5 levels by default with per-level order counts', () => {
    const { engine } = setup();
    for (let i = 0; i < 7; i++) {
      engine.apply(place({ orderId: 1 + i, price: 9990 - 5 * i, qty: 1 + i }));
      engine.apply(place({ orderId: 100 + i, price: 9990 - 5 * i, qty: 1 }));
    }
    const d = engine.depth(1);
    expect(d?.bids).toHaveLength(5);
    expect(d?.bids[0]).toEqual({ price: 9990, qty: 2, orders: 2 });
    expect(d?.bids[4]).toEqual({ price: 9970, qty: 6, orders: 2 });
    expect(engine.depth(1, 10)?.bids).toHaveLength(7);
    expect(engine.depth(99)).toBeUndefined();
  });

  it('emits depth changes only when the visible book changed', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1, price: 99999 })); // rejected
    engine.apply(place({ orderId: 2, orderType: 'SL', triggerPrice: 10100, price: 10100 })); // invisible
    expect(rec.of('depth')).toEqual([]);
    engine.apply(place({ orderId: 3 }));
    expect(rec.of('depth')).toEqual([{ e: 'depth', instrumentId: 1 }]);
  });
});
