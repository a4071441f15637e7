import { Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock } from '../../common/clock/clock';
import { ExchangeCalendar } from '../../common/clock/exchange-calendar';
import { AppConfig } from '../../common/config/app-config';
import { HealthRegistry } from '../../common/observability/health.registry';
import { InstrumentsModule, InstrumentsService } from '../instruments';
import { PROTOCOL_LISTENERS } from './protocol-hooks';
import { MarketStatusController } from './market-status/market-status.controller';
import { ExchangeSimulator } from './simulator/exchange-simulator';
import { MarketSessionDriver } from './simulator/market-session-driver';
import { startListeners, stopListeners, type ProtocolListener, type ProtocolListenerHooks } from './simulator/protocol-listeners';
import { SimulatorRuntime } from './simulator/simulator-runtime';
import { MARKET_DATA_SOURCE, VENUE } from './venue.types';

/**
 * Where the FIX acceptor and the binary feed server plug in when the simulator runs inside the
 * app; they start only when SIM_FIX_PORT / SIM_FEED_PORT are set (standalone.ts has the same hooks).
 */
export const PROTOCOL_LISTENER_HOOKS = Symbol('ProtocolListenerHooks');

@Injectable()
class ExchangeSimLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ExchangeSim');
  private listeners: ProtocolListener[] = [];

  constructor(
    private readonly config: AppConfig,
    private readonly runtime: SimulatorRuntime,
    private readonly instruments: InstrumentsService,
    private readonly health: HealthRegistry,
    @Inject(PROTOCOL_LISTENER_HOOKS) private readonly hooks: ProtocolListenerHooks,
  ) {}

  onModuleInit(): void {
    if (!this.config.simulator.enabled) return;
    // Registered before bootstrap so that readiness fails until the venue really takes orders.
    this.health.register('exchange', async () => {
      if (!this.runtime.simulator.ready) throw new Error('exchange simulator not started');
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const settings = this.config.simulator;
    if (!settings.enabled) {
      this.logger.log('exchange simulator disabled (SIM_ENABLED=false)');
      return;
    }
    // This module imports InstrumentsModule, so Nest has already awaited its bootstrap hook (seed,
    // then load): hooks run module by module, deepest import first. The reload is a safety net.
    if (!this.instruments.isLoaded) await this.instruments.reload();
    const tradable = this.instruments.all().filter((i) => i.tradable);
    this.runtime.start(tradable);
    const { host } = this.config.http;
    const listen = { fixPort: settings.fixPort, feedPort: settings.feedPort, compId: settings.fixCompId, host, dataDir: this.config.dataDir };
    this.listeners = await startListeners(this.hooks, listen, this.runtime.simulator, this.logger);
    const status = this.runtime.driver.marketStatus();
    const liquidity = settings.liquidity ? `on (${settings.ticksPerSecond} trades/s each, seed ${settings.seed})` : 'off';
    this.logger.log(
      `exchange simulator up: ${this.runtime.simulator.instrumentCount} instruments, liquidity ${liquidity}, ` +
        `market ${status.phase} at ${status.exchangeTime}`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    await stopListeners(this.listeners, this.logger);
    this.listeners = [];
    this.runtime.stop();
  }
}

/**
 * The embedded exchange (DESIGN.md §1): the simulator behind the VENUE and MARKET_DATA_SOURCE
 * ports (one instance), its session driver and synthetic liquidity, started on bootstrap when
 * config.simulator.enabled, stopped on shutdown; plus GET /api/v1/market/status.
 */
@Module({
  imports: [InstrumentsModule],
  controllers: [MarketStatusController],
  providers: [
    {
      provide: SimulatorRuntime,
      inject: [AppConfig, CLOCK, ExchangeCalendar],
      useFactory: (config: AppConfig, clock: Clock, calendar: ExchangeCalendar) =>
        new SimulatorRuntime({ clock, calendar, settings: config.simulator, loggerFor: (name) => new Logger(name) }),
    },
    { provide: ExchangeSimulator, inject: [SimulatorRuntime], useFactory: (runtime: SimulatorRuntime) => runtime.simulator },
    { provide: MarketSessionDriver, inject: [SimulatorRuntime], useFactory: (runtime: SimulatorRuntime) => runtime.driver },
    { provide: VENUE, useExisting: ExchangeSimulator },
    { provide: MARKET_DATA_SOURCE, useExisting: ExchangeSimulator },
    // Plug point: { fixAcceptor: (ctx) => new FixAcceptor(ctx), feedServer: (ctx) => new FeedServer(ctx) }.
    { provide: PROTOCOL_LISTENER_HOOKS, useValue: PROTOCOL_LISTENERS satisfies ProtocolListenerHooks },
    ExchangeSimLifecycle,
  ],
  exports: [VENUE, MARKET_DATA_SOURCE, ExchangeSimulator, MarketSessionDriver],
})
export class ExchangeSimModule {}
