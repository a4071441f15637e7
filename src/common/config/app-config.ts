import { join, resolve } from 'node:path';
import { configSchema, RawConfig } from './config.schema';

export class ConfigError extends Error {}

/**
 * Typed, validated configuration. The only place that reads process.env; a wrong value
 * stops the boot with a message naming the variable.
 */
export class AppConfig {
  private constructor(private readonly raw: RawConfig) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig {
    // An empty string means "unset": docker-compose and .env files write VAR= for optional values.
    const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
    const parsed = configSchema.safeParse(cleaned);
    if (!parsed.success) {
      const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(config)'}: ${i.message}`);
      throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
    }
    return new AppConfig(parsed.data);
  }

  /** For tests: defaults plus overrides, still validated. */
  static with(overrides: Partial<Record<keyof RawConfig, string>>): AppConfig {
    return AppConfig.fromEnv(overrides as NodeJS.ProcessEnv);
  }

  get nodeEnv() { return this.raw.NODE_ENV; }
  get isProduction() { return this.raw.NODE_ENV === 'production'; }
  get http() {
    return {
      port: this.raw.PORT,
      host: this.raw.HOST,
      bodyLimit: this.raw.HTTP_BODY_LIMIT_BYTES,
      trustProxy: this.raw.HTTP_TRUST_PROXY,
      corsOrigins: this.raw.CORS_ORIGINS,
      shutdownGraceMs: this.raw.SHUTDOWN_GRACE_MS,
    };
  }
  get logLevel() { return this.raw.LOG_LEVEL; }
  get dataDir() { return resolve(this.raw.MSTOCK_DATA_DIR); }

  /** Embedded mode: no DATABASE_URL, so Postgres runs as PGlite in a child process. */
  get database() {
    return {
      url: this.raw.DATABASE_URL,
      readUrl: this.raw.DATABASE_READ_URL,
      embedded: !this.raw.DATABASE_URL,
      poolSize: this.raw.DATABASE_POOL_SIZE,
      statementTimeoutMs: this.raw.DATABASE_STATEMENT_TIMEOUT_MS,
    };
  }

  /**
   * Secrets may be absent outside production: the auth module then generates them once and
   * keeps them in the data directory (see auth-secrets.ts).
   */
  get auth() {
    const r = this.raw;
    return {
      jwtSecret: r.JWT_SECRET,
      totpEncryptionKey: r.TOTP_ENCRYPTION_KEY ? Buffer.from(r.TOTP_ENCRYPTION_KEY, 'base64') : undefined,
      accessTokenTtlSeconds: r.ACCESS_TOKEN_TTL_SECONDS,
      sessionIdleTtlSeconds: r.SESSION_IDLE_TTL_SECONDS,
      refreshTokenTtlSeconds: r.REFRESH_TOKEN_TTL_SECONDS,
      loginMaxFailures: r.LOGIN_MAX_FAILURES,
      kycAutoApprove: r.KYC_AUTO_APPROVE ?? this.database.embedded,
      demoUser: r.DEMO_USER ?? this.database.embedded,
      adminEmails: r.ADMIN_EMAILS.map((e) => e.toLowerCase()),
    };
  }

  /** WebSocket clients: conflation window and the per-connection caps (see docs/realtime.md). */
  get realtime() {
    const r = this.raw;
    return {
      flushMs: r.REALTIME_FLUSH_MS,
      maxSubscriptions: r.REALTIME_MAX_SUBSCRIPTIONS,
      messagesPerSecond: r.REALTIME_MESSAGES_PER_SECOND,
      maxMessageBytes: r.REALTIME_MAX_MESSAGE_BYTES,
      sendBufferLimitBytes: r.REALTIME_SEND_BUFFER_LIMIT_BYTES,
      /** Origin allow-list for handshakes (same-origin is always allowed). */
      allowedOrigins: r.CORS_ORIGINS,
    };
  }

