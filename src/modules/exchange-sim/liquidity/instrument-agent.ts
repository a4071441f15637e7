import { FairValueWalk } from './fair-value';
import type { LiquidityInstrument, LiquidityPort } from './liquidity-port';
import { Mulberry32, streamSeed } from '../../../common/random/prng';

/** Quote ladder depth per side: Kite shows five levels, so five keep the depth full. */
export const QUOTE_LEVELS = 5;
/** About what a retail-sized clip is worth: quote sizes scale inversely with the price. */
const CLIP_VALUE_PAISE = 50_000_00;

export interface AgentClients {
  marketMaker: number;
  noise: number;
}

/**
 * The synthetic market of one instrument: a market maker quoting a ladder around a fair value
 * and noise traders crossing the spread. Every visit cancels the agents' resting orders and
 * quotes afresh, so agents never hold more than one ladder (plus a few pre-open orders) per
 * instrument and the book cannot grow.
 */
export class InstrumentAgent {
  private readonly rng: Mulberry32;
  private readonly walk: FairValueWalk;
  /** Price step between quote levels (paise, a tick multiple): ~1 bp of the price, at least a tick. */
  private readonly unit: number;
  private readonly clip: number;
  /** Agent orders resting in the book (or in the pre-open book): cancelled at the next visit. */
  private readonly resting: number[] = [];

  constructor(
    readonly instrument: LiquidityInstrument,
    seed: number,
  ) {
    const i = instrument;
    this.rng = new Mulberry32(streamSeed(seed, i.token));
    this.unit = i.tickSize * Math.max(1, Math.round((i.referencePrice * 0.0001) / i.tickSize));
    const lots = Math.max(1, Math.round(CLIP_VALUE_PAISE / i.referencePrice / i.lotSize));
    this.clip = Math.min(lots * i.lotSize, Math.max(i.lotSize, Math.floor(i.freezeQty / 10 / i.lotSize) * i.lotSize));
    // Room for the whole ladder between the fair value and each circuit.
    const room = (QUOTE_LEVELS + 2) * this.unit;
    const floor = i.lowerCircuit + room;
    const ceiling = i.upperCircuit - room;
    this.walk = floor <= ceiling
      ? FairValueWalk.randomFor(this.rng, i.referencePrice, floor, ceiling)
      : FairValueWalk.randomFor(this.rng, i.referencePrice, i.referencePrice, i.referencePrice);
  }

  get fairValue(): number {
    return this.walk.value;
  }

  get restingCount(): number {
    return this.resting.length;
  }

  /** The engine expired everything at the close: nothing of ours rests any more. */
  forgetResting(): void {
    this.resting.length = 0;
  }

  visit(port: LiquidityPort, clients: AgentClients, preOpen: boolean, dtSeconds: number, tradesPerVisit: number): void {
    for (const id of this.resting) port.cancelAgentOrder(id);
    this.resting.length = 0;
    const fair = this.walk.step(dtSeconds, this.rng.normal(), port.lastPrice(this.instrument.token));
    this.quote(port, clients.marketMaker, fair);
    const orders = Math.floor(tradesPerVisit + this.rng.next());
    if (preOpen) {
      if (orders > 0) this.preOpenInterest(port, clients.noise, fair);
      return;
    }
    for (let n = 0; n < orders; n++) this.cross(port, clients.noise);
  }

  /** Two-sided ladder: best bid / ask half a unit to one and a half units from the fair value. */
  private quote(port: LiquidityPort, clientId: number, fair: number): void {
    const i = this.instrument;
    const t = i.tickSize;
    let bid0 = Math.floor((fair - this.unit * this.rng.between(0.5, 1.5)) / t) * t;
    let ask0 = Math.ceil((fair + this.unit * this.rng.between(0.5, 1.5)) / t) * t;
    // A band a few ticks wide (sub-rupee shares) still gets a bid and an ask, a tick apart at least.
    bid0 = Math.min(Math.max(bid0, i.lowerCircuit), i.upperCircuit - t);
    ask0 = Math.max(Math.min(ask0, i.upperCircuit), bid0 + t);
    for (let level = 0; level < QUOTE_LEVELS; level++) {
      const size = this.clip * (1 + level + this.rng.int(3));
      const bid = bid0 - level * this.unit;
      const ask = ask0 + level * this.unit;
      if (bid >= i.lowerCircuit) this.rest(port.placeAgentOrder(i.token, clientId, true, this.capped(size), bid, false));
      if (ask <= i.upperCircuit) this.rest(port.placeAgentOrder(i.token, clientId, false, this.capped(size), ask, false));
    }
  }

  /** Continuous session: a marketable IOC order of a random small size against the best price. */
  private cross(port: LiquidityPort, clientId: number): void {
    const i = this.instrument;
    const isBuy = this.rng.next() < 0.5;
    const best = isBuy ? port.bestAsk(i.token) : port.bestBid(i.token);
    if (best === 0) return;
    const limit = isBuy ? Math.min(i.upperCircuit, best + this.unit) : Math.max(i.lowerCircuit, best - this.unit);
    port.placeAgentOrder(i.token, clientId, isBuy, this.noiseSize(), limit, true);
  }

  /**
   * Pre-open takes no IOC: a buy just above and a sell just below the fair value (DAY orders,
   * replaced each visit), so the opening auction always has crossing interest.
   */
  private preOpenInterest(port: LiquidityPort, clientId: number, fair: number): void {
    const i = this.instrument;
    const t = i.tickSize;
    const buy = Math.min(i.upperCircuit, Math.ceil((fair + this.unit) / t) * t);
    const sell = Math.max(i.lowerCircuit, Math.floor((fair - this.unit) / t) * t);
    this.rest(port.placeAgentOrder(i.token, clientId, true, this.noiseSize(), buy, false));
    this.rest(port.placeAgentOrder(i.token, clientId, false, this.noiseSize(), sell, false));
  }

  /**
   * Between one lot and half a clip: the best quote is at least a clip, so one noise order
   * never empties it, even in a band only a few ticks wide where the ladder has a single level.
   */
  private noiseSize(): number {
    const lot = this.instrument.lotSize;
    return this.capped(lot * (1 + this.rng.int(Math.max(1, Math.floor(this.clip / lot / 2)))));
  }

  private capped(size: number): number {
    const i = this.instrument;
    return Math.min(size, Math.floor(i.freezeQty / i.lotSize) * i.lotSize);
  }

  private rest(orderId: number): void {
    if (orderId !== 0) this.resting.push(orderId);
  }
}
