import { MarketPhase } from '../../common/clock/exchange-calendar';
import type { Instrument } from '../instruments';
import { marginPrice, marginRequired, protectedPrice } from './margin';
import { OrderIntent } from './order-intent';
import { validateOrder, RuleContext } from './order-rules';

const INFY: Instrument = Object.freeze({
  instrumentToken: 408065, exchangeToken: 1594, tradingsymbol: 'INFY', name: 'Infosys', isin: 'INE009A01021', exchange: 'NSE', segment: 'NSE',
  series: 'EQ', instrumentType: 'EQ', tickSize: 10, lotSize: 1, freezeQty: 74338, prevClose: 112100, circuitBandPct: 20,
  lowerCircuit: 89680, upperCircuit: 134520, faceValue: 500, priceIsSynthetic: false, tradable: true, suspended: false,
  week52High: null, week52Low: null, updatedAt: new Date(0),
});

const order = (o: Partial<OrderIntent> = {}): OrderIntent => ({
  instrument: INFY, transactionType: 'BUY', orderType: 'LIMIT', product: 'CNC', validity: 'DAY', variety: 'regular',
  quantity: 10, price: 112000, triggerPrice: 0, disclosedQuantity: 0, ...o,
});
const ok: RuleContext = { phase: MarketPhase.Continuous, trader: { kycStatus: 'verified', tradingBlocked: false }, killSwitch: false };

describe('order validation, in order, each with its own code', () => {
  it('accepts a plain limit order', () => {
    expect(() => validateOrder(order(), ok)).not.toThrow();
  });

  it.each<[string, Partial<OrderIntent>, Partial<RuleContext>, string]>([
    ['suspended instrument', { instrument: { ...INFY, suspended: true } }, {}, 'ORDER.INSTRUMENT_NOT_TRADABLE'],
    ['AMO with IOC', { variety: 'amo', validity: 'IOC' }, {}, 'ORDER.INVALID_COMBINATION'],
    ['iceberg without legs', { variety: 'iceberg' }, {}, 'ORDER.INVALID_COMBINATION'],
    ['market iceberg', { variety: 'iceberg', orderType: 'MARKET', price: 0, icebergLegs: 3 }, {}, 'ORDER.INVALID_COMBINATION'],
    ['zero quantity', { quantity: 0 }, {}, 'ORDER.INVALID_QUANTITY'],
    ['fractional quantity', { quantity: 1.5 }, {}, 'ORDER.INVALID_QUANTITY'],
    ['off-lot quantity', { instrument: { ...INFY, lotSize: 5 }, quantity: 7 }, {}, 'ORDER.LOT_SIZE'],
    ['above freeze', { quantity: 74339 }, {}, 'ORDER.FREEZE_QUANTITY'],
    ['limit without price', { price: 0 }, {}, 'ORDER.INVALID_PRICE'],
    ['market with a price', { orderType: 'MARKET' }, {}, 'ORDER.INVALID_PRICE'],
    ['off-tick price', { price: 112005 }, {}, 'ORDER.TICK_SIZE'],
    ['SL without trigger', { orderType: 'SL' }, {}, 'ORDER.INVALID_TRIGGER'],
    ['SL buy with trigger above limit', { orderType: 'SL', triggerPrice: 112100 }, {}, 'ORDER.INVALID_TRIGGER'],
    ['limit with a trigger', { triggerPrice: 112000 }, {}, 'ORDER.INVALID_TRIGGER'],
    ['disclosed below 10%', { quantity: 100, disclosedQuantity: 9 }, {}, 'ORDER.DISCLOSED_QUANTITY'],
    ['closed market', {}, { phase: MarketPhase.Closed }, 'ORDER.MARKET_CLOSED'],
    ['SL in pre-open', { orderType: 'SL', triggerPrice: 111000 }, { phase: MarketPhase.PreOpen }, 'ORDER.MARKET_CLOSED'],
    ['AMO while open', { variety: 'amo' }, {}, 'ORDER.MARKET_CLOSED'],
    ['above upper circuit', { price: 134530 }, {}, 'ORDER.CIRCUIT_LIMIT'],
    ['kill switch', {}, { killSwitch: true }, 'ORDER.KILL_SWITCH'],
    ['KYC pending', {}, { trader: { kycStatus: 'pending', tradingBlocked: false } }, 'ORDER.KYC_PENDING'],
    ['blocked trader', {}, { trader: { kycStatus: 'verified', tradingBlocked: true } }, 'ORDER.TRADING_BLOCKED'],
  ])('%s → %s', (_label, o, ctx, code) => {
    expect(() => validateOrder(order(o), { ...ok, ...ctx })).toThrow(expect.objectContaining({ code }));
  });

  it('checks parameters before market hours, and hours before the trader', () => {
    expect(() => validateOrder(order({ quantity: 0 }), { ...ok, phase: MarketPhase.Closed, killSwitch: true })).toThrow(
      expect.objectContaining({ code: 'ORDER.INVALID_QUANTITY' }),
    );
    expect(() => validateOrder(order(), { ...ok, phase: MarketPhase.Closed, killSwitch: true })).toThrow(
      expect.objectContaining({ code: 'ORDER.MARKET_CLOSED' }),
    );
  });

  it('accepts an AMO while closed and a LIMIT DAY order in pre-open', () => {
    expect(() => validateOrder(order({ variety: 'amo' }), { ...ok, phase: MarketPhase.Closed })).not.toThrow();
    expect(() => validateOrder(order(), { ...ok, phase: MarketPhase.PreOpen })).not.toThrow();
  });
});

describe('margin', () => {
  const inputs = { ltp: 112100, misMarginPct: 20, marketProtectionPct: 5 };

  it('market protection rounds to the tick away from the reference and stays inside the band', () => {
    // ₹1,121.00 × 1.05 = ₹1,177.05 → up to the ₹0.10 tick: ₹1,177.10; sell: ₹1,064.95 → down: ₹1,064.90.
    expect(protectedPrice('BUY', 112100, 5, INFY)).toBe(117710);
    expect(protectedPrice('SELL', 112100, 5, INFY)).toBe(106490);
    expect(protectedPrice('BUY', 130000, 5, INFY)).toBe(INFY.upperCircuit);
  });

  it('CNC buy needs the full value; MIS the configured share, rounded up; CNC sell needs no cash', () => {
    expect(marginRequired(order({ quantity: 7, price: 112010 }), 7, inputs)).toBe(784070);
    // 20% of 3 × ₹1,120.10 = ₹672.06 exactly; 20% of 1 × ₹1,120.10 = ₹224.02.
    expect(marginRequired(order({ product: 'MIS', quantity: 3, price: 112010 }), 3, inputs)).toBe(67206);
    expect(marginRequired(order({ product: 'MIS', quantity: 1, price: 112010 }), 1, { ...inputs, misMarginPct: 33 })).toBe(36964); // 36963.3 → up
    expect(marginRequired(order({ transactionType: 'SELL' }), 10, inputs)).toBe(0);
  });

  it('counts MARKET and SL-M at their protection price', () => {
    expect(marginPrice(order({ orderType: 'MARKET', price: 0 }), inputs)).toBe(117710);
    expect(marginPrice(order({ orderType: 'SL-M', price: 0, triggerPrice: 113000 }), inputs)).toBe(118650);
  });
});
