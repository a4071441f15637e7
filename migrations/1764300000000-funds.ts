import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cash accounts and their append-only ledger. Invariants live in the database:
 * available never negative, balance = available + blocked - debit, ledger rows never change.
 */
export class Funds1764300000000 implements MigrationInterface {
  name = 'Funds1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounts (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE RESTRICT,
        balance bigint NOT NULL DEFAULT 0,
        available bigint NOT NULL DEFAULT 0 CHECK (available >= 0),
        blocked bigint NOT NULL DEFAULT 0 CHECK (blocked >= 0),
        debit bigint NOT NULL DEFAULT 0 CHECK (debit >= 0),
        opening_balance bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT accounts_balance_identity CHECK (balance = available + blocked - debit)
      )`);
    await q.query(`
      CREATE TABLE ledger_entries (
        id bigserial PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES accounts(user_id),
        at timestamptz NOT NULL DEFAULT now(),
        kind text NOT NULL CHECK (kind IN ('PAYIN', 'PAYOUT', 'MARGIN_BLOCK', 'MARGIN_RELEASE', 'TRADE_DEBIT', 'TRADE_CREDIT', 'CHARGES')),
        balance_delta bigint NOT NULL,
        blocked_delta bigint NOT NULL,
        debit_delta bigint NOT NULL DEFAULT 0,
        ref_type text,
        ref_id text,
        note text
      )`);
    await q.query(`CREATE INDEX ledger_entries_user_idx ON ledger_entries (user_id, id)`);
    await q.query(`
      CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger_entries is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
      FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS ledger_entries');
    await q.query('DROP FUNCTION IF EXISTS ledger_entries_append_only');
    await q.query('DROP TABLE IF EXISTS accounts');
  }
}
