import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { paiseToRupees, Paise } from '../../common/money/money';
import { AuditService } from '../audit/audit.service';
import { InsufficientFundsError } from './funds.errors';

export interface Funds {
  balance: Paise;
  available: Paise;
  blocked: Paise;
  /** Losses beyond free cash: owed by the client, cleared first by the next pay-in. */
  debit: Paise;
  openingBalance: Paise;
}

export type LedgerRef = { type: 'order' | 'trade' | 'payin' | 'payout' | 'position'; id: string };

interface AccountRow {
  balance: string;
  available: string;
  blocked: string;
  debit: string;
  opening_balance: string;
}

const toFunds = (r: AccountRow | undefined): Funds => ({
  balance: Number(r?.balance ?? 0),
  available: Number(r?.available ?? 0),
  blocked: Number(r?.blocked ?? 0),
  debit: Number(r?.debit ?? 0),
  openingBalance: Number(r?.opening_balance ?? 0),
});

const RETURNING = 'RETURNING balance, available, blocked, debit, opening_balance';

/**
 * Cash accounts. Every change is one conditional statement that also appends its ledger row,
 * so `balance` is always the sum of the ledger and `available` can never go negative.
 * Balances are never cached.
 */
@Injectable()
export class FundsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async get(userId: string, manager: EntityManager = this.dataSource.manager): Promise<Funds> {
    const [row] = await manager.query('SELECT balance, available, blocked, debit, opening_balance FROM accounts WHERE user_id = $1', [userId]);
    return toFunds(row);
  }

  /** Simulated bank pay-in. An outstanding debit is settled first. */
  async payIn(userId: string, amount: Paise, ip?: string, note = 'bank pay-in'): Promise<Funds> {
    return this.dataSource.transaction(async (m) => {
      // Two statements: sub-statements of one query share a snapshot, so an UPDATE cannot see a
      // row inserted by a sibling CTE.
      await m.query('INSERT INTO accounts (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING', [userId]);
      const [row] = await m.query(
        `WITH cur AS (
           SELECT user_id, LEAST(debit, $2::bigint) AS settled FROM accounts WHERE user_id = $1 FOR UPDATE
         ), upd AS (
           UPDATE accounts a SET balance = a.balance + $2::bigint, available = a.available + $2::bigint - cur.settled,
             debit = a.debit - cur.settled, updated_at = now()
           FROM cur WHERE a.user_id = cur.user_id
           RETURNING a.balance, a.available, a.blocked, a.debit, a.opening_balance, cur.settled
         ), led AS (
           INSERT INTO ledger_entries (user_id, kind, balance_delta, blocked_delta, debit_delta, ref_type, note)
           SELECT $1, 'PAYIN', $2::bigint, 0, -settled, 'payin', $3 FROM upd
         )
         SELECT * FROM upd`,
        [userId, amount, note],
      );
      await this.audit.record({ event: 'funds.payin', userId, ip, detail: { amount: paiseToRupees(amount) } }, m);
      return toFunds(row);
    });
  }

  /** Pay-out only from free cash: blocked margin and debits are never paid out. */
  async payOut(userId: string, amount: Paise, ip?: string): Promise<Funds> {
    return this.dataSource.transaction(async (m) => {
      const [row] = await m.query(
        `WITH upd AS (
           UPDATE accounts SET balance = balance - $2::bigint, available = available - $2::bigint, updated_at = now()
           WHERE user_id = $1 AND available >= $2::bigint ${RETURNING}
         ), led AS (
           INSERT INTO ledger_entries (user_id, kind, balance_delta, blocked_delta, ref_type, note)
           SELECT $1, 'PAYOUT', -$2::bigint, 0, 'payout', 'bank pay-out' FROM upd
         )
         SELECT * FROM upd`,
        [userId, amount],
      );
      if (!row) {
        const free = (await this.get(userId, m)).available;
        throw new InsufficientFundsError(`Pay-out of ₹${paiseToRupees(amount)} exceeds free cash ₹${paiseToRupees(free)}`);
      }
      await this.audit.record({ event: 'funds.payout', userId, ip, detail: { amount: paiseToRupees(amount) } }, m);
      return toFunds(row);
    });
  }

  /**
   * The margin block as CTE clauses for the caller's single-statement write (order placement,
   * a whole group of orders at once). `source` names a CTE with columns n (unique), user_id (at
   * most one row per user), amount and ref_id. Accounts are locked in user order first, so two
   * such statements that share accounts queue behind each other instead of deadlocking. `gate`
   * yields the n of each row whose block succeeded; later clauses select FROM it so nothing else
   * is written for the others.
   */
  static marginBlockClauses(source: string, gate = 'margin'): string {
    return `${gate}_locked AS (
      SELECT user_id FROM accounts WHERE user_id IN (SELECT user_id FROM ${source}) ORDER BY user_id FOR UPDATE
    ), ${gate} AS (
      UPDATE accounts a SET available = a.available - s.amount, blocked = a.blocked + s.amount, updated_at = now()
      FROM ${source} s JOIN ${gate}_locked USING (user_id)
      WHERE a.user_id = s.user_id AND a.available >= s.amount
      RETURNING s.n, s.user_id, s.amount, s.ref_id
    ), ${gate}_ledger AS (
      INSERT INTO ledger_entries (user_id, kind, balance_delta, blocked_delta, ref_type, ref_id)
      SELECT user_id, 'MARGIN_BLOCK', 0, amount, 'order', ref_id FROM ${gate}
    )`;
  }

  /** Inside the caller's transaction: more margin for an order (modify upwards). False if not enough. */
  async block(manager: EntityManager, userId: string, amount: Paise, ref: LedgerRef): Promise<boolean> {
    if (amount === 0) return true;
    const rows = await manager.query(
      `WITH one AS (SELECT 1 AS n, $1::uuid AS user_id, $2::bigint AS amount, $3::text AS ref_id), ${FundsService.marginBlockClauses('one')}
       SELECT 1 FROM margin`,
      [userId, amount, ref.id],
    );
    return rows.length === 1;
  }

  /** Inside the caller's transaction: gives blocked margin back (cancel, reject, expiry, modify down). */
  async release(manager: EntityManager, userId: string, amount: Paise, ref: LedgerRef): Promise<void> {
    if (amount === 0) return;
    const rows = await manager.query(
      `WITH upd AS (
         UPDATE accounts SET available = available + $2::bigint, blocked = blocked - $2::bigint, updated_at = now()
         WHERE user_id = $1 AND blocked >= $2::bigint RETURNING user_id
       ), led AS (
         INSERT INTO ledger_entries (user_id, kind, balance_delta, blocked_delta, ref_type, ref_id)
         SELECT user_id, 'MARGIN_RELEASE', 0, -$2::bigint, $3, $4 FROM upd
       ) SELECT 1 FROM upd`,
      [userId, amount, ref.type, ref.id],
    );
    if (rows.length !== 1) throw new Error(`release of ${amount} paise for ${userId} exceeds the blocked amount`);
  }

  /**
   * Inside the caller's transaction: a fill. Releases `release` of blocked margin and moves
   * `cash` (negative: paid for a buy; positive: received for a sale or a profit). A shortfall
   * beyond free cash becomes a debit instead of breaking `available >= 0`.
   */
  async settle(manager: EntityManager, userId: string, p: { release: Paise; cash: Paise; ref: LedgerRef; note?: string }): Promise<void> {
    const rows = await manager.query(
      `WITH cur AS (
         SELECT user_id, available + $2::bigint + $3::bigint AS raw FROM accounts WHERE user_id = $1 AND blocked >= $2::bigint FOR UPDATE
       ), upd AS (
         UPDATE accounts a SET blocked = a.blocked - $2::bigint, balance = a.balance + $3::bigint,
           available = GREATEST(cur.raw, 0), debit = a.debit + GREATEST(-cur.raw, 0), updated_at = now()
         FROM cur WHERE a.user_id = cur.user_id
         RETURNING a.user_id, GREATEST(-cur.raw, 0) AS new_debit
       ), led AS (
         INSERT INTO ledger_entries (user_id, kind, balance_delta, blocked_delta, debit_delta, ref_type, ref_id, note)
         SELECT user_id, CASE WHEN $3::bigint < 0 THEN 'TRADE_DEBIT' ELSE 'TRADE_CREDIT' END, $3::bigint, -$2::bigint, new_debit, $4, $5, $6 FROM upd
       ) SELECT 1 FROM upd`,
      [userId, p.release, p.cash, p.ref.type, p.ref.id, p.note ?? null],
    );
    if (rows.length !== 1) throw new Error(`settlement for ${userId} found no account or too little blocked margin`);
  }

  /** Sum of the ledger against the account row: the books must balance exactly. */
  async verifyLedger(userId: string): Promise<{ balanced: boolean; account: Funds; ledger: { balance: Paise; blocked: Paise; debit: Paise } }> {
    const account = await this.get(userId);
    const [sums] = await this.dataSource.query(
      `SELECT COALESCE(sum(balance_delta), 0) AS balance, COALESCE(sum(blocked_delta), 0) AS blocked, COALESCE(sum(debit_delta), 0) AS debit
       FROM ledger_entries WHERE user_id = $1`,
      [userId],
    );
    const ledger = { balance: Number(sums.balance), blocked: Number(sums.blocked), debit: Number(sums.debit) };
    const balanced = ledger.balance === account.balance && ledger.blocked === account.blocked && ledger.debit === account.debit;
    return { balanced, account, ledger };
  }
}
