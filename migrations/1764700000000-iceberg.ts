import { MigrationInterface, QueryRunner } from 'typeorm';

/** Iceberg orders: each leg is an order; the first carries the plan (total quantity, number of legs). */
export class Iceberg1764700000000 implements MigrationInterface {
  name = 'Iceberg1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders ADD COLUMN iceberg_total integer, ADD COLUMN iceberg_legs smallint`);
    await q.query(`ALTER TABLE orders ADD CONSTRAINT orders_iceberg_plan CHECK (
      (iceberg_total IS NULL AND iceberg_legs IS NULL) OR (iceberg_legs BETWEEN 2 AND 10 AND iceberg_total >= iceberg_legs))`);
    await q.query(`CREATE INDEX orders_parent_idx ON orders (parent_order_id) WHERE parent_order_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX IF EXISTS orders_parent_idx');
    await q.query('ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_iceberg_plan');
    await q.query('ALTER TABLE orders DROP COLUMN IF EXISTS iceberg_total, DROP COLUMN IF EXISTS iceberg_legs');
  }
}
