import { ManualClock } from '../../../../common/clock/clock';
import { istDateTime } from '../../../../common/clock/ist';
import type { ExecutionReport, NewOrderRequest, VenueMessage } from '../../venue.types';
import { ExchangeSimulator, type ExchangeSimulatorOptions } from '../exchange-simulator';
import type { SimInstrument } from '../sim-instrument';

/** ₹1,150.00 previous close, 5-paise ticks, band ₹1,050.00–₹1,260.00. */
export const ACME: SimInstrument = {
  instrumentToken: 1001,
  exchange: 'NSE',
  tradingsymbol: 'ACME',
  tickSize: 5,
  lotSize: 1,
  freezeQty: 10_000,
  prevClose: 115_000,
  lowerCircuit: 105_000,
  upperCircuit: 126_000,
  suspended: false,
  tradable: true,
};

/** A penny-ish stock: 1-paisa ticks. */
export const BETA: SimInstrument = {
  ...ACME,
  instrumentToken: 2002,
  tradingsymbol: 'BETA',
  tickSize: 1,
  freezeQty: 100_000,
  prevClose: 4_250,
  lowerCircuit: 3_825,
  upperCircuit: 4_675,
};

/** On BSE, with an official close off the 10-paise grid (₹2,400.05). */
export const GAMMA: SimInstrument = {
  ...ACME,
  instrumentToken: 3004,
  exchange: 'BSE',
  tradingsymbol: 'GAMMA',
  tickSize: 10,
  prevClose: 240_005,
  lowerCircuit: 192_010,
  upperCircuit: 288_000,
};

export const SUSPENDED: SimInstrument = { ...ACME, instrumentToken: 4001, tradingsymbol: 'SLEEPY', suspended: true };
export const DELISTED: SimInstrument = { ...ACME, instrumentToken: 5001, tradingsymbol: 'GONE', tradable: false };

/** Thursday 26 Nov 2026, a trading day, at 10:00 IST. */
export const THURSDAY_10AM = istDateTime('2026-11-26', 10);

const running: ExchangeSimulator[] = [];

/** For afterEach: stops every simulator the fixtures built, even when a test failed half-way. */
export function stopSimulators(): void {
  for (const sim of running.splice(0)) sim.stop();
}

export function simulator(options: Partial<ExchangeSimulatorOptions> = {}): { sim: ExchangeSimulator; clock: ManualClock } {
  const clock = options.clock instanceof ManualClock ? options.clock : new ManualClock(THURSDAY_10AM);
  // An hour between quote flushes: tests flush by hand.
  const sim = new ExchangeSimulator({ clock, instruments: [ACME, BETA, GAMMA, SUSPENDED, DELISTED], quoteIntervalMs: 3_600_000, ...options });
  running.push(sim);
  return { sim, clock };
}

/** Lets the venue's asynchronous delivery run. */
export const delivered = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Everything one member receives, in order. */
export function inbox(sim: ExchangeSimulator, memberId: string): VenueMessage[] {
  const messages: VenueMessage[] = [];
  sim.onMessage(memberId, (m) => messages.push(m));
  return messages;
}

export const reports = (messages: VenueMessage[]) => messages.filter((m): m is ExecutionReport => m.kind === 'execution');

let counter = 0;
export function order(overrides: Partial<NewOrderRequest> & Pick<NewOrderRequest, 'side'>): NewOrderRequest {
  return {
    memberId: 'M1',
    clOrdId: `C${++counter}`,
    clientAccount: 'A',
    instrumentToken: ACME.instrumentToken,
    orderType: 'LIMIT',
    validity: 'DAY',
    quantity: 10,
    price: 115_000,
    ...overrides,
  };
}
