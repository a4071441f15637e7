import { MatchingEngine } from '../../src/modules/exchange-sim/engine';
import type { Command, PlaceOrderCommand } from '../../src/modules/exchange-sim/engine';
import { NoopListener } from '../../src/modules/exchange-sim/engine';

/**
 * Deterministic benchmark stream. The generator simulates the book with our engine so
 * that every cancel targets an order that is really resting at that point; both engines
 * then replay the identical stream.
 */

export const TICK = 5;
export const MID = 100_000; // ₹1000.00
export const LOWER = 90_000; // ±10% band
export const UPPER = 110_000;
export const SPREAD_TICKS = 200;

export interface StreamOptions {
  seed: number;
  instruments: number;
  commands: number;
  /** Resting orders per instrument before the timed part. */
  prefillPerInstrument: number;
}

export type PeerOp =
  | { k: 0; book: number; opts: { id: string; side: 'buy' | 'sell'; size: number; price: number; timeInForce?: 'IOC' } }
  | { k: 1; book: number; opts: { side: 'buy' | 'sell'; size: number } }
  | { k: 2; book: number; id: string };

export interface Stream {
  options: StreamOptions;
  setup: Command[];
  prefill: Command[];
  ops: Command[];
  peerPrefill: PeerOp[];
  peerOps: PeerOp[];
  mix: { adds: number; cancels: number; lateCancels: number; marketable: number };
  restingBefore: number;
  restingAfter: number;
  trades: number;
  tradedQty: number;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Live-order set with O(1) random pick and removal, fed by the simulating engine's events. */
class LiveSet extends NoopListener {
  ids: number[] = [];
  /** Orders that left the book by filling, newest last: targets for late cancels. */
  filled: number[] = [];
  private pos = new Map<number, number>();
  private open = new Map<number, number>();
  trades = 0;
  tradedQty = 0;

  add(id: number, qty: number): void {
    this.pos.set(id, this.ids.length);
    this.ids.push(id);
    this.open.set(id, qty);
  }

  remove(id: number): void {
    const i = this.pos.get(id);
    if (i === undefined) return;
    const last = this.ids.pop() as number;
    if (last !== id) {
      this.ids[i] = last;
      this.pos.set(last, i);
    }
    this.pos.delete(id);
    this.open.delete(id);
  }

  override onTrade(_i: number, buy: number, sell: number, _p: number, qty: number): void {
    this.trades++;
    this.tradedQty += qty;
    this.fill(buy, qty);
    this.fill(sell, qty);
  }

  override onCancelled(orderId: number): void {
    this.remove(orderId);
  }

