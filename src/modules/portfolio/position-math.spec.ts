import { applyFill, EMPTY_POSITION, PositionState, unrealisedPnl } from './position-math';

/** Applies fills in order; prices in paise. */
function run(fills: [side: 'BUY' | 'SELL', qty: number, price: number][]): { p: PositionState; realised: number[] } {
  let p = EMPTY_POSITION;
  const realised: number[] = [];
  for (const [side, qty, price] of fills) {
    const out = applyFill(p, side, qty, price);
    p = out.position;
    realised.push(out.realised);
  }
  return { p, realised };
}

describe('position math (worked examples)', () => {
  it('averages partial buys by weight, half-even', () => {
    // 10 @ ₹100.00, 5 @ ₹101.00, 6 @ ₹100.55 → (100000 + 50500 + 60330) / 21 = 210830 / 21 = 10039.52… → 10040 paise.
    const { p } = run([
      ['BUY', 10, 10000],
      ['BUY', 5, 10100],
      ['BUY', 6, 10055],
    ]);
    expect(p).toMatchObject({ netQuantity: 21, averagePrice: 10040, buyQuantity: 21, buyValue: 210830, realisedPnl: 0 });
  });

  it('realises P&L on partial exits against the average, which does not move', () => {
    // Long 10 @ ₹200.00; sell 4 @ ₹210.50 → +4 × ₹10.50 = ₹42.00; sell 6 @ ₹195.00 → −6 × ₹5.00 = −₹30.00.
    const { p, realised } = run([
      ['BUY', 10, 20000],
      ['SELL', 4, 21050],
      ['SELL', 6, 19500],
    ]);
    expect(realised).toEqual([0, 4200, -3000]);
    expect(p).toMatchObject({ netQuantity: 0, averagePrice: 0, realisedPnl: 1200, sellQuantity: 10, sellValue: 201200 });
  });

  it('flips long to short: closes the long, opens the rest at the fill price', () => {
    // Long 5 @ ₹100; sell 8 @ ₹110 → realise 5 × ₹10 = ₹50, then short 3 @ ₹110; buy 3 @ ₹104 → +3 × ₹6 = ₹18.
    const { p, realised } = run([
      ['BUY', 5, 10000],
      ['SELL', 8, 11000],
      ['BUY', 3, 10400],
    ]);
    expect(realised).toEqual([0, 5000, 1800]);
    expect(p).toMatchObject({ netQuantity: 0, realisedPnl: 6800 });
    const mid = run([
      ['BUY', 5, 10000],
      ['SELL', 8, 11000],
    ]).p;
    expect(mid).toMatchObject({ netQuantity: -3, averagePrice: 11000 });
  });

  it('handles short-first intraday positions', () => {
    // Short 10 @ ₹50.05, add 10 @ ₹50.15 → avg ₹50.10; cover 20 @ ₹49.00 → 20 × ₹1.10 = ₹22.00.
    const { p, realised } = run([
      ['SELL', 10, 5005],
      ['SELL', 10, 5015],
      ['BUY', 20, 4900],
    ]);
    expect(realised[2]).toBe(2200);
    expect(p.netQuantity).toBe(0);
  });

  it('values the open quantity at the last price', () => {
    expect(unrealisedPnl({ netQuantity: 10, averagePrice: 10000 }, 10250)).toBe(2500);
    expect(unrealisedPnl({ netQuantity: -4, averagePrice: 10000 }, 10250)).toBe(-1000);
  });
});
