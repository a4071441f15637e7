import { circuitBandFor, circuitLimits } from './circuit';

describe('circuitBandFor', () => {
  it.each([
    [{ series: 'BZ', prevClose: 500_00, priceIsSynthetic: false }, 2],
    [{ series: 'BE', prevClose: 500_00, priceIsSynthetic: false }, 5],
    [{ series: 'BE', prevClose: 5_00, priceIsSynthetic: true }, 5],
    [{ series: 'EQ', prevClose: 19_99, priceIsSynthetic: false }, 10],
    [{ series: 'EQ', prevClose: 20_00, priceIsSynthetic: false }, 20],
    [{ series: 'EQ', prevClose: 500_00, priceIsSynthetic: true }, 10],
    [{ series: 'EQ', prevClose: 1121_00, priceIsSynthetic: false }, 20],
  ] as const)('%o → %p%', (inputs, band) => {
    expect(circuitBandFor(inputs)).toBe(band);
  });
});

describe('circuitLimits', () => {
  it('keeps exact band edges that already sit on the tick (INFY ₹1,121, 20%, tick 0.10)', () => {
    expect(circuitLimits(1121_00, 20, 10)).toEqual({ lowerCircuit: 896_80, upperCircuit: 1345_20 });
  });

  it('rounds inwards: the lower edge up, the upper edge down', () => {
    // ₹1,203.03 ± 20% = 962.424 … 1443.636 → 962.50 … 1443.60 on a 0.10 grid.
    expect(circuitLimits(1203_03, 20, 10)).toEqual({ lowerCircuit: 962_50, upperCircuit: 1443_60 });
    // ₹204.19 ± 5% = 193.9805 … 214.3995 → 193.99 … 214.39 on a 0.01 grid.
    expect(circuitLimits(204_19, 5, 1)).toEqual({ lowerCircuit: 193_99, upperCircuit: 214_39 });
  });

  it('works in integers for large prices (MRF ₹1,32,665, tick 5.00)', () => {
    expect(circuitLimits(132665_00, 20, 500)).toEqual({ lowerCircuit: 106135_00, upperCircuit: 159195_00 });
  });

  it('leaves at least one tick either side when the band is narrower than a tick', () => {
    // ₹0.18, 2%: 0.1764 … 0.1836 has no tick inside but 0.18 itself.
    expect(circuitLimits(18, 2, 1)).toEqual({ lowerCircuit: 17, upperCircuit: 19 });
    expect(circuitLimits(1, 10, 1)).toEqual({ lowerCircuit: 1, upperCircuit: 2 });
  });

  it('puts both limits on the tick grid and around the previous close', () => {
    for (const [prev, band, tick] of [[250_03, 2, 5], [999_99, 20, 5], [7_777_77, 10, 50], [25_012_34, 5, 500]] as const) {
      const { lowerCircuit, upperCircuit } = circuitLimits(prev, band, tick);
      expect(lowerCircuit % tick).toBe(0);
      expect(upperCircuit % tick).toBe(0);
      expect(lowerCircuit).toBeLessThan(prev);
      expect(upperCircuit).toBeGreaterThan(prev);
      expect(lowerCircuit).toBeGreaterThanOrEqual(Math.ceil((prev * (100 - band)) / 100));
      expect(upperCircuit).toBeLessThanOrEqual(Math.floor((prev * (100 + band)) / 100));
    }
  });
});
