import 'reflect-metadata';
import { Logger, type LogLevel } from '@nestjs/common';
import { SystemClock } from '../../common/clock/clock';
import { ExchangeCalendar, NSE_HOLIDAYS_2026 } from '../../common/clock/exchange-calendar';
import { AppConfig, ConfigError } from '../../common/config/app-config';
import { buildInstrumentMaster, locateReferenceData, parseReferenceData, readReferenceFiles } from '../instruments';
import {
  DEFAULT_FEED_PORT,
  DEFAULT_FIX_PORT,
  startListeners,
  stopListeners,
  type ProtocolListenerHooks,
} from './simulator/protocol-listeners';
import { SimulatorRuntime } from './simulator/simulator-runtime';
import { PROTOCOL_LISTENERS } from './protocol-hooks';

/**
 * `npm run exchange-sim`: the exchange simulator as its own process, without the broker app, its
 * database or Redis. Members connect over FIX 4.4 (orders) and the binary feed (market data).
 *
 * HOOKS — plug the protocol servers in here (both get the simulator, port, host, CompID, data dir):
 *   fixAcceptor: the FIX 4.4 acceptor from ./fix, on SIM_FIX_PORT (default 9878);
 *   feedServer:  the binary feed server from ./feed, on SIM_FEED_PORT (default 9879).
 * A hook left empty is logged as "not plugged in" and its port stays closed.
 */
export const STANDALONE_LISTENERS: ProtocolListenerHooks = PROTOCOL_LISTENERS;

/**
 * Only the settings this process uses are validated: it holds no user data, so the app's
 * production requirements (JWT secret, TOTP key) do not apply to it.
 */
const SIMULATOR_SETTINGS = [
  'LOG_LEVEL',
  'HOST',
  'MSTOCK_DATA_DIR',
  'SHUTDOWN_GRACE_MS',
  'SIM_SEED',
  'SIM_LIQUIDITY',
  'SIM_TICKS_PER_SECOND',
  'SIM_FIX_PORT',
  'SIM_FEED_PORT',
  'SIM_FIX_COMP_ID',
  'MARKET_HOURS',
  'EXCHANGE_HOLIDAYS',
] as const;

const NEST_LEVELS: Record<string, LogLevel[] | false> = {
  silent: false,
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

function simulatorConfig(env: NodeJS.ProcessEnv): AppConfig {
  return AppConfig.fromEnv(Object.fromEntries(SIMULATOR_SETTINGS.filter((k) => env[k] !== undefined).map((k) => [k, env[k]])));
}

async function main(): Promise<void> {
  const config = simulatorConfig(process.env);
  Logger.overrideLogger(NEST_LEVELS[config.logLevel] ?? NEST_LEVELS.info);
  const log = new Logger('ExchangeSimStandalone');
  // The seeder's own builder: a fresh database seeded from these files has the same tokens.
  const instruments = buildInstrumentMaster(parseReferenceData(readReferenceFiles(locateReferenceData())));
  const calendar = new ExchangeCalendar({ alwaysOpen: config.market.alwaysOpen, holidays: config.market.holidays ?? NSE_HOLIDAYS_2026 });
  const runtime = new SimulatorRuntime({ clock: new SystemClock(), calendar, settings: config.simulator, loggerFor: (name) => new Logger(name) });
  runtime.start(instruments);
  const sim = config.simulator;
  const listeners = await startListeners(
    STANDALONE_LISTENERS,
    {
      fixPort: sim.fixPort ?? DEFAULT_FIX_PORT,
      feedPort: sim.feedPort ?? DEFAULT_FEED_PORT,
      compId: sim.fixCompId,
      host: config.http.host,
      dataDir: config.dataDir,
    },
    runtime.simulator,
    log,
  );
  const status = runtime.driver.marketStatus();
  const liquidity = sim.liquidity ? `on (${sim.ticksPerSecond} trades/s each, seed ${sim.seed})` : 'off';
  log.log(
    `exchange simulator up: ${runtime.simulator.instrumentCount} instruments, liquidity ${liquidity}, ` +
      `market ${status.phase}${status.alwaysOpen ? ' (always open)' : ''} at ${status.exchangeTime}`,
  );

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.log(`${signal}: stopping`);
    // Whatever hangs, the process ends within the grace period.
    setTimeout(() => process.exit(1), config.http.shutdownGraceMs).unref();
    await stopListeners(listeners, log);
    runtime.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

void main().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  process.stderr.write(`exchange simulator failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
