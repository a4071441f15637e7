import { DomainError, ErrorType } from '../../common/errors';

/**
 * Each rule fails with its own code, checked in a fixed order (cheapest and most basic first),
 * so a client can tell exactly what to fix.
 */
export type OrderRejectCode =
  | 'ORDER.UNKNOWN_INSTRUMENT'
  | 'ORDER.INSTRUMENT_NOT_TRADABLE'
  | 'ORDER.INVALID_COMBINATION'
  | 'ORDER.INVALID_QUANTITY'
  | 'ORDER.LOT_SIZE'
  | 'ORDER.FREEZE_QUANTITY'
  | 'ORDER.INVALID_PRICE'
  | 'ORDER.TICK_SIZE'
  | 'ORDER.INVALID_TRIGGER'
  | 'ORDER.DISCLOSED_QUANTITY'
  | 'ORDER.MARKET_CLOSED'
  | 'ORDER.CIRCUIT_LIMIT'
  | 'ORDER.KYC_PENDING'
  | 'ORDER.TRADING_BLOCKED'
  | 'ORDER.KILL_SWITCH'
  | 'ORDER.NO_PRICE'
  | 'ORDER.NOT_AMENDABLE';

export class OrderRejectedError extends DomainError {
  constructor(code: OrderRejectCode, message: string, status = 400) {
    super(code, message, code === 'ORDER.KYC_PENDING' || code === 'ORDER.TRADING_BLOCKED' ? ErrorType.Permission : ErrorType.Order, status);
  }
}

export class InsufficientMarginError extends DomainError {
  constructor(message: string, code = 'MARGIN.INSUFFICIENT') {
    super(code, message, ErrorType.Margin, 400);
  }
}
