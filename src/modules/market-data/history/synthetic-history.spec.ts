import { syntheticDailyHistory } from './synthetic-history';

const sessions = Array.from({ length: 247 }, (_, i) => new Date(Date.UTC(2025, 7, 22 + i)).toISOString().slice(0, 10));

describe('synthetic daily history', () => {
  const input = { seed: 'INE009A01021', sessions, lastClose: 1_512_30, tickSize: 10 };

  it('is deterministic per seed, and different across seeds', () => {
    expect(syntheticDailyHistory(input)).toEqual(syntheticDailyHistory(input));
    expect(syntheticDailyHistory({ ...input, seed: 'INE002A01018' })).not.toEqual(syntheticDailyHistory(input));
  });

  it('ends exactly at the reference close on the last session, one bar per session', () => {
    const bars = syntheticDailyHistory(input);
    expect(bars).toHaveLength(247);
    expect(bars[246]).toMatchObject({ date: sessions[246], close: 1_512_30 });
    expect(bars.map((b) => b.date)).toEqual(sessions);
  });

  it('keeps every bar consistent, on the tick grid, with positive volume and bounded prices', () => {
    for (const b of syntheticDailyHistory(input)) {
      expect(b.low).toBeGreaterThan(0);
      expect(b.low).toBeLessThanOrEqual(Math.min(b.open, b.close));
      expect(b.high).toBeGreaterThanOrEqual(Math.max(b.open, b.close));
      for (const p of [b.open, b.high, b.low, b.close]) expect(p % 10).toBe(0);
      expect(b.volume).toBeGreaterThan(0);
      expect(b.close).toBeGreaterThanOrEqual(1_512_30 / 4 - 10);
      expect(b.close).toBeLessThanOrEqual(1_512_30 * 4 + 10);
    }
  });
});
