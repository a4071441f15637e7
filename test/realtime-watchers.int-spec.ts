import { createAdapter, RedisAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { Server } from 'socket.io';
import type { AppServer } from '../src/modules/realtime/gateway/socket-types';
import { WatchRegistry } from '../src/modules/realtime/watch-registry';
import { eventually, sleep } from './support/realtime';
import { TEST_REDIS_URL } from './support/services';

/** Replicas reduced to what WatchRegistry uses: a socket.io server with the Redis adapter, on real Redis. */
describe('WatchRegistry: which users hold connections on other replicas (real Redis adapter)', () => {
  const key = `watchers-test:${randomBytes(4).toString('hex')}:socket.io`;
  const replicas: { server: AppServer; registry: WatchRegistry; clients: Redis[] }[] = [];

  function replica() {
    const pub = new Redis(TEST_REDIS_URL);
    const sub = new Redis(TEST_REDIS_URL);
    const server: AppServer = new Server();
    server.adapter(createAdapter(pub, sub, { key, requestsTimeout: 1_000 }));
    const registry = new WatchRegistry();
    registry.attach(server);
    replicas.push({ server, registry, clients: [pub, sub] });
    return { server, registry, sub };
  }

  async function twoSynced() {
    const pair = [replica(), replica()] as const;
    await eventually(() => expect(pair.every((r) => r.registry.synced)).toBe(true));
    return pair;
  }

  afterEach(async () => {
    for (const r of replicas.splice(0)) {
      r.registry.detach();
      await r.server.of('/').adapter.close(); // the server never listened: only its adapter has anything open
      r.clients.forEach((c) => c.disconnect());
    }
  });

  it('alone, it is sure at once that no one elsewhere watches anyone', async () => {
    const { registry } = replica();
    await eventually(() => expect(registry.synced).toBe(true));
    expect(registry.watchedElsewhere('u1')).toBe(false);
  });

  it("a connection's acquire returns only once the other replica knows; its release is heard too", async () => {
    const [a, b] = await twoSynced();
    expect(a.registry.watchedElsewhere('u1')).toBe(false);

    const release = await b.registry.acquire('u1');
    expect(a.registry.watchedElsewhere('u1')).toBe(true); // no waiting: the acknowledgement came from A
    expect(a.registry.watchedElsewhere('u2')).toBe(false);
    expect(b.registry.watchedElsewhere('u1')).toBe(false); // B's own connection is B's to deliver to

    const second = await b.registry.acquire('u1');
    release();
    release(); // twice is once
    await sleep(100);
    expect(a.registry.watchedElsewhere('u1')).toBe(true); // the second connection is still open
    second();
    await eventually(() => expect(a.registry.watchedElsewhere('u1')).toBe(false));
  });

  it('a replica that starts later learns what the others hold before it stops sending everything', async () => {
    const a = replica();
    await eventually(() => expect(a.registry.synced).toBe(true));
    await a.registry.acquire('u1');

    const c = replica();
    expect(c.registry.synced).toBe(false);
    expect(c.registry.watchedElsewhere('anyone')).toBe(true); // unsure: everything goes across
    await eventually(() => expect(c.registry.synced).toBe(true));
    expect(c.registry.watchedElsewhere('u1')).toBe(true);
    expect(c.registry.watchedElsewhere('anyone')).toBe(false);
  });

  it('forgets a replica that says goodbye, which then advertises no one', async () => {
    const [a, b] = await twoSynced();
    await b.registry.acquire('u1');
    expect(a.registry.watchedElsewhere('u1')).toBe(true);
    b.registry.detach();
    await eventually(() => expect(a.registry.watchedElsewhere('u1')).toBe(false));
    // Still subscribed while it shuts down, B answers a newcomer's hello, but with nobody.
    const c = replica();
    await eventually(() => expect(c.registry.synced).toBe(true));
    expect(c.registry.watchedElsewhere('u1')).toBe(false);
  });

  it('when its Redis subscription drops, it sends everything until it has asked the others again', async () => {
    const [a, b] = await twoSynced();
    await b.registry.acquire('u1');

    a.sub.disconnect(true); // ioredis reconnects by itself
    await eventually(() => expect(a.registry.synced).toBe(false), 1000, 1);
    expect(a.registry.watchedElsewhere('u2')).toBe(true);
    await eventually(() => expect(a.registry.synced).toBe(true));
    expect(a.registry.watchedElsewhere('u1')).toBe(true);
    expect(a.registry.watchedElsewhere('u2')).toBe(false);
    expect((a.server.of('/').adapter as RedisAdapter).subClient.status).toBe('ready');
  });
});
