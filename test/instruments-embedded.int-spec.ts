import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../src/common/config/app-config';
import { InstrumentsSeeder } from '../src/modules/instruments/instruments.seeder';
import { InstrumentsService } from '../src/modules/instruments/instruments.service';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The embedded default (PGlite in a child process, one connection): the master seeds there
 * too, inside the time budget, and a restart on the same data finds it up to date.
 */
describe('Instruments on the embedded database', () => {
  let dir: string;
  let t: TestApp | undefined;
  const embeddedConfig = () => AppConfig.with({ NODE_ENV: 'test', LOG_LEVEL: 'silent', MSTOCK_DATA_DIR: dir });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mstock-instruments-'));
  });

  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seeds the whole master (4,764 listings) on first start', async () => {
    t = await startTestApp(embeddedConfig());
    const outcome = t.app.get(InstrumentsSeeder, { strict: false }).lastOutcome;
    expect(outcome).toMatchObject({ status: 'loaded', rows: 4764, inserted: 4764, updated: 0, retired: 0 });
    expect(t.app.get(InstrumentsService, { strict: false }).resolve('BSE:INFY')).toMatchObject({ prevClose: 1121_00, series: 'A' });
  }, 120_000);

  it('finds the master up to date after a restart', async () => {
    await t!.close();
    t = undefined;
    t = await startTestApp(embeddedConfig());
    expect(t.app.get(InstrumentsSeeder, { strict: false }).lastOutcome).toMatchObject({ status: 'up-to-date' });
    expect(t.app.get(InstrumentsService, { strict: false }).all()).toHaveLength(4764);
  }, 120_000);
});
