import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ExchangeCalendar } from '../../../common/clock/exchange-calendar';
import { IST_OFFSET_MS } from '../../../common/clock/ist';
import { InputError } from '../../../common/errors';
import { Public } from '../../../common/http/public.decorator';
import { RawResponse } from '../../../common/http/raw-response.decorator';
import { paiseToRupees } from '../../../common/money/money';
import { InstrumentsService, instrumentKey, isExchange, type Instrument } from '../../instruments';
import { KITE_INTERVALS } from '../history/history-params';
import { HistoryService } from '../history/history.service';

/** TradingView resolutions → our (Kite) intervals. */
const RESOLUTIONS: Readonly<Record<string, string>> = { '1': 'minute', '3': '3minute', '5': '5minute', '10': '10minute', '15': '15minute', '30': '30minute', '60': '60minute', D: 'day', '1D': 'day' };
const SUPPORTED = ['1', '3', '5', '10', '15', '30', '60', '1D'];

function epochSeconds(value: string | undefined, name: string): number {
  if (value === undefined || !/^-?\d{1,12}$/.test(value)) throw new InputError(`${name} must be a UNIX time in seconds`, 'INPUT.TIME');
  return Number(value);
}

/**
 * TradingView's UDF datafeed (charting library → our candles): config, symbol info, search,
 * history, server time. Public, as the library's UDF adapter sends no credentials; what it serves
 * is the same market data a quote screen shows. Unknown symbols answer UDF's own
 * {s:"error", errmsg:"unknown_symbol"}; malformed parameters are a 400 in the API's envelope.
 */
@ApiTags('market-data')
@Public()
@RawResponse()
@Controller('udf')
export class UdfController {
  constructor(
    private readonly instruments: InstrumentsService,
    private readonly history: HistoryService,
    private readonly calendar: ExchangeCalendar,
  ) {}

  @Get('config')
  config() {
    return {
      supported_resolutions: SUPPORTED,
      supports_group_request: false,
      supports_marks: false,
      supports_search: true,
      supports_timescale_marks: false,
      supports_time: true,
      exchanges: [
        { value: '', name: 'All exchanges', desc: '' },
        { value: 'NSE', name: 'NSE', desc: 'National Stock Exchange of India' },
        { value: 'BSE', name: 'BSE', desc: 'BSE Ltd' },
      ],
      symbols_types: [{ name: 'Stock', value: 'stock' }],
    };
  }

  @Get('time')
  time(): number {
    return Math.floor(Date.now() / 1000);
  }

  @Get('symbols')
  symbols(@Query('symbol') symbol: string | undefined) {
    const instrument = this.find(symbol);
    return instrument ? this.symbolInfo(instrument) : { s: 'error', errmsg: 'unknown_symbol' };
  }

  @Get('search')
  search(@Query('query') query = '', @Query('limit') limitText?: string, @Query('exchange') exchange?: string) {
    const limit = limitText === undefined ? 30 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new InputError('limit must be 1..100', 'INPUT.LIMIT');
    const venue = exchange && isExchange(exchange.toUpperCase()) ? (exchange.toUpperCase() as Instrument['exchange']) : undefined;
    return this.instruments.search(query.slice(0, 40), { exchange: venue, limit }).map((i) => ({
      symbol: i.tradingsymbol,
      full_name: instrumentKey(i.exchange, i.tradingsymbol),
      description: i.name,
      exchange: i.exchange,
      ticker: instrumentKey(i.exchange, i.tradingsymbol),
      type: 'stock',
    }));
  }

  @Get('history')
  async bars(@Query('symbol') symbol: string | undefined, @Query('resolution') resolution: string | undefined, @Query('from') fromText?: string, @Query('to') toText?: string) {
    const interval = RESOLUTIONS[resolution ?? ''];
    if (!interval) throw new InputError(`unsupported resolution "${resolution ?? ''}": use one of ${SUPPORTED.join(', ')}`, 'INPUT.RESOLUTION');
    const [from, to] = [epochSeconds(fromText, 'from'), epochSeconds(toText, 'to')];
    if (to < from) throw new InputError('to must not be before from', 'INPUT.RANGE');
    const instrument = this.find(symbol);
    if (!instrument) return { s: 'error', errmsg: 'unknown_symbol' };
    const spec = KITE_INTERVALS[interval];
    // UDF stamps daily bars 00:00 UTC of the session's date (ours start at IST midnight, 5:30 earlier);
    // intraday bars at their instant.
    const shift = spec.timeframe === 1440 ? IST_OFFSET_MS : 0;
    // TradingView pages back through time on its own: clip a wide request to what the interval allows.
    const fromMs = Math.max(from * 1000, to * 1000 - spec.maxDays * 86_400_000) - shift;
    const { candles } = await this.history.candles(instrument, spec, fromMs, to * 1000 - shift);
    if (candles.length === 0) return { s: 'no_data' };
    const t = candles.map((c) => (c.start + shift) / 1000);
    const r = paiseToRupees;
    return { s: 'ok', t, o: candles.map((c) => r(c.open)), h: candles.map((c) => r(c.high)), l: candles.map((c) => r(c.low)), c: candles.map((c) => r(c.close)), v: candles.map((c) => c.volume) };
  }

  private find(symbol: string | undefined): Instrument | undefined {
    if (!symbol || symbol.length > 64) return undefined;
    // "NSE:INFY", a token, or a bare symbol (NSE first, as a trader means).
    return this.instruments.resolve(symbol) ?? this.instruments.getBySymbol('NSE', symbol) ?? this.instruments.getBySymbol('BSE', symbol);
  }

  private symbolInfo(i: Instrument) {
    return {
      name: i.tradingsymbol,
      ticker: instrumentKey(i.exchange, i.tradingsymbol),
      description: i.name,
      type: 'stock',
      exchange: i.exchange,
      listed_exchange: i.exchange,
      timezone: 'Asia/Kolkata',
      session: this.calendar.alwaysOpen ? '24x7' : '0915-1530',
      minmov: i.tickSize,
      pricescale: 100,
      has_intraday: true,
      has_daily: true,
      has_weekly_and_monthly: false,
      supported_resolutions: SUPPORTED,
      volume_precision: 0,
      data_status: 'streaming',
      currency_code: 'INR',
    };
  }
}
