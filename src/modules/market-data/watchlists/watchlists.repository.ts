import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConflictError, InputError } from '../../../common/errors';
import { MAX_WATCHLIST_INSTRUMENTS } from './watchlist.dto';

export interface WatchlistRow {
  id: string;
  name: string;
  instrumentTokens: number[];
  createdAt: string;
  updatedAt: string;
}

/** Watchlists a user may keep (Kite's market watch has a handful of tabs). */
export const MAX_WATCHLISTS = 10;
const COLUMNS = `id, name, instrument_tokens, created_at, updated_at`;

const toRow = (r: Record<string, unknown>): WatchlistRow => ({
  id: String(r.id),
  name: String(r.name),
  instrumentTokens: (r.instrument_tokens as (number | string)[]).map(Number),
  createdAt: new Date(r.created_at as string).toISOString(),
  updatedAt: new Date(r.updated_at as string).toISOString(),
});

/**
 * Watchlist rows; every statement is scoped by user, so another user's list is simply not found.
 * The 50-instrument cap is a CHECK in the table; add/remove are single array updates, so two
 * concurrent adds can neither lose one another nor pass the cap.
 */
@Injectable()
export class WatchlistsRepository {
  constructor(private readonly db: DataSource) {}

  async list(userId: string): Promise<WatchlistRow[]> {
    const rows = await this.db.query(`SELECT ${COLUMNS} FROM watchlists WHERE user_id = $1 ORDER BY created_at, id`, [userId]);
    return rows.map(toRow);
  }

  /** Inserts unless the user has MAX_WATCHLISTS already (checked under a per-user lock, so concurrent creates cannot pass it). */
  async create(userId: string, name: string, tokens: number[]): Promise<WatchlistRow> {
    return this.translate(() =>
      this.db.transaction(async (m) => {
        await m.query(`SELECT pg_advisory_xact_lock(hashtext('watchlists:' || $1))`, [userId]);
        const rows = await m.query(
          `INSERT INTO watchlists (user_id, name, instrument_tokens)
           SELECT $1, $2, $3::int[] WHERE (SELECT count(*) FROM watchlists WHERE user_id = $1) < $4
           RETURNING ${COLUMNS}`,
          [userId, name, tokens, MAX_WATCHLISTS],
        );
        if (rows.length === 0) throw new ConflictError(`at most ${MAX_WATCHLISTS} watchlists per user`, 'WATCHLIST.LIMIT');
        return toRow(rows[0]);
      }),
    );
  }

  async update(userId: string, id: string, change: { name?: string; tokens?: number[] }): Promise<WatchlistRow | null> {
    const rows = await this.translate(() =>
      this.db.query(
        `UPDATE watchlists SET name = coalesce($3, name), instrument_tokens = coalesce($4::int[], instrument_tokens), updated_at = now()
          WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
        [id, userId, change.name ?? null, change.tokens ?? null],
      ),
    );
    return rows[0]?.[0] ? toRow(rows[0][0]) : null;
  }

  /** Appends unless already there (then the list is returned unchanged). */
  async add(userId: string, id: string, token: number): Promise<WatchlistRow | null> {
    const rows = await this.translate(() =>
      this.db.query(
        `UPDATE watchlists SET instrument_tokens = CASE WHEN $3 = ANY(instrument_tokens) THEN instrument_tokens ELSE array_append(instrument_tokens, $3::int) END,
                updated_at = now()
          WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
        [id, userId, token],
      ),
    );
    return rows[0]?.[0] ? toRow(rows[0][0]) : null;
  }

  async remove(userId: string, id: string, token: number): Promise<WatchlistRow | null> {
    const rows = await this.db.query(
      `UPDATE watchlists SET instrument_tokens = array_remove(instrument_tokens, $3::int), updated_at = now()
        WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
      [id, userId, token],
    );
    return rows[0]?.[0] ? toRow(rows[0][0]) : null;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const rows = await this.db.query(`DELETE FROM watchlists WHERE id = $1 AND user_id = $2 RETURNING id`, [id, userId]);
    return (rows[0]?.length ?? rows.length) > 0;
  }

  private async translate<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
      const code = e.code ?? e.driverError?.code;
      const constraint = e.constraint ?? e.driverError?.constraint;
      if (code === '23514' && constraint === 'watchlists_max_instruments') {
        throw new InputError(`a watchlist holds at most ${MAX_WATCHLIST_INSTRUMENTS} instruments`, 'WATCHLIST.FULL');
      }
      if (code === '23505') throw new ConflictError('you already have a watchlist with this name', 'WATCHLIST.NAME_TAKEN');
      throw err;
    }
  }
}
