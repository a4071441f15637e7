import type { Mulberry32 } from '../../../common/random/prng';

/** NSE's continuous session, 09:15–15:30 IST: the "day" that daily volatility refers to. */
export const TRADING_SECONDS_PER_DAY = 6.25 * 3600;
/** Pull back toward the previous close with a two-hour half-life: prices wander, but not off to a circuit. */
const REVERSION_PER_SECOND = Math.LN2 / (2 * 3600);
/** How far each step follows the last traded price, so members' trades leave an impact. */
const FOLLOW_LAST_PRICE = 0.05;

export interface FairValueParams {
  reference: number;
  /** The walk stays inside [floor, ceiling] (paise): the band less room for the quote ladder. */
  floor: number;
  ceiling: number;
  /** Daily volatility as a fraction (0.02 = 2 %). */
  dailyVolatility: number;
  /** Daily drift as a fraction. */
  dailyDrift: number;
}

/**
 * The price the market makers believe in: a mean-reverting geometric random walk
 * (Ornstein–Uhlenbeck toward the previous close, plus a small drift) in paise, as a float;
 * quotes round it to the tick grid. With 2 % daily volatility and the two-hour half-life the
 * stationary spread is about ±1 % of the reference, so a day's range looks like a real stock's.
 */
export class FairValueWalk {
  value: number;
  private readonly sigmaPerSqrtSecond: number;
  private readonly driftPerSecond: number;

  constructor(private readonly params: FairValueParams) {
    this.value = params.reference;
    this.sigmaPerSqrtSecond = params.dailyVolatility / Math.sqrt(TRADING_SECONDS_PER_DAY);
    this.driftPerSecond = params.dailyDrift / TRADING_SECONDS_PER_DAY;
  }

  static randomFor(rng: Mulberry32, reference: number, floor: number, ceiling: number): FairValueWalk {
    return new FairValueWalk({
      reference,
      floor,
      ceiling,
      dailyVolatility: rng.between(0.01, 0.03),
      dailyDrift: rng.between(-0.01, 0.01),
    });
  }

  step(dtSeconds: number, z: number, lastPrice: number): number {
    const p = this.params;
    const v = this.value;
    let next = v + (this.driftPerSecond * v + REVERSION_PER_SECOND * (p.reference - v)) * dtSeconds;
    next += this.sigmaPerSqrtSecond * v * Math.sqrt(dtSeconds) * z;
    if (lastPrice > 0) next += FOLLOW_LAST_PRICE * (lastPrice - next);
    this.value = next < p.floor ? p.floor : next > p.ceiling ? p.ceiling : next;
    return this.value;
  }
}
