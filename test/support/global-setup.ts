import { adminQuery, assertServicesUp, databaseUrl } from './services';

/** One fresh database per test run, so runs never see each other's rows. */
export default async function globalSetup(): Promise<void> {
  await assertServicesUp();
  const name = `mstock_test_${process.pid}_${Date.now().toString(36)}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  process.env.MSTOCK_TEST_DB = name;
  process.env.MSTOCK_TEST_DATABASE_URL = databaseUrl(name);
}
