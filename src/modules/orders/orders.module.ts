import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { ExchangeModule } from '../exchange/exchange.module';
import { PortfolioLedgerModule } from '../portfolio/portfolio-ledger.module';
import { RiskModule } from '../risk/risk.module';
import { UsersModule } from '../users/users.module';
import { ExecutionHandler } from './execution-handler.service';
import { IcebergSequencer } from './iceberg-sequencer.service';
import { OrdersJanitor } from './orders-janitor.service';
import { KiteOrdersController } from './kite-orders.controller';
import { OrderAmendments } from './order-amendment.service';
import { OrderFunds } from './order-funds';
import { OrderPlacementService } from './order-placement.service';
import { OrderStore } from './order-store';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';
import { OutboxDispatcher } from './outbox-dispatcher.service';
import { Reconciler } from './reconciler.service';

/** Orders: placement in one statement, amendments, the exchange outbox, fills and reconciliation. */
@Module({
  imports: [AccountsModule, PortfolioLedgerModule, RiskModule, ExchangeModule, UsersModule],
  controllers: [OrdersController, KiteOrdersController],
  providers: [OrderStore, OrderFunds, OrderPlacementService, OrderAmendments, OutboxDispatcher, ExecutionHandler, Reconciler, OrdersService, IcebergSequencer, OrdersJanitor],
  exports: [OrdersService],
})
export class OrdersModule {}
