import { Controller, Get, Query } from '@nestjs/common';
import { ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { InputError } from '../../../common/errors';
import { InstrumentsService, type Instrument } from '../../instruments';
import type { Quote } from '../market-data.events';
import { kiteFullQuote, kiteLtpQuote, kiteOhlcQuote } from './kite-quote-view';
import { QuoteReader } from './quote-reader';

/** Kite's caps per request. */
const MAX_FULL = 500;
const MAX_LIGHT = 1000;

const instrumentsParam = { name: 'i', isArray: true, description: '"EXCHANGE:TRADINGSYMBOL" (e.g. NSE:INFY) or an instrument token; repeat for more', example: ['NSE:INFY'] };

/**
 * Kite Connect's market quotes: an object keyed by the instrument as the caller named it.
 * Unknown instruments are left out, as Kite does; a request naming none we know is an error.
 */
@ApiTags('kite', 'market-data')
@ApiSecurity('kite')
@Controller('quote')
export class QuotesController {
  constructor(
    private readonly instruments: InstrumentsService,
    private readonly reader: QuoteReader,
  ) {}

  /** Full quotes: OHLC, circuits, volume, average price and five levels of depth. */
  @ApiQuery(instrumentsParam)
  @Get()
  full(@Query('i') i: string | string[] | undefined) {
    return this.quote(i, MAX_FULL, kiteFullQuote);
  }

  @ApiQuery(instrumentsParam)
  @Get('ohlc')
  ohlc(@Query('i') i: string | string[] | undefined) {
    return this.quote(i, MAX_LIGHT, kiteOhlcQuote);
  }

  @ApiQuery(instrumentsParam)
  @Get('ltp')
  ltp(@Query('i') i: string | string[] | undefined) {
    return this.quote(i, MAX_LIGHT, kiteLtpQuote);
  }

  private async quote<T>(i: string | string[] | undefined, max: number, view: (q: Quote) => T): Promise<Record<string, T>> {
    const refs = [...new Set(i === undefined ? [] : Array.isArray(i) ? i : [i])];
    if (refs.length === 0) throw new InputError('name at least one instrument: ?i=NSE:INFY', 'MARKET.NO_INSTRUMENTS');
    if (refs.length > max) throw new InputError(`at most ${max} instruments per request (got ${refs.length})`, 'MARKET.TOO_MANY_INSTRUMENTS');
    const named: [string, Instrument][] = [];
    for (const ref of refs) {
      const instrument = typeof ref === 'string' && ref.length <= 64 ? this.instruments.resolve(ref) : undefined;
      if (instrument) named.push([ref, instrument]);
    }
    if (named.length === 0) throw new InputError('none of the instruments is known', 'MARKET.UNKNOWN_INSTRUMENTS');
    const quotes = await this.reader.read([...new Map(named.map(([, ins]) => [ins.instrumentToken, ins])).values()]);
    const out: Record<string, T> = {};
    for (const [ref, instrument] of named) {
      const q = quotes.get(instrument.instrumentToken);
      if (q) out[ref] = view(q);
    }
    return out;
  }
}
