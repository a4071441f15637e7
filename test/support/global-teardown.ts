import { Client } from 'pg';
import { adminQuery, TEST_PG_ADMIN_URL } from './services';

/** Drops the run's database and every per-app database made from it. */
export default async function globalTeardown(): Promise<void> {
  const run = process.env.MSTOCK_TEST_DB;
  if (!run || process.env.MSTOCK_KEEP_TEST_DB) return;
  const pg = new Client({ connectionString: TEST_PG_ADMIN_URL });
  await pg.connect();
  const { rows } = await pg.query('SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2', [run, `${run}\\_%`]);
  await pg.end();
  for (const { datname } of rows) await adminQuery(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
}
