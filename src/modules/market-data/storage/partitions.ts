import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { IST_OFFSET_MS, istParts } from '../../../common/clock/ist';

export type PartitionedTable = 'market_ticks' | 'market_candles';

/** Serialises partition DDL across replicas and processes (CREATE IF NOT EXISTS alone still races on the catalog). */
const DDL_LOCK = 727_001;
const DAY_MS = 86_400_000;

/** IST date → [from, to) bounds and name of its partition: a day for ticks, a month for candles. */
export function partitionOf(table: PartitionedTable, epochMs: number): { name: string; from: string; to: string } {
  const date = istParts(epochMs).date;
  const [y, m, d] = date.split('-').map(Number);
  if (table === 'market_ticks') {
    const next = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
    return { name: `market_ticks_p${date.replaceAll('-', '')}`, from: `${date} 00:00:00+05:30`, to: `${next} 00:00:00+05:30` };
  }
  const month = `${y}-${String(m).padStart(2, '0')}`;
  const next = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
  return { name: `market_candles_p${month.replace('-', '')}`, from: `${month}-01 00:00:00+05:30`, to: `${next}-01 00:00:00+05:30` };
}

/**
 * Creates ticks' day partitions and candles' month partitions before rows need them, and drops
 * whole tick partitions past the retention window (DESIGN §4: ~100M ticks a day; deleting rows
 * would be hours of vacuum, dropping a partition is instant). With TimescaleDB the hypertables
 * make their own chunks, and retention is drop_chunks. Works the same on Postgres and PGlite.
 */
export class PartitionManager {
  private readonly logger = new Logger(PartitionManager.name);
  private readonly known = new Set<string>();
  private mode: Promise<'native' | 'timescale'> | null = null;

  constructor(private readonly db: DataSource) {}

  /** Makes sure the partitions holding these instants exist. Cheap when they do (an in-memory set). */
  async ensure(table: PartitionedTable, instants: Iterable<number>): Promise<void> {
    const wanted = new Map<string, ReturnType<typeof partitionOf>>();
    // One lookup per IST day, not per row: a batch of thousands of ticks spans one or two days.
    const days = new Set<number>();
    for (const t of instants) days.add(Math.floor((t + IST_OFFSET_MS) / DAY_MS));
    for (const day of days) {
      const p = partitionOf(table, day * DAY_MS - IST_OFFSET_MS);
      if (!this.known.has(p.name)) wanted.set(p.name, p);
    }
    if (wanted.size === 0) return;
    if ((await this.storage()) === 'timescale') {
      for (const name of wanted.keys()) this.known.add(name);
      return;
    }
    const runner = this.db.createQueryRunner('master');
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`SELECT pg_advisory_xact_lock(${DDL_LOCK})`);
      for (const p of wanted.values()) {
        await runner.query(`CREATE TABLE IF NOT EXISTS ${p.name} PARTITION OF ${table} FOR VALUES FROM ('${p.from}') TO ('${p.to}')`);
      }
      await runner.commitTransaction();
      for (const name of wanted.keys()) this.known.add(name);
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  /** Today's and tomorrow's tick partitions and this and next month's candle partitions. */
  async prepareAhead(now: number): Promise<void> {
    await this.ensure('market_ticks', [now, now + DAY_MS]);
    await this.ensure('market_candles', [now, now + 32 * DAY_MS]);
  }

  /** Drops tick partitions wholly older than `retentionDays` IST days before `now`; returns how many. */
  async dropExpiredTicks(now: number, retentionDays: number): Promise<number> {
    const oldestKept = partitionOf('market_ticks', now - retentionDays * DAY_MS).name;
    if ((await this.storage()) === 'timescale') {
      await this.db.query(`SELECT drop_chunks('market_ticks', older_than => now() - make_interval(days => $1))`, [retentionDays]);
      return 0;
    }
    const rows: { name: string }[] = await this.db.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = 'market_ticks' ORDER BY c.relname`,
    );
    // Names sort by date (market_ticks_pYYYYMMDD).
    const expired = rows.map((r) => r.name).filter((n) => /^market_ticks_p\d{8}$/.test(n) && n < oldestKept);
    for (const name of expired) {
      await this.db.query(`DROP TABLE IF EXISTS ${name}`);
      this.known.delete(name);
    }
    if (expired.length) this.logger.log(`dropped ${expired.length} tick partition(s) older than ${retentionDays} days: ${expired.join(', ')}`);
    return expired.length;
  }

  private storage(): Promise<'native' | 'timescale'> {
    this.mode ??= this.db
      .query(`SELECT c.relkind FROM pg_class c WHERE c.relname = 'market_ticks' AND c.relnamespace = 'public'::regnamespace`)
      .then((rows: { relkind: string }[]) => (rows[0]?.relkind === 'p' ? ('native' as const) : ('timescale' as const)))
      .catch((err) => {
        this.mode = null;
        throw err;
      });
    return this.mode;
  }
}
