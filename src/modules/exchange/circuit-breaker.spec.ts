import { BreakerOpenError, CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  let now = 0;
  const breaker = () => new CircuitBreaker({ failureThreshold: 3, openMs: 1000, now: () => now });
  const fail = () => Promise.reject(new Error('timeout'));
  const ok = () => Promise.resolve('ok');

  beforeEach(() => (now = 0));

  it('opens after N consecutive failures and then fails fast', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) await expect(b.run(fail)).rejects.toThrow('timeout');
    expect(b.state).toBe('open');
    await expect(b.run(ok)).rejects.toBeInstanceOf(BreakerOpenError);
  });

  it('a success resets the count', async () => {
    const b = breaker();
    await expect(b.run(fail)).rejects.toThrow();
    await expect(b.run(fail)).rejects.toThrow();
    await b.run(ok);
    await expect(b.run(fail)).rejects.toThrow();
    expect(b.state).toBe('closed');
  });

  it('half-opens after the open period: one probe; success closes, failure reopens', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) await expect(b.run(fail)).rejects.toThrow();
    now = 1000;
    expect(b.state).toBe('half-open');
    let release!: () => void;
    const probe = b.run(() => new Promise<string>((r) => (release = () => r('ok'))));
    expect(b.allows()).toBe(false); // only one probe at a time
    release();
    await probe;
    expect(b.state).toBe('closed');
    for (let i = 0; i < 3; i++) await expect(b.run(fail)).rejects.toThrow();
    now = 2000;
    await expect(b.run(fail)).rejects.toThrow('timeout');
    expect(b.state).toBe('open');
  });
});
