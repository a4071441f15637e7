import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Cache, CACHE, PubSub, PUBSUB, Unsubscribe } from '../../common/redis/ports';

export interface RiskSettings {
  /** MIS margin as % of order value. */
  misMarginPct: number;
  /** Market protection band for market orders, %. */
  marketProtectionPct: number;
  /** Broker-wide stop on new orders. */
  killSwitch: boolean;
}

/** DESIGN §7: config:margins is cached for an hour; a change deletes the key, so every replica sees it at once. */
const CACHE_KEY = 'config:margins';
const TTL_MS = 60 * 60_000;
/**
 * Every order reads the settings, so each replica also keeps them in memory this long (saves a
 * Redis round trip per order). A change is announced on CHANGED_CHANNEL and every replica drops
 * its copy at once; the short expiry only bounds how stale a replica can be if it missed that.
 */
const LOCAL_TTL_MS = 2_000;
const CHANGED_CHANNEL = 'config.margins.changed';

@Injectable()
export class RiskSettingsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RiskSettingsService.name);
  private local: { settings: RiskSettings; until: number } | null = null;
  /** Bumped by every invalidation, so a read that began before a change cannot store the old values. */
  private generation = 0;
  private unsubscribe?: Unsubscribe;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CACHE) private readonly cache: Cache,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = await this.pubsub.subscribe(CHANGED_CHANNEL, () => this.forgetLocal());
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.unsubscribe?.().catch(() => undefined);
  }

  async get(): Promise<RiskSettings> {
    if (this.local && this.local.until > Date.now()) return this.local.settings;
    const generation = this.generation;
    const settings = await this.read();
    if (generation === this.generation) this.local = { settings, until: Date.now() + LOCAL_TTL_MS };
    return settings;
  }

  private forgetLocal(): void {
    this.local = null;
    this.generation++;
  }

  private async read(): Promise<RiskSettings> {
    const cached = await this.cache.get(CACHE_KEY).catch((err) => {
      // Redis down: read the database; orders must not stop because a cache did.
      this.logger.warn(`risk settings cache unavailable: ${(err as Error).message}`);
      return null;
    });
    if (cached) return JSON.parse(cached) as RiskSettings;
    const [row] = await this.dataSource.query('SELECT mis_margin_pct, market_protection_pct, kill_switch FROM risk_settings WHERE id = 1');
    const settings: RiskSettings = {
      misMarginPct: Number(row.mis_margin_pct),
      marketProtectionPct: Number(row.market_protection_pct),
      killSwitch: row.kill_switch,
    };
    await this.cache.set(CACHE_KEY, JSON.stringify(settings), TTL_MS).catch(() => undefined);
    return settings;
  }

  async update(patch: Partial<RiskSettings>): Promise<RiskSettings> {
    await this.dataSource.query(
      `UPDATE risk_settings SET mis_margin_pct = COALESCE($1, mis_margin_pct), market_protection_pct = COALESCE($2, market_protection_pct),
         kill_switch = COALESCE($3, kill_switch), updated_at = now() WHERE id = 1`,
      [patch.misMarginPct ?? null, patch.marketProtectionPct ?? null, patch.killSwitch ?? null],
    );
    await this.cache.del(CACHE_KEY);
    this.forgetLocal();
    await this.pubsub.publish(CHANGED_CHANNEL, '').catch((err) => this.logger.warn(`risk settings change not announced: ${(err as Error).message}`));
    return this.get();
  }
}
