import { ratioOf, Rounding } from '../../common/money/money';
import type { Instrument } from '../instruments';
import { OrderIntent, TransactionType } from './order-intent';

export interface MarginInputs {
  /** Last traded price (previous close before the first trade). */
  ltp: number;
  /** MIS margin as a percentage of the order value (e.g. 20 = 5× leverage). */
  misMarginPct: number;
  /** Market protection: how far from the reference price a market order may fill, in percent. */
  marketProtectionPct: number;
}

/**
 * Market protection, as Kite applies it: a market order goes to the exchange as a limit order
 * this far from the reference price (rounded to the tick, never outside the circuit band), so
 * it can neither fill at an absurd price nor cost more than the margin blocked for it.
 */
export function protectedPrice(side: TransactionType, reference: number, pct: number, instrument: Instrument): number {
  const tick = instrument.tickSize;
  const raw = side === 'BUY' ? ratioOf(reference, 100 + pct, 100, Rounding.Up) : ratioOf(reference, 100 - pct, 100, Rounding.Down);
  const onTick = side === 'BUY' ? Math.ceil(raw / tick) * tick : Math.floor(raw / tick) * tick;
  return Math.min(instrument.upperCircuit, Math.max(instrument.lowerCircuit, onTick));
}

/** The price an order's margin is counted at: its limit, or its market-protection price. */
export function marginPrice(o: Pick<OrderIntent, 'orderType' | 'transactionType' | 'price' | 'triggerPrice' | 'instrument'>, inputs: MarginInputs): number {
  if (o.orderType === 'LIMIT' || o.orderType === 'SL') return o.price;
  const reference = o.orderType === 'SL-M' ? o.triggerPrice : inputs.ltp;
  return protectedPrice(o.transactionType, reference, inputs.marketProtectionPct, o.instrument);
}

/**
 * Cash margin to block for `quantity` of an order, in paise, rounded up. CNC sells block
 * holdings instead of cash; CNC buys need the full value; MIS the configured share of it.
 */
export function marginRequired(o: OrderIntent, quantity: number, inputs: MarginInputs): number {
  if (o.product === 'CNC' && o.transactionType === 'SELL') return 0;
  const value = quantity * marginPrice(o, inputs);
  if (o.product === 'CNC') return value;
  return ratioOf(value, inputs.misMarginPct, 100, Rounding.Up);
}
