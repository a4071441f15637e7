import { GroupCommit } from './group-commit';

interface Req {
  user: string;
  value: number;
}

class Refused extends Error {}

/** A statement runner whose calls are held until released, so a test decides what overlaps. */
function heldRunner(failWhen: (batch: Req[]) => Error | null = () => null) {
  const calls: { batch: Req[]; release: () => void }[] = [];
  const run = (batch: Req[]) =>
    new Promise<number[]>((resolve, reject) => {
      calls.push({
        batch,
        release: () => {
          const err = failWhen(batch);
          if (err) reject(err);
          else resolve(batch.map((r) => r.value * 10));
        },
      });
    });
  /** Releases statement i, lets the next one start, and answers the values that one carries. */
  const releaseThenNext = async (i: number) => {
    calls[i].release();
    await tick();
    return calls[i + 1]?.batch.map((r) => r.value);
  };
  return { calls, run, releaseThenNext };
}

const tick = () => new Promise((r) => setImmediate(r));

function groupCommit(run: (b: Req[]) => Promise<number[]>, maxInFlight = 1, maxBatch = 100) {
  return new GroupCommit<Req, number>({ run, keyOf: (r) => r.user, wroteNothing: (e) => e instanceof Refused, maxInFlight, maxBatch });
}

describe('GroupCommit', () => {
  it('sends a request alone and at once while a slot is free', async () => {
    const { calls, run } = heldRunner();
    const gc = groupCommit(run, 2);
    const a = gc.submit({ user: 'u1', value: 1 });
    const b = gc.submit({ user: 'u2', value: 2 });
    expect(calls.map((c) => c.batch.length)).toEqual([1, 1]);
    calls.forEach((c) => c.release());
    await expect(Promise.all([a, b])).resolves.toEqual([10, 20]);
  });

  it('gathers what arrives while the slots are busy into the next statement, answers in order', async () => {
    const { calls, run, releaseThenNext } = heldRunner();
    const gc = groupCommit(run, 1);
    const first = gc.submit({ user: 'u0', value: 0 });
    const queued = [1, 2, 3].map((v) => gc.submit({ user: `u${v}`, value: v }));
    expect(calls).toHaveLength(1);
    expect(await releaseThenNext(0)).toEqual([1, 2, 3]);
    expect(calls).toHaveLength(2);
    calls[1].release();
    await expect(Promise.all([first, ...queued])).resolves.toEqual([0, 10, 20, 30]);
  });

  it('never puts two requests with the same key in one statement, and keeps their order', async () => {
    const { calls, run, releaseThenNext } = heldRunner();
    const gc = groupCommit(run, 1);
    const all = [gc.submit({ user: 'u0', value: 0 })];
    all.push(gc.submit({ user: 'a', value: 1 }), gc.submit({ user: 'a', value: 2 }), gc.submit({ user: 'b', value: 3 }));
    expect(await releaseThenNext(0)).toEqual([1, 3]);
    expect(await releaseThenNext(1)).toEqual([2]);
    calls[2].release();
    await expect(Promise.all(all)).resolves.toEqual([0, 10, 20, 30]);
  });

  it('caps a statement at maxBatch requests', async () => {
    const { calls, run, releaseThenNext } = heldRunner();
    const gc = groupCommit(run, 1, 2);
    const all = [0, 1, 2, 3].map((v) => gc.submit({ user: `u${v}`, value: v }));
    expect(await releaseThenNext(0)).toEqual([1, 2]);
    expect(await releaseThenNext(1)).toEqual([3]);
    calls[2].release();
    await expect(Promise.all(all)).resolves.toEqual([0, 10, 20, 30]);
  });

  it('runs a refused statement again as one statement per request, so only the bad request fails', async () => {
    const { calls, run } = heldRunner((batch) => (batch.some((r) => r.value === 2) ? new Refused('duplicate key') : null));
    const gc = groupCommit(run, 1);
    const first = gc.submit({ user: 'u0', value: 0 });
    const results = [1, 2, 3].map((v) => gc.submit({ user: `u${v}`, value: v }));
    calls[0].release();
    await tick();
    calls[1].release(); // the group of three: refused
    await tick();
    expect(calls.slice(2).map((c) => c.batch.map((r) => r.value))).toEqual([[1], [2], [3]]);
    calls.slice(2).forEach((c) => c.release());
    await expect(first).resolves.toBe(0);
    await expect(results[0]).resolves.toBe(10);
    await expect(results[1]).rejects.toThrow('duplicate key');
    await expect(results[2]).resolves.toBe(30);
  });

  it('refuses a statement that answers the wrong number of rows rather than hand out misaligned answers', async () => {
    const gc = groupCommit(async (batch) => batch.slice(1).map((r) => r.value));
    await expect(gc.submit({ user: 'u1', value: 1 })).rejects.toThrow('group statement answered 0 rows for 1 requests');
  });

  it('does not run a group again when its outcome is unknown: every request gets the error', async () => {
    const lost = new Error('Connection terminated unexpectedly');
    const { calls, run } = heldRunner((batch) => (batch.length > 1 ? lost : null));
    const gc = groupCommit(run, 1);
    const first = gc.submit({ user: 'u0', value: 0 });
    const results = [1, 2].map((v) => gc.submit({ user: `u${v}`, value: v }));
    calls[0].release();
    await tick();
    calls[1].release();
    await expect(first).resolves.toBe(0);
    await expect(results[0]).rejects.toBe(lost);
    await expect(results[1]).rejects.toBe(lost);
    expect(calls).toHaveLength(2);
  });
});
