import { Global, Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { Cache, CACHE } from '../redis/ports';
import { HealthController } from './health.controller';
import { HealthRegistry } from './health.registry';
import { isProbePath } from './metrics';
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
        pinoHttp: {
          level: config.logLevel,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          genReqId: (req: IncomingMessage) => (req as { id?: string }).id ?? randomUUID(),
          autoLogging: { ignore: (req: IncomingMessage) => isProbePath(req.url ?? '') },
          customLogLevel: (_req: IncomingMessage, res: { statusCode: number }, err?: Error) =>
            err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
        },
      }),
    }),
  ],
  controllers: [HealthController, MetricsController],
  providers: [HealthRegistry, CoreHealthChecks],
  exports: [HealthRegistry],
})
export class ObservabilityModule {}
