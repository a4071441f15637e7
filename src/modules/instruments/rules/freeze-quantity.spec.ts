import { FREEZE_QTY_CAP, freezeQuantityFor } from './freeze-quantity';

describe('freezeQuantityFor', () => {
  it('keeps one order within ₹10 crore at the upper circuit', () => {
    expect(freezeQuantityFor(1345_20, 1)).toBe(74_338); // INFY: 10 cr / 1,345.20
    expect(freezeQuantityFor(159195_00, 1)).toBe(628); // MRF
  });

  it('caps penny stocks at ten lakh shares', () => {
    expect(freezeQuantityFor(20, 1)).toBe(FREEZE_QTY_CAP);
  });

  it('rounds down to a whole lot and never goes below one lot', () => {
    expect(freezeQuantityFor(3_00_000_00, 50)).toBe(300); // ₹3 lakh a share: 333 shares → 6 lots
    expect(freezeQuantityFor(2_00_00_000_00, 50)).toBe(50); // ₹2 crore a share: 0 by value → one lot
  });
});
