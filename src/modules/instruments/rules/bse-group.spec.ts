import { bseGroupFor } from './bse-group';

describe('bseGroupFor', () => {
  it.each([
    ['EQ', true, 'A'],
    ['EQ', false, 'B'],
    ['BE', false, 'T'],
    ['BZ', false, 'Z'],
  ] as const)('NSE %s (NIFTY 50: %p) → group %s', (series, nifty, group) => {
    expect(bseGroupFor(series, nifty)).toBe(group);
  });
});
