import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ratioOf, Rounding } from '../../common/money/money';
import { applyFill, PositionState } from './position-math';

export interface Fill {
  userId: string;
  instrumentToken: number;
  product: 'CNC' | 'MIS';
  side: 'BUY' | 'SELL';
  quantity: number;
  price: number;
  /** IST trading date the fill belongs to. */
  tradeDate: string;
  /** Cash margin the order had blocked for this quantity (moves to the position for MIS). */
  orderMarginShare: number;
}

export interface FillMoney {
  /** Blocked margin to give back now. */
  release: number;
  /** Cash movement: paid (negative) or received (positive, incl. realised MIS profit). */
  cash: number;
  realised: number;
}

interface PositionRow {
  buy_quantity: number;
  buy_value: string;
  sell_quantity: number;
  sell_value: string;
  net_quantity: number;
  open_value: string;
  average_price: string;
  realised_pnl: string;
  margin_blocked: string;
}

const toState = (r: PositionRow): PositionState => ({
  buyQuantity: Number(r.buy_quantity),
  buyValue: Number(r.buy_value),
  sellQuantity: Number(r.sell_quantity),
  sellValue: Number(r.sell_value),
  netQuantity: Number(r.net_quantity),
  openValue: Number(r.open_value),
  averagePrice: Number(r.average_price),
  realisedPnl: Number(r.realised_pnl),
});

/**
 * The write side of the portfolio: what a fill does to positions and holdings, inside the
 * caller's transaction (the same one that records the trade). Money effects are returned for
 * the funds ledger rather than written here, so each module writes only its own tables.
 */
@Injectable()
export class PortfolioLedger {
  /**
   * CTE clauses that block holdings for CNC sells, a whole group at once. `source` names a CTE
   * with columns n (unique), user_id (at most one row per user), instrument_token and quantity.
   * Rows are locked in key order first (no deadlock between two such statements); `gate` yields
   * the n of each row whose block succeeded.
   */
  static holdingBlockClauses(source: string, gate = 'holding'): string {
    return `${gate}_locked AS (
      SELECT h.user_id, h.instrument_token FROM holdings h JOIN ${source} s USING (user_id, instrument_token)
      ORDER BY h.user_id, h.instrument_token FOR UPDATE OF h
    ), ${gate} AS (
      UPDATE holdings h SET blocked_quantity = h.blocked_quantity + s.quantity, updated_at = now()
      FROM ${source} s JOIN ${gate}_locked USING (user_id, instrument_token)
      WHERE h.user_id = s.user_id AND h.instrument_token = s.instrument_token AND h.quantity + h.t1_quantity - h.blocked_quantity >= s.quantity
      RETURNING s.n
    )`;
  }

  /** Net quantity of a day position (positive long, negative short, 0 when flat or absent). */
  async netQuantity(m: EntityManager, p: { userId: string; instrumentToken: number; product: 'CNC' | 'MIS'; tradeDate: string }): Promise<number> {
    const [row] = await m.query(
      'SELECT net_quantity FROM positions WHERE user_id = $1 AND instrument_token = $2 AND product = $3 AND trade_date = $4',
      [p.userId, p.instrumentToken, p.product, p.tradeDate],
    );
    return Number(row?.net_quantity ?? 0);
  }

  /** Free (unblocked) holding quantity: what a CNC sell may use. */
  async sellableQuantity(m: EntityManager, userId: string, instrumentToken: number): Promise<number> {
    const [row] = await m.query(
      'SELECT quantity + t1_quantity - blocked_quantity AS free FROM holdings WHERE user_id = $1 AND instrument_token = $2',
      [userId, instrumentToken],
    );
    return Number(row?.free ?? 0);
  }

  async blockHoldings(m: EntityManager, userId: string, instrumentToken: number, quantity: number): Promise<boolean> {
    if (quantity === 0) return true;
    const rows = await m.query(
      `WITH one AS (SELECT 1 AS n, $1::uuid AS user_id, $2::int AS instrument_token, $3::int AS quantity), ${PortfolioLedger.holdingBlockClauses('one')}
       SELECT 1 FROM holding`,
      [userId, instrumentToken, quantity],
    );
    return rows.length === 1;
  }

  async releaseHoldings(m: EntityManager, userId: string, instrumentToken: number, quantity: number): Promise<void> {
    if (quantity === 0) return;
    await m.query(
      'UPDATE holdings SET blocked_quantity = blocked_quantity - $3, updated_at = now() WHERE user_id = $1 AND instrument_token = $2',
      [userId, instrumentToken, quantity],
    );
  }

