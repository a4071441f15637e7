import fc from 'fast-check';
import { MatchingEngine } from './engine';
import { Recorder, type Recorded } from './testing/recorder';
import { ReferenceBook } from './testing/reference-book';
import type { CancelOrderCommand, InstrumentSpec, ModifyOrderCommand, OrderType, PlaceOrderCommand } from './types';

type BookCommand = PlaceOrderCommand | ModifyOrderCommand | CancelOrderCommand;

/** Narrow price range and few clients so that crossing, STP and stops happen often. */
const SPEC: InstrumentSpec = {
  instrumentId: 1,
  tickSize: 5,
  lowerCircuit: 9900,
  upperCircuit: 10100,
  freezeQty: 50,
  lotSize: 1,
  referencePrice: 10000,
};

const priceOf = (tick: number, offGrid: boolean): number => 10000 + tick * 5 + (offGrid ? 2 : 0);

/** Mostly absent: `fc.option` can only make the absent case the rare one. */
const rarely = <T>(a: fc.Arbitrary<T>, weight = 1) =>
  fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary: a, weight });

const placeT = fc.record({
  k: fc.constant('P' as const),
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
  type: fc.constantFrom<OrderType>('LIMIT', 'LIMIT', 'LIMIT', 'LIMIT', 'LIMIT', 'MARKET', 'SL', 'SL-M'),
  ioc: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
  qty: fc.integer({ min: -1, max: 55 }),
  tick: fc.integer({ min: -22, max: 22 }),
  trig: fc.integer({ min: -22, max: 22 }),
  offGrid: fc.integer({ min: 0, max: 30 }).map((x) => x === 0),
  /** Percent of qty; below 10 is rejected. */
  disc: rarely(fc.integer({ min: 5, max: 100 })),
  client: fc.integer({ min: 1, max: 4 }),
  dup: fc.integer({ min: 0, max: 25 }).map((x) => x === 0),
  pick: fc.nat(),
});
const cancelT = fc.record({ k: fc.constant('C' as const), pick: fc.nat() });
const modifyT = fc.record({
  k: fc.constant('M' as const),
  pick: fc.nat(),
  qty: rarely(fc.integer({ min: 0, max: 55 }), 4),
  tick: rarely(fc.integer({ min: -22, max: 22 }), 3),
  trig: rarely(fc.integer({ min: -22, max: 22 })),
  disc: rarely(fc.integer({ min: 0, max: 55 })),
});
const templates = fc.array(
  fc.oneof({ arbitrary: placeT, weight: 6 }, { arbitrary: cancelT, weight: 2 }, { arbitrary: modifyT, weight: 2 }),
  { minLength: 1, maxLength: 150, size: 'max' },
);

type Template = typeof placeT extends fc.Arbitrary<infer P> ? P : never;
type AnyTemplate = Template | { k: 'C'; pick: number } | ModifyTemplate;
type ModifyTemplate = { k: 'M'; pick: number; qty: number | null; tick: number | null; trig: number | null; disc: number | null };

/** Turns templates into concrete commands with sequential ids; targets are earlier ids. */
export function resolve(ts: AnyTemplate[]): BookCommand[] {
  let next = 1;
  // Mostly recent ids (likely still live), sometimes any earlier one.
  const target = (pick: number) =>
    next === 1 ? 1 : pick % 4 === 0 ? 1 + (pick % (next - 1)) : next - 1 - (pick % Math.min(next - 1, 10));
  return ts.map((t): BookCommand => {
    if (t.k === 'C') return { type: 'CANCEL', orderId: target(t.pick) };
    if (t.k === 'M') {
      const m: ModifyOrderCommand = { type: 'MODIFY', orderId: target(t.pick) };
      if (t.qty !== null) m.qty = t.qty;
      if (t.tick !== null) m.price = priceOf(t.tick, false);
      if (t.trig !== null) m.triggerPrice = priceOf(t.trig, false);
      if (t.disc !== null) m.disclosedQty = t.disc;
      return m;
    }
    const orderId = t.dup && next > 1 ? target(t.pick) : next++;
    const p: PlaceOrderCommand = {
      type: 'PLACE',
      orderId,
      instrumentId: 1,
      clientId: t.client,
      side: t.side,
      orderType: t.type,
      validity: t.ioc ? 'IOC' : 'DAY',
      qty: t.qty,
    };
    if (t.type === 'LIMIT' || t.type === 'SL') p.price = priceOf(t.tick, t.offGrid);
    if (t.type === 'SL' || t.type === 'SL-M') p.triggerPrice = priceOf(t.trig, false);
    if (t.disc !== null) p.disclosedQty = Math.max(1, Math.round((t.qty * t.disc) / 100));
    return p;
  });
}

function freshEngine(): { engine: MatchingEngine; rec: Recorder } {
  const rec = new Recorder();
  const engine = new MatchingEngine({ listener: rec });
  engine.apply({ type: 'ADD_INSTRUMENT', ...SPEC });
  engine.apply({ type: 'SET_SESSION', state: 'CONTINUOUS' });
  rec.take();
  return { engine, rec };
}

/** jest matchers cost microseconds each; only build the diff when something differs. */
function same(actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual).toEqual(expected);
}

function holds(cond: boolean, what: string): void {
  if (!cond) throw new Error(`invariant violated: ${what}`);
}

const noDepth = (es: Recorded[]) => es.filter((e) => e.e !== 'depth');

