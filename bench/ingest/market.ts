import { performance } from 'node:perf_hooks';
import type { QuoteSnapshot } from '../../src/common/exchange-protocol/venue.types';
import { MemoryMarketSource } from '../../src/common/feed-protocol/testing/memory-market-source';
import { Mulberry32 } from '../../src/common/random/prng';
import { buildInstrumentMaster, locateReferenceData, parseReferenceData, readReferenceFiles, type Instrument } from '../../src/modules/instruments';

/** The real instrument master (~4,764 NSE + BSE listings), topped up with copies to `count`. */
export function benchInstruments(count: number): Map<number, Instrument> {
  const master = buildInstrumentMaster(parseReferenceData(readReferenceFiles(locateReferenceData()))).filter((i) => i.tradable);
  const out = new Map<number, Instrument>();
  for (let n = 0; out.size < count; n++) {
    const base = master[n % master.length];
    const copy = Math.floor(n / master.length);
    const token = copy === 0 ? base.instrumentToken : 900_000_000 + n;
    const symbol = copy === 0 ? base.tradingsymbol : `${base.tradingsymbol.slice(0, 24)}-C${copy}`;
    out.set(token, { ...base, instrumentToken: token, tradingsymbol: symbol, updatedAt: new Date() });
  }
  return out;
}

interface State {
  i: Instrument;
  price: number;
  volume: number;
  value: number;
  open: number;
  high: number;
  low: number;
}

/**
 * A synthetic exchange: every `intervalMs` it trades a slice of the instruments (one trade each,
 * random walk inside the circuit band) and emits their quotes as one batch, as the simulator does.
 * `rate` is quotes per second across all instruments; it can change between phases (a burst).
 * Each batch's timestamp is unique and remembered with its high-resolution emit time, so the
 * benchmark can measure from the moment a quote left the exchange.
 */
export class BenchMarket extends MemoryMarketSource {
  private readonly states: State[];
  /** quote timestamp (ms) → performance.now() at emit. */
  readonly emittedAt = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private cursor = 0;
  private carry = 0;
  private lastTs = 0;
  private readonly random = new Mulberry32(12345);
  rate = 0;
  emitted = 0;

  constructor(instruments: Iterable<Instrument>, private readonly intervalMs = 100) {
    super();
    this.states = [...instruments].map((i) => ({ i, price: i.prevClose, volume: 0, value: 0, open: 0, high: 0, low: 0 }));
    this.emit(this.states.map((s) => this.quote(s, Date.now()))); // the opening state; nobody listens yet
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const due = (this.rate * this.intervalMs) / 1000 + this.carry;
    const n = Math.min(this.states.length, Math.floor(due));
    this.carry = due - n;
    if (n === 0) return;
    const ts = Math.max(Date.now(), this.lastTs + 1); // unique per batch: the key of emittedAt
    this.lastTs = ts;
    const batch: QuoteSnapshot[] = [];
    for (let k = 0; k < n; k++) {
      const s = this.states[this.cursor];
      this.cursor = (this.cursor + 1) % this.states.length;
      this.trade(s);
      batch.push(this.quote(s, ts));
    }
    this.emittedAt.set(ts, performance.now());
    this.emitted += batch.length;
    this.emit(batch);
  }

  private trade(s: State): void {
    const tick = s.i.tickSize;
    const step = Math.round((this.random.next() - 0.5) * 4) * tick;
    s.price = Math.min(s.i.upperCircuit, Math.max(s.i.lowerCircuit, s.price + step));
    const qty = 1 + Math.floor(this.random.next() * 200);
    s.volume += qty;
    s.value += s.price * qty;
    if (s.open === 0) s.open = s.high = s.low = s.price;
    s.high = Math.max(s.high, s.price);
    s.low = Math.min(s.low, s.price);
  }

  private quote(s: State, ts: number): QuoteSnapshot {
    const t = s.i.tickSize;
    const level = (price: number, k: number) => ({ price, quantity: 100 * (k + 1), orders: k + 1 });
    return {
      instrumentToken: s.i.instrumentToken,
      timestamp: ts,
      lastTradeTime: s.volume > 0 ? ts : 0,
      lastPrice: s.price,
      lastQuantity: s.volume > 0 ? 1 : 0,
      volume: s.volume,
      averagePrice: s.volume > 0 ? Math.min(s.high, Math.max(s.low, Math.round(s.value / s.volume))) : 0,
      open: s.open,
      high: s.high,
      low: s.low,
      close: s.i.prevClose,
      lowerCircuit: s.i.lowerCircuit,
      upperCircuit: s.i.upperCircuit,
      totalBuyQuantity: 5_000,
      totalSellQuantity: 6_000,
      bids: [0, 1, 2, 3, 4].map((k) => level(Math.max(t, s.price - (k + 1) * t), k)).filter((l, k, a) => k === 0 || l.price < a[k - 1].price),
      asks: [0, 1, 2, 3, 4].map((k) => level(s.price + (k + 1) * t, k)),
    };
  }
}
