import { MarketPhase } from '../../common/clock/exchange-calendar';
import { paiseToRupees } from '../../common/money/money';
import { isTickMultiple } from '../instruments';
import { OrderIntent } from './order-intent';
import { OrderRejectedError } from './risk.errors';

export interface TraderStanding {
  kycStatus: 'pending' | 'verified' | 'rejected';
  tradingBlocked: boolean;
}

export interface RuleContext {
  phase: MarketPhase;
  trader: TraderStanding;
  /** Broker-wide kill switch: no new orders at all. */
  killSwitch: boolean;
}

const r = (p: number) => paiseToRupees(p).toFixed(2);

/** Instrument, parameters and combinations, tick, lot, freeze — everything knowable from the order alone. */
export function checkOrderParameters(o: OrderIntent): void {
  const i = o.instrument;
  if (!i.tradable || i.suspended) throw new OrderRejectedError('ORDER.INSTRUMENT_NOT_TRADABLE', `${i.exchange}:${i.tradingsymbol} is not open for trading`);

  if (o.variety === 'amo' && o.validity === 'IOC') throw new OrderRejectedError('ORDER.INVALID_COMBINATION', 'After-market orders cannot be IOC');
  if (o.variety === 'iceberg') {
    if (o.orderType !== 'LIMIT' && o.orderType !== 'SL') throw new OrderRejectedError('ORDER.INVALID_COMBINATION', 'Iceberg orders must be LIMIT or SL');
    if (o.validity !== 'DAY') throw new OrderRejectedError('ORDER.INVALID_COMBINATION', 'Iceberg orders must be DAY orders');
    if (!o.icebergLegs || o.icebergLegs < 2 || o.icebergLegs > 10) {
      throw new OrderRejectedError('ORDER.INVALID_COMBINATION', 'Iceberg orders need iceberg_legs between 2 and 10');
    }
  } else if (o.icebergLegs) {
    throw new OrderRejectedError('ORDER.INVALID_COMBINATION', 'iceberg_legs is only for the iceberg variety');
  }
  if (o.validity === 'IOC' && o.disclosedQuantity > 0) throw new OrderRejectedError('ORDER.INVALID_COMBINATION', 'IOC orders cannot disclose a quantity');

  if (!Number.isSafeInteger(o.quantity) || o.quantity <= 0) throw new OrderRejectedError('ORDER.INVALID_QUANTITY', 'Quantity must be a positive whole number');
  if (o.quantity % i.lotSize !== 0) throw new OrderRejectedError('ORDER.LOT_SIZE', `Quantity must be a multiple of the lot size ${i.lotSize}`);
  const legQty = o.icebergLegs ? Math.ceil(o.quantity / o.icebergLegs) : o.quantity;
  if (legQty > i.freezeQty) throw new OrderRejectedError('ORDER.FREEZE_QUANTITY', `Quantity ${legQty} exceeds the freeze quantity ${i.freezeQty}; use an iceberg order`);
  if (o.icebergLegs && o.quantity < o.icebergLegs) throw new OrderRejectedError('ORDER.INVALID_QUANTITY', 'Iceberg quantity must be at least one share per leg');

  const needsPrice = o.orderType === 'LIMIT' || o.orderType === 'SL';
  const needsTrigger = o.orderType === 'SL' || o.orderType === 'SL-M';
  if (needsPrice && o.price <= 0) throw new OrderRejectedError('ORDER.INVALID_PRICE', `${o.orderType} orders need a price above 0`);
  if (!needsPrice && o.price !== 0) throw new OrderRejectedError('ORDER.INVALID_PRICE', `${o.orderType} orders take no price`);
  if (needsPrice && !isTickMultiple(o.price, i.tickSize)) {
    throw new OrderRejectedError('ORDER.TICK_SIZE', `Price ${r(o.price)} is not a multiple of the tick size ${r(i.tickSize)}`);
  }
  if (needsTrigger) {
    if (o.triggerPrice <= 0) throw new OrderRejectedError('ORDER.INVALID_TRIGGER', `${o.orderType} orders need a trigger price above 0`);
    if (!isTickMultiple(o.triggerPrice, i.tickSize)) {
      throw new OrderRejectedError('ORDER.TICK_SIZE', `Trigger price ${r(o.triggerPrice)} is not a multiple of the tick size ${r(i.tickSize)}`);
    }
    // A stop-limit buy triggers at or below its limit (and a sell at or above): otherwise it could never fill as meant.
    if (o.orderType === 'SL' && o.transactionType === 'BUY' && o.triggerPrice > o.price) {
      throw new OrderRejectedError('ORDER.INVALID_TRIGGER', 'For an SL buy the trigger price must not be above the limit price');
    }
    if (o.orderType === 'SL' && o.transactionType === 'SELL' && o.triggerPrice < o.price) {
      throw new OrderRejectedError('ORDER.INVALID_TRIGGER', 'For an SL sell the trigger price must not be below the limit price');
    }
  } else if (o.triggerPrice !== 0) {
    throw new OrderRejectedError('ORDER.INVALID_TRIGGER', `${o.orderType} orders take no trigger price`);
  }
  if (o.disclosedQuantity < 0 || !Number.isSafeInteger(o.disclosedQuantity)) {
    throw new OrderRejectedError('ORDER.DISCLOSED_QUANTITY', 'Disclosed quantity must be a whole number');
  }
  if (o.disclosedQuantity > 0 && (o.disclosedQuantity > o.quantity || o.disclosedQuantity * 10 < o.quantity)) {
    throw new OrderRejectedError('ORDER.DISCLOSED_QUANTITY', 'Disclosed quantity must be between 10% and 100% of the quantity');
  }
}

