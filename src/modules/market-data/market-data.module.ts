import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../common/config/app-config';
import { REDIS_CONNECTIONS, type RedisConnections } from '../../common/redis/redis.module';
import { ExchangeSimModule } from '../exchange-sim/exchange-sim.module';
import { InstrumentsModule } from '../instruments';
import { LAST_PRICE_PROVIDER, type LastPriceProvider } from '../risk/last-price';
import { EmbeddedFeed } from './feed/embedded-feed';
import { FeedLeaderService } from './feed/feed-leader.service';
import { CACHE_SINK, RedisPipelineSink, type CacheSink } from './feed/quote-cache-writer';
import { HistoricalController } from './history/historical.controller';
import { HistoryBackfill } from './history/history-backfill';
import { HistoryService } from './history/history.service';
import { QuoteReader } from './quotes/quote-reader';
import { QuotesController } from './quotes/quotes.controller';
import { QuotesService } from './quotes/quotes.service';
import { MarketReads } from './storage/market-reads';
import { MarketWriter } from './storage/market-writer';
import { PartitionManager } from './storage/partitions';
import { UdfController } from './udf/udf.controller';
import { WatchlistsController } from './watchlists/watchlists.controller';
import { WatchlistsRepository } from './watchlists/watchlists.repository';
import { WatchlistsService } from './watchlists/watchlists.service';

/**
 * Market data (docs/market-data.md): the leader-elected feed handler, quotes on every replica,
 * the quote cache, ticks and candles in Postgres, Kite quote and historical APIs, TradingView's
 * UDF datafeed, and watchlists. Other modules get QuotesService, the events in
 * market-data.events.ts and LAST_PRICE_PROVIDER (risk's port, served from QuotesService).
 */
@Module({
  imports: [InstrumentsModule, ExchangeSimModule],
  controllers: [QuotesController, HistoricalController, UdfController, WatchlistsController],
  providers: [
    { provide: PartitionManager, inject: [DataSource], useFactory: (db: DataSource) => new PartitionManager(db) },
    {
      provide: MarketWriter,
      inject: [DataSource, PartitionManager, AppConfig],
      // One leader term per cluster; replicas of one deployment share the Redis key prefix.
      useFactory: (db: DataSource, partitions: PartitionManager, config: AppConfig) => new MarketWriter(db, partitions, config.redis.keyPrefix),
    },
    { provide: MarketReads, inject: [DataSource], useFactory: (db: DataSource) => new MarketReads(db) },
    {
      provide: CACHE_SINK,
      inject: [AppConfig, REDIS_CONNECTIONS],
      // Embedded mode is one process: its QuotesService memory is the quote cache (QuoteReader reads it).
      useFactory: (config: AppConfig, conns: RedisConnections | null): CacheSink | null =>
        conns ? new RedisPipelineSink(conns.command, config.redis.keyPrefix) : null,
    },
    QuotesService,
    QuoteReader,
    EmbeddedFeed,
    FeedLeaderService,
    HistoryBackfill,
    HistoryService,
    WatchlistsRepository,
    WatchlistsService,
    {
      provide: LAST_PRICE_PROVIDER,
      inject: [QuotesService],
      useFactory: (quotes: QuotesService): LastPriceProvider => ({ lastPrice: (token) => quotes.lastPrice(token) }),
    },
  ],
  exports: [QuotesService, LAST_PRICE_PROVIDER],
})
export class MarketDataModule {}
