import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An order's way to OPEN (RECEIVED → OPEN PENDING → OPEN) and an outbox row's lease change no
 * indexed value, so Postgres can apply them as heap-only (HOT) updates: no new index entries,
 * and the old version is pruned within its page. Before, `status` and `available_at` were index
 * keys, so each of those updates wrote a new entry into every index of the table.
 *
 * - Live orders are found by `live`, a stored column that changes only when the order ends.
 * - Due outbox rows are found through the pending rows' ids; `available_at` is a filter.
 * - Pages keep 30% free so an update finds room beside its row.
 */
export class HotOrderUpdates1764800000000 implements MigrationInterface {
  name = 'HotOrderUpdates1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders ADD COLUMN live boolean GENERATED ALWAYS AS (status NOT IN ('COMPLETE', 'CANCELLED', 'REJECTED')) STORED`);
    await q.query('DROP INDEX orders_live_idx');
    await q.query('CREATE INDEX orders_live_idx ON orders (id) WHERE live');
    await q.query('ALTER TABLE orders SET (fillfactor = 70)');
    await q.query('DROP INDEX outbox_pending_idx');
    await q.query('CREATE INDEX outbox_pending_idx ON outbox (id) WHERE dispatched_at IS NULL');
    await q.query('ALTER TABLE outbox SET (fillfactor = 70)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE outbox RESET (fillfactor)');
    await q.query('DROP INDEX outbox_pending_idx');
    await q.query('CREATE INDEX outbox_pending_idx ON outbox (available_at) WHERE dispatched_at IS NULL');
    await q.query('ALTER TABLE orders RESET (fillfactor)');
    await q.query('DROP INDEX orders_live_idx');
    await q.query(`CREATE INDEX orders_live_idx ON orders (status) WHERE status NOT IN ('COMPLETE', 'CANCELLED', 'REJECTED')`);
    await q.query('ALTER TABLE orders DROP COLUMN live');
  }
}
