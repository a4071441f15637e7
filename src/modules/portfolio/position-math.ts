import { ratioOf, Rounding } from '../../common/money/money';

export interface PositionState {
  buyQuantity: number;
  buyValue: number;
  sellQuantity: number;
  sellValue: number;
  /** Positive long, negative short. */
  netQuantity: number;
  /** Cost of the open net quantity, paise: the exact sum behind the average. */
  openValue: number;
  /** openValue / |netQuantity|, paise, half-even. */
  averagePrice: number;
  realisedPnl: number;
}

export const EMPTY_POSITION: PositionState = Object.freeze({
  buyQuantity: 0,
  buyValue: 0,
  sellQuantity: 0,
  sellValue: 0,
  netQuantity: 0,
  openValue: 0,
  averagePrice: 0,
  realisedPnl: 0,
});

export interface FillOutcome {
  position: PositionState;
  /** Quantity of this fill that closed existing exposure. */
  closedQuantity: number;
  /** Quantity of this fill that opened (or added to) exposure. */
  openedQuantity: number;
  /** P&L realised by the closing part, paise. */
  realised: number;
}

/**
 * One fill into a position. Opening fills average in (weighted, half-even); closing fills
 * realise P&L against the average; a fill larger than the open quantity flips the position,
 * and the flipped remainder opens at the fill price.
 */
export function applyFill(p: PositionState, side: 'BUY' | 'SELL', quantity: number, price: number): FillOutcome {
  const direction = side === 'BUY' ? 1 : -1;
  const value = quantity * price;
  const next: PositionState = {
    ...p,
    buyQuantity: p.buyQuantity + (side === 'BUY' ? quantity : 0),
    buyValue: p.buyValue + (side === 'BUY' ? value : 0),
    sellQuantity: p.sellQuantity + (side === 'SELL' ? quantity : 0),
    sellValue: p.sellValue + (side === 'SELL' ? value : 0),
  };
  const open = Math.abs(p.netQuantity);
  const sameWay = p.netQuantity === 0 || Math.sign(p.netQuantity) === direction;
  if (sameWay) {
    next.netQuantity = p.netQuantity + direction * quantity;
    // Averaged from the exact cost, not from the previous (rounded) average: no drift.
    next.openValue = p.openValue + value;
    next.averagePrice = ratioOf(next.openValue, 1, open + quantity, Rounding.HalfEven);
    return { position: next, closedQuantity: 0, openedQuantity: quantity, realised: 0 };
  }
  const closed = Math.min(quantity, open);
  // Long closed by a sale: (exit - entry); short closed by a buy: (entry - exit).
  const realised = closed * (price - p.averagePrice) * -direction;
  const opened = quantity - closed;
  next.realisedPnl = p.realisedPnl + realised;
  next.netQuantity = p.netQuantity + direction * quantity;
  next.averagePrice = next.netQuantity === 0 ? 0 : opened > 0 ? price : p.averagePrice;
  // What stays open keeps the cost it was realised against.
  next.openValue = Math.abs(next.netQuantity) * next.averagePrice;
  return { position: next, closedQuantity: closed, openedQuantity: opened, realised };
}

/** Unrealised P&L of the open quantity at a last price. */
export function unrealisedPnl(p: Pick<PositionState, 'netQuantity' | 'averagePrice'>, lastPrice: number): number {
  return p.netQuantity * (lastPrice - p.averagePrice);
}
