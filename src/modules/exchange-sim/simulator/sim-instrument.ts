import type { Instrument } from '../../instruments';
import type { InstrumentSpec } from '../engine';

/** What the simulator needs of an instrument; tests hand-craft these, the app passes full Instruments. */
export type SimInstrument = Pick<
  Instrument,
  | 'instrumentToken'
  | 'exchange'
  | 'tradingsymbol'
  | 'tickSize'
  | 'lotSize'
  | 'freezeQty'
  | 'prevClose'
  | 'lowerCircuit'
  | 'upperCircuit'
  | 'suspended'
  | 'tradable'
>;

/**
 * The engine needs its reference price on the tick grid and inside the band. NSE's official
 * close is a volume-weighted average of the last half hour, so it is sometimes off-tick (34
 * listings in our reference data): take the nearest tick (a tie rounds up), then clamp.
 */
export function referencePriceOf(i: SimInstrument): number {
  const nearest = Math.round(i.prevClose / i.tickSize) * i.tickSize;
  return Math.min(i.upperCircuit, Math.max(i.lowerCircuit, nearest));
}

/** Engine instrument spec: the Kite token is the engine's instrument id. */
export function engineSpecOf(i: SimInstrument): InstrumentSpec {
  return {
    instrumentId: i.instrumentToken,
    tickSize: i.tickSize,
    lowerCircuit: i.lowerCircuit,
    upperCircuit: i.upperCircuit,
    freezeQty: i.freezeQty,
    lotSize: i.lotSize,
    referencePrice: referencePriceOf(i),
    suspended: i.suspended,
  };
}
