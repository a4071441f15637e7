import { MessageRate } from './message-rate';

describe('MessageRate', () => {
  it('allows a burst of twice the rate, then the sustained rate', () => {
    const rate = new MessageRate(10, 0);
    const burst = Array.from({ length: 25 }, () => rate.take(0)).filter(Boolean).length;
    expect(burst).toBe(20);
    expect(rate.refusedInARow).toBe(5);
    expect(rate.take(50)).toBe(false); // half a token
    expect(rate.take(100)).toBe(true);
    expect(rate.refusedInARow).toBe(0);
    expect(Array.from({ length: 20 }, (_, i) => rate.take(1100 + i)).filter(Boolean).length).toBe(10);
  });
});