  /** MIS→CNC of a long position: the shares land in T1 holdings at the position's average. */
  async convertToDelivery(m: EntityManager, c: Omit<Conversion, 'from' | 'to'>): Promise<{ cost: number; marginFreed: number } | null> {
    const moved = await moveLongPosition(m, { ...c, from: 'MIS', to: 'CNC' });
    if (!moved) return null;
    await m.query(
      `INSERT INTO holdings (user_id, instrument_token, t1_quantity, cost_value, average_price) VALUES ($1, $2, $3::int, $4::bigint, round($4::numeric / $3::int))
       ON CONFLICT (user_id, instrument_token) DO UPDATE SET t1_quantity = holdings.t1_quantity + $3::int, cost_value = holdings.cost_value + $4::bigint,
         average_price = round((holdings.cost_value + $4::bigint)::numeric / (holdings.quantity + holdings.t1_quantity + $3::int)), updated_at = now()`,
      [c.userId, c.instrumentToken, c.quantity, moved.cost],
    );
    return moved;
  }

  /** CNC→MIS of today's long buys: only unsettled, unblocked T1 shares can go back to intraday. */
  async convertToIntraday(m: EntityManager, c: Omit<Conversion, 'from' | 'to'>): Promise<{ cost: number } | null> {
    const taken = await m.query(
      `WITH upd AS (
         UPDATE holdings SET t1_quantity = t1_quantity - $3,
           cost_value = CASE WHEN quantity + t1_quantity = $3 THEN 0 ELSE cost_value - $3 * average_price END, updated_at = now()
         WHERE user_id = $1 AND instrument_token = $2 AND t1_quantity >= $3 AND quantity + t1_quantity - blocked_quantity >= $3
         RETURNING 1
       ) SELECT 1 FROM upd`,
      [c.userId, c.instrumentToken, c.quantity],
    );
    if (taken.length !== 1) return null;
    return moveLongPosition(m, { ...c, from: 'CNC', to: 'MIS' });
  }

  /** Sets the margin an MIS position holds (after a conversion into it). */
  async addPositionMargin(m: EntityManager, c: { userId: string; instrumentToken: number; tradeDate: string; amount: number }): Promise<void> {
    await m.query(
      `UPDATE positions SET margin_blocked = margin_blocked + $4 WHERE user_id = $1 AND instrument_token = $2 AND product = 'MIS' AND trade_date = $3`,
      [c.userId, c.instrumentToken, c.tradeDate, c.amount],
    );
  }

  async applyFill(m: EntityManager, f: Fill): Promise<FillMoney> {
    const key = [f.userId, f.instrumentToken, f.product, f.tradeDate];
    await m.query(
      'INSERT INTO positions (user_id, instrument_token, product, trade_date) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      key,
    );
    const [row] = (await m.query(
      'SELECT * FROM positions WHERE user_id = $1 AND instrument_token = $2 AND product = $3 AND trade_date = $4 FOR UPDATE',
      key,
    )) as PositionRow[];
    const before = toState(row);
    const out = applyFill(before, f.side, f.quantity, f.price);
    const money = f.product === 'CNC' ? await this.cncMoney(m, f) : this.misMoney(f, before, out, Number(row.margin_blocked));
    const p = out.position;
    await m.query(
      `UPDATE positions SET buy_quantity = $5, buy_value = $6, sell_quantity = $7, sell_value = $8, net_quantity = $9,
         open_value = $10, average_price = $11, realised_pnl = $12, margin_blocked = $13, updated_at = now()
       WHERE user_id = $1 AND instrument_token = $2 AND product = $3 AND trade_date = $4`,
      [...key, p.buyQuantity, p.buyValue, p.sellQuantity, p.sellValue, p.netQuantity, p.openValue, p.averagePrice, p.realisedPnl, money.positionMargin],
    );
    return { release: money.release, cash: money.cash, realised: out.realised };
  }

