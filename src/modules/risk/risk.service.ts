import { Inject, Injectable } from '@nestjs/common';
import { Clock, CLOCK } from '../../common/clock/clock';
import { ExchangeCalendar } from '../../common/clock/exchange-calendar';
import { InstrumentsService } from '../instruments';
import type { Exchange } from '../instruments';
import { LAST_PRICE_PROVIDER, LastPriceProvider } from './last-price';
import { marginPrice, marginRequired } from './margin';
import { OrderIntent } from './order-intent';
import { checkCircuit, checkMarketHours, checkOrderParameters } from './order-rules';
import { OrderRejectedError } from './risk.errors';
import { RiskSettings, RiskSettingsService } from './risk-settings.service';

export type OrderInput = Omit<OrderIntent, 'instrument'> & { exchange: Exchange; tradingsymbol: string };

export interface Assessment {
  intent: OrderIntent;
  /** Cash to block for the whole order. */
  margin: number;
  /** Limit price sent to the exchange (market orders carry their protection price). */
  exchangePrice: number;
  settings: RiskSettings;
}

/**
 * Pre-trade risk: resolve, validate in the fixed order, and price the margin. Trader standing
 * (KYC, blocks) is enforced atomically by the order write itself; this service covers the rest.
 */
@Injectable()
export class RiskService {
  constructor(
    private readonly instruments: InstrumentsService,
    private readonly settings: RiskSettingsService,
    private readonly calendar: ExchangeCalendar,
    @Inject(LAST_PRICE_PROVIDER) private readonly prices: LastPriceProvider,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  intentFor(input: OrderInput): OrderIntent {
    const instrument = this.instruments.getBySymbol(input.exchange, input.tradingsymbol);
    if (!instrument) throw new OrderRejectedError('ORDER.UNKNOWN_INSTRUMENT', `Unknown instrument ${input.exchange}:${input.tradingsymbol}`);
    const { exchange: _e, tradingsymbol: _s, ...rest } = input;
    return { ...rest, instrument };
  }

  lastPrice(instrumentToken: number, fallback: number): number {
    return this.prices.lastPrice(instrumentToken) ?? fallback;
  }

  /** Validation in order (parameters → market hours → circuit → kill switch), then margin. */
  /**
   * `reducingQuantity`: how much of the order closes an existing intraday position; that part
   * needs no new margin (the position's margin covers it), so exits always go through.
   */
  async assess(intent: OrderIntent, options: { checkHours?: boolean; reducingQuantity?: number } = {}): Promise<Assessment> {
    checkOrderParameters(intent);
    if (options.checkHours !== false) checkMarketHours(intent, this.calendar.phaseAt(this.clock.now()));
    checkCircuit(intent);
    const settings = await this.settings.get();
    if (settings.killSwitch) throw new OrderRejectedError('ORDER.KILL_SWITCH', 'New orders are paused by the broker (kill switch)', 503);
    const inputs = {
      ltp: this.lastPrice(intent.instrument.instrumentToken, intent.instrument.prevClose),
      misMarginPct: settings.misMarginPct,
      marketProtectionPct: settings.marketProtectionPct,
    };
    return {
      intent,
      margin: marginRequired(intent, intent.quantity - Math.min(intent.quantity, options.reducingQuantity ?? 0), inputs),
      exchangePrice: marginPrice(intent, inputs),
      settings,
    };
  }
}
