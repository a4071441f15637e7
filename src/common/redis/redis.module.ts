import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';
import { AppConfig } from '../config/app-config';
import { MemoryCache, MemoryKeyspace, MemoryLock, MemoryPubSub, MemoryRateLimitStore } from './memory-adapters';
import { Cache, CACHE, Lock, LOCK, PubSub, PUBSUB, RATE_LIMIT_STORE, RateLimitStore } from './ports';
import { RedisCache, RedisLock, RedisPubSub, RedisRateLimitStore } from './redis-adapters';

/** The connections behind the ports; null in embedded mode. Exported for health checks and the socket.io adapter. */
export interface RedisConnections {
  command: Redis;
  subscriber: Redis;
  /** Opens another connection with the same settings (socket.io's adapter needs its own pair). */
  duplicate(): Redis;
}
export const REDIS_CONNECTIONS = Symbol('RedisConnections');
const MEMORY_KEYSPACE = Symbol('MemoryKeyspace');

export function redisOptions(config: AppConfig): { url?: string; options: RedisOptions } {
  const r = config.redis;
  const options: RedisOptions = {
    enableAutoPipelining: true,
    maxRetriesPerRequest: 2,
    connectTimeout: 5_000,
    lazyConnect: false,
    ...(r.sentinels ? { sentinels: r.sentinels, name: r.sentinelName } : {}),
  };
  return { url: r.url, options };
}

function connect(config: AppConfig, role: string): Redis {
  const { url, options } = redisOptions(config);
  const client = url ? new Redis(url, { ...options, connectionName: `mstock-${role}` }) : new Redis({ ...options, connectionName: `mstock-${role}` });
  const logger = new Logger(`Redis:${role}`);
  // ioredis reconnects by itself; log instead of letting the 'error' event crash the process.
  client.on('error', (err) => logger.warn(`redis ${role}: ${err.message}`));
  return client;
}

@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CONNECTIONS) private readonly conns: RedisConnections | null,
    @Inject(MEMORY_KEYSPACE) private readonly keyspace: MemoryKeyspace | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.keyspace?.close();
    if (!this.conns) return;
    await Promise.allSettled([this.conns.command.quit(), this.conns.subscriber.quit()]);
  }
}

const pick = <T>(memory: (ks: MemoryKeyspace) => T, redis: (c: RedisConnections, prefix: string) => T) => ({
  inject: [AppConfig, REDIS_CONNECTIONS, MEMORY_KEYSPACE],
  useFactory: (config: AppConfig, conns: RedisConnections | null, ks: MemoryKeyspace | null) =>
    conns ? redis(conns, config.redis.keyPrefix) : memory(ks!),
});

/** Cache, PubSub, Lock and RateLimitStore: Redis when configured, in-memory otherwise. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CONNECTIONS,
      inject: [AppConfig],
      useFactory: (config: AppConfig): RedisConnections | null =>
        config.redis.embedded
          ? null
          : { command: connect(config, 'cmd'), subscriber: connect(config, 'sub'), duplicate: () => connect(config, 'extra') },
    },
    {
      provide: MEMORY_KEYSPACE,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => (config.redis.embedded ? new MemoryKeyspace() : null),
    },
    { provide: CACHE, ...pick<Cache>((ks) => new MemoryCache(ks), (c, p) => new RedisCache(c.command, p)) },
    { provide: PUBSUB, ...pick<PubSub>(() => new MemoryPubSub(), (c, p) => new RedisPubSub(c.command, c.subscriber, p)) },
    { provide: LOCK, ...pick<Lock>((ks) => new MemoryLock(ks), (c, p) => new RedisLock(c.command, p)) },
    { provide: RATE_LIMIT_STORE, ...pick<RateLimitStore>((ks) => new MemoryRateLimitStore(ks), (c, p) => new RedisRateLimitStore(c.command, p)) },
    RedisLifecycle,
  ],
  exports: [CACHE, PUBSUB, LOCK, RATE_LIMIT_STORE, REDIS_CONNECTIONS],
})
export class RedisModule {}
