import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Cache, CACHE } from '../../common/redis/ports';

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

@Injectable()
export class RiskSettingsService {
  private readonly logger = new Logger(RiskSettingsService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CACHE) private readonly cache: Cache,
  ) {}

  async get(): Promise<RiskSettings> {
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
    return this.get();
  }
}
