import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../src/common/config/app-config';
import { createDataSource } from '../src/common/database/data-source.factory';
import { EmbeddedPostgres } from '../src/common/database/embedded-postgres';
import { prepared, runPrepared } from '../src/common/database/prepared-statement';

/**
 * The embedded database is PGlite, a single Postgres session. Shared naively between
 * concurrent transactions, a rolled-back write gets committed by a neighbour. Served through
 * pglite-socket to a pool of exactly one `pg` connection, transactions serialise correctly.
 */
describe('Embedded Postgres (PGlite child + pool of one)', () => {
  let dir: string;
  let embedded: EmbeddedPostgres;
  let ds: DataSource;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mstock-pglite-'));
    embedded = await new EmbeddedPostgres(join(dir, 'pg')).start();
    ds = createDataSource({ config: AppConfig.with({ MSTOCK_DATA_DIR: dir }), embedded });
    await ds.initialize();
  }, 90_000);

  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await embedded?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses a pool of exactly one connection', () => {
    expect((ds.options as { extra: { max: number } }).extra.max).toBe(1);
  });

  it('keeps 200 concurrent transactions on one row isolated: half roll back, the total is exact', async () => {
    await ds.query('CREATE TABLE acct (id int PRIMARY KEY, balance bigint NOT NULL)');
    await ds.query('INSERT INTO acct VALUES (1, 0)');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        ds.transaction(async (em) => {
          await em.query('UPDATE acct SET balance = balance + 1 WHERE id = 1');
          // Yield between the write and the decision, so transactions would interleave if they could.
          await new Promise((r) => setImmediate(r));
          if (i % 2 === 1) throw new Error('roll back');
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(100);
    const [{ balance }] = await ds.query('SELECT balance FROM acct WHERE id = 1');
    expect(Number(balance)).toBe(100);
  });

  it('runs named prepared statements, also after the pool replaced its connection (the session keeps them)', async () => {
    const statement = prepared('test.balance', 'SELECT balance FROM acct WHERE id = $1');
    expect(await runPrepared(ds, statement, [1])).toEqual([{ balance: '100' }]);
    // The pool closes idle clients; the next one meets the statement the first one prepared.
    const pool = (ds.driver as unknown as { master: Pool }).master;
    const client = await pool.connect();
    client.release(true);
    await new Promise((r) => setTimeout(r, 500)); // the socket server takes one connection at a time
    expect(await runPrepared(ds, statement, [1])).toEqual([{ balance: '100' }]);
    expect(await runPrepared(ds, statement, [1])).toEqual([{ balance: '100' }]);
  });

  it('keeps committed data across a restart of the child process', async () => {
    await ds.query('CREATE TABLE durable (v text)');
    await ds.query(`INSERT INTO durable VALUES ('kept')`);
    await ds.destroy();
    await embedded.stop();
    embedded = await new EmbeddedPostgres(join(dir, 'pg')).start();
    ds = createDataSource({ config: AppConfig.with({ MSTOCK_DATA_DIR: dir }), embedded });
    await ds.initialize();
    expect(await ds.query('SELECT v FROM durable')).toEqual([{ v: 'kept' }]);
  }, 90_000);
});
