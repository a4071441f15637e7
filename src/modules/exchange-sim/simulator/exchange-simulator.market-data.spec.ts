import type { QuoteSnapshot } from '../venue.types';
import { formatRupees, divideHalfEven } from './arithmetic';
import { referencePriceOf } from './sim-instrument';
import { ACME, BETA, GAMMA, SUSPENDED, delivered, inbox, order, reports, simulator, stopSimulators } from './testing/sim-fixtures';

afterEach(stopSimulators);

const zero = { price: 0, quantity: 0, orders: 0 };

function running(quoteIntervalMs?: number) {
  const { sim, clock } = simulator(quoteIntervalMs === undefined ? {} : { quoteIntervalMs });
  sim.setSession('CONTINUOUS');
  sim.start();
  const batches: QuoteSnapshot[][] = [];
  sim.onQuotes((batch) => batches.push(batch));
  return { sim, clock, batches };
}

describe('ExchangeSimulator: market data', () => {
  it('batches only the instruments that changed, with OHLC, volume and average price', () => {
    const { sim, clock, batches } = running();
    expect(sim.flushQuotes()).toEqual([]);
    sim.submit(order({ memberId: 'M2', side: 'SELL', quantity: 10, price: 115_000 }));
    sim.submit(order({ memberId: 'M2', side: 'SELL', quantity: 5, price: 115_100 }));
    clock.advance(1_000);
    sim.submit(order({ side: 'BUY', quantity: 12, price: 115_100 }));
    sim.flushQuotes();
    expect(batches).toHaveLength(1);
    // (10 × 1150.00 + 2 × 1151.00) / 12 = 1150.1666… → 115017 paise.
    expect(batches[0]).toEqual([
      {
        instrumentToken: ACME.instrumentToken,
        timestamp: clock.now(),
        lastTradeTime: clock.now(),
        lastPrice: 115_100,
        lastQuantity: 2,
        volume: 12,
        averagePrice: 115_017,
        open: 115_000,
        high: 115_100,
        low: 115_000,
        close: 115_000,
        lowerCircuit: 105_000,
        upperCircuit: 126_000,
        totalBuyQuantity: 0,
        totalSellQuantity: 3,
        bids: [zero, zero, zero, zero, zero],
        asks: [{ price: 115_100, quantity: 3, orders: 1 }, zero, zero, zero, zero],
      },
    ]);
    expect(sim.flushQuotes()).toEqual([]); // nothing new
    sim.submit(order({ instrumentToken: BETA.instrumentToken, side: 'BUY', quantity: 7, price: 4_200 }));
    sim.submit(order({ instrumentToken: BETA.instrumentToken, side: 'BUY', quantity: 3, price: 4_200, clientAccount: 'B' }));
    const [beta] = sim.flushQuotes();
    expect(sim.flushQuotes()).toEqual([]);
    expect(batches).toHaveLength(2);
    expect(batches[1]).toHaveLength(1);
    expect(beta).toMatchObject({ instrumentToken: BETA.instrumentToken, lastPrice: 4_250, volume: 0, open: 0, totalBuyQuantity: 10 });
    expect(beta.bids[0]).toEqual({ price: 4_200, quantity: 10, orders: 2 });
  });

  it('keeps the total buy and sell quantity exact through fills, replaces, cancels and untriggered stops', async () => {
    const { sim } = running();
    const m1 = inbox(sim, 'M1');
    sim.submit(order({ clOrdId: 'T1', side: 'BUY', quantity: 40, price: 114_000 }));
    sim.submit(order({ clOrdId: 'T2', side: 'SELL', quantity: 25, price: 116_000, disclosedQuantity: 5 }));
    sim.submit(order({ clOrdId: 'T3', side: 'BUY', orderType: 'SL', quantity: 9, price: 117_000, triggerPrice: 116_500 }));
    expect(sim.snapshot(ACME.instrumentToken)).toMatchObject({ totalBuyQuantity: 40, totalSellQuantity: 25 });
    expect(sim.snapshot(ACME.instrumentToken)?.asks[0]).toEqual({ price: 116_000, quantity: 5, orders: 1 });
    sim.replace({ memberId: 'M1', clOrdId: 'T1b', origClOrdId: 'T1', quantity: 30 });
    sim.submit(order({ memberId: 'M2', side: 'SELL', quantity: 12, price: 114_000 }));
    sim.cancel({ memberId: 'M1', clOrdId: 'T2b', origClOrdId: 'T2' });
    expect(sim.snapshot(ACME.instrumentToken)).toMatchObject({ totalBuyQuantity: 18, totalSellQuantity: 0, volume: 12 });
    await delivered();
    expect(reports(m1).map((r) => r.execType)).toEqual(['NEW', 'NEW', 'NEW', 'REPLACED', 'PARTIAL_FILL', 'CANCELED']);
  });

  it('flushes on its timer, and answers snapshots for every tradable instrument', async () => {
    const { sim, batches } = running(10);
    sim.submit(order({ instrumentToken: GAMMA.instrumentToken, side: 'SELL', price: 240_010 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(batches.flat().map((q) => q.instrumentToken)).toEqual([GAMMA.instrumentToken]);
    const tokens = sim.snapshots().map((q) => q.instrumentToken);
    expect(tokens.sort()).toEqual([ACME, BETA, GAMMA, SUSPENDED].map((i) => i.instrumentToken).sort()); // not the delisted one
    expect(sim.snapshot(5001)).toBeUndefined();
    expect(sim.snapshot(GAMMA.instrumentToken)).toMatchObject({ close: 240_005, lastPrice: 240_005, asks: [{ price: 240_010, quantity: 10, orders: 1 }, zero, zero, zero, zero] });
  });

  it('puts an off-tick official close on the nearest tick inside the band for the engine', async () => {
    expect(referencePriceOf(GAMMA)).toBe(240_010); // ₹2,400.05 on a ₹0.10 grid: the tie rounds up
    expect(referencePriceOf({ ...GAMMA, prevClose: 240_004 })).toBe(240_000);
    expect(referencePriceOf({ ...GAMMA, prevClose: 192_003 })).toBe(192_010); // clamped into the band
    const { sim } = running();
    const m1 = inbox(sim, 'M1');
    sim.submit(order({ instrumentToken: SUSPENDED.instrumentToken, side: 'BUY' }));
    await delivered();
    expect(reports(m1)[0]).toMatchObject({ reasonCode: 'INSTRUMENT_SUSPENDED', text: 'NSE:SLEEPY is suspended from trading' });
  });

  it('starts a new trading day: statistics restart, closed orders and their ClOrdIDs are forgotten', async () => {
    const { sim } = running();
    sim.submit(order({ clOrdId: 'OLD', side: 'BUY', quantity: 5 }));
    sim.submit(order({ memberId: 'M2', side: 'SELL', quantity: 5 }));
    sim.submit(order({ clOrdId: 'WORKING', side: 'BUY', quantity: 5, price: 114_000 }));
    sim.flushQuotes();
    sim.startTradingDay('2026-11-27');
    expect(sim.status('M1', 'OLD')).toBeNull();
    expect(sim.status('M1', 'WORKING')).toMatchObject({ orderStatus: 'NEW' });
    const batch = sim.flushQuotes();
    expect(batch).toHaveLength(4);
    expect(batch.find((q) => q.instrumentToken === ACME.instrumentToken)).toMatchObject({ lastPrice: 115_000, volume: 0, open: 0, high: 0, low: 0, averagePrice: 0, totalBuyQuantity: 5 });
  });
});

describe('arithmetic', () => {
  it.each([
    [5, 2, 2],
    [7, 2, 4],
    [-5, 2, -2],
    [230_005, 2, 115_002],
    [1, 3, 0],
    [2, 3, 1],
    [9_007_199_254_740_991, 10, 900_719_925_474_099],
    [90_071_992_547_409_960, 20, 4_503_599_627_370_498], // past 2^53: big.js
  ])('%d / %d rounds half-even to %d', (n, d, q) => expect(divideHalfEven(n, d)).toBe(q));

  it('formats paise as rupees with Indian grouping', () => {
    expect([formatRupees(105_000), formatRupees(123_456_789), formatRupees(5), formatRupees(-1_00)]).toEqual(['1,050.00', '12,34,567.89', '0.05', '-1.00']);
  });
});
