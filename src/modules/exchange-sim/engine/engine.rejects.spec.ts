import { place, setup, SPEC } from './testing/recorder';

describe('MatchingEngine: exchange rejects', () => {
  const cases: [string, Parameters<typeof place>[0], string][] = [
    ['price above upper circuit', { orderId: 1, price: 12005 }, 'PRICE_OUTSIDE_CIRCUIT'],
    ['price below lower circuit', { orderId: 1, price: 7995 }, 'PRICE_OUTSIDE_CIRCUIT'],
    ['price off the tick grid', { orderId: 1, price: 10001 }, 'PRICE_NOT_MULTIPLE_OF_TICK'],
    ['non-integer price', { orderId: 1, price: 100.5 }, 'INVALID_PRICE'],
    ['missing limit price', { orderId: 1, price: undefined }, 'INVALID_PRICE'],
    ['qty above freeze', { orderId: 1, qty: 10001 }, 'QTY_ABOVE_FREEZE'],
    ['zero qty', { orderId: 1, qty: 0 }, 'INVALID_QTY'],
    ['negative qty', { orderId: 1, qty: -5 }, 'INVALID_QTY'],
    ['fractional qty', { orderId: 1, qty: 1.5 }, 'INVALID_QTY'],
    ['unknown instrument', { orderId: 1, instrumentId: 2 }, 'UNKNOWN_INSTRUMENT'],
    ['bad side', { orderId: 1, side: 'X' as 'BUY' }, 'INVALID_ORDER'],
    ['disclosed below 10%', { orderId: 1, qty: 100, disclosedQty: 9 }, 'DISCLOSED_QTY_INVALID'],
    ['disclosed above qty', { orderId: 1, qty: 100, disclosedQty: 101 }, 'DISCLOSED_QTY_INVALID'],
    ['disclosed on IOC', { orderId: 1, qty: 100, disclosedQty: 50, validity: 'IOC' }, 'DISCLOSED_QTY_INVALID'],
  ];
  it.each(cases)('%s', (_name, args, reason) => {
    const { engine, rec } = setup();
    engine.apply(place(args));
    expect(rec.take()).toEqual([{ e: 'rejected', orderId: 1, reason, command: 'PLACE' }]);
  });

  it('rejects a quantity that is not a multiple of the lot size', () => {
    const { engine, rec } = setup('CONTINUOUS', { ...SPEC, lotSize: 50 });
    engine.apply(place({ orderId: 1, qty: 75 }));
    engine.apply(place({ orderId: 2, qty: 150 }));
    expect(rec.of('rejected').map((r) => r.reason)).toEqual(['QTY_NOT_MULTIPLE_OF_LOT']);
    expect(rec.of('accepted').map((r) => r.orderId)).toEqual([2]);
  });

  it('rejects orders on a suspended instrument but still allows cancels', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1 }));
    engine.apply({ type: 'SET_SUSPENDED', instrumentId: 1, suspended: true });
    engine.apply(place({ orderId: 2 }));
    engine.apply({ type: 'MODIFY', orderId: 1, qty: 5 });
    engine.apply({ type: 'CANCEL', orderId: 1 });
    expect(rec.of('rejected').map((r) => r.reason)).toEqual(['INSTRUMENT_SUSPENDED', 'INSTRUMENT_SUSPENDED']);
    expect(rec.of('cancelled')).toHaveLength(1);
  });

  it('rejects everything while the market is closed', () => {
    const { engine, rec } = setup('CLOSED');
    engine.apply(place({ orderId: 1 }));
    engine.apply({ type: 'CANCEL', orderId: 1 });
    expect(rec.of('rejected').map((r) => r.reason)).toEqual(['MARKET_CLOSED', 'UNKNOWN_ORDER']);
  });

  it('rejects a duplicate live order id', () => {
    const { engine, rec } = setup();
    engine.apply(place({ orderId: 1 }));
    engine.apply(place({ orderId: 1, price: 9000 }));
    expect(rec.of('rejected')).toEqual([{ e: 'rejected', orderId: 1, reason: 'DUPLICATE_ORDER_ID', command: 'PLACE' }]);
  });

  it('rejects an invalid instrument spec and a second add of the same id', () => {
    const { engine, rec } = setup();
    engine.apply({ type: 'ADD_INSTRUMENT', ...SPEC });
    engine.apply({ type: 'ADD_INSTRUMENT', ...SPEC, instrumentId: 2, lowerCircuit: 8001 });
    expect(rec.of('rejected').map((r) => r.reason)).toEqual(['INSTRUMENT_EXISTS', 'INVALID_INSTRUMENT_SPEC']);
  });
});
