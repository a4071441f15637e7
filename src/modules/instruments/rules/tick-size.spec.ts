import { isTickMultiple, roundDownToTick, roundUpToTick, tickSizeFor } from './tick-size';

describe('tickSizeFor (NSE price bands, paise)', () => {
  it.each([
    [1, 1],
    [249_99, 1], // ₹249.99
    [250_00, 5], // ₹250.00 opens the 0.05 band
    [999_95, 5],
    [1_000_00, 10],
    [4_999_90, 10],
    [5_000_00, 50],
    [9_999_50, 50],
    [10_000_00, 100],
    [19_999_00, 100],
    [20_000_00, 500],
    [132_665_00, 500], // MRF
  ])('%p paise → tick %p', (price, tick) => {
    expect(tickSizeFor(price)).toBe(tick);
  });

  it.each([0, -5, 1.5, Number.NaN])('refuses %p', (price) => {
    expect(() => tickSizeFor(price)).toThrow(RangeError);
  });
});

describe('isTickMultiple', () => {
  it('accepts prices on the grid and refuses the rest', () => {
    expect(isTickMultiple(112_10, 10)).toBe(true);
    expect(isTickMultiple(112_15, 10)).toBe(false);
    expect(isTickMultiple(250_05, 5)).toBe(true);
    expect(isTickMultiple(250_03, 5)).toBe(false);
    expect(isTickMultiple(100.5, 1)).toBe(false);
    expect(isTickMultiple(100, 0)).toBe(false);
  });
});

describe('rounding to the tick', () => {
  it('rounds down and up to the nearest multiple', () => {
    expect(roundDownToTick(896_83, 10)).toBe(896_80);
    expect(roundUpToTick(896_83, 10)).toBe(896_90);
    expect(roundUpToTick(896_80, 10)).toBe(896_80);
  });
});
