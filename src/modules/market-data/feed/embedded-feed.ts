import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../../common/config/app-config';
import type { MarketDataSource } from '../../../common/exchange-protocol/venue.types';
import { FeedServer } from '../../exchange-sim/feed/feed-server';
import { MARKET_DATA_SOURCE } from '../../exchange-sim/venue.types';

/**
 * Embedded mode: the in-process simulator's binary feed served on an ephemeral loopback port, so
 * that the feed handler reads it over TCP exactly as it reads `npm run exchange-sim` or a venue in
 * production (MARKET_FEED_HOST/PORT): one code path, decoder and reconnect logic included. The
 * cost is one local TCP hop (~1 MB/s at 5,000 quotes/s); the feed server encodes each batch
 * once and skips the work entirely while no replica is connected.
 */
@Injectable()
export class EmbeddedFeed {
  private readonly logger = new Logger('EmbeddedFeed');
  private server: FeedServer | null = null;
  /** The bound port while serving. */
  port: number | null = null;

  constructor(
    private readonly config: AppConfig,
    @Inject(MARKET_DATA_SOURCE) private readonly source: MarketDataSource,
  ) {}

  /** Starts the loopback feed (on an ephemeral port unless given one) when the simulator runs in this process; null otherwise. */
  async start(port = 0): Promise<{ host: string; port: number } | null> {
    if (!this.config.simulator.enabled) return null;
    const host = '127.0.0.1';
    this.server = new FeedServer(this.source, { port, host, logger: this.logger });
    this.port = await this.server.start();
    return { host, port: this.port };
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.port = null;
    await server?.stop();
  }
}
