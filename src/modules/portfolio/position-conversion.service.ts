import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { DomainError, ErrorType, InputError } from '../../common/errors';
import { paiseToRupees, ratioOf, Rounding } from '../../common/money/money';
import { FundsService } from '../accounts/funds.service';
import { InstrumentsService } from '../instruments';
import { InsufficientMarginError } from '../risk/risk.errors';
import { RiskSettingsService } from '../risk/risk-settings.service';
import { PortfolioLedger } from './portfolio-ledger';
import { PORTFOLIO_CHANGED } from './portfolio.events';

export interface ConversionRequest {
  exchange: 'NSE' | 'BSE';
  tradingsymbol: string;
  transactionType: 'BUY' | 'SELL';
  quantity: number;
  oldProduct: 'CNC' | 'MIS';
  newProduct: 'CNC' | 'MIS';
}

class ConversionError extends DomainError {
  constructor(message: string) {
    super('POSITION.NOT_CONVERTIBLE', message, ErrorType.Order, 400);
  }
}

/**
 * Kite's PUT /portfolio/positions for long day positions. MIS→CNC pays the full value (less the
 * intraday margin the position held); CNC→MIS gets the value back and blocks the MIS margin.
 * Both re-check funds inside one transaction.
 */
@Injectable()
export class PositionConversionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: PortfolioLedger,
    private readonly funds: FundsService,
    private readonly settings: RiskSettingsService,
    private readonly instruments: InstrumentsService,
    private readonly events: EventEmitter2,
  ) {}

  async convert(userId: string, tradeDate: string, r: ConversionRequest): Promise<void> {
    if (r.oldProduct === r.newProduct) throw new InputError('old_product and new_product must differ');
    if (r.transactionType !== 'BUY') throw new ConversionError('Only long positions can be converted (a short CNC position needs holdings to deliver)');
    const instrument = this.instruments.getBySymbol(r.exchange, r.tradingsymbol);
    if (!instrument) throw new InputError(`Unknown instrument ${r.exchange}:${r.tradingsymbol}`);
    const c = { userId, instrumentToken: instrument.instrumentToken, tradeDate, quantity: r.quantity };
    const { misMarginPct } = await this.settings.get();
    await this.dataSource.transaction(async (m) => {
      if (r.newProduct === 'CNC') {
        const moved = await this.ledger.convertToDelivery(m, c);
        if (!moved) throw new ConversionError(`No open MIS long of ${r.quantity} in ${r.tradingsymbol} today`);
        const extra = moved.cost - moved.marginFreed;
        if (extra > 0 && !(await this.funds.block(m, userId, extra, { type: 'position', id: `${instrument.instrumentToken}:convert` }))) {
          throw new InsufficientMarginError(`Converting to CNC needs ${paiseToRupees(extra).toFixed(2)} more than the intraday margin`);
        }
        await this.funds.settle(m, userId, { release: Math.max(extra, 0) + moved.marginFreed, cash: -moved.cost, ref: { type: 'position', id: `${instrument.instrumentToken}:convert` } });
        return;
      }
      const moved = await this.ledger.convertToIntraday(m, c);
      if (!moved) throw new ConversionError(`No unsettled CNC long of ${r.quantity} in ${r.tradingsymbol} bought today`);
      const margin = ratioOf(moved.cost, misMarginPct, 100, Rounding.Up);
      await this.funds.settle(m, userId, { release: 0, cash: moved.cost, ref: { type: 'position', id: `${instrument.instrumentToken}:convert` } });
      if (!(await this.funds.block(m, userId, margin, { type: 'position', id: `${instrument.instrumentToken}:convert` }))) {
        throw new InsufficientMarginError('Not enough free cash for the intraday margin');
      }
      await this.ledger.addPositionMargin(m, { ...c, amount: margin });
    });
    this.events.emit(PORTFOLIO_CHANGED, { userId });
  }
}
