import { Module } from '@nestjs/common';
import { PortfolioLedger } from './portfolio-ledger';

@Module({
  providers: [PortfolioLedger],
  exports: [PortfolioLedger],
})
export class PortfolioModule {}
