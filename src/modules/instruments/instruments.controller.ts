import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '../../common/errors';
import { Public } from '../../common/http/public.decorator';
import { InstrumentParamsDto } from './dto/instrument-params.dto';
import { InstrumentDto } from './dto/instrument.dto';
import { SearchInstrumentsQueryDto } from './dto/search-instruments-query.dto';
import { InstrumentsService } from './instruments.service';

/** Reference data, public like an exchange's own symbol lists. */
@ApiTags('instruments')
@Public()
@Controller('api/v1/instruments')
export class InstrumentsController {
  constructor(private readonly instruments: InstrumentsService) {}

  @Get('search')
  @ApiOperation({ summary: 'Find instruments by symbol prefix or company name, best match first' })
  @ApiOkResponse({ type: InstrumentDto, isArray: true })
  search(@Query() query: SearchInstrumentsQueryDto): InstrumentDto[] {
    return this.instruments.search(query.q, { exchange: query.exchange, limit: query.limit }).map(InstrumentDto.from);
  }

  @Get(':exchange/:tradingsymbol')
  @ApiOperation({ summary: 'One instrument by exchange and trading symbol' })
  @ApiOkResponse({ type: InstrumentDto })
  get(@Param() { exchange, tradingsymbol }: InstrumentParamsDto): InstrumentDto {
    const instrument = this.instruments.getBySymbol(exchange, tradingsymbol);
    if (!instrument) throw new NotFoundError(`No instrument ${exchange}:${tradingsymbol}`, 'INSTRUMENT.NOT_FOUND');
    return InstrumentDto.from(instrument);
  }
}