  private fill(id: number, qty: number): void {
    const left = this.open.get(id);
    if (left === undefined) return; // the aggressor: not resting yet
    if (left === qty) {
      this.remove(id);
      this.filled.push(id);
    } else this.open.set(id, left - qty);
  }
}

export function generate(o: StreamOptions): Stream {
  const rnd = mulberry32(o.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const live = new LiveSet();
  const sim = new MatchingEngine({ listener: live });
  const setup: Command[] = [];
  for (let i = 1; i <= o.instruments; i++) {
    setup.push({
      type: 'ADD_INSTRUMENT',
      instrumentId: i,
      tickSize: TICK,
      lowerCircuit: LOWER,
      upperCircuit: UPPER,
      freezeQty: 1_000_000,
      lotSize: 1,
      referencePrice: MID,
    });
  }
  setup.push({ type: 'SET_SESSION', state: 'CONTINUOUS' });
  for (const c of setup) sim.apply(c);

  let nextId = 1;
  const bookOf = new Map<number, number>();
  // Every PLACE has the same property set, so the engine's dispatch sees one object shape.
  const placeCmd = (
    instrumentId: number,
    buy: boolean,
    orderType: 'LIMIT' | 'MARKET',
    validity: 'DAY' | 'IOC',
    qty: number,
    price: number,
  ): PlaceOrderCommand => {
    const orderId = nextId++;
    bookOf.set(orderId, instrumentId);
    return {
      type: 'PLACE',
      orderId,
      instrumentId,
      clientId: orderId, // unique clients: no self-trade prevention, so the peer sees the same matches
      side: buy ? 'BUY' : 'SELL',
      orderType,
      validity,
      qty,
      price,
      triggerPrice: 0,
      disclosedQty: 0,
    };
  };
  const peerOf = (c: Command): PeerOp => {
    if (c.type === 'CANCEL') return { k: 2, book: (bookOf.get(c.orderId) as number) - 1, id: String(c.orderId) };
    if (c.type !== 'PLACE') throw new Error('unexpected command');
    const side = c.side === 'BUY' ? 'buy' : 'sell';
    const book = c.instrumentId - 1;
    if (c.orderType === 'MARKET') return { k: 1, book, opts: { side, size: c.qty } };
    const opts = { id: String(c.orderId), side, size: c.qty, price: c.price as number } as const;
    return { k: 0, book, opts: c.validity === 'IOC' ? { ...opts, timeInForce: 'IOC' } : opts };
  };
  const restingAdd = (instrumentId: number): PlaceOrderCommand => {
    const buy = rnd() < 0.5;
    const price = MID + (buy ? -1 : 1) * TICK * int(1, SPREAD_TICKS);
    return placeCmd(instrumentId, buy, 'LIMIT', 'DAY', int(50, 1000), price);
  };
  const run = (c: Command, out: Command[], peer: PeerOp[]) => {
    out.push(c);
    peer.push(peerOf(c));
    sim.apply(c);
    if (c.type === 'PLACE' && c.orderType === 'LIMIT' && c.validity === 'DAY' && sim.order(c.orderId) !== undefined) {
      live.add(c.orderId, c.qty - (sim.order(c.orderId)?.filled ?? 0));
    }
  };

  const prefill: Command[] = [];
  const peerPrefill: PeerOp[] = [];
  for (let i = 1; i <= o.instruments; i++) {
    for (let k = 0; k < o.prefillPerInstrument; k++) run(restingAdd(i), prefill, peerPrefill);
  }
  const restingBefore = sim.liveOrderCount();
  live.filled = [];
  live.trades = 0;
  live.tradedQty = 0;

  const ops: Command[] = [];
  const peerOps: PeerOp[] = [];
  const mix = { adds: 0, cancels: 0, lateCancels: 0, marketable: 0 };
  // Fills also remove resting orders, so with exactly 45% adds and 45% cancels the book would
  // shrink. When it is below its starting size, a cancel goes to an order that has just
  // filled instead (a late cancel, rejected by both engines as unknown), as happens when a
  // client's cancel races a fill. That keeps the book size stationary and the mix exact.
  const target = restingBefore;
  for (let n = 0; n < o.commands; n++) {
    const r = rnd();
    const instrumentId = int(1, o.instruments);
    if (r < 0.45 || (r < 0.9 && live.ids.length === 0)) {
      mix.adds++;
      run(restingAdd(instrumentId), ops, peerOps);
    } else if (r < 0.9) {
      mix.cancels++;
      const late = live.ids.length < target ? live.filled.pop() : undefined;
      if (late !== undefined) mix.lateCancels++;
      run({ type: 'CANCEL', orderId: late ?? live.ids[int(0, live.ids.length - 1)] }, ops, peerOps);
    } else {
      // Half market orders, half IOC limits priced through the whole resting range.
      mix.marketable++;
      const buy = rnd() < 0.5;
      const qty = int(1, 100);
      if (rnd() < 0.5) run(placeCmd(instrumentId, buy, 'MARKET', 'DAY', qty, 0), ops, peerOps);
      else run(placeCmd(instrumentId, buy, 'LIMIT', 'IOC', qty, MID + (buy ? 1 : -1) * TICK * SPREAD_TICKS), ops, peerOps);
    }
  }
  return {
    options: o,
    setup,
    prefill,
    ops,
    peerPrefill,
    peerOps,
    mix,
    restingBefore,
    restingAfter: sim.liveOrderCount(),
    trades: live.trades,
    tradedQty: live.tradedQty,
  };
}