  get rateLimits() {
    return {
      perUserPerMinute: this.raw.RATE_LIMIT_PER_MINUTE,
      anonymousPerIpPerMinute: this.raw.ANON_RATE_LIMIT_PER_MINUTE,
      ordersPerSecond: this.raw.ORDER_RATE_LIMIT_PER_SECOND,
    };
  }

  /** The exchange simulator: in-process by default; FIX and feed listeners only when a port is set. */
  get simulator() {
    const r = this.raw;
    return {
      enabled: r.SIM_ENABLED,
      seed: r.SIM_SEED,
      liquidity: r.SIM_LIQUIDITY,
      ticksPerSecond: r.SIM_TICKS_PER_SECOND,
      fixPort: r.SIM_FIX_PORT,
      feedPort: r.SIM_FEED_PORT,
      fixCompId: r.SIM_FIX_COMP_ID,
    };
  }

  /** Shares of an MIS position's margin that its loss may eat before a call, and before square-off. */
  get marginCalls() {
    return { marginCallPct: this.raw.MARGIN_CALL_PCT, squareOffPct: this.raw.MARGIN_SQUAREOFF_PCT };
  }

  /**
   * The broker's FIX 4.4 link to a venue. When set, the FIX gateway is the exchange (the embedded
   * simulator may still run for market data); its sequence numbers and resendable messages live
   * under the data dir so a restart continues the session instead of resetting it.
   */
  get exchangeFix() {
    const r = this.raw;
    if (r.EXCHANGE_FIX_HOST === undefined || r.EXCHANGE_FIX_PORT === undefined) return undefined;
    return {
      host: r.EXCHANGE_FIX_HOST,
      port: r.EXCHANGE_FIX_PORT,
      senderCompId: r.EXCHANGE_FIX_SENDER_COMP_ID,
      targetCompId: r.EXCHANGE_FIX_TARGET_COMP_ID,
      heartbeatSeconds: r.EXCHANGE_FIX_HEARTBEAT_SECONDS,
      storeDir: join(this.dataDir, 'fix-initiator'),
    };
  }

  /** Demo (embedded) default: always open; with a real database, the NSE calendar in IST. */
  get market() {
    const hours = this.raw.MARKET_HOURS ?? (this.database.embedded ? 'always-open' : 'exchange');
    return { alwaysOpen: hours === 'always-open', holidays: this.raw.EXCHANGE_HOLIDAYS };
  }

  /**
   * Market data: where the binary feed is (an external simulator or venue; else the embedded
   * simulator's own feed on a loopback port), staleness, leader lease, batching and tick retention
   * (two years with a real database, two days in embedded mode so a laptop's disk does not fill).
   */
  get marketData() {
    const r = this.raw;
    return {
      feed: r.MARKET_FEED_HOST !== undefined && r.MARKET_FEED_PORT !== undefined ? { host: r.MARKET_FEED_HOST, port: r.MARKET_FEED_PORT } : undefined,
      staleAfterMs: r.MARKET_STALE_AFTER_MS,
      leaderTtlMs: r.MARKET_LEADER_TTL_MS,
      tickFlushMs: r.MARKET_TICK_FLUSH_MS,
      candleFlushMs: r.MARKET_CANDLE_FLUSH_MS,
      tickRetentionDays: r.MARKET_TICK_RETENTION_DAYS ?? (this.database.embedded ? 2 : 730),
    };
  }

  /** In-memory adapters when neither REDIS_URL nor REDIS_SENTINELS is set. */
  get redis() {
    return {
      url: this.raw.REDIS_URL,
      sentinels: this.raw.REDIS_SENTINELS?.map((s) => {
        const [host, port] = s.split(':');
        return { host, port: Number(port) };
      }),
      sentinelName: this.raw.REDIS_SENTINEL_NAME,
      keyPrefix: this.raw.REDIS_KEY_PREFIX,
      embedded: !this.raw.REDIS_URL && !this.raw.REDIS_SENTINELS,
    };
  }
}
