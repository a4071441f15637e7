import { syntheticPrevClose } from './synthetic-price';
import { isTickMultiple, tickSizeFor } from './tick-size';

describe('syntheticPrevClose', () => {
  it('is a pure function of the ISIN', () => {
    expect(syntheticPrevClose('INE691Z01015')).toBe(syntheticPrevClose('INE691Z01015'));
    // Pinned, so a change to the derivation is a deliberate, visible one (it re-prices the master
    // and needs MASTER_RULES_VERSION bumped).
    expect(syntheticPrevClose('INE000A00001')).toBe(105_32);
    expect(syntheticPrevClose('INE000A00002')).toBe(177_90);
  });

  it('stays within ₹10–₹2,000 and on its tick for many ISINs', () => {
    const prices = Array.from({ length: 2000 }, (_, i) => syntheticPrevClose(`INE${String(i).padStart(6, '0')}A01`));
    for (const price of prices) {
      expect(price).toBeGreaterThanOrEqual(10_00);
      expect(price).toBeLessThanOrEqual(2_000_00);
      expect(isTickMultiple(price, tickSizeFor(price))).toBe(true);
    }
    // Spread out, not collapsed onto a few values.
    expect(new Set(prices).size).toBeGreaterThan(1900);
    expect(prices.filter((p) => p < 200_00).length).toBeGreaterThan(800);
    expect(prices.filter((p) => p >= 1_000_00).length).toBeGreaterThan(150);
  });
});
