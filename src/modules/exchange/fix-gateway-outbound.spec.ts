import { OrderFactsCache } from './fix-gateway-facts';
import { reconnectDelay } from './fix-gateway-link';
import { cancelReplaceRequest, cancelRequest, newOrderSingle, orderStatusRequest } from './fix-gateway-outbound';
import { FixRequestTracker } from './fix-gateway-tracker';

const NOW = Date.UTC(2026, 10, 26, 4, 30);
const order = {
  clOrdId: '42', clientAccount: 'CL1', instrumentToken: 1001, side: 'SELL' as const, orderType: 'SL' as const, validity: 'DAY' as const,
  quantity: 10, price: 115_005, triggerPrice: 115_100, disclosedQuantity: 5,
};
const instrument = { Symbol: '[N/A]', SecurityID: '1001', SecurityIDSource: '8' };

describe('FIX outbound requests', () => {
  it('writes a NewOrderSingle with the token as SecurityID (source 8), Account, and prices as exact rupee text', () => {
    expect(newOrderSingle(order, NOW)).toEqual({
      msgType: 'D',
      body: {
        ClOrdID: '42', Account: 'CL1', Instrument: instrument, Side: '2', TransactTime: '20261126-04:30:00.000', OrderQtyData: { OrderQty: 10 },
        OrdType: '4', Price: '1150.05', StopPx: '1151.00', TimeInForce: '0', MaxFloor: 5,
      },
    });
  });

  it('repeats Side, Instrument, OrdType and the quantity on G/F/H from what it knows of the order', () => {
    const facts = new OrderFactsCache();
    facts.rememberOrder(order);
    const replaceFacts = facts.derive('42.2', '42', 20)!;
    expect(cancelReplaceRequest({ clOrdId: '42.2', origClOrdId: '42', quantity: 20, price: 115_010 }, replaceFacts, NOW).body).toMatchObject({
      ClOrdID: '42.2', OrigClOrdID: '42', Instrument: instrument, Side: '2', OrdType: '4', OrderQtyData: { OrderQty: 20 }, Price: '1150.10',
    });
    expect(cancelRequest({ clOrdId: '42.3', origClOrdId: '42.2' }, facts.derive('42.3', '42.2')!, NOW).body).toMatchObject({
      ClOrdID: '42.3', OrigClOrdID: '42.2', Side: '2', OrderQtyData: { OrderQty: 20 }, Instrument: instrument,
    });
    expect(orderStatusRequest('42.3', facts.of('42.3')!)).toEqual({ msgType: 'H', body: { ClOrdID: '42.3', Instrument: instrument, Side: '2' } });
  });

  it('learns orders from stored bodies (a restart) and from reports, and forgets the oldest past its capacity', () => {
    const facts = new OrderFactsCache(2);
    facts.learnFromSent('D', newOrderSingle(order, NOW).body);
    facts.learnFromSent('F', { ClOrdID: '42.2', OrigClOrdID: '42', Side: '2', Instrument: instrument, OrderQtyData: { OrderQty: 10 } });
    expect(facts.of('42.2')).toEqual({ instrumentToken: 1001, side: 'SELL', orderType: 'SL', validity: 'DAY', quantity: 10 });
    facts.learnFromSent('H', { ClOrdID: 'ignored' });
    expect(facts.of('ignored')).toBeUndefined();
    facts.rememberOrder({ ...order, clOrdId: '43' });
    expect([facts.of('42'), facts.size]).toEqual([undefined, 2]);
  });
});

describe('reconnect delay', () => {
  it('doubles from the initial delay to the cap, with half of each step random', () => {
    const low = [0, 1, 2, 3, 5, 9].map((n) => reconnectDelay(n, 1_000, 30_000, () => 0));
    const high = [0, 1, 2, 3, 5, 9].map((n) => reconnectDelay(n, 1_000, 30_000, () => 1));
    expect(low).toEqual([500, 1_000, 2_000, 4_000, 15_000, 15_000]);
    expect(high).toEqual([1_000, 2_000, 4_000, 8_000, 30_000, 30_000]);
  });
});

describe('FixRequestTracker', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves when the ClOrdID is answered and rejects when the answer is late', async () => {
    const tracker = new FixRequestTracker(5_000);
    const answered = tracker.expect('a');
    const late = tracker.expect('b');
    tracker.answered('a');
    await expect(answered).resolves.toBeUndefined();
    jest.advanceTimersByTime(5_000);
    await expect(late).rejects.toThrow(/no answer from the venue within 5000 ms/);
  });

  it('turns a refused NewOrderSingle into a REJECTED report and a refused cancel into a CancelReject', () => {
    const tracker = new FixRequestTracker(5_000);
    tracker.sent(7, 'D', { ClOrdID: '42' });
    tracker.sent(8, 'F', { ClOrdID: '42.2', OrigClOrdID: '42' });
    tracker.sent(9, 'H', { ClOrdID: '42' });
    const facts = { instrumentToken: 1001, side: 'SELL' as const, orderType: 'LIMIT' as const, validity: 'DAY' as const, quantity: 10 };
    const ctx = { reasonCode: 'SESSION_REJECT', text: 'Price (44) must be positive', facts, memberId: 'MSTOCK', now: NOW };
    expect(tracker.refusal(tracker.bySeq(7)!, ctx)).toMatchObject({
      kind: 'execution', clOrdId: '42', execType: 'REJECTED', orderStatus: 'REJECTED', quantity: 10, leavesQuantity: 0, reasonCode: 'SESSION_REJECT', execId: 'refused-7',
    });
    expect(tracker.refusal(tracker.bySeq(8)!, ctx)).toMatchObject({ kind: 'cancel_reject', clOrdId: '42.2', origClOrdId: '42', responseTo: 'CANCEL' });
    expect(tracker.refusal(tracker.bySeq(9)!, ctx)).toBeNull();
  });
});
