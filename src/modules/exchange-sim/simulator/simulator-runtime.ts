import type { Clock } from '../../../common/clock/clock';
import type { ExchangeCalendar } from '../../../common/clock/exchange-calendar';
import { SyntheticLiquidity } from '../liquidity/synthetic-liquidity';
import { ExchangeSimulator } from './exchange-simulator';
import { MarketSessionDriver } from './market-session-driver';
import type { SimLogger } from './message-outbox';
import type { SimInstrument } from './sim-instrument';

/** The part of config.simulator the runtime needs. */
export interface SimulatorSettings {
  seed: number;
  liquidity: boolean;
  ticksPerSecond: number;
}

export interface SimulatorRuntimeOptions {
  clock: Clock;
  calendar: ExchangeCalendar;
  settings: SimulatorSettings;
  /** One logger per component (Nest: `(name) => new Logger(name)`). */
  loggerFor?: (component: string) => SimLogger;
  quoteIntervalMs?: number;
}

/**
 * The simulator, its session driver and its synthetic liquidity, wired and started together;
 * shared by the Nest module (embedded mode) and the standalone process.
 */
export class SimulatorRuntime {
  readonly simulator: ExchangeSimulator;
  readonly driver: MarketSessionDriver;
  /** Null when config.simulator.liquidity is off (tests, or members bring their own flow). */
  readonly liquidity: SyntheticLiquidity | null;

  constructor(options: SimulatorRuntimeOptions) {
    const logger = options.loggerFor;
    this.simulator = new ExchangeSimulator({ clock: options.clock, quoteIntervalMs: options.quoteIntervalMs, log: logger?.('ExchangeSimulator') });
    this.driver = new MarketSessionDriver({
      venue: this.simulator,
      clock: options.clock,
      calendar: options.calendar,
      log: logger?.('MarketSessionDriver'),
    });
    const { seed, liquidity, ticksPerSecond } = options.settings;
    this.liquidity = liquidity ? new SyntheticLiquidity({ port: this.simulator, seed, ticksPerSecond }) : null;
  }

  /** Lists the instruments, then starts the venue, the session clock and the liquidity, in that order. */
  start(instruments: readonly SimInstrument[]): void {
    this.simulator.listInstruments(instruments);
    if (this.liquidity !== null) this.simulator.listAllBooks();
    this.simulator.start();
    this.driver.start();
    this.liquidity?.start();
  }

  /** Clears every timer; orders resting in the book stay as they are. */
  stop(): void {
    this.liquidity?.stop();
    this.driver.stop();
    this.simulator.stop();
  }
}
