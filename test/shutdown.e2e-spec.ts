import { connect } from 'node:net';
import { DataSource } from 'typeorm';
import { ManualClock } from '../src/common/clock/clock';
import { productionTestConfig, startTestApp } from './support/test-app';

/** Graceful shutdown: stop accepting, finish what is in flight, then close the database and Redis. */
describe('Graceful shutdown', () => {
  it('drains an in-flight request, then refuses new ones and closes its resources', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const handling = new Promise<void>((r) => (entered = r));
    const t = await startTestApp(productionTestConfig(), new ManualClock(Date.now()), (app) => {
      app
        .getHttpAdapter()
        .getInstance()
        .get('/test/slow', async () => {
          entered();
          await gate;
          return { done: true };
        });
    });

    const dataSource = t.app.get(DataSource);
    const inFlight = fetch(`${t.url}/test/slow`);
    await handling;
    const closing = t.close();
    // New connections are refused while the in-flight request is still being handled.
    const { port } = new URL(t.url);
    await refusesConnections(Number(port), 10_000);
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

/** Resolves once a TCP connect to the port is refused; fails after the deadline. */
async function refusesConnections(port: number, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(true));
    });
    if (refused) return;
    if (Date.now() > deadline) throw new Error(`port ${port} still accepts connections ${withinMs} ms after close() began`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
