import { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, credentials, TOTP, backup codes, API apps and the audit log. */
export class Identity1764100000000 implements MigrationInterface {
  name = 'Identity1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE user_client_seq START 1001`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        client_id text NOT NULL UNIQUE,
        email text NOT NULL,
        name text NOT NULL,
        phone text NOT NULL,
        pan text NOT NULL,
        kyc_status text NOT NULL DEFAULT 'pending' CHECK (kyc_status IN ('pending', 'verified', 'rejected')),
        role text NOT NULL DEFAULT 'trader' CHECK (role IN ('trader', 'admin')),
        trading_blocked boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`);
    await q.query(`
      CREATE TABLE credentials (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        password_hash text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE totp_secrets (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        secret_ciphertext text NOT NULL,
        confirmed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE backup_codes (
        id bigserial PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        code_hash text NOT NULL,
        used_at timestamptz,
        UNIQUE (user_id, code_hash)
      )`);
    await q.query(`
      CREATE TABLE api_apps (
        api_key text PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name text NOT NULL,
        secret_ciphertext text NOT NULL,
        redirect_url text NOT NULL,
        postback_url text,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_apps_user_idx ON api_apps (user_id)`);
    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        user_id uuid,
        event text NOT NULL,
        ip text,
        detail jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX audit_log_user_at_idx ON audit_log (user_id, at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['audit_log', 'api_apps', 'backup_codes', 'totp_secrets', 'credentials', 'users']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
    await q.query(`DROP SEQUENCE IF EXISTS user_client_seq`);
  }
}
