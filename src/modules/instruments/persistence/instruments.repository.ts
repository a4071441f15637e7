import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { Instrument, InstrumentSpec } from '../instrument';
import type { ExistingToken } from '../reference-data/instrument-master';
import { InstrumentEntity } from './instrument.entity';

export interface MasterWrite {
  inserted: number;
  updated: number;
  /** Instruments no longer in the reference data, now marked not tradable (never deleted: orders refer to them). */
  retired: number;
}

/** Column order of the bulk upsert; each becomes one typed array parameter of UNNEST. */
const COLUMNS: readonly { name: string; type: string; of: (i: InstrumentSpec) => unknown }[] = [
  { name: 'instrument_token', type: 'int', of: (i) => i.instrumentToken },
  { name: 'exchange_token', type: 'int', of: (i) => i.exchangeToken },
  { name: 'tradingsymbol', type: 'text', of: (i) => i.tradingsymbol },
  { name: 'name', type: 'text', of: (i) => i.name },
  { name: 'isin', type: 'text', of: (i) => i.isin },
  { name: 'exchange', type: 'text', of: (i) => i.exchange },
  { name: 'segment', type: 'text', of: (i) => i.segment },
  { name: 'series', type: 'text', of: (i) => i.series },
  { name: 'instrument_type', type: 'text', of: (i) => i.instrumentType },
  { name: 'tick_size', type: 'bigint', of: (i) => i.tickSize },
  { name: 'lot_size', type: 'int', of: (i) => i.lotSize },
  { name: 'freeze_qty', type: 'int', of: (i) => i.freezeQty },
  { name: 'prev_close', type: 'bigint', of: (i) => i.prevClose },
  { name: 'circuit_band_pct', type: 'smallint', of: (i) => i.circuitBandPct },
  { name: 'lower_circuit', type: 'bigint', of: (i) => i.lowerCircuit },
  { name: 'upper_circuit', type: 'bigint', of: (i) => i.upperCircuit },
  { name: 'face_value', type: 'bigint', of: (i) => i.faceValue },
  { name: 'price_is_synthetic', type: 'boolean', of: (i) => i.priceIsSynthetic },
  { name: 'tradable', type: 'boolean', of: (i) => i.tradable },
  { name: 'suspended', type: 'boolean', of: (i) => i.suspended },
  { name: 'week52_high', type: 'bigint', of: (i) => i.week52High },
  { name: 'week52_low', type: 'bigint', of: (i) => i.week52Low },
];
const UPDATABLE = COLUMNS.filter((c) => c.name !== 'instrument_token').map((c) => c.name);

/**
 * One statement for the whole master: every column travels as one array, so ~4,800 rows cost
 * one round trip. A row that is already identical is not touched (its updated_at stays), which
 * is what makes a re-seed with the same data a no-op.
 */
const UPSERT_MASTER = `
  WITH written AS (
    INSERT INTO instruments (${COLUMNS.map((c) => c.name).join(', ')})
    SELECT * FROM UNNEST(${COLUMNS.map((c, n) => `$${n + 1}::${c.type}[]`).join(', ')})
    ON CONFLICT (instrument_token) DO UPDATE SET
      ${UPDATABLE.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = now()
    WHERE (${UPDATABLE.map((c) => `instruments.${c}`).join(', ')})
      IS DISTINCT FROM (${UPDATABLE.map((c) => `EXCLUDED.${c}`).join(', ')})
    RETURNING (xmax = 0) AS inserted
  )
  SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM written`;

/** Serialises seeding across replicas that boot together against one database. */
const SEED_LOCK_KEY = 0x6d73_0001; // "ms" + 1

export function toInstrument(row: InstrumentEntity): Instrument {
  return Object.freeze({ ...row });
}

@Injectable()
export class InstrumentsRepository {
  constructor(@InjectRepository(InstrumentEntity) private readonly rows: Repository<InstrumentEntity>) {}

  async loadAll(): Promise<Instrument[]> {
    const rows = await this.rows.find({ order: { instrumentToken: 'ASC' } });
    return rows.map(toInstrument);
  }

  async countAll(): Promise<number> {
    return this.rows.count();
  }

  /** The checksum of the reference data the master was last loaded from, if there is a master. */
  async loadedVersion(dataset: string, manager: EntityManager = this.rows.manager): Promise<string | null> {
    const found: { checksum: string }[] = await manager.query(
      `SELECT checksum FROM reference_data_versions WHERE dataset = $1 AND EXISTS (SELECT 1 FROM instruments)`,
      [dataset],
    );
    return found[0]?.checksum ?? null;
  }

  /** Runs `work` in one transaction holding the seeding lock; a concurrent seeder waits, then sees the result. */
  async inSeedingTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.rows.manager.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
      return work(manager);
    });
  }

  async existingTokens(manager: EntityManager): Promise<ExistingToken[]> {
    const rows: { exchange: ExistingToken['exchange']; tradingsymbol: string; exchange_token: number }[] = await manager.query(
      'SELECT exchange, tradingsymbol, exchange_token FROM instruments',
    );
    return rows.map((r) => ({ exchange: r.exchange, tradingsymbol: r.tradingsymbol, exchangeToken: r.exchange_token }));
  }

  async writeMaster(manager: EntityManager, master: readonly InstrumentSpec[]): Promise<MasterWrite> {
    const [{ inserted, updated }]: { inserted: number; updated: number }[] = await manager.query(
      UPSERT_MASTER,
      COLUMNS.map((c) => master.map(c.of)),
    );
    // Through a CTE and a SELECT: TypeORM hands back [rows, count] for a bare UPDATE … RETURNING.
    const [{ retired }]: { retired: number }[] = await manager.query(
      `WITH retired AS (
         UPDATE instruments SET tradable = false, updated_at = now()
          WHERE tradable AND NOT (instrument_token = ANY($1::int[])) RETURNING 1
       ) SELECT count(*)::int AS retired FROM retired`,
      [master.map((i) => i.instrumentToken)],
    );
    return { inserted, updated, retired };
  }

  async recordVersion(manager: EntityManager, version: { dataset: string; checksum: string; rowCount: number }): Promise<void> {
    await manager.query(
      `INSERT INTO reference_data_versions (dataset, checksum, row_count, loaded_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (dataset) DO UPDATE SET checksum = EXCLUDED.checksum, row_count = EXCLUDED.row_count, loaded_at = now()`,
      [version.dataset, version.checksum, version.rowCount],
    );
  }
}
