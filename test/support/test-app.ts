import { randomBytes } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory';
import { ManualClock } from '../../src/common/clock/clock';
import { AppConfig } from '../../src/common/config/app-config';
import { RawConfig } from '../../src/common/config/config.schema';
import { adminQuery, databaseUrl, TEST_REDIS_URL } from './services';

export interface TestApp {
  app: NestFastifyApplication;
  /** Business time of the app (TOTP steps, exchange calendar); starts at real time. */
  clock: ManualClock;
  config: AppConfig;
  url: string;
  close(): Promise<void>;
}

/**
 * A database of its own for each app config (created on first use): apps of different test files
 * never see each other's outbox rows or orders. Two apps built from the same config share it,
 * as replicas do.
 */
function isolatedDatabaseUrl(): string {
  const run = process.env.MSTOCK_TEST_DB;
  if (!run) throw new Error('MSTOCK_TEST_DB is not set: run integration tests through jest (globalSetup names the run)');
  // Random, not a counter: jest reloads this module for every test file a worker runs, so a counter
  // restarts and the next file would inherit the previous one's database (its candles, its orders).
  return databaseUrl(`${run}_${process.pid}_${randomBytes(4).toString('hex')}`);
}

async function ensureDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await adminQuery(`CREATE DATABASE ${name}`).catch((err: { code?: string }) => {
    // Already exists: another app of the same config made it (a race shows as a unique violation).
    if (err.code !== '42P04' && err.code !== '23505') throw err;
  });
}

type Env = Partial<Record<keyof RawConfig, string>>;

/** Production-mode config on the real test Postgres and Redis, with a key prefix of its own. */
export function productionTestConfig(overrides: Env = {}): AppConfig {
  return AppConfig.with({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: isolatedDatabaseUrl(),
    DATABASE_POOL_SIZE: '10',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: `mstock-test:${randomBytes(4).toString('hex')}:`,
    SIM_LIQUIDITY: 'false',
    ...overrides,
  });
}

/** Boots the app exactly as main.ts does (same factory), listening on a free loopback port. */
export async function startTestApp(
  config: AppConfig = productionTestConfig(),
  clock = new ManualClock(Date.now()),
  beforeListen?: (app: NestFastifyApplication) => void,
): Promise<TestApp> {
  if (config.database.url) await ensureDatabase(config.database.url);
  const app = await createApp(config, { clock });
  beforeListen?.(app);
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return { app, clock, config, url: url.replace('[::1]', '127.0.0.1'), close: () => app.close() };
}
