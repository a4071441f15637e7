import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../common/http/public.decorator';
import { RawResponse } from '../../common/http/raw-response.decorator';
import { ExchangeParamsDto } from './dto/exchange-params.dto';
import type { Instrument } from './instrument';
import { InstrumentsService } from './instruments.service';
import { kiteInstrumentDump } from './kite-instrument-dump';

const DUMP_DOC = {
  description: 'CSV: instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange',
  schema: { type: 'string' },
};

/**
 * The content type is set on success only (not with @Header, which applies before validation):
 * an error must still leave as the JSON envelope.
 */
function csv(reply: FastifyReply, instruments: readonly Instrument[]): string {
  void reply.type('text/csv; charset=utf-8');
  return kiteInstrumentDump(instruments.filter((i) => i.tradable));
}

/** Kite Connect v3's instrument dump, at Kite's paths, so existing SDKs load our master unchanged. */
@ApiTags('instruments')
@Public()
@Controller('instruments')
export class InstrumentsDumpController {
  constructor(private readonly instruments: InstrumentsService) {}

  @Get()
  @RawResponse()
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'Every tradable instrument, Kite CSV format' })
  @ApiOkResponse(DUMP_DOC)
  dumpAll(@Res({ passthrough: true }) reply: FastifyReply): string {
    return csv(reply, this.instruments.all());
  }

  @Get(':exchange')
  @RawResponse()
  @ApiProduces('text/csv')
  @ApiOperation({ summary: "One exchange's tradable instruments, Kite CSV format" })
  @ApiOkResponse(DUMP_DOC)
  dumpExchange(@Param() { exchange }: ExchangeParamsDto, @Res({ passthrough: true }) reply: FastifyReply): string {
    return csv(reply, this.instruments.all(exchange));
  }
}
