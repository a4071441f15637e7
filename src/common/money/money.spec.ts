import Big from 'big.js';
import fc from 'fast-check';
import { paiseToRupees, ratioOf, Rounding, rupeesToPaise } from './money';

describe('money', () => {
  it.each([
    ['1234.5', 123450],
    ['0.05', 5],
    ['10', 1000],
    [1499.95, 149995],
    ['-2.10', -210],
  ])('parses %p rupees as %p paise exactly', (input, paise) => {
    expect(rupeesToPaise(input)).toBe(paise);
  });

  it.each(['1.234', 'abc', '', '1e5', 'NaN', '12,50', ' 1..2'])('rejects %p with an input error', (input) => {
    expect(() => rupeesToPaise(input, 'price')).toThrow(/price must be a rupee amount/);
  });

  it('rejects non-finite numbers', () => {
    expect(() => rupeesToPaise(Number.POSITIVE_INFINITY)).toThrow();
  });

  it('converts paise back to rupees without float residue', () => {
    expect(paiseToRupees(123455)).toBe(1234.55);
    expect(paiseToRupees(1)).toBe(0.01);
    expect(paiseToRupees(-30)).toBe(-0.3);
    expect(paiseToRupees(30)).toBe(0.3);
  });

  it('gives the same number as exact decimal arithmetic for every safe integer', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (paise) => {
        expect(paiseToRupees(paise)).toBe(Number(new Big(paise).div(100).toFixed(2)));
      }),
      { numRuns: 20_000 },
    );
  });

  it('prints amounts up to ₹10 trillion as their exact 2-place decimal (they parse back to the same paise)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(1e15 - 1), max: 1e15 - 1 }), (paise) => {
        expect(rupeesToPaise(String(paiseToRupees(paise)))).toBe(paise);
      }),
      { numRuns: 20_000 },
    );
  });

  it('rounds fractional paise (a bug upstream) to 2 places rather than failing the response', () => {
    expect(paiseToRupees(1.5)).toBe(0.02);
    expect(paiseToRupees(-1234.4)).toBe(-12.34);
  });

  it('rounds ratios as instructed', () => {
    // 20% margin on ₹100.01: 2000.2 paise → up 2001, down 2000, half-even 2000.
    expect(ratioOf(10001, 20, 100, Rounding.Up)).toBe(2001);
    expect(ratioOf(10001, 20, 100, Rounding.Down)).toBe(2000);
    expect(ratioOf(10001, 20, 100, Rounding.HalfEven)).toBe(2000);
    // Average of 3 fills worth 1000 paise: 333.33 → half-even 333; 2.5 → half-even 2, half-up 3.
    expect(ratioOf(1000, 1, 3, Rounding.HalfEven)).toBe(333);
    expect(ratioOf(5, 1, 2, Rounding.HalfEven)).toBe(2);
    expect(ratioOf(5, 1, 2, Rounding.HalfUp)).toBe(3);
  });
});
