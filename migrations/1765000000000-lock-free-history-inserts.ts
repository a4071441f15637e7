import { MigrationInterface, QueryRunner } from 'typeorm';

/** Foreign keys checked on every order, fill and ledger write: (table, column, parent, parent key). */
const HOT_REFERENCES = [
  ['orders', 'user_id', 'users', 'id'],
  ['orders', 'instrument_token', 'instruments', 'instrument_token'],
  ['order_events', 'order_id', 'orders', 'id'],
  ['trades', 'order_id', 'orders', 'id'],
  ['trades', 'user_id', 'users', 'id'],
  ['ledger_entries', 'user_id', 'accounts', 'user_id'],
] as const;

/**
 * A foreign key's check on insert takes a KEY SHARE row lock on the parent: a WAL record and a
 * dirtied page each time, a MultiXact when other transactions hold it too (every order of a
 * symbol locks the same instruments row), and an SPI query. On the order path that was seven
 * row locks per order (three events, the ledger entry, user, instrument; two more per fill),
 * as many WAL records as its inserts.
 *
 * What those keys guaranteed still holds, by other means:
 * - every insert of a child derives its key from the parent row written or read in the same
 *   statement or transaction (`INSERT … SELECT … FROM upd`, the placement gate on users and
 *   accounts), so a child never names a parent that does not exist;
 * - parents are never deleted: orders and accounts refuse DELETE outright (they are history,
 *   like the ledger); an instrument with orders refuses it (instruments retire, never go);
 *   users keep their RESTRICT from accounts, and every user with an order has an account.
 */
export class LockFreeHistoryInserts1765000000000 implements MigrationInterface {
  name = 'LockFreeHistoryInserts1765000000000';

  async up(q: QueryRunner): Promise<void> {
    for (const [table, column] of HOT_REFERENCES) await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_${column}_fkey`);
    await q.query(`
      CREATE FUNCTION history_is_kept() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% rows are kept for ever: trades, events and ledger entries refer to them', TG_TABLE_NAME
          USING ERRCODE = 'restrict_violation';
      END $$`);
    for (const table of ['orders', 'accounts']) {
      await q.query(`CREATE TRIGGER ${table}_kept BEFORE DELETE OR TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION history_is_kept()`);
    }
    await q.query(`
      CREATE FUNCTION instruments_with_orders_kept() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM orders WHERE instrument_token = OLD.instrument_token) THEN
          RAISE EXCEPTION 'instrument % has orders: retire it (tradable = false) instead', OLD.instrument_token
            USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN OLD;
      END $$`);
    await q.query(`CREATE TRIGGER instruments_with_orders_kept BEFORE DELETE ON instruments FOR EACH ROW EXECUTE FUNCTION instruments_with_orders_kept()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER instruments_with_orders_kept ON instruments');
    await q.query('DROP FUNCTION instruments_with_orders_kept()');
    for (const table of ['orders', 'accounts']) await q.query(`DROP TRIGGER ${table}_kept ON ${table}`);
    await q.query('DROP FUNCTION history_is_kept()');
    for (const [table, column, parent, key] of HOT_REFERENCES) {
      await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_${column}_fkey FOREIGN KEY (${column}) REFERENCES ${parent}(${key})`);
    }
  }
}
