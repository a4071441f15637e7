import { MigrationInterface, QueryRunner } from 'typeorm';

/** One row per end-of-day job and business date: the job's "run exactly once" record. */
export class PortfolioJobs1764600000000 implements MigrationInterface {
  name = 'PortfolioJobs1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE eod_runs (
        job text NOT NULL,
        business_date date NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        detail jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (job, business_date)
      )`);
    await q.query(`CREATE INDEX positions_open_mis_idx ON positions (trade_date) WHERE product = 'MIS' AND net_quantity <> 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX IF EXISTS positions_open_mis_idx');
    await q.query('DROP TABLE IF EXISTS eod_runs');
  }
}
