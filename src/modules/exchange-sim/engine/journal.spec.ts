import fc from 'fast-check';
import { MatchingEngine } from './engine';
import { Journal } from './journal';
import { fnv1a64 } from './state-hash';
import { Recorder } from './testing/recorder';
import type { Command, OrderType, SessionState } from './types';
import { Mulberry32 } from '../../../common/random/prng';


/** A whole trading day over three instruments: pre-open, auction, continuous, close, expiry. */
function randomDay(seed: number, n: number): Command[] {
  const rng = new Mulberry32(seed);
  const rnd = () => rng.next();
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const cmds: Command[] = [];
  for (let i = 1; i <= 3; i++) {
    cmds.push({
      type: 'ADD_INSTRUMENT',
      instrumentId: i,
      tickSize: 5,
      lowerCircuit: 9000,
      upperCircuit: 11000,
      freezeQty: 500,
      lotSize: i,
      referencePrice: 10000,
    });
  }
  const phases: [SessionState, number][] = [
    ['PRE_OPEN', Math.floor(n * 0.2)],
    ['CONTINUOUS', Math.floor(n * 0.7)],
    ['CLOSED', 5],
  ];
  let id = 0;
  for (const [state, count] of phases) {
    cmds.push({ type: 'SET_SESSION', state });
    for (let k = 0; k < count; k++) {
      const r = rnd();
      const instrumentId = int(1, 3);
      if (r < 0.6 || id === 0) {
        const types: OrderType[] = state === 'PRE_OPEN' ? ['LIMIT', 'LIMIT', 'MARKET'] : ['LIMIT', 'LIMIT', 'LIMIT', 'MARKET', 'SL', 'SL-M'];
        const orderType = types[int(0, types.length - 1)];
        const qty = instrumentId * int(1, 40);
        cmds.push({
          type: 'PLACE',
          orderId: ++id,
          instrumentId,
          clientId: int(1, 6),
          side: rnd() < 0.5 ? 'BUY' : 'SELL',
          orderType,
          validity: state !== 'PRE_OPEN' && rnd() < 0.15 ? 'IOC' : 'DAY',
          qty,
          price: 10000 + 5 * int(-30, 30),
          triggerPrice: 10000 + 5 * int(-30, 30),
          disclosedQty: orderType === 'LIMIT' && state !== 'PRE_OPEN' && rnd() < 0.1 ? Math.max(instrumentId, qty / 2) : 0,
        });
      } else if (r < 0.8) {
        cmds.push({ type: 'CANCEL', orderId: int(1, id) });
      } else if (r < 0.97) {
        cmds.push({ type: 'MODIFY', orderId: int(1, id), qty: instrumentId * int(1, 40), price: 10000 + 5 * int(-30, 30) });
      } else {
        cmds.push({ type: 'SET_SUSPENDED', instrumentId, suspended: rnd() < 0.5 });
      }
    }
  }
  cmds.push({ type: 'EXPIRE_DAY' });
  return cmds;
}

describe('Journal and replay', () => {
  it('replaying a journal into a fresh engine reproduces every event and the state hash', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 50, max: 600 }), (seed, n) => {
        const journal = new Journal();
        const live = new Recorder();
        const engine = new MatchingEngine({ listener: live, journal });
        // Hash checkpoints along the way too, so a divergence is located, not just detected.
        const hashes = new Map<number, string>();
        randomDay(seed, n).forEach((cmd, i) => {
          engine.apply(cmd);
          if (i % 25 === 0) hashes.set(i, engine.stateHash());
        });
        // Replay from the serialised form, as a restart would.
        const replayed = new Recorder();
        const fresh = new MatchingEngine({ listener: replayed });
        const restored = Journal.fromJsonLines(journal.toJsonLines());
        expect(restored.length).toBe(journal.length);
        restored.entries().forEach((cmd, i) => {
          fresh.apply(cmd);
          if (hashes.has(i) && fresh.stateHash() !== hashes.get(i)) throw new Error(`hash diverged at command ${i}`);
        });
        expect(fresh.stateHash()).toBe(engine.stateHash());
        expect(fresh.canonicalState()).toBe(engine.canonicalState());
        expect(replayed.events).toEqual(live.events);
        expect(live.trades().length).toBeGreaterThan(0);
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it('the hash sees a single extra resting order mid-day', () => {
    const cmds = randomDay(42, 400);
    const prefix = cmds.slice(0, cmds.findIndex((c) => c.type === 'SET_SESSION' && c.state === 'CLOSED'));
    const a = new MatchingEngine();
    const b = new MatchingEngine();
    for (const c of prefix) {
      a.apply(c);
      b.apply(c);
    }
    expect(a.liveOrderCount()).toBeGreaterThan(0);
    expect(a.stateHash()).toBe(b.stateHash());
    a.apply({ type: 'SET_SUSPENDED', instrumentId: 1, suspended: false });
    b.apply({ type: 'SET_SUSPENDED', instrumentId: 1, suspended: false });
    a.apply({ type: 'PLACE', orderId: 1e9, instrumentId: 1, clientId: 99, side: 'BUY', orderType: 'LIMIT', validity: 'DAY', qty: 1, price: 9000 });
    expect(a.order(1e9)?.location).toBe('BOOK');
    expect(a.stateHash()).not.toBe(b.stateHash());
  });

  it('the journal copies commands, so callers may reuse their objects', () => {
    const journal = new Journal();
    const engine = new MatchingEngine({ journal });
    const cmd = { type: 'SET_SESSION' as const, state: 'PRE_OPEN' as SessionState };
    engine.apply(cmd);
    cmd.state = 'CLOSED';
    engine.apply(cmd);
    expect(journal.entries().map((c) => (c as { state: string }).state)).toEqual(['PRE_OPEN', 'CLOSED']);
  });

  it('fnv1a64 matches the published test vectors', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
  });
});
