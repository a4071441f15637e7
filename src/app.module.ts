import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Clock } from './common/clock/clock';
import { ClockModule } from './common/clock/clock.module';
import { AppConfig } from './common/config/app-config';
import { ConfigModule } from './common/config/config.module';
import { DatabaseModule } from './common/database/database.module';
import { ObservabilityModule } from './common/observability/observability.module';
import { RedisModule } from './common/redis/redis.module';
import { AccountsModule } from './modules/accounts/accounts.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuthModule } from './modules/auth/auth.module';
import { ExchangeSimModule } from './modules/exchange-sim/exchange-sim.module';
import { InstrumentsModule } from './modules/instruments/instruments.module';
import { MarketDataModule } from './modules/market-data';
import { OrdersModule } from './modules/orders/orders.module';
import { RealtimeModule } from './modules/realtime';
import { PortfolioModule } from './modules/portfolio/portfolio.module';

export interface AppOptions {
  clock?: Clock;
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        EventEmitterModule.forRoot({ wildcard: false, maxListeners: 50 }),
        ClockModule.forRoot(options.clock),
        DatabaseModule,
        RedisModule,
        ObservabilityModule,
        AuditModule,
        AuthModule,
        AccountsModule,
        InstrumentsModule,
        RealtimeModule,
        OrdersModule,
        PortfolioModule,
        ExchangeSimModule,
        MarketDataModule,
      ],
    };
  }
}
