import { paiseToRupees, ratioOf, Rounding } from '../../common/money/money';
import type { Instrument } from '../instruments';
import { HoldingRow, PositionRow } from './portfolio.service';
import { unrealisedPnl } from './position-math';

const r = paiseToRupees;
const avg = (value: number, qty: number) => (qty ? r(ratioOf(value, 1, qty, Rounding.HalfEven)) : 0);

/** Kite's position shape. pnl = (sell value − buy value) + net × last price. */
export function positionView(p: PositionRow, i: Instrument, lastPrice: number, today: string) {
  const unrealised = unrealisedPnl(p, lastPrice);
  const pnl = p.sellValue - p.buyValue + p.netQuantity * lastPrice;
  const isToday = p.tradeDate === today;
  return {
    tradingsymbol: i.tradingsymbol,
    exchange: i.exchange,
    instrument_token: i.instrumentToken,
    product: p.product,
    quantity: p.netQuantity,
    overnight_quantity: isToday ? 0 : p.netQuantity,
    multiplier: 1,
    average_price: r(p.averagePrice),
    close_price: r(i.prevClose),
    last_price: r(lastPrice),
    value: r(p.sellValue - p.buyValue),
    pnl: r(pnl),
    m2m: r(pnl),
    unrealised: r(unrealised),
    realised: r(p.realisedPnl),
    buy_quantity: p.buyQuantity,
    buy_price: avg(p.buyValue, p.buyQuantity),
    buy_value: r(p.buyValue),
    sell_quantity: p.sellQuantity,
    sell_price: avg(p.sellValue, p.sellQuantity),
    sell_value: r(p.sellValue),
    day_buy_quantity: isToday ? p.buyQuantity : 0,
    day_buy_price: isToday ? avg(p.buyValue, p.buyQuantity) : 0,
    day_buy_value: isToday ? r(p.buyValue) : 0,
    day_sell_quantity: isToday ? p.sellQuantity : 0,
    day_sell_price: isToday ? avg(p.sellValue, p.sellQuantity) : 0,
    day_sell_value: isToday ? r(p.sellValue) : 0,
    margin_blocked: r(p.marginBlocked),
  };
}

/** Kite's holding shape; day change is against the previous close. */
export function holdingView(h: HoldingRow, i: Instrument, lastPrice: number) {
  const qty = h.quantity + h.t1Quantity;
  const dayChange = lastPrice - i.prevClose;
  return {
    tradingsymbol: i.tradingsymbol,
    exchange: i.exchange,
    instrument_token: i.instrumentToken,
    isin: i.isin,
    product: 'CNC',
    price: 0,
    quantity: h.quantity,
    used_quantity: h.blockedQuantity,
    t1_quantity: h.t1Quantity,
    realised_quantity: h.quantity,
    authorised_quantity: 0,
    opening_quantity: h.quantity,
    collateral_quantity: 0,
    collateral_type: '',
    discrepancy: false,
    average_price: r(h.averagePrice),
    last_price: r(lastPrice),
    close_price: r(i.prevClose),
    pnl: r(qty * (lastPrice - h.averagePrice)),
    day_change: r(dayChange),
    day_change_percentage: i.prevClose ? Number(((dayChange * 100) / i.prevClose).toFixed(2)) : 0,
  };
}
