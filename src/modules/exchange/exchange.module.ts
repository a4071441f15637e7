import { Inject, Injectable, Module, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock } from '../../common/clock/clock';
import type { MarketDataSource, Venue } from '../../common/exchange-protocol/venue.types';
import { HealthRegistry } from '../../common/observability/health.registry';
import { ExchangeSimModule } from '../exchange-sim/exchange-sim.module';
import { MARKET_DATA_SOURCE, VENUE } from '../exchange-sim/venue.types';
import { LAST_PRICE_PROVIDER, LastPriceProvider } from '../risk/last-price';
import { CircuitBreaker } from './circuit-breaker';
import { EXCHANGE_GATEWAY, ExchangeGateway } from './exchange-gateway';
import { InProcessGateway } from './in-process-gateway';

@Injectable()
class GatewayLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    @Inject(EXCHANGE_GATEWAY) private readonly gateway: InProcessGateway,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register('exchange_link', async () => {
      if (!this.gateway.isAvailable()) throw new Error(`${this.gateway.name}: link down or circuit breaker open`);
    });
  }

  onApplicationBootstrap(): void {
    this.gateway.start();
  }

  onModuleDestroy(): void {
    this.gateway.stop();
  }
}

/**
 * The broker's side of the exchange link: the ExchangeGateway port (in-process simulator here;
 * a FIX 4.4 initiator for a separate venue) behind a circuit breaker, and last prices for risk.
 */
@Module({
  imports: [ExchangeSimModule],
  providers: [
    {
      provide: EXCHANGE_GATEWAY,
      inject: [VENUE, CLOCK],
      useFactory: (venue: Venue, clock: Clock): ExchangeGateway =>
        new InProcessGateway(venue, new CircuitBreaker({ failureThreshold: 5, openMs: 10_000, now: () => clock.now() })),
    },
    {
      provide: LAST_PRICE_PROVIDER,
      inject: [MARKET_DATA_SOURCE],
      useFactory: (source: MarketDataSource): LastPriceProvider => ({
        lastPrice: (token) => {
          const ltp = source.snapshot(token)?.lastPrice;
          return ltp ? ltp : undefined;
        },
      }),
    },
    GatewayLifecycle,
  ],
  exports: [EXCHANGE_GATEWAY, LAST_PRICE_PROVIDER],
})
export class ExchangeModule {}