/** Per-order ledger from the event stream: submitted = filled + cancelled + still open. */
class Ledger {
  submitted = new Map<number, number>();
  filled = new Map<number, number>();
  cancelled = new Map<number, number>();

  absorb(cmd: BookCommand, events: Recorded[]): void {
    for (const e of events) {
      if (e.e === 'accepted' && cmd.type === 'PLACE') {
        // Ids only need to be unique among live orders, so a finished id may come back.
        this.submitted.set(e.orderId, cmd.qty);
        this.filled.delete(e.orderId);
        this.cancelled.delete(e.orderId);
      }
      else if (e.e === 'modified') this.submitted.set(e.orderId, e.qty);
      else if (e.e === 'trade') {
        this.filled.set(e.buy, (this.filled.get(e.buy) ?? 0) + e.qty);
        this.filled.set(e.sell, (this.filled.get(e.sell) ?? 0) + e.qty);
      } else if (e.e === 'cancelled') this.cancelled.set(e.orderId, (this.cancelled.get(e.orderId) ?? 0) + e.qty);
    }
  }

  check(engine: MatchingEngine, only?: Set<number>): void {
    for (const [id, qty] of this.submitted) {
      if (only !== undefined && !only.has(id)) continue;
      const live = engine.order(id);
      const open = live === undefined ? 0 : live.qty - live.filled;
      const filled = this.filled.get(id) ?? 0;
      if (live !== undefined) holds(live.filled === filled, `filled of ${id}`);
      holds(filled + (this.cancelled.get(id) ?? 0) + open === qty, `conservation of ${id}`);
    }
  }
}

function checkBookInvariants(engine: MatchingEngine): void {
  const bid = engine.bestBid(1);
  const ask = engine.bestAsk(1);
  if (bid !== 0 && ask !== 0) holds(bid < ask, `uncrossed ${bid} < ${ask}`);
  const depth = engine.depth(1, 1000);
  for (const side of ['BUY', 'SELL'] as const) {
    const resting = engine.restingOrders(1, side);
    const levels = side === 'BUY' ? depth?.bids : depth?.asks;
    const expected: { price: number; qty: number; orders: number }[] = [];
    for (const o of resting) {
      holds(o.visible > 0 && o.visible <= o.qty - o.filled, `visible of ${o.orderId}`);
      const last = expected[expected.length - 1];
      if (last !== undefined && last.price === o.price) {
        last.qty += o.visible;
        last.orders++;
      } else expected.push({ price: o.price, qty: o.visible, orders: 1 });
    }
    same(levels, expected);
  }
}

const restingShape = (engine: MatchingEngine, side: 'BUY' | 'SELL') =>
  engine.restingOrders(1, side).map((o) => ({
    orderId: o.orderId,
    price: o.price,
    qty: o.qty,
    filled: o.filled,
    visible: o.visible,
  }));

describe('MatchingEngine vs naive reference book (property)', () => {
  it('emits identical events and ends in an identical book for random command streams', () => {
    // Guard against a generator that silently stops reaching the interesting paths.
    const seen = new Map<string, number>();
    const count = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);
    fc.assert(
      fc.property(templates, (ts) => {
        const cmds = resolve(ts as AnyTemplate[]);
        const { engine, rec } = freshEngine();
        const refRec = new Recorder();
        const ref = new ReferenceBook(SPEC, refRec);
        const ledger = new Ledger();
        for (const cmd of cmds) {
          engine.apply(cmd);
          ref.apply(cmd);
          const got = noDepth(rec.take());
          same(got, noDepth(refRec.take()));
          for (const e of got) {
            if (e.e === 'cancelled') count(`cancel:${e.reason}`);
            else if (e.e === 'modified') count(`modify:${e.kept ? 'kept' : 'requeued'}`);
            else if (e.e === 'rejected') count(`reject:${e.reason}`);
            else count(e.e);
          }
          ledger.absorb(cmd, got);
          checkBookInvariants(engine);
          const touched = new Set<number>();
          for (const e of got) {
            if (e.e === 'trade') touched.add(e.buy).add(e.sell);
            else if ('orderId' in e) touched.add(e.orderId);
          }
          ledger.check(engine, touched);
        }
        ledger.check(engine);
        expect(restingShape(engine, 'BUY')).toEqual(ref.resting(true));
        expect(restingShape(engine, 'SELL')).toEqual(ref.resting(false));
        expect(engine.stopOrders(1).map((o) => o.orderId).sort((a, b) => a - b)).toEqual(ref.stopIds());
        expect([engine.ltp(1), engine.volume(1)]).toEqual([ref.ltp, ref.volume]);
      }),
      { numRuns: 1000, seed: 20240611 },
    );
    for (const k of [
      'trade',
      'triggered',
      'cancel:USER',
      'cancel:IOC_REMAINDER',
      'cancel:SELF_TRADE',
      'modify:kept',
      'modify:requeued',
      'reject:DUPLICATE_ORDER_ID',
      'reject:UNKNOWN_ORDER',
      'reject:MODIFY_QTY_NOT_ABOVE_FILLED',
      'reject:DISCLOSED_QTY_INVALID',
      'reject:PRICE_NOT_MULTIPLE_OF_TICK',
      'reject:PRICE_OUTSIDE_CIRCUIT',
      'reject:QTY_ABOVE_FREEZE',
      'reject:INVALID_QTY',
    ]) {
      expect([k, (seen.get(k) ?? 0) > 10]).toEqual([k, true]);
    }
  });
});
