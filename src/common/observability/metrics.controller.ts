import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../http/public.decorator';
import { NoRateLimit } from '../http/rate-limit.decorator';
import { RawResponse } from '../http/raw-response.decorator';
import { metricsRegistry } from './metrics';

@ApiExcludeController()
@Public()
@NoRateLimit()
@RawResponse()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', metricsRegistry.contentType)
  scrape(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
