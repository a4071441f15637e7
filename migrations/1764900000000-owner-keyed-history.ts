import { MigrationInterface, QueryRunner } from 'typeorm';

/** The append-only histories, each keyed by its owner, and the statement that adds to them. */
const HISTORIES = [
  { table: 'order_events', owner: 'order_id', index: 'order_events_order_idx' },
  { table: 'ledger_entries', owner: 'user_id', index: 'ledger_entries_user_idx' },
];

/**
 * An order's events and a user's ledger entries are only ever read by their owner, in id order,
 * through an (owner, id) index; the primary key on id alone was a second index that every insert
 * paid for (three events and one or two ledger entries per order) and no query used. The (owner,
 * id) index becomes the primary key; ids stay unique (bigserial).
 */
export class OwnerKeyedHistory1764900000000 implements MigrationInterface {
  name = 'OwnerKeyedHistory1764900000000';

  async up(q: QueryRunner): Promise<void> {
    for (const { table, owner, index } of HISTORIES) {
      await q.query(`CREATE UNIQUE INDEX ${table}_key ON ${table} (${owner}, id)`);
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_pkey`);
      await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_pkey PRIMARY KEY USING INDEX ${table}_key`);
      await q.query(`DROP INDEX ${index}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const { table, owner, index } of HISTORIES) {
      await q.query(`CREATE INDEX ${index} ON ${table} (${owner}, id)`);
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_pkey`);
      await q.query(`ALTER TABLE ${table} ADD PRIMARY KEY (id)`);
    }
  }
}
