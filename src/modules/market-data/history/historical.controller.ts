import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { InputError } from '../../../common/errors';
import { paiseToRupees } from '../../../common/money/money';
import { InstrumentsService } from '../../instruments';
import { checkRange, intervalSpec, kiteCandleTime, parseKiteTime } from './history-params';
import { HistoryService } from './history.service';

const TOKEN = /^\d{1,10}$/;

function flag(value: string | undefined, name: string): boolean {
  if (value === undefined || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new InputError(`${name} must be 0 or 1`, 'INPUT.FLAG');
}

/** Kite Connect's historical candles: `{candles: [[time, open, high, low, close, volume(, oi)], …]}`, rupees, IST. */
@ApiTags('kite', 'market-data')
@ApiSecurity('kite')
@Controller('instruments/historical')
export class HistoricalController {
  constructor(
    private readonly instruments: InstrumentsService,
    private readonly history: HistoryService,
  ) {}

  @ApiQuery({ name: 'from', example: '2026-08-01 09:15:00' })
  @ApiQuery({ name: 'to', example: '2026-08-21 15:30:00' })
  @ApiQuery({ name: 'continuous', required: false, enum: ['0', '1'] })
  @ApiQuery({ name: 'oi', required: false, enum: ['0', '1'] })
  @Get(':instrument_token/:interval')
  async candles(
    @Param('instrument_token') token: string,
    @Param('interval') interval: string,
    @Query('from') fromText: string | undefined,
    @Query('to') toText: string | undefined,
    @Query('continuous') continuous: string | undefined,
    @Query('oi') oi: string | undefined,
  ) {
    const instrument = TOKEN.test(token) ? this.instruments.getByToken(Number(token)) : undefined;
    if (!instrument) throw new InputError(`unknown instrument token: ${token.slice(0, 20)}`, 'MARKET.UNKNOWN_INSTRUMENT');
    const spec = intervalSpec(interval);
    const from = parseKiteTime(fromText, 'from');
    const to = parseKiteTime(toText, 'to');
    checkRange(spec, interval, from, to);
    if (flag(continuous, 'continuous')) throw new InputError('continuous data exists only for futures; this is a cash equity', 'INPUT.CONTINUOUS');
    const withOi = flag(oi, 'oi');
    const { candles, synthetic } = await this.history.candles(instrument, spec, from, to);
    const r = paiseToRupees;
    return {
      candles: candles.map((c) => {
        const row: (string | number)[] = [kiteCandleTime(c.start), r(c.open), r(c.high), r(c.low), r(c.close), c.volume];
        if (withOi) row.push(0);
        return row;
      }),
      ...(synthetic ? { synthetic: true } : {}),
    };
  }
}
