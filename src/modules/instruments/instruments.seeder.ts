import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { HealthRegistry } from '../../common/observability/health.registry';
import { InstrumentsService } from './instruments.service';
import { InstrumentsRepository, MasterWrite } from './persistence/instruments.repository';
import { buildInstrumentMaster, MASTER_RULES_VERSION } from './reference-data/instrument-master';
import { checksumOf, locateReferenceData, parseReferenceData, readReferenceFiles, ReferenceFiles } from './reference-data/reference-data';

/** Key of the master's row in reference_data_versions. */
export const INSTRUMENTS_DATASET = 'instruments';

export type SeedOutcome =
  | { status: 'up-to-date'; checksum: string; durationMs: number }
  | { status: 'loaded'; checksum: string; rows: number; durationMs: number } & MasterWrite
  /** No reference files next to this build, but the database already has a master: use it. */
  | { status: 'no-reference-data'; durationMs: number };

/**
 * Brings the `instruments` table up to date with the reference data at boot, then loads the
 * in-memory master. Seeding happens when the table is empty or the data's checksum (files +
 * rule version) differs from the stored one; otherwise it is a single indexed read.
 */
@Injectable()
export class InstrumentsSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(InstrumentsSeeder.name);
  /** What the boot-time seeding did (for logs, tests and the seeding-time measurement). */
  lastOutcome?: SeedOutcome;

  constructor(
    private readonly repository: InstrumentsRepository,
    private readonly instruments: InstrumentsService,
    private readonly health: HealthRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Orders cannot be validated without the master: not ready until it is in memory.
    this.health.register('instruments', async () => {
      if (!this.instruments.isLoaded) throw new Error('instrument master not loaded');
    });
    // One hook does both, in order: Nest runs a module's bootstrap hooks concurrently.
    this.lastOutcome = await this.seed();
    const count = await this.instruments.reload();
    this.logger.log({ ...this.lastOutcome, inMemory: count }, 'instrument master ready');
  }

  /** Idempotent: with unchanged data it writes nothing, even when forced to re-derive the rows. */
  async seed({ force = false }: { force?: boolean } = {}): Promise<SeedOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const files = await this.referenceFiles();
    if (!files) return { status: 'no-reference-data', durationMs: elapsed() };
    const checksum = createHash('sha256').update(`${MASTER_RULES_VERSION}\0${checksumOf(files)}`).digest('hex');
    const isCurrent = (stored: string | null) => !force && stored === checksum;

    if (isCurrent(await this.repository.loadedVersion(INSTRUMENTS_DATASET))) {
      return { status: 'up-to-date', checksum, durationMs: elapsed() };
    }
    const data = parseReferenceData(files);
    return this.repository.inSeedingTransaction(async (manager): Promise<SeedOutcome> => {
      // Another replica may have loaded the same data while this one waited for the lock.
      if (isCurrent(await this.repository.loadedVersion(INSTRUMENTS_DATASET, manager))) {
        return { status: 'up-to-date', checksum, durationMs: elapsed() };
      }
      const master = buildInstrumentMaster(data, await this.repository.existingTokens(manager));
      const written = await this.repository.writeMaster(manager, master);
      await this.repository.recordVersion(manager, { dataset: INSTRUMENTS_DATASET, checksum, rowCount: master.length });
      return { status: 'loaded', checksum, rows: master.length, ...written, durationMs: elapsed() };
    });
  }

  private async referenceFiles(): Promise<ReferenceFiles | null> {
    let dir: string;
    try {
      dir = locateReferenceData();
    } catch (err) {
      // An image built without resources/ can still serve a database seeded earlier.
      if ((await this.repository.countAll()) > 0) {
        this.logger.warn(`${(err as Error).message}; keeping the instruments already in the database`);
        return null;
      }
      throw err;
    }
    return readReferenceFiles(dir);
  }
}
