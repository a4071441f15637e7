import type { CancelReject } from '../venue.types';
import { ACME, delivered, inbox, order, reports, simulator, stopSimulators } from './testing/sim-fixtures';

const pick = ['execType', 'orderStatus', 'clOrdId', 'cumQuantity', 'leavesQuantity', 'averagePrice', 'lastQuantity', 'lastPrice'] as const;
const brief = (r: object) => Object.fromEntries(pick.filter((k) => k in r).map((k) => [k, (r as Record<string, unknown>)[k]]));

function started() {
  const { sim, clock } = simulator();
  sim.setSession('CONTINUOUS');
  sim.start();
  return { sim, clock, m1: inbox(sim, 'M1'), m2: inbox(sim, 'M2') };
}

afterEach(stopSimulators);

describe('ExchangeSimulator: order reports', () => {
  it('reports NEW, PARTIAL_FILL and FILL with cumulative, leaves and the half-even average price', async () => {
    const { sim, m1, m2 } = started();
    sim.submit(order({ memberId: 'M2', clOrdId: 'S1', side: 'SELL', quantity: 10, price: 115_000 }));
    sim.submit(order({ memberId: 'M2', clOrdId: 'S2', side: 'SELL', quantity: 10, price: 115_005 }));
    sim.submit(order({ clOrdId: 'B1', side: 'BUY', quantity: 30, price: 115_010 }));
    sim.submit(order({ memberId: 'M2', clOrdId: 'S3', side: 'SELL', quantity: 10, price: 115_010 }));
    expect(m1).toEqual([]); // asynchronous, as over a wire
    await delivered();
    // 10 @ 1150.00 + 10 @ 1150.05 = 23,000,50 paise / 20 = 115002.5 → half-even 115002 (2 is even);
    // then + 10 @ 1150.10: 34,50,150 / 30 = 115005 exactly.
    expect(reports(m1).map(brief)).toEqual([
      { execType: 'NEW', orderStatus: 'NEW', clOrdId: 'B1', cumQuantity: 0, leavesQuantity: 30, averagePrice: 0 },
      { execType: 'PARTIAL_FILL', orderStatus: 'PARTIALLY_FILLED', clOrdId: 'B1', cumQuantity: 10, leavesQuantity: 20, averagePrice: 115_000, lastQuantity: 10, lastPrice: 115_000 },
      { execType: 'PARTIAL_FILL', orderStatus: 'PARTIALLY_FILLED', clOrdId: 'B1', cumQuantity: 20, leavesQuantity: 10, averagePrice: 115_002, lastQuantity: 10, lastPrice: 115_005 },
      { execType: 'FILL', orderStatus: 'FILLED', clOrdId: 'B1', cumQuantity: 30, leavesQuantity: 0, averagePrice: 115_005, lastQuantity: 10, lastPrice: 115_010 },
    ]);
    const sellerFills = reports(m2).filter((r) => r.execType === 'FILL');
    expect(sellerFills.map((r) => [r.clOrdId, r.lastPrice, r.side])).toEqual([
      ['S1', 115_000, 'SELL'],
      ['S2', 115_005, 'SELL'],
      ['S3', 115_010, 'SELL'],
    ]);
    // One trade, one id, on both sides; every report its own exec id; one exchange order id per order.
    const buyerFills = reports(m1).filter((r) => r.tradeId !== undefined);
    expect(buyerFills.map((r) => r.tradeId)).toEqual(sellerFills.map((r) => r.tradeId));
    const all = [...reports(m1), ...reports(m2)];
    expect(new Set(all.map((r) => r.execId)).size).toBe(all.length);
    expect(new Set(reports(m1).map((r) => r.exchangeOrderId))).toEqual(new Set([expect.stringMatching(/^NSE-\d{16}$/)]));
  });

  it('rounds a .5 average up when that reaches the even paisa', async () => {
    const { sim, m1 } = started();
    sim.submit(order({ memberId: 'M2', side: 'SELL', quantity: 10, price: 115_005 }));
    sim.submit(order({ memberId: 'M2', side: 'SELL', quantity: 10, price: 115_010 }));
    sim.submit(order({ side: 'BUY', quantity: 20, price: 115_010 }));
    await delivered();
    expect(reports(m1).at(-1)).toMatchObject({ execType: 'FILL', averagePrice: 115_008 }); // 115007.5 → 115008
  });

  it('rejects with the engine code and a sentence', async () => {
    const { sim, m1 } = started();
    sim.submit(order({ clOrdId: 'X', side: 'BUY', price: 126_005 }));
    sim.submit(order({ clOrdId: 'Y', side: 'BUY', price: 115_003 }));
    sim.submit(order({ clOrdId: 'Z', side: 'BUY', quantity: 10_001 }));
    sim.submit(order({ clOrdId: 'W', side: 'BUY', instrumentToken: 999 }));
    await delivered();
    expect(reports(m1).map((r) => [r.clOrdId, r.execType, r.orderStatus, r.reasonCode, r.text, r.leavesQuantity])).toEqual([
      ['X', 'REJECTED', 'REJECTED', 'PRICE_OUTSIDE_CIRCUIT', 'Price is outside the circuit band 1,050.00–1,260.00', 0],
      ['Y', 'REJECTED', 'REJECTED', 'PRICE_NOT_MULTIPLE_OF_TICK', 'Price must be a multiple of the tick size 0.05', 0],
      ['Z', 'REJECTED', 'REJECTED', 'QTY_ABOVE_FREEZE', 'Quantity is above the freeze limit of 10,000 shares', 0],
      ['W', 'REJECTED', 'REJECTED', 'UNKNOWN_INSTRUMENT', 'No tradable instrument with token 999', 0],
    ]);
    expect(sim.status('M1', 'X')).toMatchObject({ execType: 'ORDER_STATUS', orderStatus: 'REJECTED' });
  });

  it('replaces: REPLACED with origClOrdId; a quantity decrease keeps time priority, an increase loses it', async () => {
    const { sim, m1, m2 } = started();
    sim.submit(order({ clOrdId: 'A1', side: 'BUY', quantity: 10 }));
    sim.submit(order({ memberId: 'M2', clOrdId: 'B1', side: 'BUY', quantity: 10 }));
    sim.replace({ memberId: 'M1', clOrdId: 'A2', origClOrdId: 'A1', quantity: 8 });
    sim.submit(order({ memberId: 'M3', side: 'SELL', quantity: 4 }));
    await delivered();
    expect(reports(m1).slice(1).map(brief)).toEqual([
      { execType: 'REPLACED', orderStatus: 'NEW', clOrdId: 'A2', cumQuantity: 0, leavesQuantity: 8, averagePrice: 0 },
      { execType: 'PARTIAL_FILL', orderStatus: 'PARTIALLY_FILLED', clOrdId: 'A2', cumQuantity: 4, leavesQuantity: 4, averagePrice: 115_000, lastQuantity: 4, lastPrice: 115_000 },
    ]);
    expect(reports(m1)[1]).toMatchObject({ origClOrdId: 'A1', quantity: 8, price: 115_000 });

    sim.replace({ memberId: 'M1', clOrdId: 'A3', origClOrdId: 'A2', quantity: 20 }); // increase: behind B1
    sim.submit(order({ memberId: 'M3', side: 'SELL', quantity: 10 }));
    await delivered();
    expect(reports(m2).map((r) => r.execType)).toEqual(['NEW', 'FILL']);
    expect(reports(m1).at(-1)).toMatchObject({ execType: 'REPLACED', clOrdId: 'A3', origClOrdId: 'A2', quantity: 20, cumQuantity: 4, leavesQuantity: 16, orderStatus: 'PARTIALLY_FILLED' });

    // Status answers by the current and by any earlier ClOrdID of the order.
    for (const id of ['A1', 'A2', 'A3']) {
      expect(sim.status('M1', id)).toMatchObject({ execType: 'ORDER_STATUS', clOrdId: 'A3', quantity: 20, cumQuantity: 4, leavesQuantity: 16 });
    }
    expect(sim.status('M1', 'nope')).toBeNull();
    expect(sim.status('M2', 'A1')).toBeNull(); // another member's ids are not ours
  });

  it('a replace the engine refuses comes back as a CancelReject and leaves the order unchanged', async () => {
    const { sim, m1 } = started();
    sim.submit(order({ clOrdId: 'R1', side: 'BUY' }));
    sim.replace({ memberId: 'M1', clOrdId: 'R2', origClOrdId: 'R1', price: 130_000 });
    await delivered();
    const reject = m1.at(-1) as CancelReject;
    expect(reject).toMatchObject({ kind: 'cancel_reject', clOrdId: 'R2', origClOrdId: 'R1', responseTo: 'REPLACE', reasonCode: 'PRICE_OUTSIDE_CIRCUIT', orderStatus: 'NEW' });
    expect(reject.text).toContain('1,050.00–1,260.00');
    expect(sim.status('M1', 'R1')).toMatchObject({ clOrdId: 'R1', price: 115_000 });
    expect(sim.status('M1', 'R2')).toBeNull();
  });

  it('cancels (CANCELED), refuses unknown orders (UNKNOWN_ORDER) and closed ones (TOO_LATE)', async () => {
    const { sim, m1 } = started();
    sim.submit(order({ clOrdId: 'K1', side: 'BUY' }));
    sim.cancel({ memberId: 'M1', clOrdId: 'K2', origClOrdId: 'K1' });
    sim.cancel({ memberId: 'M1', clOrdId: 'K3', origClOrdId: 'never-sent' });
    sim.submit(order({ clOrdId: 'F1', side: 'BUY', quantity: 5 }));
    sim.submit(order({ memberId: 'M2', side: 'SELL', quantity: 5 }));
    sim.cancel({ memberId: 'M1', clOrdId: 'F2', origClOrdId: 'F1' });
    await delivered();
    expect(m1.map((m) => (m.kind === 'execution' ? [m.clOrdId, m.execType, m.orderStatus] : [m.clOrdId, m.responseTo, m.reasonCode]))).toEqual([
      ['K1', 'NEW', 'NEW'],
      ['K2', 'CANCELED', 'CANCELED'],
      ['K3', 'CANCEL', 'UNKNOWN_ORDER'],
      ['F1', 'NEW', 'NEW'],
      ['F1', 'FILL', 'FILLED'],
      ['F2', 'CANCEL', 'TOO_LATE'],
    ]);
    expect(m1[1]).toMatchObject({ origClOrdId: 'K1', leavesQuantity: 0, reasonCode: 'USER' });
    expect(m1[5]).toMatchObject({ orderStatus: 'FILLED', exchangeOrderId: expect.stringMatching(/^NSE-/) });
  });

  it('refuses a ClOrdID the member already used, without touching the original order', async () => {
    const { sim, m1, m2 } = started();
    sim.submit(order({ clOrdId: 'D1', side: 'BUY' }));
    sim.submit(order({ clOrdId: 'D1', side: 'SELL', price: 126_000 }));
    sim.submit(order({ memberId: 'M2', clOrdId: 'D1', side: 'BUY' })); // ids are per member
    sim.replace({ memberId: 'M1', clOrdId: 'D1', origClOrdId: 'D1', quantity: 5 });
    await delivered();
    expect(m1.map((m) => [m.kind, m.clOrdId, m.reasonCode])).toEqual([
      ['execution', 'D1', undefined],
      ['execution', 'D1', 'DUPLICATE_CLORDID'],
      ['cancel_reject', 'D1', 'DUPLICATE_CLORDID'],
    ]);
    expect(reports(m2).map((r) => r.execType)).toEqual(['NEW']);
    expect(sim.status('M1', 'D1')).toMatchObject({ side: 'BUY', orderStatus: 'NEW', quantity: 10 });
  });

  it('cancels the unfilled part of an IOC order', async () => {
    const { sim, m1 } = started();
    sim.submit(order({ memberId: 'M2', side: 'SELL', quantity: 4 }));
    sim.submit(order({ clOrdId: 'I1', side: 'BUY', validity: 'IOC', quantity: 10 }));
    await delivered();
    expect(reports(m1).map(brief)).toEqual([
      { execType: 'NEW', orderStatus: 'NEW', clOrdId: 'I1', cumQuantity: 0, leavesQuantity: 10, averagePrice: 0 },
      { execType: 'PARTIAL_FILL', orderStatus: 'PARTIALLY_FILLED', clOrdId: 'I1', cumQuantity: 4, leavesQuantity: 6, averagePrice: 115_000, lastQuantity: 4, lastPrice: 115_000 },
      { execType: 'CANCELED', orderStatus: 'CANCELED', clOrdId: 'I1', cumQuantity: 4, leavesQuantity: 0, averagePrice: 115_000 },
    ]);
    expect(reports(m1)[2]).toMatchObject({ reasonCode: 'IOC_REMAINDER' });
  });

  it('prevents self-trades per member and client account, not across members or accounts', async () => {
    const { sim, m1, m2 } = started();
    sim.submit(order({ clOrdId: 'SA', clientAccount: 'A', side: 'SELL', quantity: 30 }));
    sim.submit(order({ clOrdId: 'BA', clientAccount: 'A', side: 'BUY', quantity: 5 }));
    sim.submit(order({ clOrdId: 'BB', clientAccount: 'B', side: 'BUY', quantity: 5 }));
    sim.submit(order({ memberId: 'M2', clOrdId: 'MA', clientAccount: 'A', side: 'BUY', quantity: 5 }));
    await delivered();
    const last = (id: string) => reports(m1).filter((r) => r.clOrdId === id).at(-1);
    expect(last('BA')).toMatchObject({ execType: 'CANCELED', reasonCode: 'SELF_TRADE', cumQuantity: 0 });
    expect(last('BB')).toMatchObject({ execType: 'FILL' });
    expect(reports(m2).at(-1)).toMatchObject({ clOrdId: 'MA', execType: 'FILL' });
    expect(last('SA')).toMatchObject({ cumQuantity: 10, leavesQuantity: 20 });
  });

  it('delivers reports only to their own member, and nothing for synthetic liquidity', async () => {
    const { sim, m1, m2 } = started();
    const agents = inbox(sim, '__LIQUIDITY__');
    sim.submit(order({ clOrdId: 'P1', side: 'BUY', quantity: 10 }));
    const mm = sim.clientIdOf('__LIQUIDITY__', 'MARKET_MAKER');
    expect(sim.placeAgentOrder(ACME.instrumentToken, mm, false, 4, 115_000, false)).toBe(0); // filled at once
    sim.submit(order({ memberId: 'M2', clOrdId: 'P2', side: 'SELL', quantity: 20, price: 115_100 }));
    sim.submit(order({ memberId: '__LIQUIDITY__', side: 'SELL' }));
    await delivered();
    expect(reports(m1).map((r) => [r.clOrdId, r.execType, r.lastQuantity])).toEqual([
      ['P1', 'NEW', undefined],
      ['P1', 'PARTIAL_FILL', 4],
    ]);
    expect(reports(m2).map((r) => [r.clOrdId, r.execType])).toEqual([['P2', 'NEW']]);
    expect(agents).toEqual([]); // the reserved member id cannot be used by anyone
  });

  it('rejects everything until started', async () => {
    const { sim } = simulator();
    const m1 = inbox(sim, 'M1');
    expect(sim.ready).toBe(false);
    sim.submit(order({ side: 'BUY' }));
    await delivered();
    expect(reports(m1)[0]).toMatchObject({ execType: 'REJECTED', reasonCode: 'VENUE_NOT_READY' });
    sim.start();
    expect(sim.ready).toBe(true);
  });

  it('reports SL orders as TRIGGERED when the last price crosses the trigger', async () => {
    const { sim, m1 } = started();
    sim.submit(order({ clOrdId: 'SL1', side: 'BUY', orderType: 'SL', price: 115_100, triggerPrice: 115_050, quantity: 5 }));
    sim.submit(order({ memberId: 'M2', side: 'SELL', quantity: 10, price: 115_050 }));
    sim.submit(order({ memberId: 'M3', side: 'BUY', quantity: 1, price: 115_050 })); // prints 1150.50
    await delivered();
    expect(reports(m1).map((r) => [r.execType, r.orderStatus, r.cumQuantity])).toEqual([
      ['NEW', 'NEW', 0],
      ['TRIGGERED', 'NEW', 0],
      ['FILL', 'FILLED', 5],
    ]);
  });
});
