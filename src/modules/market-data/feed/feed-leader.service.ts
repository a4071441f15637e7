import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { CLOCK, type Clock } from '../../../common/clock/clock';
import { AppConfig } from '../../../common/config/app-config';
import { HealthRegistry } from '../../../common/observability/health.registry';
import { LOCK, PUBSUB, type Lock, type PubSub } from '../../../common/redis/ports';
import { redisOptions } from '../../../common/redis/redis.module';
import { InstrumentsService } from '../../instruments';
import { marketMetrics } from '../market-data.metrics';
import { QuotesService } from '../quotes/quotes.service';
import { MarketWriter } from '../storage/market-writer';
import { FeedIngest, type FeedHandler, type FeedIngestOptions } from './feed-ingest';
import { canRunFeedThread, FeedThread } from './feed-thread';
import { EmbeddedFeed } from './embedded-feed';
import { LeaderElection } from './leader-election';
import { CACHE_SINK, type CacheSink } from './quote-cache-writer';

const LOCK_NAME = 'market-data:feed-leader';
/** The leader's feed may be down this long (a reconnect, a re-snapshot) before readiness reports it. */
const FEED_DOWN_GRACE_MS = 10_000;
/** Bootstrap waits this long for the first snapshot, so a single replica serves quotes once ready. */
const FIRST_SNAPSHOT_WAIT_MS = 3_000;
const MAINTENANCE_MS = 3_600_000;

/**
 * Runs the feed handler on exactly one replica: Redis-lock election, a fenced term in Postgres per
 * leadership, the FeedIngest for that term, and the leader's hourly partition upkeep. Followers
 * only listen to the bus (QuotesService). Readiness fails only on a leader whose feed is down.
 */
@Injectable()
export class FeedLeaderService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('MarketFeedLeader');
  private readonly holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private election: LeaderElection | null = null;
  private ingest: FeedHandler | null = null;
  private maintenance: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly instruments: InstrumentsService,
    private readonly writer: MarketWriter,
    private readonly embedded: EmbeddedFeed,
    private readonly health: HealthRegistry,
    @Inject(LOCK) private readonly lock: Lock,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    @Inject(CACHE_SINK) private readonly cacheSink: CacheSink | null,
    private readonly quotes: QuotesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  get isLeader(): boolean {
    return this.ingest !== null;
  }

  async onApplicationBootstrap(): Promise<void> {
    const target = this.config.marketData.feed ?? (await this.embedded.start());
    if (!target) {
      this.logger.log('no market-data feed: the simulator is off and MARKET_FEED_HOST is not set');
      return;
    }
    marketMetrics.setLeaderSource(() => ({ leader: this.isLeader, feedConnected: this.ingest?.feedConnected ?? false }));
    this.health.register('market_feed', async () => {
      // Followers are ready without a feed of their own.
      const down = this.ingest?.feedDownForMs ?? 0;
      if (down > FEED_DOWN_GRACE_MS) throw new Error(`feed leader not connected to ${target.host}:${target.port} for ${Math.round(down / 1000)} s`);
    });
    if (!this.instruments.isLoaded) await this.instruments.reload();
    this.election = new LeaderElection({
      lock: this.lock,
      name: LOCK_NAME,
      ttlMs: this.config.marketData.leaderTtlMs,
      logger: this.logger,
      onElected: () => this.lead(target),
      onDeposed: () => this.follow(),
    });
    await this.election.start();
    if (this.ingest) await this.firstSnapshot(this.ingest);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.maintenance) clearInterval(this.maintenance);
    this.maintenance = null;
    await this.election?.stop();
    this.election = null;
    await this.embedded.stop();
  }

  private async lead(target: { host: string; port: number }): Promise<void> {
    const epoch = await this.writer.claim(this.holder);
    await this.writer.partitions.prepareAhead(this.clock.now());
    const md = this.config.marketData;
    const settings = { target, epoch, tickFlushMs: md.tickFlushMs, candleFlushMs: md.candleFlushMs };
    const onDeposed = (reason: string) => this.election?.resign(reason);
    const bookkeeping = this.bookkeeping();
    // With Postgres and Redis of its own, the whole feed path runs on a thread (FeedThread); the
    // in-memory bus and PGlite belong to this thread, so those modes keep it here.
    const ingest: FeedHandler =
      bookkeeping.thread === 'worker' && canRunFeedThread(bookkeeping.connections)
        ? new FeedThread(
            { ...settings, instruments: this.instruments.all(), connections: bookkeeping.connections },
            { onDeposed, deliverLocally: (message) => this.quotes.deliver(message) },
          )
        : new FeedIngest({
            ...settings,
            instruments: this.instruments,
            // Embedded mode is one process: its QuotesService hears the leader directly, nothing goes on the in-memory bus.
            pubsub: this.config.redis.embedded ? null : this.pubsub,
            deliverLocally: (message) => this.quotes.deliver(message),
            bookkeeping,
            onDeposed,
          });
    this.ingest = ingest;
    ingest.start();
    this.logger.log(`feed leader term ${epoch} (${this.holder}): reading ${target.host}:${target.port}`);
    this.maintenance = setInterval(() => void this.upkeep(), MAINTENANCE_MS);
    this.maintenance.unref();
    void this.upkeep();
  }

  /** On a thread of its own, except on PGlite: its single connection belongs to this thread's pool. */
  private bookkeeping(): FeedIngestOptions['bookkeeping'] {
    const { url, embedded } = this.config.database;
    if (embedded || !url) return { thread: 'inline', writer: this.writer, cache: this.cacheSink };
    const redis = this.config.redis;
    return {
      thread: 'worker',
      connections: {
        databaseUrl: url,
        redis: redis.embedded ? null : redisOptions(this.config),
        keyPrefix: redis.keyPrefix,
        cluster: this.writer.cluster,
        logLevel: this.config.logLevel,
      },
    };
  }

  private async follow(): Promise<void> {
    if (this.maintenance) clearInterval(this.maintenance);
    this.maintenance = null;
    const ingest = this.ingest;
    this.ingest = null;
    await ingest?.stop();
  }

  private async upkeep(): Promise<void> {
    try {
      const now = this.clock.now();
      await this.writer.partitions.prepareAhead(now);
      await this.writer.partitions.dropExpiredTicks(now, this.config.marketData.tickRetentionDays);
    } catch (err) {
      this.logger.warn(`market-data partition upkeep failed: ${(err as Error).message}`);
    }
  }

  private async firstSnapshot(ingest: FeedHandler): Promise<void> {
    const deadline = performance.now() + FIRST_SNAPSHOT_WAIT_MS;
    while (!ingest.feedConnected && performance.now() < deadline && this.ingest === ingest) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
