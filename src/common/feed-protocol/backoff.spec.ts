import { backoffDelay } from './backoff';

const opts = { minMs: 100, maxMs: 5000 };

describe('backoffDelay', () => {
  it('doubles from 100 ms to a 5 s ceiling (jitter at its midpoint)', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20, 5000].map((a) => backoffDelay(a, opts, mid))).toEqual([
      100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000,
    ]);
  });

  it('jitters within ±25% but never below the floor or above the ceiling', () => {
    expect(backoffDelay(0, opts, () => 0)).toBe(100);
    expect(backoffDelay(0, opts, () => 0.999)).toBe(125);
    expect(backoffDelay(3, opts, () => 0)).toBe(600);
    expect(backoffDelay(3, opts, () => 0.999)).toBe(1000);
    expect(backoffDelay(10, opts, () => 0)).toBe(3750);
    expect(backoffDelay(10, opts, () => 0.999)).toBe(5000);
  });
});
