import { MemoryKeyspace, MemoryLock } from '../../../common/redis/memory-adapters';
import type { Lock } from '../../../common/redis/ports';
import { LeaderElection } from './leader-election';

const quiet = { log: () => undefined, warn: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('LeaderElection', () => {
  let keyspace: MemoryKeyspace;
  let lock: Lock;
  const running: LeaderElection[] = [];

  function replica(name: string, log: string[], overrides: Partial<ConstructorParameters<typeof LeaderElection>[0]> = {}) {
    const e = new LeaderElection({
      lock,
      name: 'feed',
      ttlMs: 300,
      logger: quiet,
      onElected: async (lease) => void log.push(`${name} elected ${lease.fencingToken}`),
      onDeposed: async (reason) => void log.push(`${name} deposed: ${reason}`),
      ...overrides,
    });
    running.push(e);
    return e;
  }

  beforeEach(() => {
    keyspace = new MemoryKeyspace();
    lock = new MemoryLock(keyspace);
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((e) => e.stop()));
    keyspace.close();
  });

  it('elects one leader, keeps it while it renews, and hands over when it stops', async () => {
    const log: string[] = [];
    const a = replica('a', log);
    const b = replica('b', log);
    await a.start();
    await b.start();
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    await sleep(700); // more than two lease lengths: a renewed
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    await a.stop();
    await until('b to lead', () => b.isLeader);
    expect(log).toEqual(['a elected 1', 'a deposed: shutting down', 'b elected 2']);
  });

  it('replaces a leader that died without releasing once its lease expires (about one lease length)', async () => {
    const log: string[] = [];
    // A leader whose process froze: its renewals never complete, and it never releases.
    const frozen: Lock = { tryAcquire: async (name, ttl) => ((l) => l && { ...l, extend: () => new Promise<boolean>(() => undefined) })(await lock.tryAcquire(name, ttl)) };
    const a = replica('a', log, { lock: frozen });
    running.pop(); // never stopped: it is "dead"
    const b = replica('b', log);
    await a.start();
    await b.start();
    const t0 = Date.now();
    await until('b to lead', () => b.isLeader);
    expect(Date.now() - t0).toBeLessThan(300 + 200); // ttl + one follower poll (min(1000, ttl / 2))
    expect(log).toEqual(['a elected 1', 'b elected 2']);
  });

  it('steps down when the lease is found taken (e.g. it expired during a stall)', async () => {
    const log: string[] = [];
    const a = replica('a', log);
    await a.start();
    keyspace.delete('lock:feed'); // expired...
    const thief = await lock.tryAcquire('feed', 10_000); // ...and taken by another replica
    expect(thief).not.toBeNull();
    await until('a to step down', () => !a.isLeader);
    expect(log).toEqual(['a elected 1', 'a deposed: lease lost']);
  });

  it('keeps leading while Redis does not answer (the database fence guards writes meanwhile)', async () => {
    const log: string[] = [];
    let down = false;
    const flaky: Lock = {
      tryAcquire: async (name, ttl) => {
        const lease = await lock.tryAcquire(name, ttl);
        return lease && { ...lease, extend: async (ms: number) => (down ? Promise.reject(new Error('ECONNREFUSED')) : lease.extend(ms)) };
      },
    };
    const a = replica('a', log, { lock: flaky });
    await a.start();
    down = true;
    await sleep(500);
    expect(a.isLeader).toBe(true);
    expect(log).toEqual(['a elected 1']);
  });

  it('gives the lease back when it cannot start leading, and tries again later', async () => {
    const log: string[] = [];
    let failures = 1;
    const a = replica('a', log, {
      onElected: async (lease) => {
        if (failures-- > 0) throw new Error('database down');
        log.push(`a elected ${lease.fencingToken}`);
      },
    });
    await a.start();
    expect(a.isLeader).toBe(false);
    await until('a to lead', () => a.isLeader);
    expect(log).toEqual(['a elected 2']);
  });

  it('resigns on request (fenced out by the database) and competes again', async () => {
    const log: string[] = [];
    const a = replica('a', log);
    await a.start();
    a.resign('fenced out');
    await until('a to lead again', () => log.length === 3);
    expect(log).toEqual(['a elected 1', 'a deposed: fenced out', 'a elected 2']);
  });
});
