import { Global, Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { Cache, CACHE } from '../redis/ports';
import { HealthController } from './health.controller';
import { HealthRegistry } from './health.registry';
import { MetricsController } from './metrics.controller';
import { setPoolStatsSource } from './metrics';

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

@Injectable()
class CoreHealthChecks implements OnApplicationBootstrap {
  constructor(
    private readonly registry: HealthRegistry,
    private readonly dataSource: DataSource,
    @Inject(CACHE) private readonly cache: Cache,
  ) {}

  onApplicationBootstrap(): void {
    this.registry.register('database', async () => void (await this.dataSource.query('SELECT 1')));
    this.registry.register('redis', () => this.cache.ping());
    setPoolStatsSource(() => {
      const pool = (this.dataSource.driver as unknown as { master?: PgPool }).master;
      return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : null;
    });
  }
}

/** Never log credentials, tokens or one-time codes. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  '*.password',
  '*.totp',
  '*.code',
  '*.access_token',
  '*.refresh_token',
  '*.api_secret',
];

@Global()
@Module({
  imports: [
    TerminusModule.forRoot({ logger: false }),
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // No per-request middleware: pino-http's child logger per request, through Nest's
        // Express-style middleware shim, and the AsyncLocalStorage it binds (on Node 20 a promise
        // hook on every promise in the process) cost 10–17% of the server CPU per order
        // (bench:orders). Request lines come from Fastify's onResponse hook (logRequest).
        forRoutes: [],
        pinoHttp: { level: config.logLevel, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
      }),
    }),
  ],
  controllers: [HealthController, MetricsController],
  providers: [HealthRegistry, CoreHealthChecks],
  exports: [HealthRegistry],
})
export class ObservabilityModule {}
