import { assignExchangeTokens, instrumentTokenOf } from './instrument-token';

describe('instrumentTokenOf', () => {
  it("packs the exchange token and Kite's segment id", () => {
    expect(instrumentTokenOf(1594, 'NSE')).toBe(408_065); // Kite's NSE:INFY
    expect(instrumentTokenOf(500_209, 'BSE')).toBe(128_053_508); // Kite's BSE:INFY
  });

  it('refuses tokens that would overflow an integer column', () => {
    expect(() => instrumentTokenOf(9_000_000, 'BSE')).toThrow(RangeError);
    expect(() => instrumentTokenOf(0, 'NSE')).toThrow(RangeError);
  });
});

describe('assignExchangeTokens', () => {
  it('numbers a fresh list from the exchange base in symbol order', () => {
    expect([...assignExchangeTokens('NSE', ['A', 'B', 'C'], new Map())]).toEqual([['A', 1], ['B', 2], ['C', 3]]);
    expect([...assignExchangeTokens('BSE', ['A', 'B'], new Map())]).toEqual([['A', 500_001], ['B', 500_002]]);
  });

  it('keeps known tokens and gives new symbols numbers after the highest', () => {
    const existing = new Map([['A', 1], ['C', 2], ['GONE', 3]]);
    expect([...assignExchangeTokens('NSE', ['A', 'B', 'C', 'D'], existing)]).toEqual([['A', 1], ['B', 4], ['C', 2], ['D', 5]]);
  });
});
