import { Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock } from '../../common/clock/clock';
import { AppConfig } from '../../common/config/app-config';
import type { Venue } from '../../common/exchange-protocol/venue.types';
import { HealthRegistry } from '../../common/observability/health.registry';
import { ExchangeSimModule } from '../exchange-sim/exchange-sim.module';
import { VENUE } from '../exchange-sim/venue.types';
import { MarketDataModule } from '../market-data';
import { CircuitBreaker } from './circuit-breaker';
import { EXCHANGE_GATEWAY, ExchangeGateway } from './exchange-gateway';
import { FixGateway } from './fix-gateway';
import { InProcessGateway } from './in-process-gateway';

/** Both adapters: started on bootstrap, stopped on shutdown (the FIX one logs out and flushes its store). */
type ManagedGateway = ExchangeGateway & { start(): void; stop(): void | Promise<void> };

@Injectable()
class GatewayLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    @Inject(EXCHANGE_GATEWAY) private readonly gateway: ManagedGateway,
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

  async onModuleDestroy(): Promise<void> {
    await this.gateway.stop();
  }
}

function gatewayFor(config: AppConfig, clock: Clock, venue: Venue | undefined): ManagedGateway {
  // One breaker policy for both adapters, so behaviour under failure is the same.
  const breaker = new CircuitBreaker({ failureThreshold: 5, openMs: 10_000, now: () => clock.now() });
  const fix = config.exchangeFix;
  if (fix) {
    new Logger('ExchangeModule').log(`exchange: FIX 4.4 initiator ${fix.senderCompId}->${fix.targetCompId} at ${fix.host}:${fix.port}`);
    return new FixGateway(fix, breaker);
  }
  if (!venue) throw new Error('no exchange: set EXCHANGE_FIX_HOST/EXCHANGE_FIX_PORT, or run the embedded simulator');
  return new InProcessGateway(venue, breaker);
}

/**
 * The broker's side of the exchange link: the ExchangeGateway port behind a circuit breaker, and
 * (re-exported from market data) last prices for risk. The adapter is the FIX 4.4 initiator when
 * EXCHANGE_FIX_HOST is set, else the in-process simulator. The simulator module may be inert
 * (SIM_ENABLED=false): its ports are then optional here; last prices come from the market-data
 * feed (MARKET_FEED_HOST), and there are none without one.
 */
@Module({
  imports: [ExchangeSimModule, MarketDataModule],
  providers: [
    {
      provide: EXCHANGE_GATEWAY,
      inject: [AppConfig, CLOCK, { token: VENUE, optional: true }],
      useFactory: gatewayFor,
    },
    GatewayLifecycle,
  ],
  // Re-exported for risk and portfolio: LAST_PRICE_PROVIDER now comes from the market-data quotes.
  exports: [EXCHANGE_GATEWAY, MarketDataModule],
})
export class ExchangeModule {}
