import { MatchingEngine } from '../engine';
import type {
  CancelReason,
  CommandType,
  EngineListener,
  InstrumentSpec,
  PlaceOrderCommand,
  RejectCode,
  SessionState,
  Side,
} from '../types';

export type Recorded =
  | { e: 'accepted'; orderId: number }
  | { e: 'rejected'; orderId: number; reason: RejectCode; command: CommandType }
  | { e: 'trade'; buy: number; sell: number; price: number; qty: number; aggressor: Side | null; tradeId: number }
  | { e: 'cancelled'; orderId: number; qty: number; reason: CancelReason }
  | { e: 'modified'; orderId: number; price: number; qty: number; trigger: number; kept: boolean }
  | { e: 'triggered'; orderId: number; ltp: number }
  | { e: 'auction'; instrumentId: number; price: number; qty: number }
  | { e: 'session'; state: SessionState }
  | { e: 'depth'; instrumentId: number };

/** Test listener that keeps every event as a plain object. */
export class Recorder implements EngineListener {
  events: Recorded[] = [];

  take(): Recorded[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  trades(): Extract<Recorded, { e: 'trade' }>[] {
    return this.events.filter((x): x is Extract<Recorded, { e: 'trade' }> => x.e === 'trade');
  }

  of<K extends Recorded['e']>(kind: K): Extract<Recorded, { e: K }>[] {
    return this.events.filter((x): x is Extract<Recorded, { e: K }> => x.e === kind);
  }

  onAccepted(orderId: number): void {
    this.events.push({ e: 'accepted', orderId });
  }
  onRejected(orderId: number, _i: number, reason: RejectCode, command: CommandType): void {
    this.events.push({ e: 'rejected', orderId, reason, command });
  }
  onTrade(_i: number, buy: number, sell: number, price: number, qty: number, aggressor: Side | null, tradeId: number): void {
    this.events.push({ e: 'trade', buy, sell, price, qty, aggressor, tradeId });
  }
  onCancelled(orderId: number, _i: number, qty: number, reason: CancelReason): void {
    this.events.push({ e: 'cancelled', orderId, qty, reason });
  }
  onModified(orderId: number, _i: number, price: number, qty: number, trigger: number, kept: boolean): void {
    this.events.push({ e: 'modified', orderId, price, qty, trigger, kept });
  }
  onTriggered(orderId: number, _i: number, ltp: number): void {
    this.events.push({ e: 'triggered', orderId, ltp });
  }
  onAuction(instrumentId: number, price: number, qty: number): void {
    this.events.push({ e: 'auction', instrumentId, price, qty });
  }
  onSessionChanged(state: SessionState): void {
    this.events.push({ e: 'session', state });
  }
  onDepthChanged(instrumentId: number): void {
    this.events.push({ e: 'depth', instrumentId });
  }
}

/** ₹100.00 stock, 5 paise tick, ±20% band, lot 1. */
export const SPEC: InstrumentSpec = {
  instrumentId: 1,
  tickSize: 5,
  lowerCircuit: 8000,
  upperCircuit: 12000,
  freezeQty: 10000,
  lotSize: 1,
  referencePrice: 10000,
};

export function setup(
  session: SessionState = 'CONTINUOUS',
  spec: InstrumentSpec = SPEC,
): { engine: MatchingEngine; rec: Recorder } {
  const rec = new Recorder();
  const engine = new MatchingEngine({ listener: rec });
  engine.apply({ type: 'ADD_INSTRUMENT', ...spec });
  engine.apply({ type: 'SET_SESSION', state: session });
  rec.take();
  return { engine, rec };
}

type PlaceArgs = Partial<Omit<PlaceOrderCommand, 'type'>> & { orderId: number };

/** A DAY LIMIT order on instrument 1 unless overridden. */
export function place(a: PlaceArgs): PlaceOrderCommand {
  return {
    type: 'PLACE',
    instrumentId: 1,
    clientId: a.orderId,
    side: 'BUY',
    orderType: 'LIMIT',
    validity: 'DAY',
    qty: 10,
    price: 10000,
    ...a,
  };
}
