import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { ExchangeModule } from '../exchange/exchange.module';
import { InstrumentsModule } from '../instruments';
import { OrdersModule } from '../orders/orders.module';
import { RiskModule } from '../risk/risk.module';
import { UsersModule } from '../users/users.module';
import { EodJobs } from './eod-jobs.service';
import { MarginWatcher } from './margin-watcher.service';
import { PortfolioLedgerModule } from './portfolio-ledger.module';
import { PortfolioController } from './portfolio.controller';
import { PortfolioService } from './portfolio.service';
import { PositionConversionService } from './position-conversion.service';
import { SquareOffService } from './square-off.service';

/** What a trader owns and made: views, conversions, margin calls, square-off and end-of-day jobs. */
@Module({
  imports: [PortfolioLedgerModule, AccountsModule, ExchangeModule, InstrumentsModule, OrdersModule, RiskModule, UsersModule],
  controllers: [PortfolioController],
  providers: [PortfolioService, PositionConversionService, SquareOffService, EodJobs, MarginWatcher],
  exports: [PortfolioService],
})
export class PortfolioModule {}