  /** CNC: buys pay in full and land in T1 holdings; sells receive in full and leave holdings. */
  private async cncMoney(m: EntityManager, f: Fill) {
    const value = f.quantity * f.price;
    if (f.side === 'BUY') {
      await m.query(
        `INSERT INTO holdings (user_id, instrument_token, t1_quantity, cost_value, average_price) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id, instrument_token) DO UPDATE SET
           t1_quantity = holdings.t1_quantity + EXCLUDED.t1_quantity,
           cost_value = holdings.cost_value + EXCLUDED.cost_value,
           average_price = round((holdings.cost_value + EXCLUDED.cost_value)::numeric / (holdings.quantity + holdings.t1_quantity + EXCLUDED.t1_quantity)),
           updated_at = now()`,
        [f.userId, f.instrumentToken, f.quantity, value, f.price],
      );
      return { release: f.orderMarginShare, cash: -value, positionMargin: 0 };
    }
    // Settled shares go first, then T1; the cost leaves at the average, which does not change.
    await m.query(
      `UPDATE holdings SET blocked_quantity = blocked_quantity - $3,
         t1_quantity = t1_quantity - GREATEST($3 - quantity, 0), quantity = GREATEST(quantity - $3, 0),
         cost_value = CASE WHEN quantity + t1_quantity = $3 THEN 0 ELSE cost_value - $3 * average_price END,
         average_price = CASE WHEN quantity + t1_quantity = $3 THEN 0 ELSE average_price END, updated_at = now()
       WHERE user_id = $1 AND instrument_token = $2`,
      [f.userId, f.instrumentToken, f.quantity],
    );
    return { release: 0, cash: value, positionMargin: 0 };
  }

  /**
   * MIS: the order's margin for the opening part moves to the position; the closing part
   * frees its order margin and its share of the position's margin, and realises P&L in cash.
   */
  private misMoney(f: Fill, before: PositionState, out: ReturnType<typeof applyFill>, positionMargin: number) {
    const openingShare = ratioOf(f.orderMarginShare, out.openedQuantity, f.quantity, Rounding.Down);
    const open = Math.abs(before.netQuantity);
    const freed = out.closedQuantity === 0 ? 0 : out.closedQuantity === open ? positionMargin : ratioOf(positionMargin, out.closedQuantity, open, Rounding.Down);
    return {
      release: f.orderMarginShare - openingShare + freed,
      cash: out.realised,
      positionMargin: positionMargin - freed + openingShare,
    };
  }
}

export interface Conversion {
  userId: string;
  instrumentToken: number;
  tradeDate: string;
  quantity: number;
  from: 'CNC' | 'MIS';
  to: 'CNC' | 'MIS';
}

/**
 * Moves `quantity` of a long day position from one product to the other at its average price
 * (the buys move with it, as Kite shows a conversion). Returns the cost moved and the margin the
 * source position held for it; the caller settles the cash and margin in the same transaction.
 */
export async function moveLongPosition(m: EntityManager, c: Conversion): Promise<{ cost: number; marginFreed: number } | null> {
  const [src] = await m.query(
    `SELECT net_quantity, average_price, margin_blocked FROM positions
     WHERE user_id = $1 AND instrument_token = $2 AND product = $3 AND trade_date = $4 FOR UPDATE`,
    [c.userId, c.instrumentToken, c.from, c.tradeDate],
  );
  const net = Number(src?.net_quantity ?? 0);
  if (net < c.quantity) return null;
  const avg = Number(src.average_price);
  const cost = c.quantity * avg;
  const margin = Number(src.margin_blocked);
  const marginFreed = c.quantity === net ? margin : ratioOf(margin, c.quantity, net, Rounding.Down);
  await m.query(
    `UPDATE positions SET net_quantity = net_quantity - $5, buy_quantity = buy_quantity - $5, buy_value = buy_value - $6,
       open_value = GREATEST(open_value - $6, 0), margin_blocked = margin_blocked - $7,
       average_price = CASE WHEN net_quantity = $5 THEN 0 ELSE average_price END, updated_at = now()
     WHERE user_id = $1 AND instrument_token = $2 AND product = $3 AND trade_date = $4`,
    [c.userId, c.instrumentToken, c.from, c.tradeDate, c.quantity, cost, marginFreed],
  );
  await m.query(
    `INSERT INTO positions (user_id, instrument_token, product, trade_date, buy_quantity, buy_value, net_quantity, open_value, average_price)
     VALUES ($1, $2, $3, $4, $5, $6, $5, $6, $7)
     ON CONFLICT (user_id, instrument_token, product, trade_date) DO UPDATE SET
       buy_quantity = positions.buy_quantity + $5, buy_value = positions.buy_value + $6,
       net_quantity = positions.net_quantity + $5, open_value = positions.open_value + $6,
       average_price = round((positions.open_value + $6)::numeric / NULLIF(positions.net_quantity + $5, 0)), updated_at = now()`,
    [c.userId, c.instrumentToken, c.to, c.tradeDate, c.quantity, cost, avg],
  );
  return { cost, marginFreed };
}
