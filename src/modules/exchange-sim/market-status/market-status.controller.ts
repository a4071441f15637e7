import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../../common/http/public.decorator';
import { MarketSessionDriver } from '../simulator/market-session-driver';
import { MarketStatusDto } from './market-status.dto';

/** Public, like the exchange's own market-status page. */
@ApiTags('market')
@Public()
@Controller('api/v1/market')
export class MarketStatusController {
  constructor(private readonly driver: MarketSessionDriver) {}

  @Get('status')
  @ApiOperation({ summary: 'Market phase now (pre-open, continuous, closed), with the exchange time in IST' })
  @ApiOkResponse({ type: MarketStatusDto })
  status(): MarketStatusDto {
    return MarketStatusDto.from(this.driver.marketStatus());
  }
}
