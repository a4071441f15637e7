import { Module } from '@nestjs/common';
import { ExchangeModule } from '../exchange/exchange.module';
import { InstrumentsModule } from '../instruments';
import { MarginsController } from './margins.controller';
import { RiskSettingsService } from './risk-settings.service';
import { RiskService } from './risk.service';

@Module({
  imports: [InstrumentsModule, ExchangeModule],
  controllers: [MarginsController],
  providers: [RiskSettingsService, RiskService],
  exports: [RiskService, RiskSettingsService],
})
export class RiskModule {}
