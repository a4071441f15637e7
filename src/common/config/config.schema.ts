import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);
const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
// FIX CompIDs also name the session's store files: letters, digits, '_', '-', '.'.
const fixCompId = z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'must be 1-32 of A-Z, a-z, 0-9, _, -, .');
const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((v) => protocols.some((p) => v.startsWith(`${p}://`)), `must start with ${protocols.join(' or ')}://`);

/**
 * Every environment variable the app reads. Documented one by one in .env.example;
 * keep the two in step (a test compares them).
 */
export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: port.default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    MSTOCK_DATA_DIR: z.string().min(1).default('./data'),

    DATABASE_URL: url(['postgres', 'postgresql']).optional(),
    DATABASE_READ_URL: url(['postgres', 'postgresql']).optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),

    REDIS_URL: url(['redis', 'rediss']).optional(),
    REDIS_SENTINELS: csv
      .pipe(z.array(z.string().regex(/^[^:]+:\d+$/, 'each sentinel must be host:port')).min(1))
      .optional(),
    REDIS_SENTINEL_NAME: z.string().min(1).default('mymaster'),
    REDIS_KEY_PREFIX: z.string().default('mstock:'),

    HTTP_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
    HTTP_TRUST_PROXY: bool.default('false'),
    CORS_ORIGINS: csv.default(''),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),

    REALTIME_FLUSH_MS: z.coerce.number().int().min(10).max(1000).default(50),
    REALTIME_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(10_000).default(3000),
    REALTIME_MESSAGES_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(20),
    REALTIME_MAX_MESSAGE_BYTES: z.coerce.number().int().min(1024).max(65_536).default(65_536),
    REALTIME_SEND_BUFFER_LIMIT_BYTES: z.coerce.number().int().min(16_384).max(64 * 1024 * 1024).default(4 * 1024 * 1024),

    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    TOTP_ENCRYPTION_KEY: z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)')
      .optional(),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(900).default(900),
    SESSION_IDLE_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(1800),
    REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(300).max(30 * 86_400).default(12 * 3600),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1000),
    ANON_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(300),
    ORDER_RATE_LIMIT_PER_SECOND: z.coerce.number().int().min(1).default(10),
    LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
    KYC_AUTO_APPROVE: bool.optional(),
    ADMIN_EMAILS: csv.pipe(z.array(z.string().email('each admin must be an email address'))).default(''),
    DEMO_USER: bool.optional(),

    SIM_ENABLED: bool.default('true'),
    SIM_SEED: z.coerce.number().int().min(0).default(1),
    SIM_LIQUIDITY: bool.default('true'),
    SIM_TICKS_PER_SECOND: z.coerce.number().min(0.01).max(20).default(1),
    SIM_FIX_PORT: port.optional(),
    SIM_FEED_PORT: port.optional(),
    SIM_FIX_COMP_ID: z.string().regex(/^[A-Z0-9_]{1,32}$/, 'must be 1-32 of A-Z, 0-9, _').default('NSESIM'),

    // The broker's FIX 4.4 initiator: set EXCHANGE_FIX_HOST and orders go to that venue instead of the in-process simulator.
    EXCHANGE_FIX_HOST: z.string().min(1).optional(),
    EXCHANGE_FIX_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    EXCHANGE_FIX_SENDER_COMP_ID: fixCompId.default('MSTOCK'),
    EXCHANGE_FIX_TARGET_COMP_ID: fixCompId.default('NSESIM'),
    EXCHANGE_FIX_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(300).default(30),

    MARGIN_CALL_PCT: z.coerce.number().min(1).max(100).default(50),
    MARGIN_SQUAREOFF_PCT: z.coerce.number().min(1).max(100).default(80),

    MARKET_HOURS: z.enum(['always-open', 'exchange']).optional(),
    EXCHANGE_HOLIDAYS: csv.pipe(z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'dates must be YYYY-MM-DD'))).optional(),

    MARKET_FEED_HOST: z.string().min(1).optional(),
    MARKET_FEED_PORT: port.optional(),
    MARKET_STALE_AFTER_MS: z.coerce.number().int().min(500).max(600_000).default(5000),
    MARKET_LEADER_TTL_MS: z.coerce.number().int().min(1000).max(60_000).default(5000),
    MARKET_TICK_FLUSH_MS: z.coerce.number().int().min(10).max(10_000).default(200),
    MARKET_CANDLE_FLUSH_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
    MARKET_TICK_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).optional(),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.NODE_ENV === 'production') {
      for (const key of ['JWT_SECRET', 'TOTP_ENCRYPTION_KEY'] as const) {
        if (!cfg[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required in production (replicas must share it)' });
      }
    }
    if (cfg.REDIS_URL && cfg.REDIS_SENTINELS) {
      ctx.addIssue({ code: 'custom', path: ['REDIS_SENTINELS'], message: 'set either REDIS_URL or REDIS_SENTINELS, not both' });
    }
    if ((cfg.MARKET_FEED_HOST === undefined) !== (cfg.MARKET_FEED_PORT === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['MARKET_FEED_PORT'], message: 'set MARKET_FEED_HOST and MARKET_FEED_PORT together' });
    }
    if ((cfg.EXCHANGE_FIX_HOST === undefined) !== (cfg.EXCHANGE_FIX_PORT === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['EXCHANGE_FIX_PORT'], message: 'set EXCHANGE_FIX_HOST and EXCHANGE_FIX_PORT together' });
    }
    if (cfg.DATABASE_READ_URL && !cfg.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_READ_URL'], message: 'needs DATABASE_URL (embedded mode has no replica)' });
    }
  });

export type RawConfig = z.infer<typeof configSchema>;
export const CONFIG_KEYS = Object.keys(configSchema.innerType().shape) as (keyof RawConfig)[];
