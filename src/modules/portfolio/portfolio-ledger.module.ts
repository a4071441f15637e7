import { Module } from '@nestjs/common';
import { PortfolioLedger } from './portfolio-ledger';

/**
 * The write side of positions and holdings, with no dependencies of its own, so the orders
 * module can apply fills through it while the portfolio module (views, square-off, EOD) builds
 * on the orders module.
 */
@Module({
  providers: [PortfolioLedger],
  exports: [PortfolioLedger],
})
export class PortfolioLedgerModule {}
