import { DataSource } from 'typeorm';
import { ManualClock } from '../src/common/clock/clock';
import { productionTestConfig, startTestApp } from './support/test-app';

/** Graceful shutdown: stop accepting, finish what is in flight, then close the database and Redis. */
describe('Graceful shutdown', () => {
  it('drains an in-flight request, then refuses new ones and closes its resources', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const t = await startTestApp(productionTestConfig(), new ManualClock(Date.now()), (app) => {
      app
        .getHttpAdapter()
        .getInstance()
        .get('/test/slow', async () => {
          await gate;
          return { done: true };
        });
    });

    const dataSource = t.app.get(DataSource);
    const inFlight = fetch(`${t.url}/test/slow`);
    await new Promise((r) => setTimeout(r, 100)); // the request is now being handled
    const closing = t.close();
    await new Promise((r) => setTimeout(r, 100));
    // New connections are refused while the in-flight request finishes.
    await expect(fetch(`${t.url}/health/live`)).rejects.toThrow();
    release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    // Closing completes promptly once the in-flight response is out (no keep-alive socket holds it).
    const started = Date.now();
    await closing;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(dataSource.isInitialized).toBe(false);
  });
});
