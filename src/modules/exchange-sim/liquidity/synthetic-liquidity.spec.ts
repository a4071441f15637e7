import { fnv1a64, Journal, type PlaceOrderCommand } from '../engine';
import { simulator, stopSimulators, ACME, BETA, GAMMA } from '../simulator/testing/sim-fixtures';
import type { SimInstrument } from '../simulator/sim-instrument';
import { FairValueWalk } from './fair-value';
import { QUOTE_LEVELS } from './instrument-agent';
import { Mulberry32 } from '../../../common/random/prng';
import { SyntheticLiquidity } from './synthetic-liquidity';

/** A share quoted in paise: a three-tick band, where the ladder has a single level a side. */
const PENNY: SimInstrument = { ...BETA, instrumentToken: 6001, tradingsymbol: 'PENNY', prevClose: 18, lowerCircuit: 17, upperCircuit: 19, freezeQty: 1_000_000 };
/** ₹25,000 with ₹5.00 ticks. */
const HEAVY: SimInstrument = { ...ACME, instrumentToken: 7001, tradingsymbol: 'HEAVY', tickSize: 500, prevClose: 2_500_000, lowerCircuit: 2_000_000, upperCircuit: 3_000_000, freezeQty: 4_000 };
const INSTRUMENTS = [ACME, BETA, GAMMA, PENNY, HEAVY];

afterEach(stopSimulators);

function market(seed: number, options: { ticksPerSecond?: number; session?: 'CONTINUOUS' | 'PRE_OPEN' } = {}) {
  const journal = new Journal();
  const { sim } = simulator({ journal, instruments: INSTRUMENTS });
  sim.setSession(options.session ?? 'CONTINUOUS');
  sim.start();
  const liquidity = new SyntheticLiquidity({ port: sim, seed, ticksPerSecond: options.ticksPerSecond ?? 1 });
  return { sim, journal, liquidity };
}

const placed = (journal: Journal) => journal.entries().filter((c): c is PlaceOrderCommand => c.type === 'PLACE');

