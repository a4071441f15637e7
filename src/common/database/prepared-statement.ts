import { Logger } from '@nestjs/common';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';

/** A statement Postgres parses and plans once per connection, then only binds and executes. */
export interface PreparedStatement {
  /** Unique per text: the pg driver refuses one name for two texts. */
  readonly name: string;
  readonly text: string;
}

export function prepared(name: string, text: string): PreparedStatement {
  return { name, text };
}

const DUPLICATE_PREPARED_STATEMENT = '42P05';
const UNDEFINED_PREPARED_STATEMENT = '26000';
/** Same threshold as TypeORM's maxQueryExecutionTime for the queries it runs. */
const SLOW_MS = 1_000;

const logger = new Logger('PreparedStatement');

/**
 * Runs a hot statement as a named prepared statement on the driver's own pool (TypeORM's
 * `query()` sends every statement unnamed, so Postgres re-plans a many-CTE statement on every
 * call). Rows come back exactly as `dataSource.query` returns them for a SELECT.
 *
 * Embedded PGlite is one Postgres session behind pglite-socket: a statement prepared by an
 * earlier pool client (the pool closes idle clients) is still in that session and a new client's
 * Parse meets "already exists". That one case is healed here: deallocate and prepare again.
 */
export async function runPrepared<T extends QueryResultRow = Record<string, unknown>>(
  dataSource: DataSource,
  statement: PreparedStatement,
  values: unknown[],
): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const client = await pool.connect();
  const started = Date.now();
  try {
    return await runOn<T>(client, statement, values);
  } finally {
    client.release();
    const ms = Date.now() - started;
    if (ms > SLOW_MS) logger.warn(`slow query (${ms} ms): ${statement.name}`);
  }
}

async function runOn<T extends QueryResultRow>(client: PoolClient, statement: PreparedStatement, values: unknown[]): Promise<T[]> {
  try {
    return (await client.query<T>({ name: statement.name, text: statement.text, values })).rows;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === DUPLICATE_PREPARED_STATEMENT) {
      // Left in a shared session (PGlite) by a client that is gone: replace it.
      await client.query(`DEALLOCATE "${statement.name}"`);
      return (await client.query<T>({ name: statement.name, text: statement.text, values })).rows;
    }
    if (code === UNDEFINED_PREPARED_STATEMENT) {
      // The session dropped it under the driver (DISCARD/DEALLOCATE by someone else): run it unprepared.
      return (await client.query<T>(statement.text, values)).rows;
    }
    throw err;
  }
}