/** Regular orders need continuous trading (or pre-open for LIMIT/MARKET DAY); AMO only outside it. */
export function checkMarketHours(o: OrderIntent, phase: MarketPhase): void {
  if (o.variety === 'amo') {
    if (phase === MarketPhase.Continuous) throw new OrderRejectedError('ORDER.MARKET_CLOSED', 'The market is open: place a regular order, not an AMO');
    return;
  }
  if (phase === MarketPhase.Continuous) return;
  const preOpenEligible = (o.orderType === 'LIMIT' || o.orderType === 'MARKET') && o.validity === 'DAY' && o.disclosedQuantity === 0;
  if (phase === MarketPhase.PreOpen && preOpenEligible && o.variety === 'regular') return;
  throw new OrderRejectedError(
    'ORDER.MARKET_CLOSED',
    phase === MarketPhase.PreOpen ? 'Only LIMIT and MARKET DAY orders are accepted in the pre-open session' : 'The market is closed (09:15–15:30 IST); place an AMO instead',
  );
}

export function checkCircuit(o: OrderIntent): void {
  const i = o.instrument;
  const band = `${r(i.lowerCircuit)}–${r(i.upperCircuit)}`;
  if (o.price > 0 && (o.price < i.lowerCircuit || o.price > i.upperCircuit)) {
    throw new OrderRejectedError('ORDER.CIRCUIT_LIMIT', `Price ${r(o.price)} is outside the circuit band ${band}`);
  }
  if (o.triggerPrice > 0 && (o.triggerPrice < i.lowerCircuit || o.triggerPrice > i.upperCircuit)) {
    throw new OrderRejectedError('ORDER.CIRCUIT_LIMIT', `Trigger price ${r(o.triggerPrice)} is outside the circuit band ${band}`);
  }
}

export function checkTrader(ctx: RuleContext): void {
  if (ctx.killSwitch) throw new OrderRejectedError('ORDER.KILL_SWITCH', 'New orders are paused by the broker (kill switch)', 503);
  if (ctx.trader.kycStatus !== 'verified') throw new OrderRejectedError('ORDER.KYC_PENDING', 'Trading needs a verified KYC', 403);
  if (ctx.trader.tradingBlocked) throw new OrderRejectedError('ORDER.TRADING_BLOCKED', 'Trading is blocked on this account; contact support', 403);
}

/** The validation pipeline, in the order the issue fixes: parameters → hours → circuit → trader. */
export function validateOrder(o: OrderIntent, ctx: RuleContext): void {
  checkOrderParameters(o);
  checkMarketHours(o, ctx.phase);
  checkCircuit(o);
  checkTrader(ctx);
}