describe('SyntheticLiquidity', () => {
  it('sends the same engine commands for the same seed, and different ones for another seed', () => {
    const hashes = [7, 7, 8].map((seed) => {
      const { journal, liquidity } = market(seed);
      for (let i = 0; i < 40; i++) liquidity.cycle();
      expect(journal.length).toBeGreaterThan(40 * INSTRUMENTS.length * 10);
      return fnv1a64(journal.toJsonLines());
    });
    expect(hashes[0]).toBe(hashes[1]);
    expect(hashes[2]).not.toBe(hashes[0]);
  });

  it('keeps the book bounded, prices inside the band and both sides of the depth populated', () => {
    const { sim, journal, liquidity } = market(1);
    const cycles = 600; // ten minutes of simulated trading
    const lastPrices = new Map<number, Set<number>>();
    for (let i = 1; i <= cycles; i++) {
      liquidity.cycle();
      if (i % 50 !== 0) continue;
      // One quote ladder per instrument at most: everything older was cancelled.
      expect(sim.liveOrderCount).toBeLessThanOrEqual(INSTRUMENTS.length * 2 * QUOTE_LEVELS);
      for (const q of sim.snapshots()) {
        const instrument = INSTRUMENTS.find((x) => x.instrumentToken === q.instrumentToken)!;
        expect(q.lastPrice).toBeGreaterThanOrEqual(instrument.lowerCircuit);
        expect(q.lastPrice).toBeLessThanOrEqual(instrument.upperCircuit);
        expect(q.low).toBeGreaterThanOrEqual(instrument.lowerCircuit);
        expect(q.high).toBeLessThanOrEqual(instrument.upperCircuit);
        expect([q.instrumentToken, q.bids[0].quantity > 0, q.asks[0].quantity > 0]).toEqual([q.instrumentToken, true, true]);
        expect(q.bids[0].price).toBeLessThan(q.asks[0].price);
        if (instrument !== PENNY) expect(q.bids[4].quantity * q.asks[4].quantity).toBeGreaterThan(0); // five levels a side
        lastPrices.set(q.instrumentToken, (lastPrices.get(q.instrumentToken) ?? new Set()).add(q.lastPrice));
      }
    }
    expect(sim.agentRejectCount).toBe(0);
    // One marketable order per instrument per visit (1 trade/s, one visit a second).
    expect(placed(journal).filter((c) => c.validity === 'IOC')).toHaveLength(cycles * INSTRUMENTS.length);
    for (const q of sim.snapshots()) expect(q.volume).toBeGreaterThan(cycles / 2);
    // Prices move (the spread alone gives two values; the walk gives more).
    for (const token of [ACME, BETA, GAMMA, HEAVY].map((i) => i.instrumentToken)) expect(lastPrices.get(token)!.size).toBeGreaterThan(3);
  });

  it('builds crossing pre-open interest, so the opening auction prints an open for every instrument', () => {
    const { sim, journal, liquidity } = market(3, { session: 'PRE_OPEN' });
    for (let i = 0; i < 10; i++) liquidity.cycle();
    expect(placed(journal).every((c) => c.validity === 'DAY')).toBe(true);
    expect(sim.snapshots().every((q) => q.volume === 0)).toBe(true);
    sim.setSession('CONTINUOUS');
    for (const q of sim.snapshots()) {
      expect(q.open).toBeGreaterThan(0);
      expect(q.volume).toBeGreaterThan(0);
    }
    liquidity.cycle(); // the first continuous visit replaces whatever was left of pre-open
    expect(sim.liveOrderCount).toBeLessThanOrEqual(INSTRUMENTS.length * 2 * QUOTE_LEVELS);
  });

  it('spreads the instruments over timer slices to reach the asked trade rate', () => {
    expect(market(1).liquidity.slices).toBe(20); // 50 ms ticks, each instrument once a second
    const fast = market(1, { ticksPerSecond: 4 });
    expect(fast.liquidity.slices).toBe(5); // visited every 250 ms, one order a visit
    for (let i = 0; i < 10; i++) fast.liquidity.cycle();
    expect(placed(fast.journal).filter((c) => c.validity === 'IOC')).toHaveLength(10 * INSTRUMENTS.length);
    const slow = market(1, { ticksPerSecond: 0.25 });
    for (let i = 0; i < 400; i++) slow.liquidity.cycle();
    const iocs = placed(slow.journal).filter((c) => c.validity === 'IOC').length;
    expect(iocs / (400 * INSTRUMENTS.length)).toBeGreaterThan(0.2);
    expect(iocs / (400 * INSTRUMENTS.length)).toBeLessThan(0.3);
  });

  it('does nothing while the market is closed, and runs on its timer once started', async () => {
    const { sim, journal, liquidity } = market(1);
    sim.setSession('CLOSED');
    const before = journal.length;
    liquidity.cycle();
    expect(journal.length).toBe(before);
    sim.setSession('CONTINUOUS');
    liquidity.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    liquidity.stop();
    expect(liquidity.running).toBe(false);
    expect(journal.length).toBeGreaterThan(before);
  });
});

describe('FairValueWalk', () => {
  const params = { reference: 100_000, floor: 90_000, ceiling: 110_000, dailyVolatility: 0.02, dailyDrift: 0 };

  it('reverts to the previous close with a two-hour half-life', () => {
    const walk = new FairValueWalk(params);
    walk.value = 104_000;
    for (let s = 0; s < 7200; s++) walk.step(1, 0, 0);
    expect(walk.value).toBeCloseTo(102_000, -1);
  });

  it('never leaves its floor and ceiling', () => {
    const walk = new FairValueWalk(params);
    for (let s = 0; s < 100; s++) walk.step(1, 1e4, 0);
    expect(walk.value).toBe(110_000);
    for (let s = 0; s < 100; s++) walk.step(1, -1e4, 0);
    expect(walk.value).toBe(90_000);
  });

  it('moves about as much in a day as a 2 % volatility stock does', () => {
    const rng = new Mulberry32(42);
    const closes: number[] = [];
    for (let day = 0; day < 40; day++) {
      const walk = new FairValueWalk({ ...params, floor: 1, ceiling: 1e9 });
      for (let s = 0; s < 22_500; s += 10) walk.step(10, rng.normal(), 0);
      closes.push(walk.value / params.reference - 1);
    }
    const sd = Math.sqrt(closes.reduce((a, r) => a + r * r, 0) / closes.length);
    expect(sd).toBeGreaterThan(0.005);
    expect(sd).toBeLessThan(0.02);
  });
});
