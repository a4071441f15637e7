import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { AppConfig, ConfigError } from './common/config/app-config';
import { HealthController } from './common/observability/health.controller';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = AppConfig.fromEnv();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const app = await createApp(config);
  const logger = new Logger('Bootstrap');
  await app.listen(config.http.port, config.http.host);
  logger.log(`Mstock listening on ${await app.getUrl()}`);
  logger.log(
    `mode: database=${config.database.embedded ? 'embedded PGlite' : 'postgres'}, redis=${config.redis.embedded ? 'in-process' : 'redis'}`,
  );

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: draining`);
    app.get(HealthController).markShuttingDown();
    // A watchdog: whatever hangs, the process ends within the grace period.
    setTimeout(() => {
      logger.error('shutdown grace period over; exiting');
      process.exit(1);
    }, config.http.shutdownGraceMs).unref();
    // Fastify stops accepting, answers 503 on kept-alive sockets, and waits for in-flight
    // requests; then the modules close sockets, the database and Redis.
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

void bootstrap().catch((err) => {
  process.stderr.write(`Mstock failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
