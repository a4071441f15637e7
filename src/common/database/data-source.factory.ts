import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { MIGRATIONS } from '../../../migrations';
import { EmbeddedPostgres } from './embedded-postgres';
import { TypeOrmLogger } from './typeorm-logger';

export interface DataSourceInputs {
  config: AppConfig;
  /** Set in embedded mode: the PGlite child to connect to. */
  embedded?: EmbeddedPostgres;
  /** Entities registered by feature modules (autoLoadEntities fills this under Nest). */
  entities?: DataSourceOptions['entities'];
}

/**
 * One factory for the app, the migration CLI and tests, so all three connect the same way.
 * Embedded mode: pool of exactly one connection (PGlite is a single session).
 */
export function dataSourceOptions({ config, embedded, entities = [] }: DataSourceInputs): DataSourceOptions {
  const db = config.database;
  const url = embedded ? embedded.url : db.url;
  if (!url) throw new Error('no database: set DATABASE_URL or start the embedded Postgres');
  const poolSize = embedded ? 1 : db.poolSize;
  const extra = {
    max: poolSize,
    // PGlite ignores statement_timeout; real Postgres enforces it per connection.
    ...(embedded ? {} : { statement_timeout: db.statementTimeoutMs }),
    application_name: 'mstock',
  };
  const replication =
    !embedded && db.readUrl ? { replication: { master: { url }, slaves: [{ url: db.readUrl }] } } : { url };
  return {
    type: 'postgres',
    ...replication,
    extra,
    entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error', 'warn', 'migration'],
    logger: new TypeOrmLogger(),
    maxQueryExecutionTime: 1_000,
  } as DataSourceOptions;
}

export function createDataSource(inputs: DataSourceInputs): DataSource {
  return new DataSource(dataSourceOptions(inputs));
}
