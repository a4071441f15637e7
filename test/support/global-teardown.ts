import { adminQuery } from './services';

export default async function globalTeardown(): Promise<void> {
  const name = process.env.MSTOCK_TEST_DB;
  if (name && !process.env.MSTOCK_KEEP_TEST_DB) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
