import { FlushSchedule } from './flush-schedule';

describe('FlushSchedule', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function schedule(periodMs: number) {
    const at: number[] = [];
    const s = new FlushSchedule(periodMs, () => at.push(Date.now()), () => Date.now());
    s.start();
    return { s, at, t0: Date.now() };
  }

  it('flushes right after the batch that finds it due, and the timer stays out of it while batches arrive', () => {
    const { s, at, t0 } = schedule(200);
    for (let i = 1; i <= 10; i++) {
      jest.advanceTimersByTime(100);
      s.afterBatch();
    }
    s.stop();
    // Every second batch (the 0.8 allowance absorbs a batch arriving a little early).
    expect(at.map((t) => t - t0)).toEqual([200, 400, 600, 800, 1000]);
  });

  it('still flushes on a quiet feed, from its timer, within 1.5 periods', () => {
    const { s, at, t0 } = schedule(200);
    jest.advanceTimersByTime(1000);
    s.stop();
    const offsets = at.map((t) => t - t0);
    expect(offsets.length).toBeGreaterThanOrEqual(3);
    offsets.forEach((t, i) => expect(t - (i ? offsets[i - 1] : 0)).toBeLessThanOrEqual(300));
  });

  it('does not flush after stop', () => {
    const { s, at } = schedule(200);
    s.stop();
    jest.advanceTimersByTime(1000);
    expect(at).toEqual([]);
  });
});
