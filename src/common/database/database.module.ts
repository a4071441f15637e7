import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source.factory';
import { EmbeddedPostgres } from './embedded-postgres';

export const EMBEDDED_POSTGRES = Symbol('EMBEDDED_POSTGRES');

@Module({
  providers: [
    {
      provide: EMBEDDED_POSTGRES,
      inject: [AppConfig],
      useFactory: async (config: AppConfig) =>
        config.database.embedded ? new EmbeddedPostgres(join(config.dataDir, 'pg')).start() : null,
    },
  ],
  exports: [EMBEDDED_POSTGRES],
})
class EmbeddedPostgresModule {}

/** An arbitrary, fixed key: every replica of Mstock contends for the same advisory lock. */
const MIGRATION_LOCK_KEY = 72_616_201;

/**
 * Runs pending migrations at start. With real Postgres, replicas starting together take turns
 * under a session advisory lock (held on a connection of its own), so they never race on DDL.
 */
@Injectable()
class MigrationRunner implements OnModuleInit {
  private readonly logger = new Logger('Migrations');

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.database.embedded) {
      await this.run();
      return;
    }
    const lockHolder = this.dataSource.createQueryRunner('master');
    await lockHolder.connect();
    try {
      await lockHolder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      await this.run();
    } finally {
      await lockHolder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await lockHolder.release();
    }
  }

  private async run(): Promise<void> {
    const applied = await this.dataSource.runMigrations({ transaction: 'each' });
    if (applied.length) this.logger.log(`applied ${applied.map((m) => m.name).join(', ')}`);
  }
}

/** Closes the pool before the PGlite child, so the child's final checkpoint sees no client. */
@Injectable()
class EmbeddedPostgresLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(EMBEDDED_POSTGRES) private readonly embedded: EmbeddedPostgres | null,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.embedded) return;
    if (this.dataSource.isInitialized) await this.dataSource.destroy().catch(() => undefined);
    await this.embedded.stop();
  }
}

/**
 * Postgres for every module: DATABASE_URL (with DATABASE_READ_URL as a read replica), or the
 * embedded PGlite child. Migrations run at start; schema is never synchronised.
 */
@Global()
@Module({
  imports: [
    EmbeddedPostgresModule,
    TypeOrmModule.forRootAsync({
      imports: [EmbeddedPostgresModule],
      inject: [AppConfig, EMBEDDED_POSTGRES],
      useFactory: (config: AppConfig, embedded: EmbeddedPostgres | null) => ({
        ...dataSourceOptions({ config, embedded: embedded ?? undefined }),
        autoLoadEntities: true,
        migrationsRun: false,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: [EmbeddedPostgresLifecycle, MigrationRunner],
})
export class DatabaseModule {}
